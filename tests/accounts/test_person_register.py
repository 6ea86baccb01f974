"""Registering a person outside trainings: duplicates are shown first and nothing is saved until staff decide."""

import datetime

import pytest
from django.urls import reverse

from accounts.forms_people import PersonForm
from accounts.models import Person, person_name_key
from accounts.roles import Role
from accounts.services_people import person_register
from core.errors import ApplicationError
from core.models import AuditEntry
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.test_html_forms import nested_forms

URL = "/en/staff/people/new/"
BORN = datetime.date(1988, 2, 29)


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _form(**overrides):
    data = {
        "first_name": "Djordje",
        "last_name": "Petrovic",
        "sex": "male",
        "birth_date": BORN.isoformat(),
        "birth_year": "",
        "community": "serb",
        "municipality": str(Municipality.objects.get(code="gracanica").pk),
        "personal_number": "",
        "jmbg": "",
        "phone": "+383 44 123 456",
        "email": "djordje@example.org",
        "consent_given": "on",
        "consent_date": "2026-11-02",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_url_name_resolves():
    assert reverse("staff:person_create") == URL


@pytest.mark.django_db
def test_the_people_list_links_to_the_form_and_the_form_is_well_formed(officer_client):
    assert URL in officer_client.get("/en/staff/people/").content.decode()
    response = officer_client.get(URL)
    assert response.status_code == 200
    assert nested_forms(response.content.decode()) == 0


@pytest.mark.django_db
def test_registering_creates_one_person_with_an_audit_entry(officer_client, officer):
    response = officer_client.post(URL, _form(personal_number="1234567890"))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:person_detail", args=[person.pk])
    assert (person.first_name, person.last_name, person.birth_date, person.birth_year) == (
        "Djordje",
        "Petrovic",
        BORN,
        1988,
    )
    assert person.personal_number == "1234567890" and person.community == "serb"
    assert person.name_key == person_name_key("Ђорђе", "Петровић")
    assert person.consent_given and person.consent_date.date() == datetime.date(2026, 11, 2)
    entry = AuditEntry.objects.get(action="accounts.person.registered")
    assert entry.object_id == str(person.pk) and entry.actor == officer
    assert "1234567890" not in str(entry.data) + entry.comment


@pytest.mark.django_db
def test_a_cyrillic_namesake_born_the_same_day_is_shown_and_nothing_is_created_until_none_of_these(officer_client):
    existing = PersonFactory(first_name="Ђорђе", last_name="Петровић", birth_date=BORN, community="serb")
    response = officer_client.post(URL, _form())
    assert response.status_code == 200
    assert Person.objects.count() == 1
    assert [c.person for c in response.context["candidates"]] == [existing]
    html = response.content.decode()
    assert "Ђорђе" in html and 'value="Djordje"' in html  # the candidate beside what was typed
    assert reverse("staff:person_detail", args=[existing.pk]) in html  # "this is the same person"
    assert response.context["form"]["candidate_ids"].value() == str(existing.pk)
    assert not AuditEntry.objects.filter(action="accounts.person.registered").exists()

    response = officer_client.post(URL, _form(none_of_these="on", candidate_ids=str(existing.pk)))
    assert response.status_code == 302
    assert Person.objects.count() == 2
    created = Person.objects.exclude(pk=existing.pk).get()
    assert created.first_name == "Djordje"
    entry = AuditEntry.objects.get(action="accounts.person.registered")
    assert entry.data["duplicates_dismissed"] == [existing.pk]


@pytest.mark.django_db
def test_two_identical_posts_create_one_person(officer_client):
    first = officer_client.post(URL, _form())
    second = officer_client.post(URL, _form())
    assert first.status_code == 302
    assert second.status_code == 200
    assert Person.objects.count() == 1
    assert [c.person for c in second.context["candidates"]] == [Person.objects.get()]


@pytest.mark.django_db
def test_a_second_none_of_these_click_does_not_create_a_second_person(officer_client):
    existing = PersonFactory(first_name="Đorđe", last_name="Petrović", birth_date=BORN)
    confirm = _form(none_of_these="on", candidate_ids=str(existing.pk))
    assert officer_client.post(URL, confirm).status_code == 302
    again = officer_client.post(URL, confirm)
    assert again.status_code == 200
    assert Person.objects.count() == 2  # the existing one and the one created by the first click
    assert len(again.context["candidates"]) == 2


@pytest.mark.django_db
def test_the_service_refuses_while_duplicates_exist_and_none_of_these_is_not_confirmed(officer):
    existing = PersonFactory(first_name="Djordje", last_name="Petrovic", birth_date=BORN)
    data = {"first_name": "Ђорђе", "last_name": "Петровић", "birth_date": BORN, "sex": "male", "community": "serb"}
    with pytest.raises(ApplicationError) as refused:
        person_register(actor=officer, data=data)
    assert refused.value.code == "duplicates"
    assert str(existing.pk) in refused.value.message
    assert Person.objects.count() == 1
    with pytest.raises(ApplicationError):
        person_register(actor=officer, data=data, none_of_these=True, dismissed=[])
    person = person_register(actor=officer, data=data, none_of_these=True, dismissed=[existing.pk])
    assert Person.objects.count() == 2 and person.name_key == existing.name_key


@pytest.mark.django_db
def test_an_invalid_personal_number_shows_the_error_and_keeps_what_was_typed(officer_client):
    response = officer_client.post(URL, _form(personal_number="12345", jmbg="0101990710006"))
    assert response.status_code == 400
    assert not Person.objects.exists()
    form = response.context["form"]
    assert "exactly 10 digits" in " ".join(form.errors["personal_number"])
    html = response.content.decode()
    assert 'value="12345"' in html and 'value="Djordje"' in html and 'value="Petrovic"' in html
    assert "Nothing was saved" in html


@pytest.mark.django_db
def test_a_personal_number_already_in_the_registry_is_a_candidate_then_refused_with_a_clear_message(officer_client):
    holder = PersonFactory(personal_number="1234567890")
    response = officer_client.post(URL, _form(personal_number="1234567890"))
    assert [c.person for c in response.context["candidates"]] == [holder]
    confirm = _form(personal_number="1234567890", none_of_these="on", candidate_ids=holder.pk)
    response = officer_client.post(URL, confirm)
    assert response.status_code == 400
    assert f"no. {holder.pk}" in " ".join(response.context["form"].errors["personal_number"])
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_a_person_the_registry_could_not_recognise_again_is_refused(officer_client):
    response = officer_client.post(URL, _form(birth_date="", birth_year="1988", municipality=""))
    assert response.status_code == 400
    assert "year of birth together with the municipality" in " ".join(response.context["form"].errors["birth_date"])
    assert not Person.objects.exists()
    response = officer_client.post(URL, _form(birth_date=""))  # the year and the municipality are enough
    assert response.status_code == 400  # … but a year is still needed
    assert officer_client.post(URL, _form(birth_date="", birth_year="1988")).status_code == 302


@pytest.mark.django_db
def test_a_consent_date_without_the_box_ticked_is_refused(officer_client):
    data = _form()
    del data["consent_given"]
    response = officer_client.post(URL, data)
    assert response.status_code == 400
    assert "tick it, or clear the date" in " ".join(response.context["form"].errors["consent_given"])


def test_without_personal_data_the_form_leaves_the_personal_fields_out():
    form = PersonForm(personal=False)
    assert not {"community", "birth_date", "personal_number", "jmbg"} & set(form.fields)
    assert {"first_name", "last_name", "birth_year", "municipality"} <= set(form.fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE_OFFICER, Role.USAID_VIEWER, None], ids=str
)
def test_roles_that_may_not_manage_the_registry_get_404_and_nothing_is_created(client, role):
    client.force_login(UserFactory(role=role) if role else UserFactory())
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form()).status_code == 404
    assert not Person.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ME_OFFICER, Role.MANAGER, Role.ADMIN])
def test_every_role_that_manages_the_registry_may_register(client, role):
    client.force_login(UserFactory(role=role))
    assert client.post(URL, _form()).status_code == 302
    assert Person.objects.count() == 1
