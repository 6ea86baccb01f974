"""The cross-cutting calculations against hand-built records with known answers: money committed, disbursed and
contributed, persons trained (with the shares of women and youth), people reached and training events held —
unique people, the turn of the fiscal year on 30 September / 1 October, and breakdowns that add up."""

import datetime
from decimal import Decimal

import pytest

from core.choices import Component, Sex
from grants.models import InstrumentType, ReportStatus
from grants.selectors_money import grant_money, portfolio_money
from municipal.models import ActivityStatus
from reports.calculations import registry
from reports.calculations.base import NOT_KNOWN
from reports.models import Indicator
from reports.periods import Period
from reports.records import RECORD_KINDS
from reports.services import catalogue
from tests.businesses.factories import BusinessFactory, BusinessOwnerFactory
from tests.factories import OrganisationFactory
from tests.reports.factories_people import (
    FY2026_LAST_DAY,
    FY2027_FIRST_DAY,
    accepted_report,
    held_event,
    in_kind_delivery,
    payment,
    person,
    signed_grant,
    ta_participant,
    training,
)
from trainings.models import EventStatus, Topic

pytestmark = pytest.mark.django_db

D = datetime.date
FY2026, FY2027 = Period.fiscal_year(2026), Period.fiscal_year(2027)
EUR = Decimal


def calc(key):
    return registry.get(key)


def parts(figure, dimension):
    return {part.code: part.value for part in figure.breakdowns[dimension]}


def assert_parts_add_up(figure):
    for dimension, values in figure.breakdowns.items():
        assert sum(p.value for p in values) == figure.value, dimension


# --- EUR committed ----------------------------------------------------------------------------------------------
def test_eur_committed_sums_the_grants_signed_in_each_fiscal_year():
    signed_grant(FY2026_LAST_DAY, amount="4000.00")
    signed_grant(FY2027_FIRST_DAY, amount="2500.50", municipality=None)
    signed_grant(D(2027, 3, 1), amount="7000.00", instrument=InstrumentType.IN_KIND)
    signed_grant(D(2027, 10, 1), amount="9999.00")  # FY2028

    fy2026 = calc("eur_committed").compute(FY2026)
    fy2027 = calc("eur_committed").compute(FY2027, dimensions=("municipality", "instrument", "component"))

    assert fy2026.value == EUR("4000.00")
    assert fy2027.value == EUR("9500.50")
    assert parts(fy2027, "municipality")["gjilan"] == EUR("7000.00")
    assert parts(fy2027, "municipality")[NOT_KNOWN] == EUR("2500.50")
    assert parts(fy2027, "instrument")[InstrumentType.IN_KIND] == EUR("7000.00")
    assert_parts_add_up(fy2027)
    assert calc("eur_committed").compute(Period.fiscal_year(2030)).value == EUR("0.00")


# --- EUR disbursed ----------------------------------------------------------------------------------------------
@pytest.fixture
def money():
    """A cash grant paid either side of 1 October, an in-kind grant with deliveries, and the rows that do not count
    as money out (a payment against the in-kind grant, a delivery against the cash grant)."""
    cash = signed_grant(D(2026, 6, 1), amount="10000.00", municipality="gjilan")
    in_kind = signed_grant(
        D(2026, 6, 1),
        amount="6000.00",
        municipality=None,
        instrument=InstrumentType.IN_KIND,
        component=Component.BUSINESS_DEVELOPMENT,
    )
    payment(cash, FY2026_LAST_DAY, "3000.00")
    payment(cash, FY2027_FIRST_DAY, "2000.00")
    payment(cash, D(2027, 9, 30), "1000.00")
    in_kind_delivery(in_kind, D(2026, 7, 15), "1500.00")
    in_kind_delivery(in_kind, D(2026, 11, 20), "2500.25")
    payment(in_kind, D(2026, 11, 20), "999.00")  # not money out for an in-kind grant
    in_kind_delivery(cash, D(2026, 11, 20), "777.00")  # not money out for a cash grant
    return cash, in_kind


