"""Work queued by the site is done by a real Celery worker (in CI: Redis and a `celery worker` process)."""

import time

import openpyxl
import pytest

from grants.models import ApplicationExport, ExportStatus
from grants.services.exports import application_export_request
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_export_requested_on_the_site_is_written_by_the_worker(celery_worker_process):
    officer = UserFactory(role="programme_officer")
    ApplicationFactory.create_batch(3, submitted=True)
    export = application_export_request(actor=officer, export_format="xlsx", filters={})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED):
            break
        time.sleep(0.5)
    assert (export.status, export.error) == (ExportStatus.SUCCEEDED, "")
    assert export.row_count == 3
    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
        assert sheet.max_row == 4  # the header and three applications
    assert ApplicationExport.objects.count() == 1
