"""Writing a filtered list of applications to CSV or XLSX, safe to open in a spreadsheet.

Applicants write titles and names; core.spreadsheets writes them so that none runs as a formula ("CSV injection").
Headers and labels are written in the language active when these functions run (the export's reader's).
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import spreadsheets
from core.choices import Component
from core.spreadsheets import safe_cell  # noqa: F401 (kept importable from here)
from grants.forms.staff_applications import order_applications
from grants.models import ApplicantType, ApplicationStatus, ExportFormat
from grants.selectors import applications_for_staff

CHUNK_SIZE = 2000
CENTS = Decimal("0.01")


def headers():
    return [
        _("Reference"),
        _("Project title"),
        _("Applicant"),
        _("Organisation"),
        _("Applicant type"),
        _("Call"),
        _("Component"),
        _("Municipality"),
        _("Status"),
        _("Requested (EUR)"),
        _("Submitted"),
    ]


def export_queryset(filters):
    """The applications of the staff list for these stored filters and sort order, read in chunks."""
    filters = dict(filters or {})
    sort = filters.pop("sort", None)
    return order_applications(applications_for_staff(filters=filters), sort).iterator(chunk_size=CHUNK_SIZE)


def application_row(application):
    """One row, in the order of headers(); the submission time in local (Kosovo) time, without a zone."""
    statuses, types, components = dict(ApplicationStatus.choices), dict(ApplicantType.choices), dict(Component.choices)
    submitted = application.submitted_at
    return [
        application.reference or "",
        application.title,
        str(application.person),
        application.organisation.name if application.organisation_id else "",
        str(types.get(application.applicant_type, application.applicant_type)),
        application.call.code,
        str(components.get(application.call.component, application.call.component)),
        application.municipality.name_in(get_language()) if application.municipality_id else "",
        str(statuses.get(application.status, application.status)),
        Decimal(application.requested_total or 0).quantize(CENTS),
        timezone.localtime(submitted).replace(tzinfo=None, microsecond=0) if submitted else None,
    ]


def write_csv(rows):
    """UTF-8 with a byte-order mark. Returns (bytes, count)."""
    return spreadsheets.write_csv(headers(), rows)


def write_xlsx(rows):
    """A one-sheet workbook written in streaming mode (constant memory). Returns (bytes, count)."""
    return spreadsheets.write_xlsx(headers(), rows, title=_("Applications"))


def write_export(export):
    """The file of `export` as bytes and the number of rows written; call under the reader's language."""
    rows = (application_row(application) for application in export_queryset(export.filters))
    if export.format == ExportFormat.CSV:
        return write_csv(rows)
    return write_xlsx(rows)


def export_filename(export):
    return f"applications-{export.pk}.{export.format}"
