"""Report runs: a person asks for a document, a Celery task renders it, the row holds its state and its file.

A run goes queued → running (with its progress) → succeeded | failed (with the reason, and a retry). Every status
change goes through core.workflow.transition with RUN_TRANSITIONS, so the audit log shows who asked and what
happened. The task is `acks_late`: if a worker dies the message is delivered again and `execute_run` renders the
run again (a running run is simply rendered again; a succeeded one is left alone), so a run ends with one file.
A run that keeps dying is failed after MAX_ATTEMPTS; a periodic sweep (`requeue_stuck_runs`) sends again the runs
whose message was lost.
"""

import datetime
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from reports import documents
from reports.calculations import registry
from reports.models import RUN_TRANSITIONS, ReportFormat, ReportKind, ReportRun, RunStatus
from reports.periods import Period
from reports.permissions import can_open_records, can_request_report_kind, can_view_run
from reports.records import RECORD_KINDS
from reports.selectors import parse_filters, snapshot_hash

logger = logging.getLogger(__name__)

# Below the broker's visibility timeout (one hour), so Redis never hands a running render to a second worker.
RENDER_SOFT_TIME_LIMIT = 15 * 60
RENDER_TIME_LIMIT = 16 * 60
# A queued or running run not touched for this long lost its task (broker down, worker killed): send it again.
STUCK_AFTER = datetime.timedelta(seconds=RENDER_TIME_LIMIT + 5 * 60)
MAX_ATTEMPTS = 3
DOUBLE_CLICK_SECONDS = 10
# Progress is written at most this often (a short UPDATE of its own, never while the row is locked).
PROGRESS_EVERY_SECONDS = 1.0

IN_PROGRESS = (RunStatus.QUEUED, RunStatus.RUNNING)


# --- Reading a run -------------------------------------------------------------------------------------------------


def run_period(run):
    """The run's period as a Period (fiscal year and quarter kept when it was asked for that way)."""
    return Period(run.period_start, run.period_end, fiscal_year=run.fiscal_year, quarter=run.quarter)


def period_token(run):
    """The period as it appears in file names: FY2027Q1, FY2027 or 2026-10-01_2026-12-31."""
    if run.fiscal_year and run.quarter:
        return f"FY{run.fiscal_year}Q{run.quarter}"
    if run.fiscal_year:
        return f"FY{run.fiscal_year}"
    return f"{run.period_start:%Y-%m-%d}_{run.period_end:%Y-%m-%d}"


def run_filename(run):
    """E.g. AKT-LS_quarterly_FY2027Q1_en_42.pdf (the municipality's code added for its report)."""
    parts = ["AKT-LS", run.kind]
    if run.municipality_id:
        parts.append(run.municipality.code)
    if run.kind == ReportKind.RECORDS and run.params.get("calculation"):
        parts.append(run.params["calculation"])
    parts += [period_token(run), run.language, str(run.pk) if run.pk else "draft"]
    return "_".join(parts) + f".{run.format}"


def allowed_formats(kind):
    """The formats the document of `kind` can be rendered in (empty if it cannot be rendered)."""
    document = documents.get(kind)
    return document.formats if document else ()


# --- Asking for a run ----------------------------------------------------------------------------------------------


def _queue(run):
    from reports.tasks import render_report_run

    transaction.on_commit(lambda: render_report_run.delay(run.pk), robust=True)


def _clean_records_params(actor, params):
    calculation = registry.get(params.get("calculation") or "")
    if calculation is None:
        raise ApplicationError(_("Choose the figure whose records you want."), code="calculation")
    record_kind = RECORD_KINDS.get(calculation.record_kind)
    if record_kind is None or not can_open_records(actor, record_kind):
        raise ApplicationError(_("You cannot open the records behind this figure."), code="not_allowed")
    filters = params.get("filters") or []
    try:
        filters = parse_filters([f"{code}:{part}" for code, part in filters], calculation)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(_("The breakdown asked for is not one this figure has."), code="filters") from exc
    return {
        "calculation": calculation.key,
        "filters": [[code, part] for code, part in filters],
        "numerator": bool(params.get("numerator")),
    }


def _check_request(*, actor, kind, format, language, municipality):
    if kind not in ReportKind.values or not can_request_report_kind(actor, kind):
        raise ApplicationError(_("You cannot ask for this report."), code="not_allowed")
    formats = allowed_formats(kind)
    if not formats:
        raise ApplicationError(_("This report cannot be rendered yet. Ask IT support."), code="unavailable")
    if format not in formats:
        raise ApplicationError(
            _("This report comes as %(formats)s only.")
            % {"formats": ", ".join(str(ReportFormat(f).label) for f in formats)},
            code="format",
        )
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose one of the languages of the programme."), code="language")
    if kind == ReportKind.MUNICIPALITY and municipality is None:
        raise ApplicationError(_("Choose the municipality the report is about."), code="municipality")


