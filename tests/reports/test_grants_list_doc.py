"""The grants list document: which grants it lists for a period, its figures (EUR, USD at the signing month's rate
or the latest, cost share, paid up to the period's end), its totals, formula-safe text, constant queries, and the
PDF with its period and grant numbers."""

import datetime
import io
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from core.choices import Component
from grants.models import ExchangeRate, GrantStatus, InKindDelivery, InstrumentType, TranchePayment
from municipalities.models import Municipality
from reports.documents import get
from reports.documents.grants_list import grants_list
from reports.models import ReportRun
from reports.periods import Period
from tests.factories import OrganisationFactory, UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory, GrantTrancheFactory

pytestmark = pytest.mark.django_db

Q1 = Period.fiscal_quarter(2027, 1)  # 1 October – 31 December 2026
HEADER_ROW = 2  # row 1: title and period


def local(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def run_for(period, fmt="xlsx"):
    return ReportRun(
        kind="grants_list",
        format=fmt,
        language="en",
        period_start=period.start,
        period_end=period.end,
        fiscal_year=period.fiscal_year,
        quarter=period.quarter,
    )


def render(period=Q1, fmt="xlsx"):
    notes = []
    rendered = get("grants_list").render(run_for(period, fmt), lambda percent, note="": notes.append(percent))
    assert notes and notes == sorted(notes)
    return rendered


def grant(number, signed_at, *, amount="10000.00", cost_share="1000.00", organisation=None, component=None, **kw):
    call = CallFactory(component=component or Component.CIVIC_ENGAGEMENT)
    application = ApplicationFactory(
        submitted=True,
        call=call,
        organisation=organisation,
        municipality=kw.pop("municipality", None) or Municipality.objects.get(code="gjilan"),
    )
    return GrantFactory(
        application=application,
        number=number,
        status=kw.pop("status", GrantStatus.ACTIVE),
        signed_at=signed_at,
        amount=Decimal(amount),
        cost_share_committed=Decimal(cost_share),
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2027, 8, 31),
        **kw,
    )


def pay(g, amount, day, finance):
    tranche = g.tranches.first() or GrantTrancheFactory(grant=g, number=1, amount=g.amount)
    TranchePayment.objects.create(
        tranche=tranche, paid_on=day, amount=Decimal(amount), bank_reference=f"BR-{day}", recorded_by=finance
    )


@pytest.fixture
def portfolio():
    """Three grants in force in FY2027 Q1, and three that are not (known answers in the tests)."""
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    ExchangeRate.objects.create(month=datetime.date(2026, 9, 1), usd_per_eur=Decimal("1.100000"), recorded_by=finance)
    ExchangeRate.objects.create(month=datetime.date(2026, 10, 1), usd_per_eur=Decimal("1.080000"), recorded_by=finance)
    ExchangeRate.objects.create(month=datetime.date(2027, 2, 1), usd_per_eur=Decimal("1.500000"), recorded_by=finance)

    # Signed before the period, paid before, during and after it.
    g1 = grant("AKT-G-CE-001", local(2026, 9, 15), organisation=OrganisationFactory(name="Shoqata Ura"))
    pay(g1, "3000.00", datetime.date(2026, 9, 20), finance)
    pay(g1, "2000.00", datetime.date(2026, 11, 10), finance)
    pay(g1, "1000.00", datetime.date(2027, 1, 15), finance)
    # In-kind, signed late on the period's last day (December has no rate: the latest up to the period, October's).
    evil = OrganisationFactory(name='=HYPERLINK("http://evil.example","click")')
    g2 = grant(
        "AKT-G-BD-001",
        local(2026, 12, 31, 23, 30),
        amount="4000.50",
        cost_share="0",
        organisation=evil,
        component=Component.BUSINESS_DEVELOPMENT,
        instrument=InstrumentType.IN_KIND,
        municipality=Municipality.objects.get(code="gracanica"),
    )
    InKindDelivery.objects.create(
        grant=g2,
        item="Oven",
        supplier="Furra",
        value=Decimal("1500.25"),
        delivered_on=datetime.date(2026, 12, 1),
        handover_name="handover.pdf",
        recorded_by=finance,
    )
    # Closed during the period: still listed.
    grant(
        "AKT-G-CE-002",
        local(2025, 12, 1),
        amount="2000.00",
        cost_share="200.00",
        status=GrantStatus.CLOSED,
        closed_at=local(2026, 10, 15),
    )
    # Not in force in the period: signed just after it, closed before it, never signed.
    grant("AKT-G-CE-003", local(2027, 1, 1, 0, 10))
    grant("AKT-G-CE-004", local(2025, 11, 1), status=GrantStatus.CLOSED, closed_at=local(2026, 9, 30, 18))
    grant("AKT-G-CE-005", None, status=GrantStatus.AWAITING_SIGNATURE)
    return finance


