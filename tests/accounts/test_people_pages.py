"""The staff registry pages: who may open them, search across scripts, duplicates, compare and decide."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Person, PersonDistinct
from accounts.roles import Role
from grants.models import Application
from tests.factories import PersonFactory, UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.test_html_forms import nested_forms

BORN = datetime.date(1990, 3, 14)
LIST_URL = "/en/staff/people/"
DUPLICATES_URL = "/en/staff/people/duplicates/"


def _client(client, role):
    client.force_login(UserFactory(role=role))
    return client


@pytest.fixture
def officer_client(client):
    return _client(client, Role.PROGRAMME_OFFICER)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.USAID_VIEWER, Role.APPLICANT, Role.REVIEWER])
def test_roles_without_personal_data_get_404_on_every_registry_page(client, role):
    first, second = PersonFactory(), PersonFactory()
    _client(client, role)
    urls = [
        LIST_URL,
        DUPLICATES_URL,
        reverse("staff:person_detail", args=[first.pk]),
        reverse("staff:people_compare", args=[first.pk, second.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [404] * 4
    response = client.post(reverse("staff:people_compare", args=[first.pk, second.pk]), {"keep": first.pk})
    assert response.status_code == 404
    assert client.post(reverse("staff:people_different", args=[first.pk, second.pk])).status_code == 404
    assert Person.objects.count() == 2 and not PersonDistinct.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN])
def test_roles_with_personal_data_see_the_registry(client, role):
    person = PersonFactory(first_name="Arta", last_name="Krasniqi")
    _client(client, role)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert person in response.context["people"]


@pytest.mark.django_db
def test_search_ignores_script_and_diacritics(officer_client):
    wanted = PersonFactory(first_name="Ђорђе", last_name="Јовановић")
    PersonFactory(first_name="Arta", last_name="Krasniqi")
    for query in ("Djordje Jovanovic", "đorđe", "JOVANOVIĆ", "dorde"):
        response = officer_client.get(LIST_URL, {"q": query})
        assert list(response.context["people"]) == [wanted], query


@pytest.mark.django_db
def test_list_pages_cost_the_same_number_of_queries(officer_client, django_assert_max_num_queries):
    for index in range(60):
        user = UserFactory() if index % 3 == 0 else None
        PersonFactory(user=user)
    officer_client.get(LIST_URL)
    with django_assert_max_num_queries(6):
        first = officer_client.get(LIST_URL)
    with django_assert_max_num_queries(6):
        last = officer_client.get(LIST_URL, {"page": 3})
    assert len(first.context["people"]) == 25
    assert len(last.context["people"]) == 10


@pytest.mark.django_db
def test_duplicates_page_lists_unchecked_pairs_with_a_constant_number_of_queries(
    officer_client, django_assert_max_num_queries
):
    pairs = []
    for index in range(30):
        born = BORN + datetime.timedelta(days=index)
        pairs.append(
            (
                PersonFactory(first_name="Ђорђе", last_name=f"Јовановић{index}", birth_date=born),
                PersonFactory(first_name="Dorde", last_name=f"Jovanovic{index}", birth_date=born),
            )
        )
    PersonFactory(first_name="Dorde", last_name="Jovanovic0", birth_date=BORN.replace(year=1970))  # not a twin
    PersonDistinct.objects.create(first=pairs[0][0], second=pairs[0][1])
    officer_client.get(DUPLICATES_URL)
    with django_assert_max_num_queries(8):
        first = officer_client.get(DUPLICATES_URL)
    with django_assert_max_num_queries(8):
        second = officer_client.get(DUPLICATES_URL, {"page": 2})
    assert first.context["page_obj"].paginator.count == 29
    shown = {
        (row["person"].pk, twin.pk) for page in (first, second) for row in page.context["rows"] for twin in row["twins"]
    }
    assert shown == {(a.pk, b.pk) for a, b in pairs[1:]}


@pytest.mark.django_db
def test_person_page_lists_linked_applications_and_likely_duplicates(officer_client):
    application = ApplicationFactory(
        submitted=True, person__first_name="Đorđe", person__last_name="Jovanović", person__birth_date=BORN
    )
    twin = PersonFactory(first_name="Djordje", last_name="Jovanovic", birth_date=BORN)
    response = officer_client.get(reverse("staff:person_detail", args=[application.person.pk]))
    assert response.status_code == 200
    links = {str(link.label): link.count for link in response.context["links"]}
    assert links[str(Application._meta.verbose_name_plural)] == 1
    assert [c.person for c in response.context["duplicates"]] == [twin]
    assert application.reference in response.content.decode()


@pytest.mark.django_db
def test_same_person_on_the_compare_page_merges_into_the_chosen_record(officer_client):
    application = ApplicationFactory(submitted=True)
    keep = PersonFactory()
    url = reverse("staff:people_compare", args=[application.person.pk, keep.pk])
    page = officer_client.get(url)
    assert page.status_code == 200
    assert nested_forms(page.content.decode()) == 0
    response = officer_client.post(url, {"keep": keep.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:person_detail", args=[keep.pk])
    assert Application.objects.get(pk=application.pk).person_id == keep.pk


@pytest.mark.django_db
def test_merging_two_log_ins_on_the_compare_page_shows_why_and_keeps_both(officer_client):
    first, second = ApplicationFactory(submitted=True), ApplicationFactory(submitted=True)
    url = reverse("staff:people_compare", args=[first.person.pk, second.person.pk])
    response = officer_client.post(url, {"keep": first.person.pk})
    assert response.status_code == 409
    assert "only one" in response.content.decode()
    assert Person.objects.filter(pk__in=[first.person.pk, second.person.pk]).count() == 2


@pytest.mark.django_db
def test_different_people_on_the_compare_page_removes_the_pair_from_the_duplicates(officer_client):
    a = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN)
    b = PersonFactory(first_name="Djordje", last_name="Jovanovic", birth_date=BORN)
    assert officer_client.get(DUPLICATES_URL).context["page_obj"].paginator.count == 1
    response = officer_client.post(reverse("staff:people_different", args=[b.pk, a.pk]))
    assert response.status_code == 302
    assert PersonDistinct.objects.filter(first=a, second=b).exists()
    assert officer_client.get(DUPLICATES_URL).context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_person_page_queries_do_not_grow_with_linked_rows(officer_client, django_assert_max_num_queries):
    application = ApplicationFactory(submitted=True)
    url = reverse("staff:person_detail", args=[application.person.pk])
    officer_client.get(url)
    with django_assert_max_num_queries(20) as few:
        officer_client.get(url)
    for _index in range(12):
        ApplicationFactory(submitted=True, person=application.person, applicant=application.applicant)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = officer_client.get(url)
    links = {str(link.label): link for link in response.context["links"]}
    assert links[str(Application._meta.verbose_name_plural)].count == 13
    assert len(links[str(Application._meta.verbose_name_plural)].rows) == 10
