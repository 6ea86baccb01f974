import re
from urllib.parse import urlparse

import pytest

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Zgjidhje-Vendore-2027"


def _confirmation_path(message):
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body)
    assert match, message.body
    return urlparse(match.group(0)).path


@pytest.mark.django_db
def test_sign_up_sends_a_confirmation_email_and_confirming_it_logs_the_applicant_in(client, mailoutbox):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "Drita.Berisha@Example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["drita.berisha@example.org"]
    assert mailoutbox[0].body.startswith("Hello from AKT-LS Grants!")

    user = User.objects.get(email="drita.berisha@example.org")
    assert list(user.groups.values_list("name", flat=True)) == ["applicant"]
    # Before confirming, the applicant space stays closed.
    assert client.get("/en/my/").status_code == 404

    path = _confirmation_path(mailoutbox[0])
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == "/en/my/"
    assert user.emailaddress_set.get().verified


@pytest.mark.django_db
def test_a_confirmed_applicant_logs_out_and_in_again_and_lands_on_their_space(client):
    UserFactory(email="arta@example.org", role="applicant")
    response = client.post("/en/accounts/login/", {"login": "arta@example.org", "password": PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == "/en/my/"
    client.post("/en/accounts/logout/")
    assert client.get("/en/my/").status_code == 404


@pytest.mark.django_db
def test_unconfirmed_email_cannot_log_in_and_is_told_to_confirm(client, mailoutbox):
    client.post(
        "/en/accounts/signup/", {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    client.post("/en/accounts/logout/")
    response = client.post("/en/accounts/login/", {"login": "new@example.org", "password": NEW_PASSWORD}, follow=True)
    assert "Verify Your Email Address" in response.content.decode()
    assert client.get("/en/my/").status_code == 404


@pytest.mark.django_db
def test_wrong_password_shows_a_clear_error_and_keeps_the_email(client):
    UserFactory(email="arta@example.org", role="applicant")
    response = client.post("/en/accounts/login/", {"login": "arta@example.org", "password": "wrong-password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in html
    assert 'value="arta@example.org"' in html


@pytest.mark.django_db
def test_wrong_password_error_is_in_albanian_on_the_albanian_site(client):
    UserFactory(email="arta@example.org", role="applicant")
    response = client.post("/sq/accounts/login/", {"login": "arta@example.org", "password": "wrong-password"})
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." not in html
    assert "nuk janë të sakta" in html


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client):
    UserFactory(email="arta@example.org", role="applicant")
    for _attempt in range(5):
        client.post("/en/accounts/login/", {"login": "arta@example.org", "password": "wrong-password"})
    response = client.post("/en/accounts/login/", {"login": "arta@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client, mailoutbox):
    UserFactory(email="arta@example.org", role="applicant")
    client.post("/en/accounts/password/reset/", {"email": "arta@example.org"})
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+/", mailoutbox[0].body).group(0)
    response = client.get(urlparse(link).path, follow=True)
    form_path = response.request["PATH_INFO"]
    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(email="arta@example.org").check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_emails_go_out_in_the_language_the_user_signed_up_in(client, mailoutbox):
    client.post(
        "/sr/accounts/signup/", {"email": "milica@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    user = User.objects.get(email="milica@example.org")
    assert user.language == "sr"
    assert re.search("[\u0400-\u04ff]", mailoutbox[0].subject), mailoutbox[0].subject


@pytest.mark.django_db
def test_emails_follow_the_preferred_language_not_the_page(client, mailoutbox):
    UserFactory(email="arta@example.org", role="applicant", language="sq")
    client.post("/en/accounts/password/reset/", {"email": "arta@example.org"})
    assert "Password Reset" not in mailoutbox[0].subject
    assert "fjalëkalim" in mailoutbox[0].subject.lower() + mailoutbox[0].body.lower()
