"""The reports pages: asking for a report, the run's page and its progress fragment, download and compare."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reports.models import Indicator, ReportRun, RunStatus
from reports.periods import Period, current_fiscal_year, quarter_of
from reports.services import runs
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db

FY = current_fiscal_year()
QUARTER = quarter_of(timezone.localdate())


@pytest.fixture
def indicator():
    return Indicator.objects.create(
        code="AKT-X-1",
        name_en="Number of grants awarded",
        name_sq="Numri i granteve të dhëna",
        calculation="grants_awarded",
        lop_target=Decimal("40"),
    )


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def _form(**overrides):
    data = {
        "kind": "indicator_table",
        "period_type": "quarter",
        "fiscal_year": FY,
        "quarter": QUARTER,
        "language": "en",
        "format": "pdf",
    }
    data.update(overrides)
    return data


def _run(requester, *, kind="indicator_table", status=RunStatus.SUCCEEDED, content=b"%PDF-1.7 test", **fields):
    period = Period.fiscal_quarter(FY, QUARTER)
    run = ReportRun.objects.create(
        kind=kind,
        format=fields.pop("format", "pdf"),
        language="en",
        period_start=period.start,
        period_end=period.end,
        fiscal_year=FY,
        quarter=QUARTER,
        requested_by=requester,
        status=status,
        **fields,
    )
    if status == RunStatus.SUCCEEDED:
        run.file.save(runs.run_filename(run), ContentFile(content), save=False)
        run.size = len(content)
        run.save()
    return run


def test_asking_for_a_report_returns_at_once_and_shows_the_run(
    client, manager, indicator, django_capture_on_commit_callbacks
):
    GrantFactory(active=True)
    client.force_login(manager)
    page = client.get(reverse("staff:reports_home")).content.decode()
    assert 'name="kind"' in page and "Indicator tracking table" in page
    assert 'value="records"' not in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("staff:reports_home"), _form())
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:report_run_detail", args=[run.pk])
    assert run.status == RunStatus.QUEUED and len(callbacks) == 1  # rendered by the task, not in the request
    assert (run.kind, run.format, run.language, run.fiscal_year, run.quarter) == (
        "indicator_table",
        "pdf",
        "en",
        FY,
        QUARTER,
    )
    detail = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in detail and reverse("staff:report_run_progress", args=[run.pk]) in detail
    # A double click posts twice: one run.
    client.post(reverse("staff:reports_home"), _form())
    assert ReportRun.objects.count() == 1


def test_the_form_keeps_the_choices_and_says_what_is_wrong(client, manager):
    client.force_login(manager)
    response = client.post(reverse("staff:reports_home"), _form(kind="training", format="pdf", fiscal_year=2031))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This report comes as" in body or "cannot be rendered yet" in body
    assert 'value="2031"' in body
    response = client.post(reverse("staff:reports_home"), _form(quarter=""))
    assert "Choose the quarter" in response.content.decode()
    response = client.post(
        reverse("staff:reports_home"), _form(period_type="dates", date_from="2027-03-01", date_to="2027-02-01")
    )
    assert "cannot end before it starts" in response.content.decode()
    response = client.post(reverse("staff:reports_home"), _form(kind="municipality"))
    assert "Choose the municipality" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_usaid_viewer_may_ask_for_the_indicator_table_but_not_the_training_report(client, indicator):
    viewer = UserFactory(role=Role.USAID_VIEWER)
    client.force_login(viewer)
    page = client.get(reverse("staff:reports_home")).content.decode()
    assert 'value="indicator_table"' in page and 'value="training"' not in page
    refused = client.post(reverse("staff:reports_home"), _form(kind="training", format="xlsx"))
    assert refused.status_code == 400 and not ReportRun.objects.exists()
    assert client.post(reverse("staff:reports_home"), _form()).status_code == 302
    assert ReportRun.objects.get().requested_by == viewer


def test_an_applicant_gets_404_on_every_page(client, manager):
    run = _run(manager)
    client.force_login(UserFactory(role=Role.APPLICANT))
    for name in ("reports_home",):
        assert client.get(reverse(f"staff:{name}")).status_code == 404
        assert client.post(reverse(f"staff:{name}"), _form()).status_code == 404
    for name in ("report_run_detail", "report_run_progress", "report_run_download", "report_run_compare"):
        assert client.get(reverse(f"staff:{name}", args=[run.pk])).status_code == 404
    assert client.post(reverse("staff:report_run_retry", args=[run.pk])).status_code == 404
    assert not ReportRun.objects.exclude(pk=run.pk).exists()


def test_the_progress_fragment_polls_until_the_run_is_done(client, manager):
    run = _run(manager, status=RunStatus.RUNNING, progress=40, progress_note="Computing the indicators")
    client.force_login(manager)
    url = reverse("staff:report_run_progress", args=[run.pk])
    fragment = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and f'hx-get="{url}"' in fragment
    assert 'aria-valuenow="40"' in fragment and "Computing the indicators" in fragment
    assert "<html" not in fragment
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, progress=100)
    run.refresh_from_db()
    run.file.save(runs.run_filename(run), ContentFile(b"%PDF-1.7"), save=True)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and reverse("staff:report_run_download", args=[run.pk]) in done
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="The report took longer than allowed.")
    failed = client.get(url).content.decode()
    assert "hx-trigger" not in failed and "took longer than allowed" in failed
    assert reverse("staff:report_run_retry", args=[run.pk]) in failed


def test_the_retry_button_queues_a_failed_run_again(client, manager, django_capture_on_commit_callbacks):
    run = _run(manager, status=RunStatus.FAILED, error="Boom", attempts=3)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("staff:report_run_retry", args=[run.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == (RunStatus.QUEUED, "", 0)
    again = client.post(reverse("staff:report_run_retry", args=[run.pk]), follow=True)
    assert "Only a report that failed" in again.content.decode()


def test_download_is_an_attachment_for_those_who_may_see_the_run(client, manager):
    run = _run(manager, content=b"%PDF-1.7 the table")
    client.force_login(UserFactory(role=Role.ME_OFFICER))  # the list is shared among those who may ask for it
    response = client.get(reverse("staff:report_run_download", args=[run.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the table"
    assert response["Content-Disposition"].startswith("attachment;")
    assert runs.run_filename(run) in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    training = _run(manager, kind="training", format="xlsx", content=b"PK")
    records = _run(manager, kind="records", format="csv", content=b"a,b", params={"calculation": "grants_awarded"})
    client.force_login(UserFactory(role=Role.USAID_VIEWER))  # no personal data, no lists of records
    assert client.get(reverse("staff:report_run_download", args=[training.pk])).status_code == 404
    assert client.get(reverse("staff:report_run_detail", args=[training.pk])).status_code == 404
    assert client.get(reverse("staff:report_run_download", args=[run.pk])).status_code == 200
    client.force_login(UserFactory(role=Role.MANAGER))  # a records export belongs to the person who asked
    assert client.get(reverse("staff:report_run_download", args=[records.pk])).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("staff:report_run_download", args=[records.pk])).status_code == 200
    queued = _run(manager, status=RunStatus.QUEUED)
    assert client.get(reverse("staff:report_run_download", args=[queued.pk])).status_code == 404


def test_the_list_shows_what_the_user_may_see_with_constant_queries(client, manager, django_assert_max_num_queries):
    viewer = UserFactory(role=Role.USAID_VIEWER)
    for _ in range(3):
        _run(manager)
    hidden = _run(manager, kind="training", format="xlsx")
    client.force_login(viewer)
    client.get(reverse("staff:reports_home"))  # warm the session and role caches
    with django_assert_max_num_queries(12) as few:
        page = client.get(reverse("staff:reports_home")).content.decode()
    for _ in range(20):
        _run(UserFactory(role=Role.ME_OFFICER))
    with django_assert_max_num_queries(len(few.captured_queries)):
        many = client.get(reverse("staff:reports_home")).content.decode()
    assert page.count("data-run=") == 3 and f'data-run="{hidden.pk}"' not in page
    assert many.count("data-run=") == 23
    assert "Page 1 of 1" not in many  # 23 rows fit one page of 25: no pagination
    for _ in range(5):
        _run(manager)
    paged = client.get(reverse("staff:reports_home")).content.decode()
    assert paged.count("data-run=") == 25 and "Page 1 of 2" in paged


def test_compare_lists_the_figures_that_changed(client, manager, indicator):
    GrantFactory(active=True)
    period = Period.fiscal_quarter(FY, QUARTER)
    first = runs.request_run(actor=manager, kind="indicator_table", format="xlsx", language="en", period=period)
    runs.execute_run(first.pk)
    GrantFactory(active=True)
    ReportRun.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    second = runs.request_run(actor=manager, kind="indicator_table", format="xlsx", language="en", period=period)
    runs.execute_run(second.pk)
    client.force_login(manager)
    detail = client.get(reverse("staff:report_run_detail", args=[second.pk])).content.decode()
    assert f'<option value="{first.pk}"' in detail
    second.refresh_from_db()
    assert second.snapshot_hash in detail
    page = client.get(reverse("staff:report_run_compare", args=[second.pk]), {"with": first.pk}).content.decode()
    assert f'data-change="AKT-X-1:Q{QUARTER}"' in page and 'data-change="AKT-X-1:FY"' in page
    row = page[page.index('data-change="AKT-X-1:FY"') :]
    row = row[: row.index("</tr>")]
    assert ">1<" in row and ">2<" in row
    # Only earlier, ready runs of the same report can be chosen.
    refused = client.get(reverse("staff:report_run_compare", args=[first.pk]), {"with": second.pk})
    assert refused.status_code == 400 and "Choose one of the earlier runs" in refused.content.decode()
