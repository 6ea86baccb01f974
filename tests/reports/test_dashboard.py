"""The managers' dashboard on /staff/: figures against hand-built data, the component filter, drill-down links by
role, the municipality grid, and a query count that does not grow with the records."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection, reset_queries
from django.db.models import Subquery, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Person
from accounts.roles import Role
from core.choices import Community, Component, Sex
from grants.models import Grant
from municipalities.models import Municipality
from reports.calculations import dimensions as dims
from reports.calculations import registry
from reports.calculations.base import Calculation
from reports.calculations.crosscutting import GrantsAwarded
from reports.models import Indicator, IndicatorTarget
from reports.selectors import drill_url
from tests.factories import PersonFactory, UserFactory
from tests.grants.grant_factories import GrantFactory
from tests.municipal.factories_packages import TAActivityFactory, TAPackageFactory

STAFF = "/en/staff/"


def _moment(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


class TestEurCommitted(Calculation):
    """Test-only: the amount of the grants signed in the period (the real one is written in parallel)."""

    key = "eur_committed"
    label = "EUR committed (test)"
    record_kind = "grant"
    unit = "eur"
    dimensions = GrantsAwarded.dimensions

    def records(self, period):
        first, after = period.datetime_bounds()
        return Grant.objects.filter(signed_at__gte=first, signed_at__lt=after)

    def aggregate(self):
        return Sum("amount")

    def empty_value(self):
        return Decimal("0")


class TestPeopleReached(Calculation):
    """Test-only: the contact persons of the grants signed in the period, each once."""

    key = "people_reached"
    label = "People reached (test)"
    record_kind = "person"
    dimensions = dims.person_dimensions()

    def records(self, period):
        first, after = period.datetime_bounds()
        grants = Grant.objects.filter(signed_at__gte=first, signed_at__lt=after).values("application__person")
        return Person.objects.filter(pk__in=Subquery(grants))


@pytest.fixture
def calculations(monkeypatch):
    """Exactly the calculations these tests know: grants_awarded (real) and two test-only ones. Every other key
    (firms_assisted, eur_disbursed, …) is missing and must show "—". monkeypatch restores the registry."""
    known = {
        "grants_awarded": registry.get("grants_awarded"),
        "eur_committed": TestEurCommitted(),
        "people_reached": TestPeopleReached(),
    }
    monkeypatch.setattr(registry, "_CALCULATIONS", known)
    return known


def _grant(signed_at, *, municipality="gjilan", component=Component.CIVIC_ENGAGEMENT, amount="10000.00", person=None):
    extra = {"application__person": person} if person is not None else {}
    return GrantFactory(
        active=True,
        signed_at=signed_at,
        amount=Decimal(amount),
        application__municipality=Municipality.objects.get(code=municipality),
        application__call__component=component,
        **extra,
    )


@pytest.fixture
def grants(db):
    """FY2027 (from 1 October 2026): two civic grants in Gjilan (one by a young Serb man), one business grant in
    Pejë. FY2026 (to 30 September 2026): one civic grant in Gjilan signed on its last day."""
    young_man = PersonFactory(
        first_name="Marko",
        last_name="Petrović",
        sex=Sex.MALE,
        community=Community.SERB,
        birth_date=datetime.date(2000, 1, 1),
    )
    older_woman = PersonFactory(
        first_name="Arta",
        last_name="Berisha",
        sex=Sex.FEMALE,
        community=Community.ALBANIAN,
        birth_date=datetime.date(1970, 3, 3),
    )
    return {
        "last_day_fy2026": _grant(_moment(2026, 9, 30, 23), amount="4000.00"),
        "first_day_fy2027": _grant(_moment(2026, 10, 1, 0), amount="5000.00", person=young_man),
        "civic_fy2027": _grant(_moment(2026, 11, 2), amount="6000.00", person=older_woman),
        "business_fy2027": _grant(
            _moment(2026, 11, 15), municipality="peje", component=Component.BUSINESS_DEVELOPMENT, amount="7500.00"
        ),
    }


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(STAFF, params)
    assert response.status_code == 200
    return response


def _headline(response, key):
    return next(h for h in response.context["dashboard"]["headlines"] if h.key == key)


# --- Figures -------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_headline_figures_follow_the_fiscal_year_boundary(client, calculations, grants):
    manager = UserFactory(role=Role.MANAGER)
    fy2027 = _page(client, manager, fy="2027")
    assert _headline(fy2027, "grants_awarded").value == 3
    assert _headline(fy2027, "eur_committed").value == Decimal("18500.00")
    fy2026 = _page(client, manager, fy="2026")
    assert _headline(fy2026, "grants_awarded").value == 1
    assert _headline(fy2026, "eur_committed").value == Decimal("4000.00")
    html = fy2027.content.decode()
    assert "€18,500.00" in html


@pytest.mark.django_db
def test_missing_calculations_show_a_dash_not_an_error(client, calculations, grants):
    response = _page(client, UserFactory(role=Role.MANAGER), fy="2027")
    for key in ("eur_disbursed", "firms_assisted", "training_events_held", "municipalities_assisted"):
        headline = _headline(response, key)
        assert headline.value is None
        card = re.search(rf'data-headline="{key}".*?data-value>(.*?)</div>', response.content.decode(), re.S)
        assert card.group(1).strip().startswith('<span title="Not available yet">—</span>')


@pytest.mark.django_db
def test_people_reached_gives_women_youth_and_community_mix(client, calculations, grants):
    response = _page(client, UserFactory(role=Role.MANAGER), fy="2027")
    people = _headline(response, "people_reached")
    # The contact persons of the three FY2027 grants: Marko (young Serb man), Arta (woman of 56), and the factory's
    # default contact person of the business grant (an Albanian woman born in 1995: 32 in 2027, not youth).
    assert people.value == 3
    assert people.women.count == 2 and people.women.percent == Decimal("66.7")
    assert people.youth.count == 1 and people.youth.percent == Decimal("33.3")
    mix = {c.code: (c.count, c.percent) for c in people.communities}
    assert mix == {"albanian": (2, Decimal("66.7")), "serb": (1, Decimal("33.3"))}


@pytest.mark.django_db
def test_component_filter_keeps_only_that_components_figures(client, calculations, grants):
    manager = UserFactory(role=Role.MANAGER)
    response = _page(client, manager, fy="2027", component=Component.BUSINESS_DEVELOPMENT)
    assert _headline(response, "grants_awarded").value == 1
    assert _headline(response, "eur_committed").value == Decimal("7500.00")
    keys = {h.key for h in response.context["dashboard"]["headlines"]}
    # Municipal TA belongs to another component; people reached (test) cannot be split by component.
    assert "municipalities_assisted" not in keys and "people_reached" not in keys
    assert "firms_assisted" in keys
    civic = _page(client, manager, fy="2027", component=Component.CIVIC_ENGAGEMENT)
    assert _headline(civic, "grants_awarded").value == 2
    assert "firms_assisted" not in {h.key for h in civic.context["dashboard"]["headlines"]}
    link = drill_url("grants_awarded", civic.context["dashboard"]["period"], [("component", "civic_engagement")])
    assert _headline(civic, "grants_awarded").url == link


@pytest.mark.django_db
def test_an_unknown_filter_falls_back_and_says_so(client, calculations, grants):
    response = _page(client, UserFactory(role=Role.MANAGER), fy="1999", component="nonsense")
    dashboard = response.context["dashboard"]
    assert dashboard["component"] == ""
    assert len(dashboard["errors"]) == 2
    assert "There are no figures for fiscal year 1999" in response.content.decode()


@pytest.mark.django_db
def test_charts_carry_the_same_numbers_as_their_tables(client, calculations, grants):
    response = _page(client, UserFactory(role=Role.MANAGER), fy="2027")
    charts = {chart.id: chart for chart in response.context["dashboard"]["charts"]}
    by_municipality = charts["dashboard-money-municipality"].data()
    values = dict(zip(by_municipality["labels"], by_municipality["datasets"][0]["values"], strict=True))
    assert values["Gjilan"] == "11000.00" and values["Pejë"] == "7500.00"
    quarters = charts["dashboard-quarters"].data()
    # FY2027 Q1 (Oct–Dec 2026): all three grants; the quarters after today have not started (None).
    assert quarters["datasets"][0]["values"][0] == 3
    assert quarters["labels"][0] == "FY2027 Q1"
    fy2026 = {
        chart.id: chart
        for chart in _page(client, UserFactory(role=Role.MANAGER), fy="2026").context["dashboard"]["charts"]
    }
    # FY2026: the grant signed on 30 September 2026 is in Q4.
    assert fy2026["dashboard-quarters"].data()["datasets"][0]["values"] == [0, 0, 0, 1]
    people = charts["dashboard-people"]
    rows = {row.code: [cell.value for cell in row.cells] for row in people.rows}
    assert rows == {"albanian": [2, 0, 0], "serb": [0, 1, 0]}
    html = response.content.decode()
    assert 'id="dashboard-money-municipality-data" type="application/json"' in html
    assert html.count("<details") == len(charts)


# --- Progress against targets --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_progress_rows_show_percent_of_target(client, calculations, grants):
    indicator = Indicator.objects.create(
        code="AKT-X-1", name_en="Number of grants awarded", calculation="grants_awarded", disaggregations=[]
    )
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2027, value=Decimal("6"))
    response = _page(client, UserFactory(role=Role.MANAGER), fy="2027")
    [row] = response.context["dashboard"]["progress"]
    assert row.row.year.value == 3
    assert row.row.percent_of_target == Decimal("50.0")
    assert row.url == drill_url("grants_awarded", row.row.year.period)
    assert 'data-indicator="AKT-X-1"' in response.content.decode()


# --- Drill-down by role --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_manager_gets_drill_links_and_usaid_viewer_none_and_no_names(client, calculations, grants):
    records_url = "/en/staff/indicators/records/"
    manager_html = _page(client, UserFactory(role=Role.MANAGER), fy="2027").content.decode()
    assert records_url + "grants_awarded/?fy=2027" in manager_html
    assert records_url + "people_reached/?fy=2027&amp;f=sex%3Afemale" in manager_html

    viewer_html = _page(client, UserFactory(role=Role.USAID_VIEWER), fy="2027").content.decode()
    assert records_url not in viewer_html
    assert ">3<" in viewer_html.replace(" ", "").replace("\n", "")  # the same aggregates
    for grant in grants.values():
        person = grant.application.person
        assert person.last_name not in viewer_html
        assert grant.application.title not in viewer_html


@pytest.mark.django_db
def test_finance_officer_sees_figures_but_no_lists_of_people(client, calculations, grants):
    html = _page(client, UserFactory(role=Role.FINANCE_OFFICER), fy="2027").content.decode()
    assert "/en/staff/indicators/records/grants_awarded/" in html
    assert "/en/staff/indicators/records/people_reached/" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER])
def test_applicants_and_reviewers_get_404(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(STAFF).status_code == 404


@pytest.mark.django_db
def test_the_dashboard_sits_above_the_start_pages_own_content(client, calculations):
    html = _page(client, UserFactory(role=Role.MANAGER)).content.decode()
    assert html.index("data-dashboard") < html.index('data-count="people"') < html.index("Two-factor authentication")
    assert 'href="/en/staff/indicators/"' in html and 'href="/en/staff/reports/"' in html


# --- The municipality grid -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_grid_cells_link_to_the_municipality_and_are_shaded_by_activity(client, calculations, grants):
    package = TAPackageFactory()  # Gjilan
    during_fy2027 = {"starts_on": datetime.date(2026, 9, 1), "ends_on": datetime.date(2027, 2, 1)}
    TAActivityFactory(package=package, in_progress=True, **during_fy2027)
    TAActivityFactory(package=package, **during_fy2027)  # only planned: not counted
    TAActivityFactory(package=package, cancelled=True, **during_fy2027)
    TAActivityFactory(package=package, accepted=True)  # February–March 2026: FY2026
    response = _page(client, UserFactory(role=Role.MANAGER), fy="2027")
    grid = response.context["dashboard"]["grid"]
    cells = {cell.municipality.code: cell for _label, row in grid.groups for cell in row}
    assert len(cells) == Municipality.objects.filter(is_partner=True).count() == 16
    gjilan, peje = cells["gjilan"], cells["peje"]
    assert (gjilan.grants, gjilan.activities, gjilan.activity) == (2, 1, 3)
    assert (peje.grants, peje.activities, peje.activity) == (1, 0, 1)
    assert gjilan.shade == 3 and peje.shade == 1 and cells["gracanica"].shade == 0
    assert cells["gracanica"].trainings is None  # trainings held: calculation not registered
    html = response.content.decode()
    cell_html = re.search(r'data-municipality="gjilan".*?</div>\s*</div>\s*</div>', html, re.S).group(0)
    assert 'href="/en/staff/municipalities/gjilan/"' in cell_html
    assert [text for _shade, text in grid.legend] == ["0", "1", "2", "3"]


# --- Queries -------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_dashboard_costs_the_same_queries_with_5_or_50_grants(client, calculations, django_assert_max_num_queries):
    indicator = Indicator.objects.create(code="AKT-X-1", name_en="Grants", calculation="grants_awarded")
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2027, value=Decimal("60"))
    manager = UserFactory(role=Role.MANAGER)
    client.force_login(manager)
    places = ["gjilan", "peje", "gracanica", "shterpce", "istog"]
    for n in range(5):
        _grant(_moment(2026, 10, 1 + n), municipality=places[n % 5])
    client.get(STAFF, {"fy": "2027"})  # warm caches (sessions, content types)
    reset_queries()  # the query log keeps 9,000 entries: a full log would make every capture empty
    with CaptureQueriesContext(connection) as five:
        assert client.get(STAFF, {"fy": "2027"}).status_code == 200
    for n in range(45):
        _grant(_moment(2026, 12, 1 + n % 28), municipality=places[n % 5])
    reset_queries()
    with django_assert_max_num_queries(60), CaptureQueriesContext(connection) as fifty:
        response = client.get(STAFF, {"fy": "2027"})
    assert _headline(response, "grants_awarded").value == 50
    assert len(five) > 10  # the capture saw the page's queries
    assert len(fifty) == len(five)
