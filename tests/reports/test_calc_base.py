"""The calculation framework, on `grants_awarded`: breakdowns that add up, filters, and the indicator table built
from it (quarters, fiscal year, life of programme, adjustments, targets, snapshots)."""

import datetime
from decimal import Decimal

import pytest

from core.choices import Component
from grants.models import InstrumentType
from reports.calculations import registry
from reports.calculations.base import NOT_KNOWN
from reports.models import Adjustment, Indicator, IndicatorTarget
from reports.periods import Period
from reports.selectors import indicator_table, snapshot_changes, snapshot_hash, snapshot_of_rows
from tests.factories import UserFactory
from tests.reports.factories_people import signed_grant

pytestmark = pytest.mark.django_db

D = datetime.date
FY2027 = Period.fiscal_year(2027)


@pytest.fixture
def grants_awarded():
    return registry.get("grants_awarded")


def parts(figure, dimension):
    return {part.code: part.value for part in figure.breakdowns[dimension]}


def test_every_breakdown_adds_up_to_the_total_and_a_grant_without_place_is_not_known(grants_awarded):
    signed_grant(D(2026, 10, 5), municipality="gjilan")
    signed_grant(D(2026, 11, 5), municipality="gjilan", instrument=InstrumentType.IN_KIND)
    signed_grant(D(2027, 2, 5), municipality="gracanica", component=Component.BUSINESS_DEVELOPMENT)
    signed_grant(D(2027, 3, 5), municipality=None)
    signed_grant(D(2025, 12, 1))  # FY2026: not in the figure

    figure = grants_awarded.compute(FY2027, dimensions=("municipality", "component", "instrument"))

    assert figure.value == 4
    municipalities = parts(figure, "municipality")
    assert (municipalities["gjilan"], municipalities["gracanica"], municipalities[NOT_KNOWN]) == (2, 1, 1)
    assert parts(figure, "component")[Component.BUSINESS_DEVELOPMENT] == 1
    assert parts(figure, "instrument")[InstrumentType.IN_KIND] == 1
    for dimension in ("municipality", "component", "instrument"):
        assert sum(parts(figure, dimension).values()) == figure.value
    assert list(parts(figure, "municipality"))[-1] == NOT_KNOWN


def test_filters_narrow_the_records_and_the_figure_alike(grants_awarded):
    in_gjilan = signed_grant(D(2026, 10, 5), municipality="gjilan")
    business = signed_grant(D(2026, 11, 5), municipality="gjilan", component=Component.BUSINESS_DEVELOPMENT)
    nowhere = signed_grant(D(2027, 1, 5), municipality=None)

    gjilan = [("municipality", "gjilan")]
    assert set(grants_awarded.records_for(FY2027, gjilan)) == {in_gjilan, business}
    assert grants_awarded.compute(FY2027, filters=gjilan).value == 2
    both = [*gjilan, ("component", Component.BUSINESS_DEVELOPMENT)]
    assert list(grants_awarded.records_for(FY2027, both)) == [business]
    assert list(grants_awarded.records_for(FY2027, [("municipality", NOT_KNOWN)])) == [nowhere]
    assert grants_awarded.compute(FY2027, filters=[("municipality", "prizren")]).value == 0


def test_an_unknown_filter_dimension_is_refused(grants_awarded):
    with pytest.raises(ValueError, match="cannot be filtered by sex"):
        grants_awarded.records_for(FY2027, [("sex", "female")])


def test_the_grant_signed_on_30_september_counts_in_the_year_that_ends_that_day(grants_awarded):
    last_day = signed_grant(D(2026, 9, 30))
    first_day = signed_grant(D(2026, 10, 1))

    assert list(grants_awarded.records_for(Period.fiscal_year(2026))) == [last_day]
    assert list(grants_awarded.records_for(FY2027)) == [first_day]
    assert list(grants_awarded.records_for(Period.fiscal_quarter(2026, 4))) == [last_day]
    assert list(grants_awarded.records_for(Period.fiscal_quarter(2027, 1))) == [first_day]


# --- The indicator table -----------------------------------------------------------------------------------------
@pytest.fixture
def indicator():
    indicator = Indicator.objects.create(
        code="AKT-X-1",
        name_sq="Numri i granteve të dhëna",
        name_en="Number of grants awarded",
        calculation="grants_awarded",
        disaggregations=["municipality"],
    )
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2027, value=Decimal("8"))
    return indicator


