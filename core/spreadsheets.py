"""Writing rows to CSV or XLSX, safe to open in a spreadsheet; shared by every app's exports.

People type names and titles; a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would run as
a formula in Excel or LibreOffice ("CSV injection"), so such text is written with a leading single quote.
"""

import csv
import io

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading quote; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(headers, rows):
    """UTF-8 with a byte-order mark, so that Excel shows ë, ç, š and Cyrillic correctly. Returns (bytes, count)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(str(header)) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


def _csv_value(value):
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return value.strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return safe_cell(value)


def write_xlsx(headers, rows, *, title):
    """A one-sheet workbook written in streaming mode (constant memory). Returns (bytes, count)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    sheet.append([xlsx_text(str(header)) for header in headers])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def xlsx_text(value):
    # openpyxl refuses control characters; people paste them. Escape after removing them.
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        return xlsx_text(value)
    if hasattr(value, "strftime"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm" if hasattr(value, "hour") else "yyyy-mm-dd"
        return cell
    return value


class ExportStatus(models.TextChoices):
    """The state of a spreadsheet export written by a Celery task (failure is state, with a retry)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", pgettext_lazy("export status", "Failed")


EXPORT_TRANSITIONS = {
    ExportStatus.QUEUED: {ExportStatus.RUNNING, ExportStatus.FAILED},
    ExportStatus.RUNNING: {ExportStatus.SUCCEEDED, ExportStatus.FAILED},
    ExportStatus.FAILED: {ExportStatus.QUEUED},
    ExportStatus.SUCCEEDED: set(),
}


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (XLSX)"
    CSV = "csv", "CSV"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