@transaction.atomic
def request_run(*, actor, kind, format, language, period, municipality=None, params=None):
    """Queue a run of the document `kind` for `period`; the task renders it after commit.

    The same request from the same person within DOUBLE_CLICK_SECONDS returns the run already queued.
    """
    _check_request(actor=actor, kind=kind, format=format, language=language, municipality=municipality)
    if kind != ReportKind.MUNICIPALITY:
        municipality = None
    params = _clean_records_params(actor, params or {}) if kind == ReportKind.RECORDS else dict(params or {})
    # One request at a time per person: a double click waits for the first and then finds its run.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    since = timezone.now() - datetime.timedelta(seconds=DOUBLE_CLICK_SECONDS)
    recent = ReportRun.objects.filter(
        requested_by=actor,
        kind=kind,
        format=format,
        language=language,
        period_start=period.start,
        period_end=period.end,
        fiscal_year=period.fiscal_year,
        quarter=period.quarter,
        municipality=municipality,
        created_at__gte=since,
    ).order_by("-created_at")
    for run in recent:
        if run.params == params:
            return run
    run = ReportRun.objects.create(
        kind=kind,
        format=format,
        language=language,
        params=params,
        period_start=period.start,
        period_end=period.end,
        fiscal_year=period.fiscal_year,
        quarter=period.quarter,
        municipality=municipality,
        requested_by=actor,
        status=RunStatus.QUEUED,
    )
    audit_record(
        actor=actor,
        action="reports.run.requested",
        target=run,
        to_status=RunStatus.QUEUED,
        data={"kind": kind, "format": format, "language": language, "period": period.as_params(), "params": params},
    )
    _queue(run)
    return run


