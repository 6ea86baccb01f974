"""Staff pages of businesses: who sees them (404 for everyone else), filters, forms, and constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from businesses.models import Business, MarketLink, Snapshot
from core.choices import AgeBand, Community, Sex
from municipalities.models import Municipality
from tests.businesses.factories import (
    BusinessFactory,
    BusinessOwnerFactory,
    MarketLinkFactory,
    SnapshotEmploymentFactory,
    SnapshotFactory,
)
from tests.factories import PersonFactory, UserFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _rich_business(community=Community.ALBANIAN, **fields):
    owner = BusinessOwnerFactory(person=PersonFactory(community=community), business=BusinessFactory(**fields))
    snapshot = SnapshotFactory(business=owner.business)
    SnapshotEmploymentFactory(snapshot=snapshot)
    MarketLinkFactory(business=owner.business, crosses_communities=True)
    return owner.business


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.APPLICANT, Role.USAID_VIEWER, Role.REVIEWER])
def test_roles_without_businesses_get_404_on_every_page(client, role):
    business = _rich_business()
    client.force_login(UserFactory(role=role))
    for url in [
        reverse("staff:businesses_list"),
        reverse("staff:business_detail", args=[business.pk]),
        reverse("staff:business_create"),
        reverse("staff:business_snapshot_add", args=[business.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("staff:business_create"), {"name": "X"})
    assert response.status_code == 404 and not Business.objects.filter(name="X").exists()


def test_owners_personal_data_shows_only_to_roles_allowed(client):
    business = BusinessFactory()
    BusinessOwnerFactory(
        business=business, person=PersonFactory(community=Community.SERB, birth_date=datetime.date(1999, 1, 2))
    )
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    html = client.get(reverse("staff:business_detail", args=[business.pk])).content.decode()
    assert "data-personal" in html and "born 1999" in html


def test_the_list_filters_by_owner_sex_youth_community_and_registration(client):
    young_woman = BusinessFactory(name="Young woman's")
    BusinessOwnerFactory(
        business=young_woman,
        person=PersonFactory(
            sex=Sex.FEMALE, birth_date=timezone.localdate().replace(year=timezone.localdate().year - 22, day=1)
        ),
    )
    older_man = BusinessFactory(name="Older man's", registered=True)
    BusinessOwnerFactory(
        business=older_man,
        person=PersonFactory(sex=Sex.MALE, birth_date=datetime.date(1970, 1, 1), community=Community.SERB),
    )
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    url = reverse("staff:businesses_list")

    def names(**params):
        html = client.get(url, params).content.decode()
        return {b.name for b in (young_woman, older_man) if f'data-business="{b.pk}"' in html}

    assert names() == {"Young woman's", "Older man's"}
    assert names(owner_sex="female") == {"Young woman's"}
    assert names(owner_youth="yes") == {"Young woman's"}
    assert names(owner_community="serb") == {"Older man's"}
    assert names(registered="yes") == {"Older man's"}
    assert names(registered="no", sector="food_processing") == {"Young woman's"}
    assert names(municipality=Municipality.objects.get(code="peje").pk) == set()
    assert names(owner_sex="not-a-sex") == {"Young woman's", "Older man's"}  # unknown values are ignored


def test_the_list_costs_the_same_with_many_businesses(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.MANAGER))
    _rich_business()
    client.get(reverse("staff:businesses_list"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("staff:businesses_list"))
    for number in range(15):
        _rich_business(community=Community.SERB if number % 2 else Community.ALBANIAN)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("staff:businesses_list"), {"owner_community": "serb"})
    assert response.content.decode().count("data-business=") == 7


def test_the_profile_costs_the_same_with_many_snapshots_links_and_owners(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    business = _rich_business()
    url = reverse("staff:business_detail", args=[business.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for year in range(5):
        snapshot = SnapshotFactory(business=business, date=datetime.date(2020 + year, 6, 1))
        SnapshotEmploymentFactory(snapshot=snapshot, sex=Sex.MALE, age_band=AgeBand.ADULT, full_time_count=3)
        MarketLinkFactory(business=business, counterpart_business=BusinessFactory(), value=Decimal("10"))
        BusinessOwnerFactory(business=business, share_percent=Decimal("1"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert html.count("data-snapshot=") == 6 and html.count("data-link=") == 6
    assert 'data-crossing="1"' in html and not nested_forms(html)


def test_staff_create_a_business_and_record_a_snapshot_and_a_market_link_through_the_forms(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    gjilan = Municipality.objects.get(code="gjilan")
    response = client.post(
        reverse("staff:business_create"),
        {
            "name": "Pekara",
            "legal_form": "llc",
            "registration_status": "registered",
            "nui": "81234567",
            "sector": "food_processing",
            "stage": "existing",
            "municipality": gjilan.pk,
        },
    )
    assert response.status_code == 400 and "9 digits" in response.content.decode()
    assert 'value="Pekara"' in response.content.decode()  # what was typed is kept
    response = client.post(
        reverse("staff:business_create"),
        {
            "name": "Pekara",
            "legal_form": "llc",
            "registration_status": "registered",
            "nui": "812345670",
            "registration_date": "2022-01-10",
            "sector": "food_processing",
            "stage": "existing",
            "municipality": gjilan.pk,
        },
    )
    business = Business.objects.get(name="Pekara")
    assert response.status_code == 302
    form = {
        "date": "2026-12-31",
        "kind": "yearly",
        "annual_sales": "1000",
        "exports": "0",
        "new_products_count": "1",
        "financing_obtained": "0",
        "employment-TOTAL_FORMS": "2",
        "employment-INITIAL_FORMS": "0",
        "employment-0-sex": "female",
        "employment-0-age_band": "15_29",
        "employment-0-full_time_count": "2",
        "employment-0-part_time_count": "0",
        "employment-0-part_time_weekly_hours": "0",
        "employment-0-months_worked": "12",
        "employment-1-sex": "male",
        "employment-1-age_band": "30_64",
        "employment-1-full_time_count": "0",
        "employment-1-part_time_count": "1",
        "employment-1-part_time_weekly_hours": "20",
        "employment-1-months_worked": "6",
    }
    response = client.post(reverse("staff:business_snapshot_add", args=[business.pk]), form)
    assert response.status_code == 302
    assert Snapshot.objects.get(business=business).fte == Decimal("2.25")
    response = client.post(
        reverse("staff:business_market_link_add", args=[business.pk]),
        {
            "direction": "sale",
            "counterpart_name": "Market",
            "counterpart_community": "serb",
            "product": "Bread",
            "value": "120",
            "date": "2026-05-01",
        },
    )
    assert response.status_code == 302 and MarketLink.objects.filter(business=business).count() == 1
    html = client.get(reverse("staff:business_detail", args=[business.pk])).content.decode()
    assert ">2.25<" in html


def test_every_form_page_opens_without_nested_forms_and_formalisation_works_through_its_page(client):
    business = _rich_business()
    client.force_login(UserFactory(role=Role.ADMIN))
    for name in [
        "business_edit",
        "business_owner_add",
        "business_manager_add",
        "business_snapshot_add",
        "business_market_link_add",
        "business_formalise",
    ]:
        response = client.get(reverse(f"staff:{name}", args=[business.pk]))
        assert response.status_code == 200, name
        assert not nested_forms(response.content.decode()), name
    html = client.get(reverse("staff:businesses_list")).content.decode()
    assert not nested_forms(html) and "data-business-export" in html
    url = reverse("staff:business_formalise", args=[business.pk])
    response = client.post(url, {"legal_form": "individual", "nui": "1234", "registration_date": "2026-04-02"})
    assert response.status_code == 400 and 'value="1234"' in response.content.decode()
    response = client.post(url, {"legal_form": "individual", "nui": "813333333", "registration_date": "2026-04-02"})
    business.refresh_from_db()
    assert response.status_code == 302 and business.is_registered and business.formalised_on is not None
