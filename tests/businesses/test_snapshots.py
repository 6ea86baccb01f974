"""Full-time equivalents are computed from employment rows (part-time hours / 40, months / 12), never typed."""

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from businesses.models import SnapshotKind
from businesses.services import snapshot_record
from core.choices import AgeBand, Sex
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from tests.businesses.factories import BusinessFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SNAPSHOT = {"date": datetime.date(2026, 12, 31), "kind": SnapshotKind.YEARLY, "annual_sales": Decimal("50000")}


def test_two_full_time_for_a_year_and_one_half_time_for_six_months_make_2_25_fte():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    business = BusinessFactory()
    snapshot = snapshot_record(
        actor=officer,
        business=business,
        data=SNAPSHOT,
        employment=[
            {"sex": Sex.FEMALE, "age_band": AgeBand.YOUTH, "full_time_count": 2, "months_worked": Decimal("12")},
            {
                "sex": Sex.MALE,
                "age_band": AgeBand.ADULT,
                "part_time_count": 1,
                "part_time_weekly_hours": Decimal("20"),
                "months_worked": Decimal("6"),
            },
        ],
    )
    snapshot.refresh_from_db()
    assert snapshot.fte == Decimal("2.25")
    assert snapshot.employees == 3
    assert "businesses.snapshot.recorded" in [e.action for e in audit_entries_for(target=business)]


def test_a_snapshot_with_two_rows_for_the_same_sex_and_age_band_is_refused_and_nothing_kept():
    officer = UserFactory(role=Role.ME_OFFICER)
    business = BusinessFactory()
    row = {"sex": Sex.FEMALE, "age_band": AgeBand.YOUTH, "full_time_count": 1}
    with pytest.raises(ApplicationError):
        snapshot_record(actor=officer, business=business, data=SNAPSHOT, employment=[row, dict(row)])
    assert business.snapshots.count() == 0
