"""Civic infrastructure: type, settlement, coordinates inside Kosovo, municipal co-funding and users per community
(one row each), the panel's totals, who may edit, and grants of other components."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from core.choices import Component
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import InfrastructureProject, InfrastructureUse
from grants.services.infrastructure import infrastructure_save
from tests.factories import UserFactory
from tests.grants.closeout_factories import active_grant
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db
DATA = {
    "kind": "water",
    "settlement": "Pasjane",
    "latitude": Decimal("42.4547"),
    "longitude": Decimal("21.5650"),
    "municipal_cofunding": Decimal("15000.00"),
}
USES = [
    {"community": "albanian", "expected_users": 400, "actual_users": 380},
    {"community": "serb", "expected_users": 250, "actual_users": 260},
    {"community": "roma", "expected_users": 40, "actual_users": None},
]


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def test_an_officer_records_the_infrastructure_and_the_panel_shows_totals(client, officer):
    grant = active_grant()
    infrastructure_save(actor=officer, grant=grant, data=DATA, uses=USES)
    project = InfrastructureProject.objects.get(grant=grant)
    assert project.municipal_cofunding == Decimal("15000.00") and project.latitude == Decimal("42.454700")
    assert InfrastructureUse.objects.filter(project=project).count() == 3
    client.force_login(officer)
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert "data-expected-total>690<" in html and "data-actual-total>640<" in html
    assert "Used by 2 communities." in html
    assert "data-cofunding>15,000.00 EUR" in html


def test_coordinates_outside_kosovo_are_refused_with_what_to_do(officer):
    grant = active_grant()
    with pytest.raises(ApplicationError) as error:
        infrastructure_save(
            actor=officer, grant=grant, data={**DATA, "latitude": "41.33", "longitude": "19.82"}, uses=[]
        )
    assert error.value.code == "coordinates_outside_kosovo"
    assert "outside Kosovo" in error.value.message and "41.8 and 43.3" in error.value.message
    with pytest.raises(ApplicationError) as error:
        infrastructure_save(
            actor=officer, grant=grant, data={**DATA, "latitude": "21.1655", "longitude": "42.6629"}, uses=[]
        )
    assert "swapped" in error.value.message
    with pytest.raises(ApplicationError) as error:
        infrastructure_save(actor=officer, grant=grant, data={**DATA, "longitude": None}, uses=[])
    assert error.value.code == "coordinates_incomplete"
    assert not InfrastructureProject.objects.filter(grant=grant).exists()


def test_a_community_listed_twice_is_refused(officer):
    grant = active_grant()
    uses = [*USES, {"community": "serb", "expected_users": 10, "actual_users": None}]
    with pytest.raises(ApplicationError) as error:
        infrastructure_save(actor=officer, grant=grant, data=DATA, uses=uses)
    assert error.value.code == "community_duplicate" and "Serb" in error.value.message
    assert not InfrastructureProject.objects.filter(grant=grant).exists()


def test_saving_again_replaces_the_rows_and_is_audited(officer):
    grant = active_grant()
    infrastructure_save(actor=officer, grant=grant, data=DATA, uses=USES)
    infrastructure_save(actor=officer, grant=grant, data={**DATA, "settlement": "Ranilug"}, uses=USES[:1])
    project = InfrastructureProject.objects.get(grant=grant)
    assert project.settlement == "Ranilug"
    assert list(project.uses.values_list("community", flat=True)) == ["albanian"]
    actions = [entry.action for entry in audit_entries_for(target=grant)]
    assert actions[:2] == ["grants.grant.infrastructure_changed", "grants.grant.infrastructure_recorded"]
    changed = audit_entries_for(target=grant).first().data
    assert changed["settlement"] == ["Pasjane", "Ranilug"] and set(changed["uses"]) == {"serb", "roma"}


def _form_data(**overrides):
    data = {
        "kind": "school",
        "settlement": "Kllokot",
        "latitude": "42.3700",
        "longitude": "21.3800",
        "municipal_cofunding": "5000",
        "uses-TOTAL_FORMS": "2",
        "uses-INITIAL_FORMS": "0",
        "uses-MIN_NUM_FORMS": "0",
        "uses-MAX_NUM_FORMS": "1000",
        "uses-0-community": "albanian",
        "uses-0-expected_users": "100",
        "uses-1-community": "albanian",
        "uses-1-expected_users": "30",
    }
    data.update(overrides)
    return data


def test_the_page_refuses_a_duplicate_community_and_keeps_what_was_typed(client, officer):
    grant = active_grant()
    client.force_login(officer)
    url = f"/en/staff/grants/{grant.pk}/infrastructure/"
    response = client.post(url, _form_data())
    html = response.content.decode()
    assert response.status_code == 400
    assert "already in another row" in html and 'value="Kllokot"' in html
    assert not InfrastructureProject.objects.filter(grant=grant).exists()
    response = client.post(url, _form_data(**{"uses-1-community": "serb"}))
    assert response.status_code == 302
    assert InfrastructureProject.objects.get(grant=grant).uses.count() == 2


def test_the_page_says_when_the_point_is_outside_kosovo(client, officer):
    grant = active_grant()
    client.force_login(officer)
    response = client.post(f"/en/staff/grants/{grant.pk}/infrastructure/", _form_data(latitude="45.1"))
    html = response.content.decode()
    assert response.status_code == 400 and "outside Kosovo" in html and "already in another row" in html
    assert not InfrastructureProject.objects.filter(grant=grant).exists()
    assert nested_forms(response.content.decode()) == 0


def test_only_programme_staff_edit_it_and_only_for_civic_grants(client, officer):
    grant = active_grant()
    url = f"/en/staff/grants/{grant.pk}/infrastructure/"
    for role in (Role.ME_OFFICER, Role.FINANCE_OFFICER, Role.USAID_VIEWER):
        client.force_login(UserFactory(role=role))
        assert client.get(url).status_code == 404, role
        assert client.post(url, _form_data(**{"uses-1-community": "serb"})).status_code == 404, role
    assert not InfrastructureProject.objects.filter(grant=grant).exists()
    business = active_grant(component=Component.BUSINESS_DEVELOPMENT)
    client.force_login(officer)
    assert client.get(f"/en/staff/grants/{business.pk}/infrastructure/").status_code == 404
    assert 'id="infrastructure"' not in client.get(f"/en/staff/grants/{business.pk}/").content.decode()
    with pytest.raises(ApplicationError) as error:
        infrastructure_save(actor=officer, grant=business, data=DATA, uses=[])
    assert error.value.code == "not_civic"


def test_the_panel_costs_the_same_queries_with_many_communities(client, officer, django_assert_max_num_queries):
    few, many = active_grant(), active_grant()
    infrastructure_save(actor=officer, grant=few, data=DATA, uses=USES[:1])
    communities = ["albanian", "serb", "bosniak", "turkish", "roma", "ashkali", "egyptian", "gorani"]
    uses = [{"community": c, "expected_users": 10, "actual_users": 5} for c in communities]
    infrastructure_save(actor=officer, grant=many, data=DATA, uses=uses)
    client.force_login(officer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as baseline:
        client.get(f"/en/staff/grants/{few.pk}/")
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        html = client.get(f"/en/staff/grants/{many.pk}/").content.decode()
    assert "Used by 8 communities." in html