def test_eur_disbursed_counts_payments_and_in_kind_deliveries_by_their_dates(money):
    cash, in_kind = money

    fy2026 = calc("eur_disbursed").compute(FY2026, dimensions=("municipality", "component"))
    fy2027 = calc("eur_disbursed").compute(FY2027, dimensions=("municipality", "component"))

    assert fy2026.value == EUR("4500.00")  # 3000 paid on 30.9.2026 + 1500 delivered
    assert fy2027.value == EUR("5500.25")  # 2000 + 1000 paid, 2500.25 delivered
    assert parts(fy2027, "municipality")["gjilan"] == EUR("3000.00")
    assert parts(fy2027, "municipality")[NOT_KNOWN] == EUR("2500.25")
    assert parts(fy2027, "component")[Component.BUSINESS_DEVELOPMENT] == EUR("2500.25")
    assert_parts_add_up(fy2026)
    assert_parts_add_up(fy2027)
    q1 = calc("eur_disbursed").compute(Period.fiscal_quarter(2027, 1))
    assert q1.value == EUR("4500.25")


def test_eur_disbursed_equals_the_money_pages_paid_figure(money):
    cash, in_kind = money
    everything = Period.dates(D(2025, 10, 1), D(2027, 9, 30))

    figure = calc("eur_disbursed").compute(everything)
    records = {grant.pk: grant.disbursed for grant in calc("eur_disbursed").records_for(everything)}

    assert figure.value == portfolio_money(group="component").total.paid == EUR("10000.25")
    assert records == {cash.pk: grant_money(cash).paid, in_kind.pk: grant_money(in_kind).paid}
    assert sum(records.values()) == figure.value


def test_the_drill_down_of_eur_disbursed_lists_what_each_grant_received_in_the_period(money):
    cash, in_kind = money

    records = calc("eur_disbursed").records_for(FY2027, [("municipality", "gjilan")])

    assert [(grant, grant.disbursed) for grant in records] == [(cash, EUR("3000.00"))]
    kind = RECORD_KINDS[calc("eur_disbursed").record_kind]
    (row,) = [kind.row(grant) for grant in kind.prepared(records)]
    assert row[0] == cash.number and row[-1] == EUR("3000.00")
    assert kind.url(cash).endswith(f"/{cash.pk}/")
    nothing = calc("eur_disbursed").records_for(Period.fiscal_quarter(2027, 3))
    assert list(nothing) == []
    assert calc("eur_disbursed").compute(Period.fiscal_quarter(2027, 3)).value == EUR("0.00")


# --- Cost share -------------------------------------------------------------------------------------------------
def test_cost_share_counts_contributions_of_reports_accepted_in_the_period():
    grant = signed_grant(D(2026, 3, 1), component=Component.BUSINESS_DEVELOPMENT)
    other = signed_grant(D(2026, 3, 1), municipality=None)
    accepted_report(grant, accepted_on=FY2026_LAST_DAY, contributions=[("cash", "100.00")])
    accepted_report(grant, accepted_on=FY2027_FIRST_DAY, contributions=[("cash", "300.00"), ("in_kind", "250.50")])
    accepted_report(other, accepted_on=D(2027, 5, 5), contributions=[("in_kind", "50.00")])
    accepted_report(other, status=ReportStatus.SUBMITTED, contributions=[("cash", "5000.00")])

    fy2026 = calc("cost_share_contributed").compute(FY2026)
    fy2027 = calc("cost_share_contributed").compute(FY2027, dimensions=("kind", "component", "municipality"))

    assert fy2026.value == EUR("100.00")
    assert fy2027.value == EUR("600.50")
    assert parts(fy2027, "kind") == {"cash": EUR("300.00"), "in_kind": EUR("300.50"), NOT_KNOWN: EUR("0.00")}
    assert parts(fy2027, "component")[Component.BUSINESS_DEVELOPMENT] == EUR("550.50")
    assert parts(fy2027, "municipality")[NOT_KNOWN] == EUR("50.00")
    assert_parts_add_up(fy2027)
    drilled = calc("cost_share_contributed").records_for(FY2027, [("kind", "in_kind")])
    assert sorted(c.value for c in drilled) == [EUR("50.00"), EUR("250.50")]
    kind = RECORD_KINDS["cost_share"]
    rows = [kind.row(c) for c in kind.prepared(drilled)]
    assert [(row[0], row[3], row[-1]) for row in rows] == [
        (grant.number, FY2027_FIRST_DAY, EUR("250.50")),
        (other.number, D(2027, 5, 5), EUR("50.00")),
    ]


