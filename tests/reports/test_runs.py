"""Report runs: asking (permissions, double click), rendering (file, snapshot, e-mail), idempotence, failure and
retry, and the sweep that sends again the runs whose worker died."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry, OutgoingEmail
from grants.models import Grant
from reports import documents
from reports.emails import report_ready
from reports.models import Indicator, IndicatorTarget, ReportRun, RunStatus
from reports.periods import Period
from reports.services import runs
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FY = Period.fiscal_year(TODAY.year + 1 if TODAY.month >= 10 else TODAY.year).fiscal_year
QUARTER = (TODAY.month - 10) % 12 // 3 + 1


@pytest.fixture
def indicator():
    indicator = Indicator.objects.create(
        code="AKT-X-1",
        name_en="Number of grants awarded",
        name_sq="Numri i granteve të dhëna",
        calculation="grants_awarded",
        disaggregations=["component"],
        baseline_value=Decimal("0"),
        lop_target=Decimal("40"),
    )
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=FY, value=Decimal("10"))
    return indicator


@pytest.fixture
def grants():
    return [GrantFactory(active=True), GrantFactory(active=True)]


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def _request(actor, **overrides):
    arguments = {
        "actor": actor,
        "kind": "indicator_table",
        "format": "pdf",
        "language": "en",
        "period": Period.fiscal_quarter(FY, QUARTER),
    }
    arguments.update(overrides)
    return runs.request_run(**arguments)


def _stored_files(settings):
    folder = settings.MEDIA_ROOT / "private" / "report_runs"
    if not folder.exists():
        folder = settings.MEDIA_ROOT / "report_runs"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_request_is_queued_and_the_task_renders_it_after_commit(
    manager, indicator, grants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = _request(manager)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 1 and run.progress == 100
    assert run.file.name.endswith(f"AKT-LS_indicator_table_FY{FY}Q{QUARTER}_en_{run.pk}.pdf")
    assert run.size == run.file.size and run.size > 1000 and run.pages >= 1
    figures = run.snapshot["figures"]
    assert figures["indicators"]["AKT-X-1"]["values"]["FY"]["value"] == 2
    assert run.snapshot["period"]["fy"] == FY and run.snapshot["period"]["q"] == QUARTER
    assert run.snapshot["data_read_at"] == run.data_read_at.isoformat()
    assert run.snapshot_hash == runs.snapshot_hash(figures) and len(run.snapshot_hash) == 64
    actions = list(AuditEntry.objects.filter(object_id=str(run.pk)).values_list("action", flat=True))
    assert {"reports.run.requested", "reports.run.started", "reports.run.succeeded"} <= set(actions)
    email = OutgoingEmail.objects.get(builder="reports.emails.report_ready")
    assert email.recipient == manager.email and email.args == {"run_id": run.pk}
    assert len(mail.outbox) == 1 and f"/en/staff/reports/runs/{run.pk}/" in mail.outbox[0].body


def test_the_email_is_in_the_requesters_language_with_an_absolute_link(settings, indicator, grants):
    settings.SITE_URL = "https://grants.example.org"
    person = UserFactory(role=Role.ME_OFFICER, language="sq")
    run = _request(person)
    runs.execute_run(run.pk)
    message = report_ready(run.pk)
    assert f"https://grants.example.org/sq/staff/reports/runs/{run.pk}/" in message.body
    assert message.subject.startswith("[AKT-LS] ")
    # Not sent for a run that is not ready (e.g. it was queued again meanwhile).
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
    assert report_ready(run.pk) is None


def test_a_double_click_returns_the_same_run(manager, indicator):
    first = _request(manager)
    second = _request(manager)
    assert first.pk == second.pk
    other_language = _request(manager, language="sq")
    assert other_language.pk != first.pk
    ReportRun.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=30))
    assert _request(manager).pk not in (first.pk, other_language.pk)


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.USAID_VIEWER, "indicator_table", True),
        (Role.USAID_VIEWER, "training", False),
        (Role.USAID_VIEWER, "records", False),
        (Role.APPLICANT, "indicator_table", False),
        (Role.REVIEWER, "indicator_table", False),
        (Role.ME_OFFICER, "indicator_table", True),
    ],
)
def test_who_may_ask_for_which_report(role, kind, allowed, indicator):
    person = UserFactory(role=role)
    if allowed:
        assert _request(person, kind=kind).status == RunStatus.QUEUED
    else:
        params = {"calculation": "grants_awarded"} if kind == "records" else None
        with pytest.raises(ApplicationError) as refused:
            _request(person, kind=kind, format="xlsx", params=params)
        assert refused.value.code == "not_allowed"
        assert not ReportRun.objects.exists()


def test_requests_the_documents_cannot_render_are_refused(manager):
    with pytest.raises(ApplicationError) as refused:
        _request(manager, format="csv")
    assert refused.value.code == "format" and "PDF" in refused.value.message
    with pytest.raises(ApplicationError) as refused:
        _request(manager, language="de")
    assert refused.value.code == "language"
    with pytest.raises(ApplicationError) as refused:
        _request(manager, kind="records", format="xlsx", params={"calculation": "no_such_figure"})
    assert refused.value.code == "calculation"
    with pytest.raises(ApplicationError) as refused:
        _request(
            manager, kind="records", format="xlsx", params={"calculation": "grants_awarded", "filters": [["x", "y"]]}
        )
    assert refused.value.code == "filters"
    assert not ReportRun.objects.exists()


def test_running_twice_leaves_one_file_and_one_succeeded_run(settings, manager, indicator, grants):
    run = _request(manager)
    runs.execute_run(run.pk)
    runs.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1
    assert _stored_files(settings) == [f"AKT-LS_indicator_table_FY{FY}Q{QUARTER}_en_{run.pk}.pdf"]
    assert OutgoingEmail.objects.filter(builder="reports.emails.report_ready").count() == 1


def test_a_run_delivered_again_after_its_worker_died_is_rendered_again_with_one_file(
    settings, manager, indicator, grants
):
    run = _request(manager)
    started = runs._start(run.pk)  # the first worker starts it …
    # … and writes its file, then dies before committing the run: the file is left behind.
    started.file.storage.save(f"report_runs/{runs.run_filename(started)}", io.BytesIO(b"partial"))
    runs.execute_run(run.pk)  # the broker delivers the message again
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2
    assert _stored_files(settings) == [f"AKT-LS_indicator_table_FY{FY}Q{QUARTER}_en_{run.pk}.pdf"]
    assert run.file.size == run.size and run.file.open("rb").read(4) == b"%PDF"


def test_a_render_that_fails_says_why_and_a_retry_succeeds(
    monkeypatch, manager, indicator, grants, django_capture_on_commit_callbacks
):
    document = documents.get("indicator_table")
    real_render, calls = document.render, []

    def flaky(run, progress):
        calls.append(run.pk)
        if len(calls) == 1:
            raise MemoryError("worker ran out of memory")
        return real_render(run, progress)

    monkeypatch.setattr(document, "render", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        run = _request(manager)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and not run.file
    assert "could not be rendered (MemoryError)" in run.error and "Try again" in run.error
    assert not OutgoingEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        runs.retry_run(actor=manager, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.error == "" and run.file
    assert len(calls) == 2
    with pytest.raises(ApplicationError):
        runs.retry_run(actor=manager, run=run)  # only a failed run is retried


def test_a_render_past_the_soft_time_limit_fails_with_advice(monkeypatch, manager, indicator):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(run, progress):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(documents.get("indicator_table"), "render", slow)
    run = _request(manager)
    runs.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "longer than the time allowed" in run.error


def test_a_run_left_running_by_a_dead_worker_is_sent_again_and_succeeds(
    manager, indicator, grants, django_capture_on_commit_callbacks
):
    run = _request(manager)
    runs._start(run.pk)  # a worker started it and was killed
    old = timezone.now() - runs.STUCK_AFTER - datetime.timedelta(minutes=1)
    ReportRun.objects.filter(pk=run.pk).update(updated_at=old)
    fresh = _request(manager, language="sq")  # another run, just queued: left alone
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert runs.requeue_stuck_runs() == (1, 0)
    assert len(callbacks) >= 1
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2
    assert AuditEntry.objects.filter(object_id=str(run.pk), action="reports.run.requeued").exists()
    fresh.refresh_from_db()
    assert fresh.status == RunStatus.QUEUED


def test_a_run_that_keeps_dying_is_failed_after_three_attempts(manager, indicator):
    run = _request(manager)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=3, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert runs.requeue_stuck_runs() == (0, 1)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "stopped before it finished 3 times" in run.error
    # The same when the broker delivers it a fourth time.
    other = _request(manager, language="sq")
    ReportRun.objects.filter(pk=other.pk).update(status=RunStatus.RUNNING, attempts=3)
    assert runs.execute_run(other.pk) is None
    other.refresh_from_db()
    assert other.status == RunStatus.FAILED and "3 herë" in other.error  # in the run's language (Albanian)


def test_progress_is_written_in_steps_without_going_back(manager, indicator):
    run = _request(manager)
    runs._start(run.pk)
    clock = iter([0.0, 0.2, 5.0, 6.0, 6.1])
    progress = runs.ProgressReporter(run.pk, clock=lambda: next(clock))
    progress(10, "Computing")
    run.refresh_from_db()
    assert (run.progress, run.progress_note) == (10, "Computing")
    progress(20, "too soon")  # throttled
    run.refresh_from_db()
    assert run.progress == 10
    progress(50, "Writing")
    progress(40, "backwards")  # never goes back
    progress(100, "Done")  # always written
    run.refresh_from_db()
    assert (run.progress, run.progress_note) == (100, "Done")


def test_records_runs_export_the_drill_down_list(manager, grants, django_capture_on_commit_callbacks):
    Grant.objects.filter(pk=grants[1].pk).update(signed_at=timezone.now() - datetime.timedelta(days=800))
    with django_capture_on_commit_callbacks(execute=True):
        run = _request(
            manager, kind="records", format="csv", params={"calculation": "grants_awarded", "numerator": False}
        )
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.snapshot["figures"] == {
        "count": 1,
        "calculation": "grants_awarded",
        "filters": [],
        "numerator": False,
    }
    lines = run.file.open("rb").read().decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and grants[0].number in lines[1]
