"""A report asked for on the site is rendered by a real Celery worker (in CI: Redis and a `celery worker` process),
never in the web request."""

import datetime
import time

import pytest

from reports.models import ReportRun, RunStatus
from reports.periods import Period
from reports.services.catalogue import seed_indicators
from reports.services.runs import request_run
from tests.factories import UserFactory

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_indicator_table_asked_for_on_the_site_is_rendered_by_the_worker(celery_worker_process):
    seed_indicators()
    manager = UserFactory(role="manager")
    run = request_run(
        actor=manager,
        kind="indicator_table",
        format="xlsx",
        language="en",
        period=Period.fiscal_quarter(2026, 4),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            break
        time.sleep(0.5)
    assert (run.status, run.error) == (RunStatus.SUCCEEDED, "")
    assert run.size and run.file.name.endswith(".xlsx")
    assert run.data_read_at and run.data_read_at > run.created_at - datetime.timedelta(seconds=1)
    assert len(run.snapshot_hash) == 64
    assert "AKT-X-1" in run.snapshot["figures"]["indicators"]  # every seeded indicator is in the snapshot
    assert ReportRun.objects.count() == 1