def sheet_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_lists_the_grants_in_force_with_their_figures_and_totals(portfolio):
    rendered = render()
    rows = sheet_rows(rendered.content)
    header = rows[HEADER_ROW - 1]
    col = {name: header.index(name) for name in header}
    body, total = rows[HEADER_ROW:-1], rows[-1]
    assert [row[col["Grant"]] for row in body] == ["AKT-G-BD-001", "AKT-G-CE-001", "AKT-G-CE-002"]

    bd, ce1, ce2 = body
    assert ce1[col["Grantee"]] == "Shoqata Ura"
    assert ce1[col["Component"]] == str(Component.CIVIC_ENGAGEMENT.label)
    assert ce1[col["Signed in period"]] in ("", None)
    assert ce1[col["Amount (EUR)"]] == 10000
    assert ce1[col["Amount (USD)"]] == 11000  # September's rate, the month of signature
    assert ce1[col["Cost share committed (EUR)"]] == 1000
    assert ce1[col["Paid to date (EUR)"]] == 5000  # not the January payment
    assert ce1[col["Status"]] == "Active"
    assert ce1[col["Signed"]].date() == datetime.date(2026, 9, 15)

    assert bd[col["Signed in period"]] == "Yes"
    assert bd[col["Instrument"]] == "In-kind grant"
    assert bd[col["Amount (USD)"]] == pytest.approx(4320.54)  # 4,000.50 × 1.08 (October: latest up to the period)
    assert bd[col["Paid to date (EUR)"]] == pytest.approx(1500.25)
    assert bd[col["Municipality"]] == Municipality.objects.get(code="gracanica").name_en
    assert ce2[col["Status"]] == "Closed"
    assert ce2[col["Amount (USD)"]] == 2160  # no rate for December 2025: the latest up to the period

    assert total[col["Grant"]] == "Total"
    assert total[col["Amount (EUR)"]] == pytest.approx(16000.50)
    assert total[col["Amount (USD)"]] == pytest.approx(17480.54)
    assert total[col["Cost share committed (EUR)"]] == 1200
    assert total[col["Paid to date (EUR)"]] == pytest.approx(6500.25)
    assert total[col["Signed in period"]] == 1
    assert rendered.figures["grants"] == 3
    assert rendered.figures["amount_total"] == "16000.50"
    assert rendered.figures["paid_total"] == "6500.25"
    assert rendered.pages is None


def test_numbers_are_numbers_and_a_formula_in_a_grantee_name_is_made_inert(portfolio):
    sheet = load_workbook(io.BytesIO(render().content)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert '=HYPERLINK("http://evil.example","click")' not in cells
    evil = cells['\'=HYPERLINK("http://evil.example","click")']
    assert evil.data_type == "s"
    amount = sheet.cell(row=HEADER_ROW + 1, column=10)
    assert amount.data_type == "n"


def test_usd_is_a_dash_when_no_rate_was_ever_recorded():
    grant("AKT-G-CE-010", local(2026, 10, 5), amount="1234.56")
    rows = sheet_rows(render().content)
    header = rows[HEADER_ROW - 1]
    usd = header.index("Amount (USD)")
    assert rows[HEADER_ROW][usd] == "—"
    assert rows[-1][usd] == "—"
    assert rows[-1][header.index("Amount (EUR)")] == pytest.approx(1234.56)


def test_reading_the_list_costs_the_same_queries_for_two_grants_or_twelve():
    def queries():
        with CaptureQueriesContext(connection) as context:
            rows, totals, _rate = grants_list(Q1)
        return len(context.captured_queries), totals.grants

    for n in range(2):
        grant(f"AKT-G-CE-1{n:02d}", local(2026, 10, 2 + n))
    few, count = queries()
    assert count == 2
    for n in range(2, 12):
        grant(f"AKT-G-CE-1{n:02d}", local(2026, 10, 2 + n), organisation=OrganisationFactory())
    many, count = queries()
    assert count == 12
    assert many == few <= 3


def test_pdf_has_the_period_the_grant_numbers_and_the_totals(portfolio, tmp_path):
    rendered = render(fmt="pdf")
    assert rendered.content.startswith(b"%PDF")
    assert rendered.pages >= 1
    path = tmp_path / "grants.pdf"
    path.write_bytes(rendered.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    # Under the title, and in the running header of every page.
    assert text.count("Period: FY2027 Q1 (01.10.2026 – 31.12.2026)") == 1 + rendered.pages
    assert "01.10.2026 – 31.12.2026" in text
    for number in ("AKT-G-CE-001", "AKT-G-BD-001", "AKT-G-CE-002"):
        assert number in text
    assert "AKT-G-CE-003" not in text and "AKT-G-CE-004" not in text
    assert "16,000.50" in text
    assert "Page 1 / " in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "841.89 x 595.2" in info  # A4 landscape
