"""The market-link page finds its counterpart by a search (never a list of every business and organisation),
without JavaScript (GET the search, POST the choice) and with htmx (only the list of matches is sent back)."""

import pytest
from django.urls import reverse

from accounts.models import OrganisationType
from accounts.roles import Role
from businesses.forms import MarketLinkForm
from businesses.models import MarketLink
from tests.businesses.factories import BusinessFactory
from tests.factories import OrganisationFactory, UserFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    return client


LINK = {
    "direction": "sale",
    "counterpart_community": "serb",
    "product": "Honey",
    "value": "250",
    "date": "2026-05-01",
}


def _choices(html):
    return html.count("data-counterpart-choice=")


def test_the_search_finds_a_business_by_name_ignoring_case_and_never_the_business_itself(officer):
    business = BusinessFactory(name="Mjalta Kamenica")
    other = BusinessFactory(name="Mjalta Novo Brdo")
    by_trade = BusinessFactory(name="Sh.p.k. 12", trade_name="MJALTA e Artanës")
    BusinessFactory(name="Furra Gjilan")
    url = reverse("staff:business_market_link_add", args=[business.pk])
    html = officer.get(url, {"counterpart_q": "mjalta"}).content.decode()
    assert f'data-counterpart-choice="business-{other.pk}"' in html
    assert f'data-counterpart-choice="business-{by_trade.pk}"' in html
    assert f'data-counterpart-choice="business-{business.pk}"' not in html
    assert "Furra Gjilan" not in html and not nested_forms(html)


def test_the_search_finds_a_business_by_nui_and_organisations_by_name(officer):
    business = BusinessFactory()
    registered = BusinessFactory(registered=True)
    cooperative = OrganisationFactory(name="Kooperativa Bujqësore Rahovec", type=OrganisationType.BUSINESS)
    url = reverse("staff:business_market_link_add", args=[business.pk])
    html = officer.get(url, {"counterpart_q": registered.nui}).content.decode()
    assert f'data-counterpart-choice="business-{registered.pk}"' in html
    html = officer.get(url, {"counterpart_q": "KOOPERATIVA"}).content.decode()
    assert f'data-counterpart-choice="organisation-{cooperative.pk}"' in html and "Organisations" in html


def test_no_search_lists_nothing_and_htmx_gets_only_the_choices(officer):
    business = BusinessFactory()
    BusinessFactory.create_batch(3, name="Pekara")
    url = reverse("staff:business_market_link_add", args=[business.pk])
    empty = officer.get(url).content.decode()
    assert _choices(empty) == 0 and "data-counterpart-choices-empty" in empty
    assert "<select" not in empty.split("data-counterpart-choices", 1)[1].split("</fieldset>", 1)[0]
    fragment = officer.get(url, {"counterpart_q": "pekara"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and fragment.count('data-counterpart-choice="business-') == 3


def test_at_most_twenty_businesses_are_offered_and_the_page_costs_the_same(officer, django_assert_max_num_queries):
    business = BusinessFactory()
    url = reverse("staff:business_market_link_add", args=[business.pk])
    BusinessFactory.create_batch(3, name="Ajvar Shop")
    officer.get(url, {"counterpart_q": "ajvar"})
    with django_assert_max_num_queries(30) as few:
        small = officer.get(url, {"counterpart_q": "ajvar"}).content.decode()
    BusinessFactory.create_batch(40, name="Ajvar Shop")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = officer.get(url, {"counterpart_q": "ajvar"}).content.decode()
    assert small.count('data-counterpart-choice="business-') == 3
    assert html.count('data-counterpart-choice="business-') == 20 and "data-counterpart-choices-more" in html


def test_choosing_a_business_records_the_link_with_it(officer):
    business, buyer = BusinessFactory(), BusinessFactory(name="Viva Fresh")
    url = reverse("staff:business_market_link_add", args=[business.pk])
    data = LINK | {"counterpart_q": "viva", "counterpart": f"business-{buyer.pk}"}
    response = officer.post(url, data)
    assert response.status_code == 302
    link = MarketLink.objects.get(business=business)
    assert link.counterpart_business == buyer and link.counterpart_organisation is None


def test_choosing_an_organisation_records_the_link_with_it(officer):
    business = BusinessFactory()
    school = OrganisationFactory(name="Shkolla Fillore")
    url = reverse("staff:business_market_link_add", args=[business.pk])
    response = officer.post(url, LINK | {"counterpart_q": "shkolla", "counterpart": f"organisation-{school.pk}"})
    assert response.status_code == 302
    assert MarketLink.objects.get(business=business).counterpart_organisation == school


def test_a_refused_post_keeps_the_query_the_choices_and_the_one_chosen(officer):
    business = BusinessFactory()
    chosen, another = BusinessFactory(name="Mulliri Gjilan"), BusinessFactory(name="Mulliri Viti")
    url = reverse("staff:business_market_link_add", args=[business.pk])
    data = LINK | {"counterpart_q": "mulliri", "counterpart": f"business-{chosen.pk}", "value": ""}
    response = officer.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400 and not MarketLink.objects.exists()
    assert 'name="counterpart_q" value="mulliri"' in html
    assert f'data-counterpart-choice="business-{another.pk}"' in html
    assert f'value="business-{chosen.pk}"' in html
    assert html.split(f'value="business-{chosen.pk}"', 1)[1].split(">", 1)[0].count("checked") == 1


def test_choosing_and_typing_a_name_is_refused_and_the_business_itself_is_never_a_valid_choice():
    business = BusinessFactory(name="Mjalta")
    other = BusinessFactory(name="Mjalta 2")
    both = MarketLinkForm(
        LINK | {"counterpart": f"business-{other.pk}", "counterpart_name": "Market"}, business=business, q="mjalta"
    )
    assert not both.is_valid() and "Name the counterpart once" in str(both.non_field_errors())
    itself = MarketLinkForm(LINK | {"counterpart": f"business-{business.pk}"}, business=business, q="mjalta")
    assert not itself.is_valid() and "counterpart" in itself.errors
    tampered = MarketLinkForm(LINK | {"counterpart": "business-1' OR 1=1"}, business=business, q="")
    assert not tampered.is_valid()
