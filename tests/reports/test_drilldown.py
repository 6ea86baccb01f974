"""The records behind a figure (/staff/indicators/records/<key>/): the list holds exactly the records the figure
counts (for the whole figure and for one part of a breakdown), pages in constant queries, refuses bad parameters with
a message or 404, is closed to USAID's viewer (and lists of people to roles without personal data), and its export
asks for a report run."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from accounts.roles import Role
from core.choices import Community, Component, Sex
from grants.models import GrantStatus
from municipalities.models import Municipality
from reports.calculations import dimensions as dims
from reports.calculations import registry
from reports.calculations.base import Calculation, ShareCalculation
from reports.models import Indicator
from reports.periods import Period
from reports.selectors import drill_url, indicator_row, indicators_queryset
from tests.factories import PersonFactory, UserFactory
from tests.municipal.factories_overview import grant_in

pytestmark = pytest.mark.django_db

FY = 2026  # 1 October 2025 – 30 September 2026: wholly in the past, so every quarter has a figure


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


class PeopleWithConsent(Calculation):
    """Test-only: people who gave consent in the period (a list of people, like persons_trained)."""

    key = "test_people"
    label = "People who gave consent in the period"
    record_kind = "person"
    dimensions = dims.person_dimensions()

    def records(self, period):
        first, after = period.datetime_bounds()
        return Person.objects.filter(consent_date__gte=first, consent_date__lt=after)


class WomenShare(ShareCalculation):
    """Test-only: % women among the people who gave consent in the period."""

    key = "test_women_share"
    label = "Women among people who gave consent"
    record_kind = "person"
    dimensions = {"community": dims.community()}

    def records(self, period):
        return PeopleWithConsent().records(period)

    def numerator_q(self, period):
        from django.db.models import Q

        return Q(sex=Sex.FEMALE)


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def test_calculations():
    """Register the test-only calculations for one test and remove them afterwards."""
    registry.register(PeopleWithConsent)
    registry.register(WomenShare)
    yield
    registry._CALCULATIONS.pop(PeopleWithConsent.key, None)
    registry._CALCULATIONS.pop(WomenShare.key, None)


def make_indicator(calculation, code, **fields):
    defaults = {"name_sq": f"Treguesi {code}", "name_en": f"Indicator {code}", "order": 1}
    return Indicator.objects.create(code=code, calculation=calculation, **{**defaults, **fields})


@pytest.fixture
def grants_indicator():
    """Grants awarded in FY2026: two in Gjilan (Q1 and Q2), one in Peja (Q3); none of the others count."""
    gjilan, peje = Municipality.objects.get(code="gjilan"), Municipality.objects.get(code="peje")
    grant_in(gjilan, Component.CIVIC_ENGAGEMENT, signed_at=at(2025, 10, 1, 0), amount=Decimal("10000.00"))
    grant_in(gjilan, Component.BUSINESS_DEVELOPMENT, signed_at=at(2026, 2, 10))
    grant_in(peje, Component.CIVIC_ENGAGEMENT, signed_at=at(2026, 9, 30, 23))
    grant_in(gjilan, Component.CIVIC_ENGAGEMENT, signed_at=at(2025, 9, 30, 23))  # FY2025
    grant_in(gjilan, Component.CIVIC_ENGAGEMENT, status=GrantStatus.AWAITING_SIGNATURE)  # never signed
    return make_indicator(
        "grants_awarded",
        "AKT-X-1",
        name_en="Number of grants awarded",
        disaggregations=["municipality", "component"],
    )


def people(count, *, consent=None, **fields):
    consent = consent or at(2026, 3, 1)
    return [PersonFactory(consent_date=consent, **fields) for _ in range(count)]


def records_url(key, **params):
    from urllib.parse import urlencode

    query = urlencode(params, doseq=True)
    return reverse("staff:indicator_records", args=[key]) + ("?" + query if query else "")


def page_text(response):
    return response.content.decode()


def shown_count(response):
    return response.context["count"]


# --- The list matches the figure --------------------------------------------------------------------------------
def test_the_whole_figure_and_its_list_hold_the_same_grants(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(records_url("grants_awarded", fy=FY))
    assert response.status_code == 200
    assert response.context["figure"].value == 3
    assert shown_count(response) == 3
    html = page_text(response)
    assert "3 records" in html
    assert "FY2026" in html and "01.10.2025 – 30.09.2026" in html


def test_each_part_of_a_breakdown_opens_the_records_it_counts(client, grants_indicator):
    """Every link on the indicator page's breakdowns lists as many grants as the part says, and parts add up."""
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    row = indicator_row(indicators_queryset().get(pk=grants_indicator.pk), FY)
    municipality_parts = next(parts for dimension, parts in row.breakdowns if dimension.code == "municipality")
    values = {part.code: part.value for part, _url in municipality_parts}
    assert values["gjilan"] == 2 and values["peje"] == 1
    assert sum(values.values()) == row.year.computed == 3
    for part, url in municipality_parts:
        if part.code not in ("gjilan", "peje"):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert shown_count(response) == part.value
        assert response.context["figure"].value == part.value
        assert f"Municipality: {Municipality.objects.get(code=part.code).name}" in page_text(response)


def test_a_quarter_and_a_filter_narrow_the_list(client, grants_indicator):
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    response = client.get(records_url("grants_awarded", fy=FY, q=1, f="municipality:gjilan"))
    assert response.status_code == 200
    assert shown_count(response) == response.context["figure"].value == 1
    response = client.get(
        records_url("grants_awarded", fy=FY, f=["municipality:gjilan", "component:business_development"])
    )
    assert shown_count(response) == response.context["figure"].value == 1
    assert "Component: Business Development" in page_text(response)