# --- Persons trained and the shares among them ---------------------------------------------------------------
@pytest.fixture
def trainees():
    """FY2027: arta completes two trainings (marketing first), milan one, an unknown-age person one; vesa only
    enrolled (did not complete); drita completed a training that started on 30 September 2026 (FY2026)."""
    arta = person(first_name="Arta", sex=Sex.FEMALE, birth_date=D(2000, 3, 1))
    milan = person(first_name="Milan", sex=Sex.MALE, birth_date=D(1980, 1, 1), community="serb")
    unknown = person(first_name="Ana", sex=Sex.NOT_STATED, birth_year=None, municipality=None)
    vesa = person(first_name="Vesa", sex=Sex.FEMALE, birth_date=D(2001, 1, 1))
    drita = person(first_name="Drita", sex=Sex.FEMALE, birth_date=D(1999, 1, 1))
    training(arta, start=D(2026, 10, 5), topic=Topic.MARKETING_SALES)
    training(arta, start=D(2026, 11, 9), topic=Topic.BUSINESS_PLANNING)
    training(milan, start=FY2027_FIRST_DAY, topic=Topic.FINANCIAL_PLANNING)
    training(unknown, start=D(2027, 9, 30), topic=Topic.SECTOR_SPECIFIC)
    training(vesa, start=D(2026, 10, 5), completed=False)
    training(drita, start=FY2026_LAST_DAY)
    return {"arta": arta, "milan": milan, "unknown": unknown, "vesa": vesa, "drita": drita}


def test_persons_trained_counts_each_person_who_completed_once(trainees):
    dims = ("sex", "age_band", "community", "municipality", "topic")
    fy2027 = calc("persons_trained").compute(FY2027, dimensions=dims)

    assert fy2027.value == 3
    assert set(calc("persons_trained").records_for(FY2027)) == {
        trainees["arta"],
        trainees["milan"],
        trainees["unknown"],
    }
    assert list(calc("persons_trained").records_for(FY2026)) == [trainees["drita"]]
    assert parts(fy2027, "sex") == {Sex.FEMALE: 1, Sex.MALE: 1, NOT_KNOWN: 1}
    assert parts(fy2027, "age_band") == {"15_29": 1, "30_plus": 1, "under_15": 0, NOT_KNOWN: 1}
    assert parts(fy2027, "municipality")[NOT_KNOWN] == 1
    assert parts(fy2027, "community")["serb"] == 1
    # Arta counts under the topic of her first training in the year (marketing), not under both.
    assert parts(fy2027, "topic") == {
        Topic.BUSINESS_PLANNING: 0,
        Topic.FINANCIAL_PLANNING: 1,
        Topic.MARKETING_SALES: 1,
        Topic.SECTOR_SPECIFIC: 1,
        NOT_KNOWN: 0,
    }
    assert_parts_add_up(fy2027)
    in_q1 = calc("persons_trained").compute(Period.fiscal_quarter(2027, 1), dimensions=("topic",))
    assert in_q1.value == 2
    assert list(calc("persons_trained").records_for(FY2027, [("topic", Topic.MARKETING_SALES)])) == [trainees["arta"]]


