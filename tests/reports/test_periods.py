"""USAID's fiscal year and its quarters: FY 2027 runs from 1 October 2026 to 30 September 2027."""

import datetime

import pytest

from reports.periods import Period, fiscal_year_of, period_from_params, quarter_of

D = datetime.date


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, D(2026, 10, 1), D(2026, 12, 31)),
        (2, D(2027, 1, 1), D(2027, 3, 31)),
        (3, D(2027, 4, 1), D(2027, 6, 30)),
        (4, D(2027, 7, 1), D(2027, 9, 30)),
    ],
)
def test_each_fiscal_quarter_covers_its_three_months(quarter, start, end):
    period = Period.fiscal_quarter(2027, quarter)

    assert (period.start, period.end) == (start, end)
    assert (period.fiscal_year, period.quarter) == (2027, quarter)
    assert period.as_params() == {"fy": 2027, "q": quarter}


def test_the_quarters_of_a_fiscal_year_tile_it_without_gap_or_overlap():
    year = Period.fiscal_year(2027)
    quarters = year.quarters

    assert (year.start, year.end) == (D(2026, 10, 1), D(2027, 9, 30))
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    for before, after in zip(quarters, quarters[1:], strict=False):
        assert after.start - before.end == datetime.timedelta(days=1)
    assert Period.fiscal_quarter(2027, 2).quarters == []


@pytest.mark.parametrize("quarter", [0, 5])
def test_a_quarter_outside_one_to_four_is_refused(quarter):
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        Period.fiscal_quarter(2027, quarter)


@pytest.mark.parametrize(
    ("day", "fiscal_year", "quarter"),
    [
        (D(2026, 9, 30), 2026, 4),
        (D(2026, 10, 1), 2027, 1),
        (D(2026, 12, 31), 2027, 1),
        (D(2027, 1, 1), 2027, 2),
        (D(2027, 3, 31), 2027, 2),
        (D(2027, 4, 1), 2027, 3),
        (D(2027, 7, 1), 2027, 4),
        (D(2027, 9, 30), 2027, 4),
    ],
)
def test_a_day_belongs_to_one_fiscal_year_and_quarter(day, fiscal_year, quarter):
    assert fiscal_year_of(day) == fiscal_year
    assert quarter_of(day) == quarter
    period = Period.fiscal_quarter(fiscal_year, quarter)
    assert period.contains(day)
    assert Period.fiscal_year(fiscal_year).contains(day)
    assert not Period.fiscal_year(fiscal_year + 1).contains(day)


def test_datetime_bounds_end_at_the_start_of_the_day_after_the_period():
    first, after = Period.fiscal_year(2027).datetime_bounds()

    assert (first.date(), first.time()) == (D(2026, 10, 1), datetime.time.min)
    assert (after.date(), after.time()) == (D(2027, 10, 1), datetime.time.min)
    assert first.tzinfo is not None


def test_params_choose_a_quarter_a_year_or_dates():
    assert period_from_params({"fy": "2027", "q": "2"}) == Period.fiscal_quarter(2027, 2)
    assert period_from_params({"fy": "2026"}) == Period.fiscal_year(2026)
    dates = period_from_params({"from": "2026-09-15", "to": "2026-10-15"})
    assert (dates.start, dates.end, dates.fiscal_year) == (D(2026, 9, 15), D(2026, 10, 15), None)
    assert period_from_params(dates.as_params()) == dates
    assert period_from_params({}, default_fy=2028) == Period.fiscal_year(2028)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-10-01"}, "Give both dates"),
        ({"from": "2026-10-01", "to": "1.10.2026"}, "Give both dates"),
        ({"from": "2026-10-02", "to": "2026-10-01"}, "cannot end before it starts"),
        ({"fy": "twenty"}, "Choose a fiscal year"),
        ({"fy": "2027", "q": "x"}, "Choose a fiscal year"),
        ({"fy": "1999"}, "between 2000 and 2100"),
        ({"fy": "2027", "q": "5"}, "A quarter is 1, 2, 3 or 4"),
    ],
)
def test_params_that_do_not_make_a_period_raise_a_message_for_people(params, message):
    with pytest.raises(ValueError, match=message):
        period_from_params(params)


def test_a_period_not_chosen_by_fiscal_year_links_back_by_its_dates(settings):
    settings.PROGRAMME_START_DATE = D(2025, 10, 1)
    lop = Period.life_of_programme(D(2027, 9, 30))

    assert (lop.start, lop.end, lop.fiscal_year, lop.quarter) == (D(2025, 10, 1), D(2027, 9, 30), None, None)
    assert lop.as_params() == {"from": "2025-10-01", "to": "2027-09-30"}
    assert lop.quarters == []


def test_labels_name_the_period():
    assert Period.fiscal_quarter(2027, 1).label == "FY2027 Q1"
    assert Period.fiscal_year(2027).label == "FY2027"
    assert Period.dates(D(2026, 9, 15), D(2026, 10, 15)).label == "15.09.2026 – 15.10.2026"
    with pytest.raises(ValueError):
        Period.dates(D(2026, 10, 2), D(2026, 10, 1))
