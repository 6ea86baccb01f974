"""Exports of the staff application list: a row with a status and a file, written by a Celery task.

Failure is state: the row says `failed` and why, and the requester can queue it again. Every write of the row's
status goes through core.workflow.transition, so the export's page can show who asked and what happened.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import EXPORT_TRANSITIONS, ApplicationExport, ExportFormat, ExportStatus
from grants.permissions import can_list_applications

logger = logging.getLogger(__name__)


def can_use_export(user, export):
    """Only the person who asked for an export (or an administrator) sees it and downloads its file."""
    if not user.is_authenticated:
        return False
    return export.requested_by_id == user.pk or has_role(user, Role.ADMIN)


def _delete_file(export):
    if export.file:
        export.file.delete(save=False)
    export.file = ""


def _queue(export):
    from grants.export_tasks import export_applications

    transaction.on_commit(lambda: export_applications.delay(export.pk))


@transaction.atomic
def application_export_request(*, actor, export_format, filters):
    """Queue an export of the list as filtered; its headers are written in the requester's language."""
    if not can_list_applications(actor):
        raise ApplicationError(_("You cannot export the list of applications."), code="not_allowed")
    if export_format not in ExportFormat.values:
        raise ApplicationError(_("Choose Excel (XLSX) or CSV."), code="format")
    export = ApplicationExport(
        requested_by=actor,
        format=export_format,
        filters=filters or {},
        language=getattr(actor, "language", "") or settings.LANGUAGE_CODE,
        status=ExportStatus.QUEUED,
    )
    export.full_clean()
    export.save()
    audit_record(
        actor=actor, action="grants.export.requested", target=export, to_status=ExportStatus.QUEUED, data=filters
    )
    _queue(export)
    return export


@transaction.atomic
def application_export_retry(*, actor, export):
    """Queue a failed export again (after the reason was fixed, or a worker stopped)."""
    export = ApplicationExport.objects.select_for_update().get(pk=export.pk)
    if not can_use_export(actor, export):
        raise ApplicationError(_("Only the person who asked for this export can retry it."), code="not_allowed")
    _delete_file(export)
    export.error = ""
    export.row_count = None
    transition(
        instance=export,
        to=ExportStatus.QUEUED,
        actor=actor,
        transitions=EXPORT_TRANSITIONS,
        action="grants.export.retried",
        save_fields=["file", "error", "row_count"],
    )
    _queue(export)
    return export


@transaction.atomic
def _start(export_id):
    """Move a queued export to running; a running one (redelivered after a lost worker) is written again."""
    export = ApplicationExport.objects.select_for_update().filter(pk=export_id).first()
    if export is None or export.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED):
        return None  # done already, or failed and waiting for a person to retry: running twice changes nothing
    if export.status == ExportStatus.QUEUED:
        transition(
            instance=export,
            to=ExportStatus.RUNNING,
            actor=None,
            transitions=EXPORT_TRANSITIONS,
            action="grants.export.started",
        )
    return export


@transaction.atomic
def _finish(export_id, *, content=None, row_count=None, error=""):
    export = ApplicationExport.objects.select_for_update().get(pk=export_id)
    if export.status != ExportStatus.RUNNING:
        return export  # another run finished it first
    _delete_file(export)
    if error:
        export.error = error
        to, action, save_fields = ExportStatus.FAILED, "grants.export.failed", ["file", "error"]
    else:
        from grants.exports import export_filename

        export.file.save(export_filename(export), ContentFile(content), save=False)
        export.row_count, export.error = row_count, ""
        to, action, save_fields = ExportStatus.SUCCEEDED, "grants.export.succeeded", ["file", "row_count", "error"]
    return transition(
        instance=export,
        to=to,
        actor=None,
        transitions=EXPORT_TRANSITIONS,
        action=action,
        comment=error,
        data={"rows": row_count} if not error else None,
        save_fields=save_fields,
    )


def application_export_run(*, export_id):
    """Write the export's file (what the task does). Safe to run twice; any failure is recorded on the row."""
    from grants.exports import write_export

    export = _start(export_id)
    if export is None:
        return None
    with translation.override(export.language):
        try:
            content, row_count = write_export(export)
        except SoftTimeLimitExceeded:
            error = _(
                "The export took longer than the time allowed. Narrow the filters (for example to one call) "
                "and export again."
            )
        except Exception as exc:  # failure is state: the page shows why and offers a retry
            logger.exception("Export %s failed", export_id)
            error = _("The file could not be written (%(reason)s). Try again; if it fails again, tell IT support.") % {
                "reason": type(exc).__name__
            }
        else:
            return _finish(export_id, content=content, row_count=row_count)
        return _finish(export_id, error=error)


@transaction.atomic
def application_exports_fail_stuck(*, older_than):
    """Mark exports still running after `older_than` (a timedelta) as failed, so their page offers a retry.

    A worker that dies (or a machine that restarts) leaves its row `running`; a periodic task calls this.
    """
    limit = timezone.now() - older_than
    stuck = ApplicationExport.objects.select_for_update().filter(status=ExportStatus.RUNNING, updated_at__lt=limit)
    count = 0
    for export in stuck:
        with translation.override(export.language):
            export.error = _("The export stopped before it finished (the server was restarted). Try again.")
        transition(
            instance=export,
            to=ExportStatus.FAILED,
            actor=None,
            transitions=EXPORT_TRANSITIONS,
            action="grants.export.failed",
            comment=export.error,
            save_fields=["error"],
        )
        count += 1
    return count
