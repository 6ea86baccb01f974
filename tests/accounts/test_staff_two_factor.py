import pytest
from allauth.mfa.models import Authenticator

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def require_2fa(settings):
    settings.STAFF_REQUIRE_2FA = True


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER, Role.USAID_VIEWER, Role.ADMIN])
def test_staff_without_two_factor_are_sent_to_set_it_up(client, require_2fa, role):
    client.force_login(UserFactory(role=role))
    response = client.get("/en/staff/")
    assert response.status_code == 302
    assert response.url.startswith("/en/accounts/2fa/totp/activate/")
    assert "next=%2Fen%2Fstaff%2F" in response.url


@pytest.mark.django_db
def test_admin_site_also_needs_two_factor(client, require_2fa):
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response.url


@pytest.mark.django_db
def test_staff_with_an_authenticator_app_reach_the_staff_pages(client, require_2fa):
    user = UserFactory(role=Role.MANAGER)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(user)
    assert client.get("/en/staff/").status_code == 200


@pytest.mark.django_db
def test_non_staff_still_get_404_not_a_two_factor_page(client, require_2fa):
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert client.get("/en/staff/").status_code == 404


@pytest.mark.django_db
def test_with_the_setting_off_staff_pages_open_without_two_factor(client, settings):
    settings.STAFF_REQUIRE_2FA = False
    client.force_login(UserFactory(role=Role.MANAGER))
    assert client.get("/en/staff/").status_code == 200


@pytest.mark.django_db
def test_staff_logging_in_without_two_factor_are_led_to_its_setup_page(client, require_2fa):
    user = UserFactory(role=Role.MANAGER)
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    # allauth asks for the password once more before an authenticator can be added.
    assert response.request["PATH_INFO"] == "/en/accounts/reauthenticate/"
    assert "Staff accounts need two-factor authentication" in response.content.decode()
    response = client.post(
        response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"], {"password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/en/accounts/2fa/totp/activate/"
