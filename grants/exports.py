"""Writing a filtered list of applications to CSV or XLSX, safe to open in a spreadsheet.

Applicants write titles and names; a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would
run as a formula in Excel or LibreOffice ("CSV injection"), so such text is written with a leading single quote.
Headers and labels are written in the language active when these functions run (the export's reader's).
"""

import csv
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.choices import Component
from grants.forms.staff_applications import order_applications
from grants.models import ApplicantType, ApplicationStatus, ExportFormat
from grants.selectors import applications_for_staff

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
CENTS = Decimal("0.01")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading quote; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


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
    """UTF-8 with a byte-order mark, so that Excel shows ë, ç, š and Cyrillic correctly. Returns (bytes, count)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(header) for header in headers()])
    count = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


def _csv_value(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return safe_cell(value)


def write_xlsx(rows):
    """A one-sheet workbook written in streaming mode (constant memory). Returns (bytes, count)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Applications")[:31])
    sheet.append([_xlsx_text(header) for header in headers()])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def _xlsx_text(value):
    # openpyxl refuses control characters; applicants can paste them. Escape after removing them.
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        return _xlsx_text(value)
    if hasattr(value, "strftime"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    return value


def write_export(export):
    """The file of `export` as bytes and the number of rows written; call under the reader's language."""
    rows = (application_row(application) for application in export_queryset(export.filters))
    if export.format == ExportFormat.CSV:
        return write_csv(rows)
    return write_xlsx(rows)


def export_filename(export):
    return f"applications-{export.pk}.{export.format}"
