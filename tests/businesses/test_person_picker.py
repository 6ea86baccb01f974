"""The owner and manager pages find the person by a search (never a list of the whole registry), without JavaScript
(GET the search, POST the choice) and with htmx (only the list of matches is sent back)."""

import datetime
import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from businesses.forms import OwnerForm
from businesses.models import BusinessManager, BusinessOwner
from tests.businesses.factories import BusinessFactory
from tests.factories import PersonFactory, UserFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    return client


def _radios(html):
    return html.count('type="radio"')


def test_the_owner_page_never_lists_the_whole_registry(officer, django_assert_max_num_queries):
    business = BusinessFactory()
    url = reverse("staff:business_owner_add", args=[business.pk])
    PersonFactory.create_batch(3, last_name="Gashi")
    officer.get(url, {"q": "gashi"})
    with django_assert_max_num_queries(30) as few:
        small = officer.get(url, {"q": "gashi"}).content.decode()
    PersonFactory.create_batch(200, last_name="Gashi")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = officer.get(url, {"q": "gashi"})
    html = response.content.decode()
    assert response.status_code == 200 and not nested_forms(html)
    assert _radios(small) == 3 and _radios(html) == 20
    assert "data-person-choices-more" in html
    assert len(html) < len(small) + 20 * 600
    empty = officer.get(url).content.decode()
    assert _radios(empty) == 0 and "data-person-choices-empty" in empty


def test_the_search_finds_dorde_however_the_name_is_typed(officer):
    business = BusinessFactory()
    latin = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=datetime.date(1988, 2, 1))
    cyrillic = PersonFactory(first_name="Ђорђе", last_name="Јовановић")
    PersonFactory(first_name="Dragan", last_name="Jovanović")
    response = officer.get(reverse("staff:business_owner_add", args=[business.pk]), {"q": "djordje jovanovic"})
    html = response.content.decode()
    assert f'data-person-choice="{latin.pk}"' in html and f'data-person-choice="{cyrillic.pk}"' in html
    assert _radios(html) == 2
    assert "Đorđe Jovanović · born 1988 · Gjilan" in html


def test_an_owner_is_added_by_searching_then_choosing_without_javascript(officer):
    business = BusinessFactory()
    person = PersonFactory(first_name="Blerta", last_name="Morina")
    url = reverse("staff:business_owner_add", args=[business.pk])
    assert f'value="{person.pk}"' in officer.get(url, {"q": "morina"}).content.decode()
    response = officer.post(url, {"q": "morina", "share_percent": "60"})
    html = response.content.decode()
    assert response.status_code == 400 and "Choose the person from the search results" in html
    assert f'value="{person.pk}"' in html and 'value="60"' in html  # the list and what was typed are kept
    response = officer.post(url, {"q": "morina", "person": person.pk, "share_percent": "60"})
    assert response.status_code == 302
    assert BusinessOwner.objects.get(business=business).person == person


def test_a_refused_choice_keeps_the_chosen_person_even_if_the_search_changed(officer):
    business = BusinessFactory()
    person = PersonFactory(first_name="Blerta", last_name="Morina")
    url = reverse("staff:business_owner_add", args=[business.pk])
    response = officer.post(url, {"q": "nobody", "person": person.pk, "share_percent": "150"})
    html = response.content.decode()
    chosen = re.search(rf'<input type="radio"[^>]*value="{person.pk}"[^>]*>', html).group(0)
    assert response.status_code == 400 and "checked" in chosen
    assert not BusinessOwner.objects.exists()


def test_a_manager_is_added_through_the_search_too(officer):
    business = BusinessFactory()
    person = PersonFactory(first_name="Valon", last_name="Shala")
    url = reverse("staff:business_manager_add", args=[business.pk])
    response = officer.post(url, {"q": "valon shala", "person": person.pk, "role_title": "Director"})
    assert response.status_code == 302 and BusinessManager.objects.get(business=business).person == person


def test_htmx_gets_only_the_list_of_matches(officer):
    business = BusinessFactory()
    person = PersonFactory(first_name="Fjolla", last_name="Hoxha")
    response = officer.get(
        reverse("staff:business_owner_add", args=[business.pk]), {"q": "hox"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="person-choices"' in html
    assert f'value="{person.pk}"' in html and 'name="q" value="hox"' in html


def test_id_numbers_are_searched_and_shown_only_to_roles_that_see_personal_data():
    PersonFactory(first_name="Ilir", last_name="Rexhepi", personal_number="1234567890")
    allowed = OwnerForm(q="1234567", user=UserFactory(role=Role.ME_OFFICER))
    assert [str(p) for p in allowed.matches] == ["Ilir Rexhepi"]
    assert "1234567890" in str(allowed["person"])
    assert OwnerForm(q="1234567", user=UserFactory(role=Role.FINANCE_OFFICER)).matches == []
    by_name = OwnerForm(q="ilir", user=UserFactory(role=Role.FINANCE_OFFICER))
    assert len(by_name.matches) == 1 and "1234567890" not in str(by_name["person"])