@transaction.atomic
def retry_run(*, actor, run):
    """Queue a failed run again (after what made it fail was fixed)."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if not can_view_run(actor, run):
        raise ApplicationError(_("You cannot retry this report."), code="not_allowed")
    if run.status != RunStatus.FAILED:
        raise ApplicationError(_("Only a report that failed can be rendered again."), code="not_failed")
    run.error, run.attempts, run.progress, run.progress_note = "", 0, 0, ""
    run.started_at = run.finished_at = None
    transition(
        instance=run,
        to=RunStatus.QUEUED,
        actor=actor,
        transitions=RUN_TRANSITIONS,
        action="reports.run.retried",
        save_fields=["error", "attempts", "progress", "progress_note", "started_at", "finished_at"],
    )
    _queue(run)
    return run


# --- Rendering a run (the task) ------------------------------------------------------------------------------------


def _gave_up_message(run):
    with translation.override(run.language):
        return _(
            "The report stopped before it finished %(count)s times (the server restarted or ran out of memory). "
            "Try again later; if it fails again, tell IT support."
        ) % {"count": run.attempts}


def _fail_locked(run, error, *, action="reports.run.failed"):
    run.error = error
    run.finished_at = timezone.now()
    return transition(
        instance=run,
        to=RunStatus.FAILED,
        actor=None,
        transitions=RUN_TRANSITIONS,
        action=action,
        comment=error,
        save_fields=["error", "finished_at"],
    )


@transaction.atomic
def _start(run_id):
    """Lock the run and move it to running; None when there is nothing to render (done, failed, or gone)."""
    run = ReportRun.objects.select_for_update(of=("self",)).select_related("municipality").filter(pk=run_id).first()
    if run is None or run.status not in IN_PROGRESS:
        return None  # succeeded already, or failed and waiting for a person's retry: running twice changes nothing
    if run.attempts >= MAX_ATTEMPTS:
        _fail_locked(run, _gave_up_message(run), action="reports.run.gave_up")
        return None
    now = timezone.now()
    run.attempts += 1
    run.data_read_at = now
    run.started_at = now
    run.progress, run.progress_note, run.error = 0, "", ""
    fields = ["attempts", "data_read_at", "started_at", "progress", "progress_note", "error"]
    if run.status == RunStatus.QUEUED:
        transition(
            instance=run,
            to=RunStatus.RUNNING,
            actor=None,
            transitions=RUN_TRANSITIONS,
            action="reports.run.started",
            save_fields=fields,
        )
    else:  # delivered again after a worker died mid-run: render it again
        run.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=None, action="reports.run.restarted", target=run, comment=f"attempt {run.attempts}")
    return run


class ProgressReporter:
    """`progress(percent, note)` for a document: a short UPDATE of its own, at most every PROGRESS_EVERY_SECONDS
    (and always for 100 %), so the page's progress bar moves while the run's row is never held locked."""

    def __init__(self, run_id, *, every=PROGRESS_EVERY_SECONDS, clock=time.monotonic):
        self.run_id = run_id
        self.every = every
        self.clock = clock
        self.last_time = None
        self.last_percent = -1

    def __call__(self, percent, note=""):
        percent = max(0, min(100, int(percent)))
        now = self.clock()
        if percent <= self.last_percent:
            return
        if self.last_time is not None and now - self.last_time < self.every and percent < 100:
            return
        self.last_time, self.last_percent = now, percent
        ReportRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(
            progress=percent, progress_note=str(note)[:200], updated_at=timezone.now()
        )


@transaction.atomic
def _finish(run_id, rendered):
    # `of=("self",)`: PostgreSQL cannot lock the nullable side of the outer joins that select_related adds.
    runs = ReportRun.objects.select_for_update(of=("self",)).select_related("municipality", "requested_by")
    run = runs.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run  # another delivery finished it first; its file is the run's one file
    if run.file:
        run.file.delete(save=False)
    name = run_filename(run)
    storage = run.file.storage
    stale = f"{run.file.field.upload_to}{name}"
    if storage.exists(stale):  # left by a delivery that died after writing its file and before committing
        storage.delete(stale)
    run.file.save(name, ContentFile(rendered.content), save=False)
    period = run_period(run)
    run.size = len(rendered.content)
    run.pages = rendered.pages
    run.snapshot = {
        "data_read_at": run.data_read_at.isoformat() if run.data_read_at else None,
        "period": {**period.as_params(), "start": run.period_start.isoformat(), "end": run.period_end.isoformat()},
        "params": run.params,
        "figures": rendered.figures,
    }
    run.snapshot_hash = snapshot_hash(rendered.figures)
    run.progress, run.progress_note, run.error = 100, "", ""
    run.finished_at = timezone.now()
    transition(
        instance=run,
        to=RunStatus.SUCCEEDED,
        actor=None,
        transitions=RUN_TRANSITIONS,
        action="reports.run.succeeded",
        data={"size": run.size, "pages": run.pages, "hash": run.snapshot_hash},
        save_fields=[
            "file",
            "size",
            "pages",
            "snapshot",
            "snapshot_hash",
            "progress",
            "progress_note",
            "error",
            "finished_at",
        ],
    )
    if run.requested_by_id and run.requested_by.email:
        email_queue(recipient=run.requested_by.email, builder="reports.emails.report_ready", args={"run_id": run.pk})
    return run


@transaction.atomic
def _fail(run_id, error):
    run = ReportRun.objects.select_for_update().get(pk=run_id)
    if run.status not in IN_PROGRESS:
        return run
    return _fail_locked(run, error)


def execute_run(run_id):
    """Render the run's document and store it (what the task does). Safe to run twice; a failure is recorded on
    the run with a reason people understand."""
    run = _start(run_id)
    if run is None:
        return None
    document = documents.get(run.kind)
    with translation.override(run.language):
        try:
            if document is None or run.format not in document.formats:
                raise LookupError(f"No {run.format} document for {run.kind}")
            rendered = document.render(run, ProgressReporter(run.pk))
        except SoftTimeLimitExceeded:
            error = _(
                "The report took longer than the time allowed. Ask for a shorter period (a quarter instead of a "
                "year) and try again; if it fails again, tell IT support."
            )
        except Exception as exc:  # failure is state: the page shows why and offers a retry
            logger.exception("Report run %s failed", run_id)
            error = _(
                "The report could not be rendered (%(reason)s). Try again; if it fails again, tell IT support."
            ) % {"reason": type(exc).__name__}
        else:
            return _finish(run_id, rendered)
    return _fail(run_id, error)


@transaction.atomic
def requeue_stuck_runs(*, older_than=STUCK_AFTER):
    """Runs queued or running and not touched for `older_than` lost their task (the broker was down when they were
    queued, or the worker was killed): send them again, or fail them after MAX_ATTEMPTS. Returns (requeued, failed).
    """
    cutoff = timezone.now() - older_than
    stuck = ReportRun.objects.select_for_update().filter(status__in=IN_PROGRESS, updated_at__lt=cutoff)
    requeued = failed = 0
    for run in stuck.order_by("pk"):
        if run.attempts >= MAX_ATTEMPTS:
            _fail_locked(run, _gave_up_message(run), action="reports.run.gave_up")
            failed += 1
            continue
        run.save(update_fields=["updated_at"])
        audit_record(actor=None, action="reports.run.requeued", target=run, comment=f"after attempt {run.attempts}")
        _queue(run)
        requeued += 1
    return requeued, failed


# The name the common brief gives the sweep.
fail_stuck_runs = requeue_stuck_runs
