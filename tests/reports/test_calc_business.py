"""Business-development calculations against hand-built data with known answers: unique firms assisted, FTE jobs and
sales from snapshots (the SQL arithmetic matching Snapshot.fte), cross-community market links and their value,
businesses formalised.

FY2026 runs from 1 October 2025 to 30 September 2026, FY2027 from 1 October 2026: a record dated 30 September 2026
counts in FY2026 and one dated 1 October 2026 in FY2027.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from businesses.models import Direction, SnapshotKind
from core.choices import AgeBand, Sex
from grants.models import GrantStatus
from reports.calculations import get
from reports.calculations.base import NOT_KNOWN
from reports.models import Indicator
from reports.periods import Period
from reports.records import RECORD_KINDS
from reports.services import catalogue
from reports.services.catalogue import seed_indicators
from tests.reports.factories_business import (
    at,
    business_grant,
    employee,
    firm,
    link,
    manager,
    owner,
    row,
    snapshot,
    terminate,
    trained,
)

pytestmark = pytest.mark.django_db

FY2026 = Period.fiscal_year(2026)
FY2027 = Period.fiscal_year(2027)
LAST_DAY_FY2026 = datetime.date(2026, 9, 30)
FIRST_DAY_FY2027 = datetime.date(2026, 10, 1)
BUSINESS_KEYS = (
    "firms_assisted",
    "fte_jobs_created",
    "sales_change",
    "market_links_cross_community",
    "market_link_value",
    "businesses_formalised",
)
CENT = Decimal("0.01")


def parts(figure, dimension):
    return {part.code: part.value for part in figure.breakdowns[dimension]}


def pks(queryset):
    return set(queryset.values_list("pk", flat=True))


def cents(value):
    return Decimal(value).quantize(CENT)


def assert_breakdowns_add_up(figure):
    for dimension, found in figure.breakdowns.items():
        assert cents(sum(part.value for part in found)) == cents(figure.value), dimension


# --- Firms assisted ------------------------------------------------------------------------------------------------


@pytest.fixture
def assisted():
    """A: women-owned, grant signed 15.09.2026 and its owner trained 10.11.2026 (one firm, FY2026 and FY2027).
    B: men-owned in Gracanica, manager trained on 30.09.2026, grant completed 15.08.2026 (FY2026 only).
    C: owned by a woman and a man, employee trained on 1.10.2026 (FY2027, new).
    G: owners female and not stated, owner trained 5.03.2027 (FY2027, owner sex not known).
    Not assisted: D (employee trained before being employed), E (grant awaiting signature), F (absent)."""
    a = firm(Sex.FEMALE)
    snapshot(a, datetime.date(2026, 1, 15), SnapshotKind.BASELINE, rows=[row(full=3)])
    business_grant(a, at(2026, 9, 15))
    trained(owner(a), datetime.date(2026, 11, 10))

    b = firm(Sex.MALE, municipality_code="gracanica")
    snapshot(b, datetime.date(2026, 2, 1), SnapshotKind.BASELINE, rows=[row(Sex.MALE, AgeBand.ADULT, full=12)])
    trained(manager(b), LAST_DAY_FY2026)
    business_grant(b, at(2026, 3, 1), status=GrantStatus.COMPLETED, completed_at=at(2026, 8, 15))

    c = firm(Sex.FEMALE, Sex.MALE)
    snapshot(c, datetime.date(2027, 10, 15), rows=[row(full=60)])  # after FY2027: its size is not known then
    trained(employee(c, started_on=datetime.date(2026, 1, 1)), FIRST_DAY_FY2027)

    g = firm(Sex.FEMALE, Sex.NOT_STATED)
    trained(owner(g), datetime.date(2027, 3, 5))

    d = firm(Sex.FEMALE)
    trained(employee(d, started_on=datetime.date(2027, 1, 1)), datetime.date(2026, 10, 5))
    e = firm(Sex.MALE)
    business_grant(e, None, status=GrantStatus.AWAITING_SIGNATURE)
    f = firm(Sex.MALE)
    trained(owner(f), datetime.date(2027, 2, 1), present=False)
    return {"a": a, "b": b, "c": c, "g": g, "d": d, "e": e, "f": f}


def test_firms_assisted_counts_each_firm_once_in_its_fiscal_year(assisted):
    calc = get("firms_assisted")

    fy2027 = calc.compute(FY2027)
    fy2026 = calc.compute(FY2026)

    assert fy2027.value == 3  # A (grant and training: once), C, G
    assert pks(calc.records_for(FY2027)) == {assisted["a"].pk, assisted["c"].pk, assisted["g"].pk}
    assert fy2026.value == 2  # A (grant signed 15.09.2026), B (trained 30.09.2026, grant until 15.08.2026)
    assert pks(calc.records_for(FY2026)) == {assisted["a"].pk, assisted["b"].pk}


def test_firms_assisted_breakdowns_add_up_with_not_known(assisted):
    calc = get("firms_assisted")

    figure = calc.compute(FY2027, dimensions=["municipality", "firm_size", "owner_sex", "new_continuing"])

    assert_breakdowns_add_up(figure)
    assert parts(figure, "owner_sex") == {"women_owned": 1, "men_owned": 0, "mixed": 1, NOT_KNOWN: 1}
    assert parts(figure, "firm_size") == {"micro": 1, "small": 0, "medium": 0, "large": 0, NOT_KNOWN: 2}
    assert parts(figure, "new_continuing") == {"new": 2, "continuing": 1, NOT_KNOWN: 0}
    assert parts(figure, "municipality")["gjilan"] == 3
    assert parts(figure, "municipality")[NOT_KNOWN] == 0


def test_firms_assisted_in_fy2026_are_new_and_sized_by_their_snapshot(assisted):
    figure = get("firms_assisted").compute(FY2026, dimensions=["firm_size", "new_continuing", "owner_sex"])

    assert parts(figure, "firm_size") == {"micro": 1, "small": 1, "medium": 0, "large": 0, NOT_KNOWN: 0}
    assert parts(figure, "new_continuing")["new"] == 2
    assert parts(figure, "owner_sex")["men_owned"] == 1


def test_firms_assisted_records_for_a_part_match_the_part(assisted):
    calc = get("firms_assisted")

    mixed = calc.records_for(FY2027, [("owner_sex", "mixed")])
    unsized = calc.records_for(FY2027, [("firm_size", NOT_KNOWN)])
    continuing = calc.records_for(FY2027, [("new_continuing", "continuing")])

    assert pks(mixed) == {assisted["c"].pk}
    assert pks(unsized) == {assisted["c"].pk, assisted["g"].pk}
    assert pks(continuing) == {assisted["a"].pk}
    assert calc.compute(FY2027, filters=[("owner_sex", "mixed")]).value == 1


def test_grant_terminated_before_the_period_no_longer_assists():
    calc = get("firms_assisted")
    business = firm(Sex.FEMALE)
    terminate(business_grant(business, at(2026, 2, 1)), at(2026, 9, 30))

    assert calc.compute(FY2026).value == 1
    assert calc.compute(FY2027).value == 0


# --- FTE jobs and sales --------------------------------------------------------------------------------------------


@pytest.fixture
def tracked():
    """H (Gjilan): baseline 15.01.2026 of 2.5 FTE, follow-up 31.12.2026 of 4.58333 FTE (part-time hours and part
    years), closeout after FY2027 (ignored). I (Gracanica): baseline 1.11.2025 of 5 FTE, follow-up on 30.09.2026 of
    5.25 FTE, one of them of sex not known. J has only a baseline, K only a follow-up: neither counts."""
    h = firm(Sex.FEMALE)
    h_baseline = snapshot(
        h,
        datetime.date(2026, 1, 15),
        SnapshotKind.BASELINE,
        sales="20000.00",
        rows=[row(full=2), row(Sex.MALE, AgeBand.ADULT, part=2, hours="20", months="6")],
    )
    h_follow = snapshot(
        h,
        datetime.date(2026, 12, 31),
        sales="26500.50",
        rows=[
            row(full=3),
            row(Sex.FEMALE, AgeBand.ADULT, part=1, hours="30", months="8"),
            row(Sex.MALE, AgeBand.ADULT, part=2, hours="20", months="6"),
            row(Sex.MALE, AgeBand.SENIOR, full=1, months="7"),
        ],
    )
    snapshot(h, datetime.date(2027, 11, 1), SnapshotKind.CLOSEOUT, sales="90000", rows=[row(full=40)])

    i = firm(Sex.MALE, municipality_code="gracanica")
    i_baseline = snapshot(
        i, datetime.date(2025, 11, 1), SnapshotKind.BASELINE, sales="50000", rows=[row(Sex.MALE, AgeBand.ADULT, full=5)]
    )
    i_follow = snapshot(
        i,
        LAST_DAY_FY2026,
        sales="45000",
        rows=[
            row(Sex.MALE, AgeBand.ADULT, full=4),
            row(Sex.NOT_STATED, AgeBand.NOT_KNOWN, full=1, part=1, hours="10"),
        ],
    )

    j = firm(Sex.FEMALE)
    snapshot(j, datetime.date(2026, 2, 1), SnapshotKind.BASELINE, sales="1000", rows=[row(full=1)])
    k = firm(Sex.FEMALE)
    snapshot(k, datetime.date(2026, 12, 1), sales="9000", rows=[row(full=9)])
    return {"h": h, "i": i, "snapshots": [(h_baseline, h_follow), (i_baseline, i_follow)]}


def test_fte_arithmetic_in_sql_matches_snapshot_fte_in_python(tracked):
    (h_baseline, h_follow), (i_baseline, i_follow) = tracked["snapshots"]
    expected = sum((follow.fte - baseline.fte for baseline, follow in tracked["snapshots"]), Decimal(0))

    figure = get("fte_jobs_created").compute(FY2027)

    assert h_baseline.fte == Decimal("2.5")
    assert cents(h_follow.fte) == Decimal("4.58")  # 3 + 1×30/40×8/12 + 2×20/40×6/12 + 7/12
    assert i_follow.fte == Decimal("5.25")
    assert cents(figure.value) == cents(expected) == Decimal("2.33")  # 2.08333 + 0.25
    assert abs(figure.value - expected) < Decimal("0.000001")


def test_fte_follow_up_must_be_dated_by_the_period_end(tracked):
    calc = get("fte_jobs_created")

    fy2026 = calc.compute(FY2026)

    assert fy2026.value == Decimal("0.25")  # only I: its follow-up is dated 30.09.2026; H's comes on 31.12.2026
    assert pks(calc.records_for(FY2026)) == {tracked["i"].pk}
    assert pks(calc.records_for(FY2027)) == {tracked["h"].pk, tracked["i"].pk}


def test_fte_splits_by_sex_and_age_band_of_the_employment_rows(tracked):
    figure = get("fte_jobs_created").compute(FY2027, dimensions=["municipality", "sex", "age_band"])

    assert_breakdowns_add_up(figure)
    sexes = {code: cents(value) for code, value in parts(figure, "sex").items()}
    ages = {code: cents(value) for code, value in parts(figure, "age_band").items()}
    assert sexes == {"female": Decimal("1.50"), "male": Decimal("-0.42"), NOT_KNOWN: Decimal("1.25")}
    assert ages == {"15_29": Decimal("1.00"), "30_plus": Decimal("0.08"), "under_15": 0, NOT_KNOWN: Decimal("1.25")}
    assert cents(parts(figure, "municipality")["gjilan"]) == Decimal("2.08")
    assert cents(parts(figure, "municipality")["gracanica"]) == Decimal("0.25")


def test_fte_filtered_by_a_part_gives_the_part_and_its_firms(tracked):
    calc = get("fte_jobs_created")

    women = calc.compute(FY2027, filters=[("sex", "female")], dimensions=["municipality", "age_band"])
    unknown = calc.records_for(FY2027, [("sex", NOT_KNOWN)])

    assert cents(women.value) == Decimal("1.50")
    assert_breakdowns_add_up(women)
    assert cents(parts(women, "age_band")["30_plus"]) == Decimal("0.50")
    assert pks(unknown) == {tracked["i"].pk}
    assert cents(calc.compute(FY2027, filters=[("sex", "female"), ("age_band", "15_29")]).value) == Decimal("1.00")


def test_sales_change_from_baseline(tracked):
    calc = get("sales_change")

    fy2027 = calc.compute(FY2027, dimensions=["municipality"])
    fy2026 = calc.compute(FY2026)

    assert cents(fy2027.value) == Decimal("1500.50")  # (26500.50 − 20000) + (45000 − 50000)
    assert cents(fy2026.value) == Decimal("-5000.00")
    assert_breakdowns_add_up(fy2027)
    assert cents(parts(fy2027, "municipality")["gracanica"]) == Decimal("-5000.00")
    assert pks(calc.records_for(FY2027, [("municipality", "gjilan")])) == {tracked["h"].pk}


def test_change_is_zero_without_tracked_firms():
    firm(Sex.FEMALE)

    assert get("fte_jobs_created").compute(FY2027, dimensions=["sex"]).value == 0
    assert get("sales_change").compute(FY2027).value == 0


# --- Market links and formalisation --------------------------------------------------------------------------------


@pytest.fixture
def links():
    gjilan, gracanica = firm(Sex.FEMALE), firm(Sex.MALE, municipality_code="gracanica")
    return {
        "fy2026": link(gjilan, LAST_DAY_FY2026, "1000.00"),
        "supply": link(gjilan, FIRST_DAY_FY2027, "2500.25", direction=Direction.SUPPLY),
        "same": link(gjilan, datetime.date(2026, 11, 1), "9999.00", crosses=False),
        "sale": link(gracanica, datetime.date(2027, 2, 1), "700.00"),
    }


def test_market_links_count_and_value_by_fiscal_year(links):
    count, value = get("market_links_cross_community"), get("market_link_value")

    assert count.compute(FY2026).value == 1
    assert value.compute(FY2026).value == Decimal("1000.00")
    figure = count.compute(FY2027, dimensions=["municipality", "direction"])
    money = value.compute(FY2027, dimensions=["municipality", "direction"])

    assert figure.value == 2
    assert money.value == Decimal("3200.25")
    assert_breakdowns_add_up(figure)
    assert_breakdowns_add_up(money)
    assert parts(figure, "direction") == {"sale": 1, "supply": 1, NOT_KNOWN: 0}
    assert parts(money, "municipality")["gracanica"] == Decimal("700.00")
    assert pks(value.records_for(FY2027, [("direction", "supply")])) == {links["supply"].pk}


def test_market_link_records_list_the_link(links):
    kind = RECORD_KINDS[get("market_link_value").record_kind]
    records = kind.prepared(get("market_link_value").records_for(FY2027))

    rows = [kind.row(record) for record in records]

    assert len(rows) == 2
    assert rows[0][6] == Decimal("2500.25")
    assert rows[0][3] == "Albanian – Serb"
    assert kind.url(records[0]).endswith(f"/{links['supply'].business_id}/")


def test_businesses_formalised_in_their_fiscal_year():
    calc = get("businesses_formalised")
    firm(Sex.FEMALE, registered=True, formalised_on=LAST_DAY_FY2026)
    men = firm(Sex.MALE, registered=True, formalised_on=FIRST_DAY_FY2027)
    ownerless = firm(registered=True, formalised_on=datetime.date(2027, 3, 1))
    firm(Sex.FEMALE, Sex.MALE, Sex.NOT_STATED, registered=True, formalised_on=datetime.date(2027, 4, 1))
    firm(Sex.MALE, registered=True)  # registered before the programme: not formalised by it

    figure = calc.compute(FY2027, dimensions=["municipality", "owner_sex"])

    assert calc.compute(FY2026).value == 1
    assert figure.value == 3
    assert_breakdowns_add_up(figure)
    assert parts(figure, "owner_sex") == {"women_owned": 0, "men_owned": 1, "mixed": 1, NOT_KNOWN: 1}
    assert pks(calc.records_for(FY2027, [("owner_sex", NOT_KNOWN)])) == {ownerless.pk}
    assert pks(calc.records_for(FY2027, [("owner_sex", "men_owned")])) == {men.pk}


# --- Catalogue and query count -------------------------------------------------------------------------------------


def test_seed_creates_the_business_indicators_with_targets(monkeypatch):
    monkeypatch.setattr(catalogue, "SEED_MODULES", ("business",))
    seed_indicators()

    indicators = {i.calculation: i for i in Indicator.objects.filter(component="business_development")}

    assert set(BUSINESS_KEYS) <= set(indicators)
    firms = indicators["firms_assisted"]
    assert firms.code == "EG.5.2-1"
    assert firms.targets.get(fiscal_year=2027).value == 180
    assert indicators["fte_jobs_created"].unit == "fte"
    assert indicators["sales_change"].unit == "eur"
    for key in BUSINESS_KEYS:
        calc = get(key)
        assert set(indicators[key].disaggregations) <= set(calc.dimensions), key


def _all_business_figures():
    for key in BUSINESS_KEYS:
        calc = get(key)
        calc.compute(FY2027, dimensions=list(calc.dimensions))


def _more_firms(count):
    for n in range(count):
        business = firm(Sex.FEMALE, Sex.MALE)
        snapshot(business, datetime.date(2026, 1, 10), SnapshotKind.BASELINE, sales="100", rows=[row(full=1)])
        snapshot(
            business, datetime.date(2027, 1, 10), sales="200", rows=[row(full=2), row(Sex.MALE, part=1, hours="20")]
        )
        business_grant(business, at(2026, 11, 1))
        link(business, datetime.date(2027, 1, 1 + n), "100")


def test_all_business_figures_use_a_bounded_number_of_queries():
    _more_firms(2)
    with CaptureQueriesContext(connection) as few:
        _all_business_figures()
    _more_firms(8)
    with CaptureQueriesContext(connection) as many:
        _all_business_figures()

    assert len(many) == len(few)
    assert len(many) <= 30
    assert get("firms_assisted").compute(FY2027).value == 10