def test_a_list_of_people_matches_its_figure_and_links_each_person(client, test_calculations):
    women = people(3, sex=Sex.FEMALE, community=Community.SERB)
    people(2, sex=Sex.MALE, community=Community.SERB)
    people(4, sex=Sex.FEMALE, consent=at(2026, 10, 2))  # FY2027
    make_indicator("test_people", "AKT-T-1")
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    figure = registry.get("test_people").compute(Period.fiscal_year(FY), filters=[("sex", "female")])
    response = client.get(records_url("test_people", fy=FY, f="sex:female"))
    assert response.status_code == 200
    assert figure.value == shown_count(response) == 3
    html = page_text(response)
    assert "Sex: Female" in html
    for person in women:
        assert reverse("staff:person_detail", args=[person.pk]) in html


def test_a_share_lists_its_whole_or_only_its_numerator(client, test_calculations):
    people(3, sex=Sex.FEMALE)
    people(1, sex=Sex.MALE)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(records_url("test_women_share", fy=FY))
    assert response.context["figure"].value == Decimal("75.0")
    assert shown_count(response) == 4
    assert "75.0%" in page_text(response)
    response = client.get(records_url("test_women_share", fy=FY, numerator=1))
    assert shown_count(response) == response.context["figure"].numerator == 3


# --- Pages ------------------------------------------------------------------------------------------------------
def test_pages_of_records_cost_the_same_queries_and_hold_fifty(client, test_calculations):
    people(120)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    client.get(records_url("test_people", fy=FY))  # warm the session and caches
    counts = []
    for page in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(records_url("test_people", fy=FY, page=page))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 10
    assert len(response.context["rows"]) == 20  # 120 = 50 + 50 + 20
    assert shown_count(response) == 120


# --- Bad parameters ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fy": "next"}, "Choose a fiscal year and, if you want, a quarter (1–4)."),
        ({"fy": FY, "q": "5"}, "A quarter is 1, 2, 3 or 4."),
        ({"from": "2026-13-01", "to": "2026-12-31"}, "Give both dates of the period as YYYY-MM-DD."),
        ({"from": "2026-06-01", "to": "2026-01-01"}, "The period cannot end before it starts."),
    ],
)
def test_a_period_that_makes_no_sense_is_answered_with_a_message(client, grants_indicator, params, message):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(records_url("grants_awarded", **params))
    assert response.status_code == 400
    assert message in page_text(response)


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("no_such_calculation", {"fy": FY}),
        ("grants_awarded", {"fy": FY, "f": "sex:female"}),  # grants have no sex
        ("grants_awarded", {"fy": FY, "f": "municipality"}),  # no part
        ("grants_awarded", {"fy": FY, "numerator": "1"}),  # not a share
    ],
)
def test_an_unknown_calculation_or_filter_answers_404(client, grants_indicator, key, params):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    assert client.get(records_url(key, **params)).status_code == 404


# --- Who may open records ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "grants", "people_list"),
    [
        (Role.ME_OFFICER, 200, 200),
        (Role.PROGRAMME_OFFICER, 200, 200),
        (Role.MANAGER, 200, 200),
        (Role.FINANCE_OFFICER, 200, 404),
        (Role.USAID_VIEWER, 404, 404),
        (Role.APPLICANT, 404, 404),
        (Role.REVIEWER, 404, 404),
    ],
)
def test_records_open_only_for_roles_that_may_see_them(
    client, grants_indicator, test_calculations, role, grants, people_list
):
    people(1)
    client.force_login(UserFactory(role=role))
    assert client.get(records_url("grants_awarded", fy=FY)).status_code == grants
    assert client.get(records_url("test_people", fy=FY)).status_code == people_list


def test_anonymous_visitors_are_sent_away(client, grants_indicator):
    response = client.get(records_url("grants_awarded", fy=FY))
    assert response.status_code in (302, 404)
    assert "AKT-G-" not in page_text(response)


# --- Export -----------------------------------------------------------------------------------------------------
def test_export_asks_for_a_records_run_with_the_figure_s_parameters(client, grants_indicator, monkeypatch):
    from reports.services import runs

    asked = {}

    class Run:
        pk = 41

    def fake_request_run(**kwargs):
        asked.update(kwargs)
        return Run()

    monkeypatch.setattr(runs, "request_run", fake_request_run)
    officer = UserFactory(role=Role.ME_OFFICER)
    client.force_login(officer)
    response = client.post(records_url("grants_awarded", fy=FY, q=2, f="municipality:gjilan"), {"format": "xlsx"})
    assert response.status_code == 302
    assert response.url == reverse("staff:report_run_detail", args=[41])
    assert asked["actor"] == officer
    assert asked["kind"] == "records" and asked["format"] == "xlsx" and asked["language"] == "en"
    assert asked["period"] == Period.fiscal_quarter(FY, 2)
    assert asked["params"] == {
        "calculation": "grants_awarded",
        "filters": [["municipality", "gjilan"]],
        "numerator": False,
    }


def test_export_in_an_unknown_format_is_refused_with_a_message(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    url = records_url("grants_awarded", fy=FY)
    response = client.post(url, {"format": "docx"}, follow=True)
    assert "Choose XLSX or CSV for the export." in page_text(response)


def test_usaid_viewer_cannot_export_records(client, grants_indicator):
    client.force_login(UserFactory(role=Role.USAID_VIEWER))
    assert client.post(records_url("grants_awarded", fy=FY), {"format": "csv"}).status_code == 404


def test_drill_urls_of_the_selectors_open_this_page(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    url = drill_url("grants_awarded", Period.fiscal_quarter(FY, 2), [("municipality", "gjilan")])
    response = client.get(url)
    assert response.status_code == 200
    assert shown_count(response) == 1