def test_female_share_is_women_among_all_persons_trained(trainees):
    figure = calc("female_participants_share").compute(FY2027, dimensions=("municipality",))

    assert (figure.numerator, figure.denominator) == (1, 3)
    assert figure.value == Decimal("33.3")
    assert {p.code: p.value for p in figure.breakdowns["municipality"]}["gjilan"] == Decimal("50.0")
    assert list(calc("female_participants_share").numerator_records(FY2027)) == [trainees["arta"]]
    assert calc("female_participants_share").compute(Period.fiscal_year(2030)).value is None


def test_youth_share_keeps_people_of_unknown_age_in_the_denominator(trainees):
    figure = calc("youth_participants_share").compute(FY2027)

    # Arta (born 2000) is 27 in 2027; Milan is not young; the person of unknown age stays in the denominator.
    assert (figure.numerator, figure.denominator, figure.value) == (1, 3, Decimal("33.3"))
    assert list(calc("youth_participants_share").numerator_records(FY2027)) == [trainees["arta"]]


def test_youth_is_15_to_29_on_the_last_day_of_the_period():
    born = {year: person(first_name=f"Born{year}", birth_date=D(year, 6, 1)) for year in (1997, 1998, 2012, 2013)}
    event = held_event(start=D(2026, 11, 2))
    for someone in born.values():
        training(someone, start=event.start_date, event=event)

    figure = calc("youth_participants_share").compute(FY2027)

    # In 2027: born 1998 and 2012 are 29 and 15 (youth); born 1997 is 30, born 2013 is 14.
    assert (figure.numerator, figure.denominator) == (2, 4)
    young = set(calc("youth_participants_share").numerator_records(FY2027))
    assert young == {born[1998], born[2012]}


# --- People reached -----------------------------------------------------------------------------------------------
def test_people_reached_counts_each_person_once_across_every_way_of_reaching_them(django_assert_max_num_queries):
    trained_and_ta = person(first_name="Both")
    enrolled_only = person(first_name="Enrolled")
    ta_only = person(first_name="Official", municipality=None, sex=Sex.MALE)
    cancelled_ta = person(first_name="Cancelled")
    owner = person(first_name="Owner")
    past_owner = person(first_name="PastOwner")
    grantee = person(first_name="Grantee")
    contact = person(first_name="Contact")
    last_year = person(first_name="LastYear")

    training(trained_and_ta, start=FY2027_FIRST_DAY)
    ta_participant(trained_and_ta, starts_on=D(2027, 2, 1))
    training(enrolled_only, start=D(2027, 9, 30), completed=False)
    ta_participant(ta_only, starts_on=D(2027, 1, 10))
    ta_participant(cancelled_ta, starts_on=D(2027, 1, 10), status=ActivityStatus.CANCELLED)
    business = BusinessFactory()
    BusinessOwnerFactory(business=business, person=owner)
    signed_grant(D(2026, 5, 1), person=owner, business=business, start=D(2026, 6, 1), end=D(2027, 5, 31))
    old_business = BusinessFactory()
    BusinessOwnerFactory(business=old_business, person=past_owner)
    signed_grant(D(2025, 11, 1), person=past_owner, business=old_business, start=D(2025, 12, 1), end=FY2026_LAST_DAY)
    signed_grant(D(2027, 4, 1), person=grantee)
    signed_grant(D(2027, 4, 1), person=contact, organisation=OrganisationFactory())
    training(last_year, start=FY2026_LAST_DAY)

    with django_assert_max_num_queries(6):  # the total, four GROUP BYs, the list of municipalities
        figure = calc("people_reached").compute(FY2027, dimensions=("sex", "municipality", "age_band", "community"))

    expected = {trained_and_ta, enrolled_only, ta_only, owner, grantee}
    assert set(calc("people_reached").records_for(FY2027)) == expected
    assert figure.value == 5
    assert parts(figure, "municipality")[NOT_KNOWN] == 1
    assert parts(figure, "sex")[Sex.MALE] == 1
    assert_parts_add_up(figure)
    fy2026 = set(calc("people_reached").records_for(FY2026))
    assert fy2026 == {last_year, owner, past_owner}


