"""Correcting a person's data: the name key follows the name, the audit entry lists what changed (never ID
numbers), a match with another record warns without blocking, and only registry roles may do it."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.forms_people import PersonForm
from accounts.models import Person, person_name_key
from accounts.roles import Role
from accounts.services_people import person_update
from core.models import AuditEntry
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.test_html_forms import nested_forms

BORN = datetime.date(1979, 6, 1)


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def person(db):
    return PersonFactory(
        first_name="Arta",
        last_name="Krasniqi",
        sex="female",
        birth_date=BORN,
        community="albanian",
        personal_number="1111111111",
        phone="044 111 222",
    )


def _url(person):
    return reverse("staff:person_edit", args=[person.pk])


def _form(person, **overrides):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_year": "",
        "community": person.community,
        "municipality": str(person.municipality_id or ""),
        "personal_number": person.personal_number,
        "jmbg": person.jmbg,
        "phone": person.phone,
        "email": person.email,
        "consent_given": "on" if person.consent_given else "",
        "consent_date": person.consent_date.date().isoformat() if person.consent_date else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value not in (None, "")}


def test_url_name_resolves():
    assert reverse("staff:person_edit", args=[7]) == "/en/staff/people/7/edit/"


@pytest.mark.django_db
def test_the_person_page_links_to_the_form_which_shows_the_stored_data(officer_client, person):
    detail = officer_client.get(reverse("staff:person_detail", args=[person.pk]))
    assert _url(person) in detail.content.decode()
    response = officer_client.get(_url(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Krasniqi"' in html and 'value="1111111111"' in html and 'value="1979-06-01"' in html
    assert nested_forms(html) == 0


@pytest.mark.django_db
def test_a_corrected_name_updates_the_name_key_so_a_search_finds_the_new_name(officer_client, person):
    response = officer_client.post(_url(person), _form(person, first_name="Đorđe", last_name="Jovanović"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:person_detail", args=[person.pk])
    person.refresh_from_db()
    assert person.name_key == person_name_key("Djordje", "Jovanovic")
    found = officer_client.get("/en/staff/people/", {"q": "Ђорђе Јовановић"})
    assert list(found.context["people"]) == [person]
    assert list(officer_client.get("/en/staff/people/", {"q": "Krasniqi"}).context["people"]) == []


@pytest.mark.django_db
def test_the_audit_entry_lists_the_changed_fields_without_the_id_numbers(officer_client, officer, person):
    other_place = Municipality.objects.get(code="gracanica")
    data = _form(
        person,
        last_name="Berisha",
        phone="049 999 888",
        municipality=str(other_place.pk),
        personal_number="2222222222",
        jmbg="0101990710008",
    )
    response = officer_client.post(_url(person), data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert (person.last_name, person.personal_number, person.jmbg) == ("Berisha", "2222222222", "0101990710008")
    entry = AuditEntry.objects.get(action="accounts.person.updated", object_id=str(person.pk))
    assert entry.actor == officer
    changes = entry.data["changes"]
    assert set(changes) == {"last_name", "phone", "municipality", "personal_number", "jmbg"}
    assert changes["last_name"] == {"old": "Krasniqi", "new": "Berisha"}
    assert changes["phone"] == {"old": "044 111 222", "new": "049 999 888"}
    assert changes["personal_number"] == {"changed": True} and changes["jmbg"] == {"changed": True}
    recorded = str(entry.data) + entry.comment
    for secret in ("1111111111", "2222222222", "0101990710008"):
        assert secret not in recorded
    assert "Krasniqi → Berisha" in entry.comment
    timeline = officer_client.get(reverse("staff:person_detail", args=[person.pk])).content.decode()
    assert "Data corrected" in timeline and "2222222222" in timeline  # the value on the page, not in the trail


@pytest.mark.django_db
def test_saving_unchanged_data_writes_no_audit_entry(officer, person):
    person_update(actor=officer, person=person, data={"first_name": "Arta", "phone": "044 111 222"})
    assert not AuditEntry.objects.filter(action="accounts.person.updated").exists()


@pytest.mark.django_db
def test_data_matching_another_person_is_saved_with_a_warning_linking_to_the_comparison(officer_client, person):
    twin = PersonFactory(first_name="Arta", last_name="Gashi", birth_date=BORN)
    response = officer_client.post(_url(person), _form(person, last_name="Gashi"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Gashi"
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    compare_url = reverse("staff:people_compare", args=[person.pk, twin.pk])
    assert compare_url in warnings[0]
    page = officer_client.get(response["Location"]).content.decode()
    assert f'href="{compare_url}"' in page


@pytest.mark.django_db
def test_an_invalid_personal_number_is_refused_and_what_was_typed_is_kept(officer_client, person):
    response = officer_client.post(_url(person), _form(person, first_name="Artë", personal_number="12ab"))
    assert response.status_code == 400
    assert "exactly 10 digits" in " ".join(response.context["form"].errors["personal_number"])
    html = response.content.decode()
    assert 'value="12ab"' in html and 'value="Artë"' in html
    person.refresh_from_db()
    assert (person.first_name, person.personal_number) == ("Arta", "1111111111")
    assert not AuditEntry.objects.filter(action="accounts.person.updated").exists()


@pytest.mark.django_db
def test_a_personal_number_of_another_person_is_refused_naming_that_record(officer_client, person):
    holder = PersonFactory(personal_number="3333333333")
    response = officer_client.post(_url(person), _form(person, personal_number="3333333333"))
    assert response.status_code == 400
    assert f"no. {holder.pk}" in " ".join(response.context["form"].errors["personal_number"])
    person.refresh_from_db()
    assert person.personal_number == "1111111111"


@pytest.mark.django_db
def test_withdrawn_consent_clears_its_date(officer_client, person):
    data = _form(person)
    del data["consent_given"], data["consent_date"]
    assert officer_client.post(_url(person), data).status_code == 302
    person.refresh_from_db()
    assert not person.consent_given and person.consent_date is None
    entry = AuditEntry.objects.get(action="accounts.person.updated")
    assert entry.data["changes"]["consent_given"] == {"old": True, "new": False}
    assert "yes → no" in entry.comment


@pytest.mark.django_db
def test_an_unchanged_consent_day_keeps_the_stored_moment(officer_client, person):
    stored = person.consent_date
    assert officer_client.post(_url(person), _form(person, phone="044 000 000")).status_code == 302
    person.refresh_from_db()
    assert person.consent_date == stored


@pytest.mark.django_db
def test_the_log_in_account_email_is_shown_but_not_editable(officer_client):
    account = UserFactory(email="arta@example.org")
    person = PersonFactory(user=account, email="contact@example.org")
    html = officer_client.get(_url(person)).content.decode()
    assert "arta@example.org" in html
    response = officer_client.post(_url(person), _form(person, email="new@example.org"))
    assert response.status_code == 302
    account.refresh_from_db()
    person.refresh_from_db()
    assert account.email == "arta@example.org" and person.email == "new@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE_OFFICER, Role.USAID_VIEWER, None], ids=str
)
def test_roles_that_may_not_manage_the_registry_get_404_and_nothing_changes(client, role, person):
    client.force_login(UserFactory(role=role) if role else UserFactory())
    assert client.get(_url(person)).status_code == 404
    assert client.post(_url(person), _form(person, last_name="Changed")).status_code == 404
    person.refresh_from_db()
    assert person.last_name == "Krasniqi"
    assert not AuditEntry.objects.filter(action="accounts.person.updated").exists()


@pytest.mark.django_db
def test_an_applicant_cannot_edit_even_their_own_record_here(client):
    applicant = UserFactory(role=Role.APPLICANT)
    own = PersonFactory(user=applicant)
    client.force_login(applicant)
    assert client.get(_url(own)).status_code == 404


@pytest.mark.django_db
def test_a_person_who_does_not_exist_answers_404(officer_client):
    assert officer_client.get("/en/staff/people/999999/edit/").status_code == 404
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_form_without_personal_fields_keeps_the_stored_personal_data(officer, person):
    """Today every registry role may see personal data; should a role ever manage the registry without that right,
    its form leaves community, date of birth and ID numbers out, and saving keeps the stored values."""
    data = _form(person, last_name="Hoxha")
    for name in ("community", "birth_date", "personal_number", "jmbg"):
        data.pop(name, None)
    form = PersonForm(data, person=person, personal=False)
    assert form.is_valid(), form.errors
    assert not {"community", "birth_date", "personal_number", "jmbg"} & set(form.person_data())
    person_update(actor=officer, person=person, data=form.person_data())
    person.refresh_from_db()
    assert (person.last_name, person.birth_date, person.community, person.personal_number) == (
        "Hoxha",
        BORN,
        "albanian",
        "1111111111",
    )
