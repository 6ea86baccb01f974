"""The indicator tracking table: the PDF read back with pdftotext and the XLSX with openpyxl hold the figures of
the run's snapshot; `manage.py render_report` writes the same document without the web."""

import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from core.choices import Component
from reports.models import Adjustment, Indicator, IndicatorTarget, RunStatus
from reports.periods import Period, current_fiscal_year, quarter_of
from reports.services import runs
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db

FY = current_fiscal_year()
QUARTER = quarter_of(timezone.localdate())


@pytest.fixture
def table():
    """Three grants signed now (today's quarter) and an adjustment of +5 recorded for that quarter."""
    for _ in range(3):
        GrantFactory(active=True)
    manager = UserFactory(role=Role.ME_OFFICER)
    indicator = Indicator.objects.create(
        code="AKT-X-1",
        name_en="Number of grants awarded",
        name_sq="Numri i granteve të dhëna",
        calculation="grants_awarded",
        disaggregations=["component"],
        baseline_value=Decimal("0"),
        lop_target=Decimal("40"),
    )
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=FY, value=Decimal("16"))
    Adjustment.objects.create(
        indicator=indicator,
        fiscal_year=FY,
        quarter=QUARTER,
        value=Decimal("5"),
        reason="Paper grants",
        recorded_by=manager,
    )
    return manager


def _render(manager, export_format, language="en"):
    run = runs.request_run(
        actor=manager,
        kind="indicator_table",
        format=export_format,
        language=language,
        period=Period.fiscal_quarter(FY, QUARTER),
    )
    runs.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _pdf_text(path):
    assert shutil.which("pdftotext"), "pdftotext is missing: install poppler-utils (apt-get install poppler-utils)"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_the_pdf_holds_the_codes_the_period_and_the_snapshot_figures(table, tmp_path):
    run = _render(table, "pdf")
    figures = run.snapshot["figures"]["indicators"]["AKT-X-1"]
    assert figures["values"]["FY"] == {"computed": 3, "adjustment": "5.00", "value": 8}
    assert figures["values"][f"Q{QUARTER}"]["value"] == 8
    assert figures["target"] == "16.00" and figures["percent_of_target"] == "50.00"
    assert sum(figures["breakdowns"]["component"].values()) == 3  # computed: the parts add up
    path = tmp_path / "table.pdf"
    path.write_bytes(run.file.open("rb").read())
    text = _pdf_text(path)
    assert "AKT-X-1" in text and "Number of grants awarded" in text
    assert f"FY{FY} through Q{QUARTER}" in text  # the running header and the title line
    assert "Page 1 /" in text
    line = next(line for line in text.splitlines() if "AKT-X-1" in line)
    assert "8*" in line and "16" in line and "40" in line and "50.0 %" in line  # adjusted FY value, targets, %
    assert f"Component: {Component.CIVIC_ENGAGEMENT.label}" in text
    assert run.pages == text.count("\f")


def test_the_pdf_prints_indicator_names_in_the_runs_language(table, tmp_path):
    run = _render(table, "pdf", language="sq")
    path = tmp_path / "table.pdf"
    path.write_bytes(run.file.open("rb").read())
    assert "Numri i granteve të dhëna" in _pdf_text(path)


def test_the_xlsx_values_equal_the_snapshot(table):
    run = _render(table, "xlsx")
    assert run.pages is None
    workbook = openpyxl.load_workbook(io.BytesIO(run.file.open("rb").read()))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[1])
    row = dict(zip(headers, next(r for r in rows if r[0] == "AKT-X-1"), strict=True))
    snapshot = run.snapshot["figures"]["indicators"]["AKT-X-1"]
    assert Decimal(row["FY"]) == Decimal(snapshot["values"]["FY"]["value"]) == 8
    assert Decimal(row[f"Q{QUARTER}"]) == Decimal(snapshot["values"][f"Q{QUARTER}"]["value"])
    assert Decimal(row["Cumulative (LOP)"]) == Decimal(snapshot["values"]["LOP"]["value"])
    assert Decimal(row["FY target"]) == Decimal(snapshot["target"])
    assert Decimal(str(row["% of FY target"])) == Decimal(snapshot["percent_of_target"])
    assert isinstance(row["FY"], int | float) and row["LOP target"] == 40
    assert f"Q{QUARTER}" in row["Adjusted values"] and "FY" in row["Adjusted values"]
    parts = workbook["Disaggregations"]
    part_rows = list(parts.iter_rows(values_only=True))[1:]
    assert sum(value for code, _label, value in part_rows if code == "AKT-X-1") == 3  # computed, parts add up
    assert {label for _code, label, _value in part_rows} >= {f"Component: {Component.CIVIC_ENGAGEMENT.label}"}


def test_render_report_writes_the_file_without_a_saved_run(table, tmp_path, capsys):
    out = tmp_path / "table.pdf"
    call_command(
        "render_report",
        "indicator_table",
        "--fy",
        str(FY),
        "--quarter",
        str(QUARTER),
        "--lang",
        "en",
        "--out",
        str(out),
    )
    assert out.read_bytes().startswith(b"%PDF")
    printed = capsys.readouterr().out
    assert "pages 1" in printed and f"bytes {out.stat().st_size}" in printed and "seconds" in printed
    xlsx = tmp_path / "table.xlsx"
    call_command("render_report", "indicator_table", "--fy", str(FY), "--format", "xlsx", "--out", str(xlsx))
    assert openpyxl.load_workbook(xlsx).worksheets[0]["A1"].value == "Indicator tracking table"
    from reports.models import ReportRun

    assert not ReportRun.objects.exists()
