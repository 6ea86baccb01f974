"""The report request form proposes the quarter that ended last: the one a donor report is written for."""

import datetime

import pytest

from reports.forms import ReportRequestForm, last_completed_quarter
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 27), (2026, 4)),  # in FY2027 Q1: the last ended quarter is FY2026 Q4
        (datetime.date(2026, 10, 1), (2026, 4)),
        (datetime.date(2026, 9, 30), (2026, 3)),
        (datetime.date(2027, 1, 1), (2027, 1)),
        (datetime.date(2027, 7, 15), (2027, 3)),
    ],
)
def test_the_last_completed_quarter(today, expected):
    assert last_completed_quarter(today) == expected


@pytest.mark.django_db
def test_the_empty_form_proposes_the_last_completed_quarter():
    form = ReportRequestForm(user=UserFactory(role="manager"))
    assert (form.fields["fiscal_year"].initial, form.fields["quarter"].initial) == last_completed_quarter()