# --- Training events held ----------------------------------------------------------------------------------------
def test_training_events_held_count_events_that_started_in_the_period_and_took_place():
    held_event(start=FY2026_LAST_DAY)
    first = held_event(start=FY2027_FIRST_DAY, topic=Topic.MARKETING_SALES)
    closed = held_event(start=D(2027, 3, 3), municipality="gracanica", status=EventStatus.CLOSED)
    held_event(start=D(2027, 4, 4), status=EventStatus.PLANNED)  # never held
    held_event(start=D(2027, 4, 5), status=EventStatus.OPEN)

    fy2027 = calc("training_events_held").compute(FY2027, dimensions=("municipality", "topic"))

    assert fy2027.value == 2
    assert set(calc("training_events_held").records_for(FY2027)) == {first, closed}
    assert parts(fy2027, "municipality")["gracanica"] == 1
    assert parts(fy2027, "topic")[Topic.MARKETING_SALES] == 1
    assert_parts_add_up(fy2027)
    assert calc("training_events_held").compute(FY2026).value == 1


# --- The catalogue ------------------------------------------------------------------------------------------------
def test_the_seed_creates_every_cross_cutting_indicator_with_its_targets(monkeypatch):
    monkeypatch.setattr(catalogue, "SEED_MODULES", ("crosscutting",))

    created = catalogue.seed_indicators()

    keys = {
        "grants_awarded",
        "eur_committed",
        "eur_disbursed",
        "cost_share_contributed",
        "persons_trained",
        "female_participants_share",
        "youth_participants_share",
        "people_reached",
        "training_events_held",
    }
    assert set(Indicator.objects.values_list("calculation", flat=True)) == keys
    assert len(created) == len(keys)
    for indicator in Indicator.objects.prefetch_related("targets"):
        calculation = registry.get(indicator.calculation)
        assert indicator.unit == calculation.unit, indicator.code
        assert {t.fiscal_year for t in indicator.targets.all()} == {2026, 2027}, indicator.code
        assert indicator.name_sq and indicator.name_sr and indicator.definition and indicator.lop_target
    assert Indicator.objects.get(calculation="female_participants_share").code == "GNDR-2"
    assert catalogue.seed_indicators() == []  # a second run creates nothing


# --- Every calculation, every breakdown ---------------------------------------------------------------------------
CROSS_CUTTING = [
    "grants_awarded",
    "eur_committed",
    "eur_disbursed",
    "cost_share_contributed",
    "persons_trained",
    "female_participants_share",
    "youth_participants_share",
    "people_reached",
    "training_events_held",
]


@pytest.mark.parametrize("key", CROSS_CUTTING)
def test_every_breakdown_of_every_calculation_adds_up_or_is_a_share(key, money, trainees):
    calculation = calc(key)
    accepted_report(money[0], accepted_on=D(2026, 12, 1), contributions=[("cash", "10.00")])
    signed_grant(D(2027, 1, 1), municipality=None, instrument=InstrumentType.FIXED_AMOUNT)

    figure = calculation.compute(FY2027, dimensions=tuple(calculation.dimensions))

    assert set(figure.breakdowns) == set(calculation.dimensions)
    assert figure.value
    for dimension, values in figure.breakdowns.items():
        assert values[-1].code == NOT_KNOWN or NOT_KNOWN not in {p.code for p in values}, dimension
        if figure.denominator is None:
            assert sum(p.value for p in values) == figure.value, dimension
        else:
            assert all(p.value is None or 0 <= p.value <= 100 for p in values), dimension
    for dimension, values in figure.breakdowns.items():
        part = next(p for p in values if p.value)
        narrowed = calculation.compute(FY2027, filters=[(dimension, part.code)])
        assert narrowed.value == part.value, (dimension, part.code)
