"""Municipal-development calculations against hand-built data with known answers: municipalities assisted, services
improved (SQL that agrees with the tracker), municipal staff trained, citizens at hearings, own-source revenue change;
and a guard that all civic and municipal calculations cost a fixed number of queries, however many records.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import Community, Sex
from municipal.models import ActivityStatus, MeasureKind, MunicipalService, ServiceCategory
from municipal.selectors_tracker import service_trends
from reports.calculations import get
from reports.calculations.base import NOT_KNOWN
from reports.periods import Period
from reports.records import RECORD_KINDS
from tests.factories import OrganisationFactory
from tests.municipal.factories_tracker import MunicipalServiceFactory, ServiceMeasureFactory
from tests.reports.factories_civic import (
    at,
    civic_grant,
    hearing,
    infrastructure,
    municipality,
    person,
    ta_activity,
    training,
)

pytestmark = pytest.mark.django_db

FY2026 = Period.fiscal_year(2026)
FY2027 = Period.fiscal_year(2027)
LAST_DAY_FY2026 = datetime.date(2026, 9, 30)
FIRST_DAY_FY2027 = datetime.date(2026, 10, 1)
CIVIC_AND_MUNICIPAL = {
    "infrastructure_completed",
    "joint_activity_people",
    "first_time_cross_community",
    "csos_supported",
    "municipalities_assisted",
    "services_improved",
    "municipal_staff_trained",
    "hearing_participants",
    "own_source_revenue_change",
}


def parts(figure, dimension):
    return {part.code: part.value for part in figure.breakdowns[dimension]}


def pks(queryset):
    return set(queryset.values_list("pk", flat=True))


def assert_breakdowns_add_up(figure):
    for dimension, found in figure.breakdowns.items():
        assert sum(part.value for part in found) == figure.value, dimension
        assert NOT_KNOWN in {part.code for part in found}, dimension


# --- Municipalities assisted -------------------------------------------------------------------------------------
def test_municipalities_with_ta_under_way_in_the_period_count_once():
    ta_activity(datetime.date(2026, 9, 1), ends=LAST_DAY_FY2026)
    ta_activity(datetime.date(2026, 4, 1), ends=datetime.date(2026, 4, 30), status=ActivityStatus.ACCEPTED)
    ta_activity(datetime.date(2026, 8, 1), ends=FIRST_DAY_FY2027, municipality_code="gracanica", status="delivered")
    ta_activity(FIRST_DAY_FY2027, municipality_code="zvecan", status=ActivityStatus.DELIVERED)
    ta_activity(datetime.date(2026, 5, 1), municipality_code="peje", status=ActivityStatus.PLANNED)
    ta_activity(datetime.date(2026, 5, 1), municipality_code="istog", status=ActivityStatus.CANCELLED)
    calc = get("municipalities_assisted")
    assert codes_of(calc.records_for(FY2026)) == {"gjilan", "gracanica"}
    assert codes_of(calc.records_for(FY2027)) == {"gracanica", "zvecan"}
    figure = calc.compute(FY2027, dimensions=("programme_group",))
    assert figure.value == 2
    assert_breakdowns_add_up(figure)
    assert parts(figure, "programme_group") == {
        "south_serb_majority": 1,
        "albanian_majority": 0,
        "north": 1,
        NOT_KNOWN: 0,
    }
    assert codes_of(calc.records_for(FY2027, [("programme_group", "north")])) == {"zvecan"}


def codes_of(queryset):
    return set(queryset.values_list("code", flat=True))


# --- Services improved -------------------------------------------------------------------------------------------
def measures(service, kind, baseline, *follow_ups):
    """A baseline on 31 January 2026, then (day, value, with evidence) follow-ups."""
    ServiceMeasureFactory(service=service, kind=kind, baseline=True, value=Decimal(baseline))
    for day, value, evidence in follow_ups:
        ServiceMeasureFactory(service=service, kind=kind, measured_on=day, value=Decimal(value), with_evidence=evidence)


@pytest.fixture
def services():
    gjilan, gracanica = municipality("gjilan"), municipality("gracanica")
    faster = MunicipalServiceFactory(municipality=gjilan, name="Faster registration")
    measures(faster, MeasureKind.PROCESSING_DAYS, "30", (LAST_DAY_FY2026, "12", True))
    richer = MunicipalServiceFactory(municipality=gracanica, name="Tax", category=ServiceCategory.PROPERTY_TAX)
    measures(
        richer,
        MeasureKind.REVENUE,
        "50000",
        (datetime.date(2026, 6, 30), "55000", True),
        (FIRST_DAY_FY2027, "60000", True),
    )
    unproven = MunicipalServiceFactory(municipality=gjilan, name="Unproven")
    measures(unproven, MeasureKind.PROCESSING_DAYS, "30", (datetime.date(2026, 6, 30), "12", False))
    relapsed = MunicipalServiceFactory(municipality=gjilan, name="Relapsed")
    measures(
        relapsed,
        MeasureKind.PROCESSING_DAYS,
        "30",
        (datetime.date(2026, 3, 31), "12", True),
        (datetime.date(2026, 6, 30), "35", True),
    )
    same = MunicipalServiceFactory(municipality=gjilan, name="Same", category=ServiceCategory.CITIZEN_SERVICE_CENTRE)
    measures(same, MeasureKind.SATISFACTION, "60", (datetime.date(2026, 6, 30), "60", True))
    bilingual = MunicipalServiceFactory(municipality=gjilan, name="Bilingual", category=ServiceCategory.TRANSLATION)
    measures(bilingual, MeasureKind.BOTH_LANGUAGES, "0", (datetime.date(2026, 2, 15), "1", True))
    return {"faster": faster, "richer": richer, "relapsed": relapsed, "bilingual": bilingual}


def test_services_improved_by_a_measure_dated_in_the_period(services):
    calc = get("services_improved")
    assert pks(calc.records_for(FY2026)) == {services[key].pk for key in ("faster", "richer", "bilingual")}
    assert pks(calc.records_for(FY2027)) == {services["richer"].pk}  # 1 October 2026 measure
    # By the end of March the relapsed service was still better than its baseline.
    assert pks(calc.records_for(Period.fiscal_quarter(2026, 2))) == {services["relapsed"].pk, services["bilingual"].pk}
    assert calc.compute(Period.fiscal_quarter(2026, 4)).value == 1  # 30 September 2026: the faster registration


def test_services_improved_breakdowns_add_up_and_the_drill_down_matches(services):
    calc = get("services_improved")
    figure = calc.compute(FY2026, dimensions=("municipality", "category"))
    assert figure.value == 3
    assert_breakdowns_add_up(figure)
    assert (parts(figure, "municipality")["gjilan"], parts(figure, "municipality")["gracanica"]) == (2, 1)
    categories = parts(figure, "category")
    assert categories[ServiceCategory.BUSINESS_REGISTRATION] == 1 and categories[ServiceCategory.TRANSLATION] == 1
    in_gracanica = calc.records_for(FY2026, [("municipality", "gracanica")])
    assert pks(in_gracanica) == {services["richer"].pk}


def test_services_improved_agrees_with_the_tracker_over_the_life_of_the_programme(services):
    rng = random.Random(8)
    kinds = list(MeasureKind.values)
    for number in range(30):
        service = MunicipalServiceFactory(name=f"Random service {number}")
        for kind in rng.sample(kinds, rng.randint(1, 3)):
            follow_ups = [
                (datetime.date(2026, month, 28), str(rng.randint(0, 60)), rng.random() < 0.7)
                for month in sorted(rng.sample(range(2, 13), rng.randint(0, 3)))
            ]
            measures(service, kind, str(rng.randint(0, 60)), *follow_ups)
    tracker = {trend.service.pk for trend in service_trends(MunicipalService.objects.all()) if trend.improved}
    whole = Period.life_of_programme(datetime.date(2027, 9, 30))
    assert pks(get("services_improved").records_for(whole)) == tracker
    assert len(tracker) > 5  # the random data holds both verdicts
    assert MunicipalService.objects.count() - len(tracker) > 5


# --- Municipal staff trained -------------------------------------------------------------------------------------
def test_municipal_staff_trained_counts_people_once_by_activity_start():
    arta = person(Community.ALBANIAN, Sex.FEMALE, 1990)
    bojan = person(Community.SERB, Sex.MALE, 2001)
    cene = person(Community.NOT_STATED, Sex.NOT_STATED, None, None)
    absent = person(Community.SERB, Sex.FEMALE, 1980)
    ta_activity(LAST_DAY_FY2026, arta)
    ta_activity(datetime.date(2026, 3, 2), arta, cene, status=ActivityStatus.ACCEPTED)
    ta_activity(FIRST_DAY_FY2027, bojan)
    ta_activity(datetime.date(2026, 5, 4), absent, status=ActivityStatus.CANCELLED)
    calc = get("municipal_staff_trained")
    assert pks(calc.records_for(FY2026)) == {arta.pk, cene.pk}
    assert pks(calc.records_for(FY2027)) == {bojan.pk}
    figure = calc.compute(FY2026, dimensions=("sex", "age_band", "community", "municipality"))
    assert figure.value == 2
    assert_breakdowns_add_up(figure)
    assert parts(figure, "sex") == {Sex.FEMALE: 1, Sex.MALE: 0, NOT_KNOWN: 1}
    assert parts(figure, "age_band")[NOT_KNOWN] == 1 and parts(figure, "municipality")[NOT_KNOWN] == 1
    assert pks(calc.records_for(FY2026, [("sex", "female")])) == {arta.pk}


# --- Citizens at hearings ----------------------------------------------------------------------------------------
@pytest.fixture
def hearings():
    return {
        "last_day": hearing(
            LAST_DAY_FY2026,
            [
                (Community.ALBANIAN, Sex.FEMALE, 10),
                (Community.SERB, Sex.MALE, 5),
                (Community.NOT_STATED, "not_stated", 2),
            ],
        ),
        "first_day": hearing(FIRST_DAY_FY2027, [(Community.SERB, Sex.FEMALE, 7)], municipality_code="gracanica"),
        "cancelled": hearing(
            datetime.date(2026, 6, 1), [(Community.ALBANIAN, Sex.MALE, 100)], status=ActivityStatus.CANCELLED
        ),
    }


def test_hearing_participants_sum_attendance_of_hearings_held_in_the_period(hearings):
    calc = get("hearing_participants")
    assert calc.compute(FY2026).value == 17
    assert calc.compute(FY2027).value == 7
    assert calc.compute(Period.fiscal_quarter(2026, 3)).value == 0  # the June hearing was cancelled
    figure = calc.compute(FY2026, dimensions=("community", "sex", "municipality"))
    assert_breakdowns_add_up(figure)
    community = parts(figure, "community")
    assert (community["albanian"], community["serb"], community["not_stated"], community[NOT_KNOWN]) == (10, 5, 2, 0)
    assert parts(figure, "sex") == {Sex.FEMALE: 10, Sex.MALE: 5, NOT_KNOWN: 2}
    assert parts(figure, "municipality")["gjilan"] == 17


def test_hearing_drill_down_rows_add_up_to_the_female_part(hearings):
    calc = get("hearing_participants")
    rows = calc.records_for(FY2026, [("sex", "female")])
    assert sum(row.count for row in rows) == parts(calc.compute(FY2026, dimensions=("sex",)), "sex")[Sex.FEMALE]
    kind = RECORD_KINDS[calc.record_kind]
    table = [kind.row(row) for row in kind.prepared(calc.records_for(FY2026))]
    assert [line[2] for line in table] == [LAST_DAY_FY2026] * 3
    assert sorted(line[5] for line in table) == [2, 5, 10]
    assert not kind.personal


# --- Own-source revenue ----------------------------------------------------------------------------------------
@pytest.fixture
def revenue():
    gjilan = MunicipalServiceFactory(municipality=municipality("gjilan"), category=ServiceCategory.PROPERTY_TAX)
    measures(
        gjilan,
        MeasureKind.REVENUE,
        "50000",
        (datetime.date(2026, 6, 30), "55000", True),
        (FIRST_DAY_FY2027, "62000.50", False),
    )
    gracanica = MunicipalServiceFactory(municipality=municipality("gracanica"))
    measures(gracanica, MeasureKind.REVENUE, "20000", (LAST_DAY_FY2026, "18000", True))
    measures(MunicipalServiceFactory(), MeasureKind.REVENUE, "10000")  # a baseline only
    measures(MunicipalServiceFactory(), MeasureKind.PROCESSING_DAYS, "30", (LAST_DAY_FY2026, "10", True))
    return {"gjilan": gjilan, "gracanica": gracanica}


def test_own_source_revenue_change_is_latest_minus_baseline_at_the_period_end(revenue):
    calc = get("own_source_revenue_change")
    assert calc.compute(FY2026).value == Decimal("3000.00")  # +5,000 in Gjilan, −2,000 in Gračanica
    assert calc.compute(FY2027).value == Decimal("10000.50")
    assert calc.compute(Period.fiscal_quarter(2026, 2)).value == Decimal("0.00")  # no follow-up by 31 March
    assert pks(calc.records_for(FY2026)) == {revenue["gjilan"].pk, revenue["gracanica"].pk}
    figure = calc.compute(FY2026, dimensions=("municipality", "category"))
    assert_breakdowns_add_up(figure)
    places = parts(figure, "municipality")
    assert (places["gjilan"], places["gracanica"]) == (Decimal("5000.00"), Decimal("-2000.00"))
    assert parts(figure, "category")[ServiceCategory.PROPERTY_TAX] == Decimal("5000.00")


def test_own_source_revenue_drill_down_shows_baseline_latest_and_change(revenue):
    calc = get("own_source_revenue_change")
    kind = RECORD_KINDS[calc.record_kind]
    rows = [kind.row(service) for service in kind.prepared(calc.records_for(FY2027, [("municipality", "gjilan")]))]
    assert len(rows) == 1
    assert rows[0][2:] == [Decimal("50000"), FIRST_DAY_FY2027, Decimal("62000.50"), Decimal("12000.50")]


# --- Query count -------------------------------------------------------------------------------------------------
def build_records(copies):
    """`copies` of a bit of everything the nine calculations count."""
    for _copy in range(copies):
        arta = person(Community.ALBANIAN, Sex.FEMALE, 1990)
        bojan = person(Community.SERB, Sex.MALE, 2001)
        training(datetime.date(2026, 3, 2), arta, bojan)
        ta_activity(datetime.date(2026, 4, 1), arta, bojan)
        hearing(datetime.date(2026, 5, 4), [(Community.ROMA, Sex.FEMALE, 3)])
        infrastructure(at(2026, 6, 1))
        civic_grant(OrganisationFactory(), at(2026, 1, 1))
        service = MunicipalServiceFactory()
        measures(service, MeasureKind.REVENUE, "100", (datetime.date(2026, 7, 1), "150", True))


def queries_for_all(period):
    with CaptureQueriesContext(connection) as context:
        for key in sorted(CIVIC_AND_MUNICIPAL):
            calc = get(key)
            figure = calc.compute(period, dimensions=tuple(calc.dimensions))
            assert_breakdowns_add_up(figure)
    return len(context.captured_queries)


def test_all_civic_and_municipal_calculations_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    build_records(1)
    few = queries_for_all(FY2026)
    build_records(6)
    assert queries_for_all(FY2026) == few
    # One aggregate per calculation, one GROUP BY per breakdown, one list of municipalities per municipality breakdown.
    calculations = [get(key) for key in CIVIC_AND_MUNICIPAL]
    bound = sum(1 + len(calc.dimensions) + ("municipality" in calc.dimensions) for calc in calculations)
    assert bound == 41
    with django_assert_max_num_queries(bound):
        queries_for_all(FY2026)
    assert get("own_source_revenue_change").compute(FY2026).value == Decimal("350.00")
    assert get("joint_activity_people").compute(FY2026).value == 14
