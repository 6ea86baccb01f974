import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError

from accounts.models import Person, User
from accounts.roles import Role
from accounts.services import person_create, staff_user_create, user_set_role
from accounts.validators import validate_jmbg
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from tests.factories import PersonFactory, UserFactory


def test_a_jmbg_with_the_right_check_digit_is_accepted_and_a_wrong_one_refused():
    validate_jmbg("0101990710008")
    with pytest.raises(ValidationError) as error:
        validate_jmbg("0101990710007")
    assert "check digit" in str(error.value)


@pytest.mark.django_db
def test_person_validation_explains_each_wrong_id_number():
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=None,
            first_name="Arta",
            last_name="Krasniqi",
            sex="female",
            community="albanian",
            personal_number="12345",
            jmbg="12",
        )
    messages = error.value.message_dict
    assert "10 digits" in messages["personal_number"][0]
    assert "13 digits" in messages["jmbg"][0]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_the_same_personal_number_cannot_belong_to_two_people():
    PersonFactory(personal_number="1234567890")
    with pytest.raises(IntegrityError):
        PersonFactory(personal_number="1234567890")


@pytest.mark.django_db
def test_birth_year_follows_the_birth_date_and_age_is_computed():
    person = person_create(
        actor=None,
        first_name="Stefan",
        last_name="Ristić",
        sex="male",
        community="serb",
        birth_date=datetime.date(2000, 10, 2),
        consent_given=True,
    )
    assert person.birth_year == 2000
    assert person.consent_date is not None
    assert person.age_on(datetime.date(2026, 10, 1)) == 25
    assert person.age_on(datetime.date(2026, 10, 2)) == 26


@pytest.mark.django_db
def test_setting_a_role_replaces_the_previous_one_and_is_audited():
    admin = UserFactory(role=Role.ADMIN)
    user = UserFactory(role=Role.APPLICANT)
    user_set_role(actor=admin, user=user, role=Role.REVIEWER)
    assert list(user.groups.values_list("name", flat=True)) == [Role.REVIEWER]
    entry = audit_entries_for(target=user).get()
    assert (entry.action, entry.actor, entry.from_status, entry.to_status) == (
        "accounts.user.role_set",
        admin,
        "applicant",
        "reviewer",
    )


@pytest.mark.django_db
def test_create_staff_user_command_makes_an_account_that_can_log_in(client):
    call_command(
        "create_staff_user", "besa@cdf.example.org", role="finance_officer", password="Finance-2026-pass", no_input=True
    )
    user = User.objects.get(email="besa@cdf.example.org")
    assert list(user.groups.values_list("name", flat=True)) == ["finance_officer"]
    response = client.post("/en/accounts/login/", {"login": user.email, "password": "Finance-2026-pass"}, follow=True)
    assert response.request["PATH_INFO"] == "/en/staff/"


@pytest.mark.django_db
def test_a_second_account_with_the_same_email_is_refused_whatever_the_case():
    staff_user_create(actor=None, email="Officer@cdf.example.org", role=Role.PROGRAMME_OFFICER)
    with pytest.raises(ApplicationError):
        staff_user_create(actor=None, email="officer@CDF.example.org", role=Role.MANAGER)


@pytest.mark.django_db
def test_preferences_change_the_language_of_emails(client):
    user = UserFactory(role=Role.APPLICANT, language="en")
    client.force_login(user)
    response = client.post("/en/preferences/", {"language": "sr-latn"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "sr-latn"
    assert audit_entries_for(target=user).filter(action="accounts.user.language_changed").exists()


@pytest.mark.django_db
def test_an_administrator_creates_a_reviewer_in_the_admin_site_with_one_role(client):
    admin_user = staff_user_create(
        actor=None, email="admin@cdf.example.org", role=Role.ADMIN, password="Admin-2026-pass"
    )
    assert admin_user.is_superuser and admin_user.is_staff
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "external.reviewer@example.org",
            "first_name": "Milica",
            "last_name": "Stojanović",
            "language": "sr-latn",
            "role": "reviewer",
            "usable_password": "true",
            "password1": "Reviewer-2026-pass",
            "password2": "Reviewer-2026-pass",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reviewer = User.objects.get(email="external.reviewer@example.org")
    assert list(reviewer.groups.values_list("name", flat=True)) == ["reviewer"]
    assert not reviewer.is_staff
    assert reviewer.emailaddress_set.get().verified
    assert audit_entries_for(target=reviewer).get(action="accounts.user.role_set").actor == admin_user
    client.logout()
    response = client.post(
        "/en/accounts/login/", {"login": reviewer.email, "password": "Reviewer-2026-pass"}, follow=True
    )
    assert response.request["PATH_INFO"] == "/en/review/"


@pytest.mark.django_db
def test_the_admin_log_in_page_is_allauths_with_its_rate_limits(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == "/sq/accounts/login/?next=%2Fadmin%2F"
