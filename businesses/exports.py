"""Exports of the staff business list: a row with a status and a file, written by a Celery task.

The same pattern as the application exports of grants (which businesses may not import): the cells are written by
core.spreadsheets (formula escaping, streaming XLSX); every status change goes through core.workflow.transition.
Headers and labels are written in the requester's language.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from businesses.models import Business, BusinessExport
from businesses.permissions import can_view_businesses
from businesses.selectors import clean_filters, filter_businesses
from core import spreadsheets
from core.errors import ApplicationError
from core.services import audit_record
from core.spreadsheets import EXPORT_TRANSITIONS, ExportFormat, ExportStatus
from core.workflow import transition

logger = logging.getLogger(__name__)
CHUNK_SIZE = 2000


def can_use_business_export(user, export):
    """Only the person who asked for an export (or an administrator) sees it and downloads its file."""
    if not user.is_authenticated or not can_view_businesses(user):
        return False
    return export.requested_by_id == user.pk or has_role(user, Role.ADMIN)


def headers():
    return [
        _("Name"),
        _("Trade name"),
        _("Legal form"),
        _("Registered"),
        _("NUI"),
        _("Fiscal number"),
        _("Formalised during the programme on"),
        _("Sector"),
        _("Stage"),
        _("Municipality"),
        _("Settlement"),
        _("Owners"),
        _("Women owners"),
        _("Grants"),
        _("Market links"),
    ]


def export_rows(filters):
    """One row per business of the filtered list; owners' names and counts come from SQL (no query per row)."""
    queryset = (
        filter_businesses(Business.objects.select_related("municipality"), filters)
        .annotate(
            owner_count=Count("owners", distinct=True),
            women_owners=Count("owners", filter=Q(owners__person__sex="female"), distinct=True),
            grant_count=Count("grants", distinct=True),
            link_count=Count("market_links", distinct=True),
        )
        .order_by("name", "id")
    )
    language = get_language()
    for business in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            business.name,
            business.trade_name,
            str(business.get_legal_form_display()),
            _("Yes") if business.is_registered else _("No"),
            business.nui,
            business.fiscal_number,
            business.formalised_on,
            str(business.get_sector_display()),
            str(business.get_stage_display()),
            business.municipality.name_in(language),
            business.settlement,
            business.owner_count,
            business.women_owners,
            business.grant_count,
            business.link_count,
        ]


def write_export(export):
    rows = export_rows(export.filters)
    if export.format == ExportFormat.CSV:
        return spreadsheets.write_csv(headers(), rows)
    return spreadsheets.write_xlsx(headers(), rows, title=_("Businesses"))


def _queue(export):
    from businesses.tasks import export_businesses

    transaction.on_commit(lambda: export_businesses.delay(export.pk))


@transaction.atomic
def business_export_request(*, actor, export_format, filters):
    """Queue an export of the list as filtered; its headers are written in the requester's language."""
    if not can_view_businesses(actor):
        raise ApplicationError(_("You cannot export the list of businesses."), code="not_allowed")
    if export_format not in ExportFormat.values:
        raise ApplicationError(_("Choose Excel (XLSX) or CSV."), code="format")
    filters = {key: value for key, value in clean_filters(filters or {}).items() if value}
    export = BusinessExport(
        requested_by=actor,
        format=export_format,
        filters=filters,
        language=getattr(actor, "language", "") or settings.LANGUAGE_CODE,
    )
    export.full_clean()
    export.save()
    audit_record(
        actor=actor, action="businesses.export.requested", target=export, to_status=ExportStatus.QUEUED, data=filters
    )
    _queue(export)
    return export


@transaction.atomic
def business_export_retry(*, actor, export):
    export = BusinessExport.objects.select_for_update().get(pk=export.pk)
    if not can_use_business_export(actor, export):
        raise ApplicationError(_("Only the person who asked for this export can retry it."), code="not_allowed")
    if export.file:
        export.file.delete(save=False)
    export.file, export.error, export.row_count = "", "", None
    transition(
        instance=export,
        to=ExportStatus.QUEUED,
        actor=actor,
        transitions=EXPORT_TRANSITIONS,
        action="businesses.export.retried",
        save_fields=["file", "error", "row_count"],
    )
    _queue(export)
    return export


@transaction.atomic
def _start(export_id):
    export = BusinessExport.objects.select_for_update().filter(pk=export_id).first()
    if export is None or export.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED):
        return None  # done already, or waiting for a person to retry: running twice changes nothing
    if export.status == ExportStatus.QUEUED:
        transition(
            instance=export,
            to=ExportStatus.RUNNING,
            actor=None,
            transitions=EXPORT_TRANSITIONS,
            action="businesses.export.started",
        )
    return export


@transaction.atomic
def _finish(export_id, *, content=None, row_count=None, error=""):
    export = BusinessExport.objects.select_for_update().get(pk=export_id)
    if export.status != ExportStatus.RUNNING:
        return export
    if export.file:
        export.file.delete(save=False)
    if error:
        export.file, export.error = "", error
        to, action, fields = ExportStatus.FAILED, "businesses.export.failed", ["file", "error"]
    else:
        export.file.save(f"businesses-{export.pk}.{export.format}", ContentFile(content), save=False)
        export.row_count, export.error = row_count, ""
        to, action, fields = ExportStatus.SUCCEEDED, "businesses.export.succeeded", ["file", "row_count", "error"]
    return transition(
        instance=export,
        to=to,
        actor=None,
        transitions=EXPORT_TRANSITIONS,
        action=action,
        comment=error,
        save_fields=fields,
    )


def business_export_run(*, export_id):
    """Write the export's file (what the task does). Safe to run twice; any failure is recorded on the row."""
    export = _start(export_id)
    if export is None:
        return None
    with translation.override(export.language):
        try:
            content, row_count = write_export(export)
        except SoftTimeLimitExceeded:
            error = _("The export took longer than the time allowed. Narrow the filters and export again.")
        except Exception as exc:  # failure is state: the page shows why and offers a retry
            logger.exception("Business export %s failed", export_id)
            error = _("The file could not be written (%(reason)s). Try again; if it fails again, tell IT support.") % {
                "reason": type(exc).__name__
            }
        else:
            return _finish(export_id, content=content, row_count=row_count)
        return _finish(export_id, error=error)


@transaction.atomic
def business_exports_fail_stuck(*, older_than):
    """Mark exports still running after `older_than` as failed (their worker died), so their page offers a retry."""
    stuck = BusinessExport.objects.select_for_update().filter(
        status=ExportStatus.RUNNING, updated_at__lt=timezone.now() - older_than
    )
    count = 0
    for export in stuck:
        with translation.override(export.language):
            export.error = _("The export stopped before it finished (the server was restarted). Try again.")
        transition(
            instance=export,
            to=ExportStatus.FAILED,
            actor=None,
            transitions=EXPORT_TRANSITIONS,
            action="businesses.export.failed",
            comment=export.error,
            save_fields=["error"],
        )
        count += 1
    return count