@pytest.fixture
def grants_by_quarter():
    """FY2026: 1; FY2027: Q1 2, Q2 3, Q3 1, Q4 none (the quarter has not started on the frozen day)."""
    signed_grant(D(2026, 9, 30))
    for day in (D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 1), D(2027, 2, 14), D(2027, 3, 31), D(2027, 6, 30)):
        signed_grant(day, municipality=None if day.month == 2 else "gjilan")


MAY_2027 = D(2027, 5, 15)


def _row(**kwargs):
    rows = indicator_table(2027, today=MAY_2027, **kwargs)
    assert len(rows) == 1
    return rows[0]


def test_the_table_gives_each_quarter_the_year_and_the_life_of_programme(indicator, grants_by_quarter):
    row = _row()

    assert [cell.value if cell else "—" for cell in row.quarters] == [2, 3, 1, None]
    assert row.quarters[3].figure is None  # Q4 has not started on 15 May 2027
    assert row.year.value == 6
    assert row.cumulative.value == 7
    assert row.target == Decimal("8")
    # 6 of 8 is 75 % after three quarters of four: at least 90 % of the 75 % expected.
    assert row.percent_of_target == Decimal("75.0")
    assert row.on_track is True
    ((dimension, municipality_parts),) = row.breakdowns
    assert dimension.code == "municipality"
    values = {part.code: part.value for part, _url in municipality_parts}
    assert (values["gjilan"], values[NOT_KNOWN]) == (5, 1)
    urls = dict((part.code, url) for part, url in municipality_parts)
    assert "f=municipality%3Agjilan" in urls["gjilan"] and "fy=2027" in urls["gjilan"]


def test_an_adjustment_changes_the_quarter_the_year_and_the_cumulative_but_not_the_computed_figure(
    indicator, grants_by_quarter
):
    Adjustment.objects.create(
        indicator=indicator,
        fiscal_year=2027,
        quarter=2,
        value=Decimal("-1"),
        reason="One agreement was signed twice by mistake.",
        recorded_by=UserFactory(role="me_officer"),
    )

    row = _row()

    q2 = row.quarters[1]
    assert (q2.computed, q2.value, q2.is_adjusted) == (3, Decimal("2"), True)
    assert [a.reason for a in q2.adjustments] == ["One agreement was signed twice by mistake."]
    assert (row.year.computed, row.year.value) == (6, Decimal("5"))
    assert (row.cumulative.computed, row.cumulative.value) == (7, Decimal("6"))
    assert not row.quarters[0].is_adjusted
    # 5 of 8 is 62.5 %, below 90 % of the 75 % of the year gone.
    assert row.percent_of_target == Decimal("62.5")
    assert row.on_track is False


def test_through_quarter_stops_the_year_at_that_quarter(indicator, grants_by_quarter):
    row = _row(through_quarter=1)

    assert row.quarters[0].value == 2
    assert row.quarters[1:] == [None, None, None]
    assert (row.year.period.start, row.year.period.end) == (D(2026, 10, 1), D(2026, 12, 31))
    assert row.year.value == 2
    assert row.cumulative.value == 3


def test_nothing_is_computed_for_a_year_that_has_not_started(indicator, grants_by_quarter):
    rows = indicator_table(2027, today=D(2026, 9, 30))

    assert all(cell.figure is None for cell in rows[0].quarters)
    assert rows[0].year.value is None
    assert rows[0].percent_of_target is None and rows[0].on_track is None


def test_the_snapshot_hash_is_stable_and_changes_with_a_figure(indicator, grants_by_quarter):
    before = snapshot_of_rows(indicator_table(2027, today=MAY_2027))
    again = snapshot_of_rows(indicator_table(2027, today=MAY_2027))

    assert before["AKT-X-1"]["values"]["Q2"]["value"] == 3
    assert before["AKT-X-1"]["values"]["Q4"] is None
    assert before["AKT-X-1"]["breakdowns"]["municipality"][NOT_KNOWN] == 1
    assert snapshot_hash(before) == snapshot_hash(again)

    signed_grant(D(2026, 11, 11))
    after = snapshot_of_rows(indicator_table(2027, today=MAY_2027))

    assert snapshot_hash(after) != snapshot_hash(before)
    changes = snapshot_changes({"indicators": before}, {"indicators": after})
    assert changes == [("AKT-X-1", "FY", 6, 7), ("AKT-X-1", "LOP", 7, 8), ("AKT-X-1", "Q1", 2, 3)]
    assert snapshot_changes({"indicators": after}, {"indicators": after}) == []
