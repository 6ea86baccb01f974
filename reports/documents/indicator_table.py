"""The indicator tracking table (PDF and XLSX): every reported indicator for the run's fiscal year (through the
run's quarter when one was chosen) with baseline, targets, Q1–Q4, FY, life of programme, % of the FY target and
whether it is on track; adjusted values are marked; each indicator's disaggregations follow as sub-rows.

The rows come from reports.selectors.indicator_table, the same figures the indicator pages and the dashboard show;
the snapshot stores them under figures["indicators"] so a later run can be compared with this one.
"""

import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from weasyprint import HTML

from core.pdf import DOCUMENT_BASE_URL, StaticOnlyURLFetcher
from core.spreadsheets import xlsx_text
from reports.documents import Rendered, document
from reports.models import Unit
from reports.periods import Period, fiscal_year_of, quarter_of
from reports.selectors import indicator_table, snapshot_of_rows

MONEY_UNITS = (Unit.EUR, Unit.USD)


def table_period(run):
    """(fiscal year, through quarter or None) the table covers: a date range is shown for the fiscal year of its
    last day, through that day's quarter."""
    if run.fiscal_year:
        return run.fiscal_year, run.quarter
    return fiscal_year_of(run.period_end), quarter_of(run.period_end)


def table_label(run):
    year, quarter = table_period(run)
    if quarter:
        return _("FY%(year)s through Q%(quarter)s") % {"year": year, "quarter": quarter}
    return Period.fiscal_year(year).label


def display_number(value, unit=Unit.NUMBER):
    """A figure as printed: money with two decimals, percentages with one, counts as whole numbers."""
    if value is None:
        return "–"
    value = Decimal(value)
    if unit in MONEY_UNITS:
        return number_format(value, 2, force_grouping=True)
    if unit == Unit.PERCENT:
        return number_format(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1) + " %"
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), 0, force_grouping=True)
    return number_format(value, 2, force_grouping=True)


def _number(value):
    """A figure as a spreadsheet number (int when whole)."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value


def on_track_label(on_track):
    if on_track is None:
        return "–"
    return _("Yes") if on_track else _("No")


@dataclass
class Line:
    """One printed row: an indicator, or one part of one of its disaggregations (`is_part`)."""

    is_part: bool
    code: str
    name: str
    unit: str
    unit_label: str
    baseline: object = None
    target: object = None
    quarters: tuple = (None, None, None, None)
    quarters_adjusted: tuple = (False, False, False, False)
    year: object = None
    year_adjusted: bool = False
    cumulative: object = None
    cumulative_adjusted: bool = False
    lop_target: object = None
    percent_of_target: object = None
    on_track: object = None

    def printed(self, value):
        return display_number(value, self.unit)

    @property
    def quarter_cells(self):
        return [
            {"printed": self.printed(value), "adjusted": adjusted}
            for value, adjusted in zip(self.quarters, self.quarters_adjusted, strict=True)
        ]

    @property
    def baseline_printed(self):
        return self.printed(self.baseline)

    @property
    def target_printed(self):
        return self.printed(self.target)

    @property
    def year_printed(self):
        return self.printed(self.year)

    @property
    def cumulative_printed(self):
        return self.printed(self.cumulative)

    @property
    def lop_target_printed(self):
        return self.printed(self.lop_target)

    @property
    def percent_printed(self):
        return display_number(self.percent_of_target, Unit.PERCENT)

    @property
    def on_track_printed(self):
        return on_track_label(self.on_track)

    @property
    def adjusted_keys(self):
        keys = [f"Q{i}" for i, flag in enumerate(self.quarters_adjusted, start=1) if flag]
        keys += ["FY"] * self.year_adjusted + ["LOP"] * self.cumulative_adjusted
        return keys


def _value(cell):
    return None if cell is None else cell.value


def lines_of(rows):
    """The printed rows: each indicator, then one sub-row per part of each of its disaggregations (FY value)."""
    lines = []
    for row in rows:
        indicator = row.indicator
        lines.append(
            Line(
                is_part=False,
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                unit_label=indicator.get_unit_display(),
                baseline=indicator.baseline_value,
                target=row.target,
                quarters=tuple(_value(cell) for cell in row.quarters),
                quarters_adjusted=tuple(bool(cell and cell.is_adjusted) for cell in row.quarters),
                year=row.year.value,
                year_adjusted=row.year.is_adjusted,
                cumulative=row.cumulative.value,
                cumulative_adjusted=row.cumulative.is_adjusted,
                lop_target=indicator.lop_target,
                percent_of_target=row.percent_of_target,
                on_track=row.on_track,
            )
        )
        for dimension, parts in row.breakdowns:
            for part, _url in parts:
                lines.append(
                    Line(
                        is_part=True,
                        code=indicator.code,
                        name=f"{dimension.label}: {part.label}",
                        unit=indicator.unit,
                        unit_label="",
                        year=part.value,
                    )
                )
    return lines


def _pdf(run, lines, label):
    html = render_to_string(
        "reports/pdf/indicator_table.html",
        {"lines": lines, "period_label": label, "run": run, "document_language": run.language},
    )
    rendered = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()
    return rendered.write_pdf(), len(rendered.pages)


def headers():
    return [
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("Baseline"),
        _("FY target"),
        _("Q1"),
        _("Q2"),
        _("Q3"),
        _("Q4"),
        _("FY"),
        _("Cumulative (LOP)"),
        _("LOP target"),
        # xgettext:no-python-format
        _("% of FY target"),
        _("On track"),
        _("Adjusted values"),
    ]


def _xlsx(lines, label):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=xlsx_text(_("Indicators"))[:31])
    bold = Font(bold=True)

    def heading(target, values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(target, value=xlsx_text(str(value)))
            cell.font = bold
            cells.append(cell)
        target.append(cells)

    sheet.append([xlsx_text(_("Indicator tracking table")), xlsx_text(label)])
    heading(sheet, headers())
    for line in lines:
        sheet.append(
            [
                xlsx_text(line.code) if not line.is_part else "",
                xlsx_text(line.name),
                xlsx_text(str(line.unit_label)),
                _number(line.baseline),
                _number(line.target),
                *(_number(value) for value in line.quarters),
                _number(line.year),
                _number(line.cumulative),
                _number(line.lop_target),
                _number(line.percent_of_target),
                "" if line.is_part else on_track_label(line.on_track),
                ", ".join(line.adjusted_keys),
            ]
        )
    parts = workbook.create_sheet(title=xlsx_text(_("Disaggregations"))[:31])
    heading(parts, [_("Code"), _("Disaggregation"), _("FY")])
    for line in lines:
        if line.is_part:
            parts.append([xlsx_text(line.code), xlsx_text(line.name), _number(line.year)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@document("indicator_table", formats=("pdf", "xlsx"))
def render(run, progress):
    year, quarter = table_period(run)
    label = table_label(run)
    progress(5, _("Computing the indicators"))
    rows = indicator_table(year, through_quarter=quarter)
    figures = {"indicators": snapshot_of_rows(rows), "fiscal_year": year, "through_quarter": quarter}
    lines = lines_of(rows)
    progress(60, _("Writing the document"))
    if run.format == "xlsx":
        return Rendered(content=_xlsx(lines, label), figures=figures)
    content, pages = _pdf(run, lines, label)
    progress(100, _("Done"))
    return Rendered(content=content, figures=figures, pages=pages)
