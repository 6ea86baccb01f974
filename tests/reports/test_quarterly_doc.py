"""The quarterly progress report PDF, read back with pdftotext: cover, narratives (and the visible gap of a missing
one), the indicator table with the figures of its snapshot, and the annex of grants awarded in the period only."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import GrantStatus
from municipalities.models import Municipality
from reports import documents
from reports.documents import quarterly_figures as figures_of
from reports.models import Adjustment, Indicator, Narrative, NarrativeSection, ReportBranding, ReportRun
from reports.periods import Period
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db


def _aware(day):
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=timezone.get_current_timezone())


def pdf_text(content, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return text.decode("utf-8")


def words(text):
    return " ".join(text.split())


def _grant(day, title, amount, municipality="gjilan", summary="A short summary."):
    return GrantFactory(
        status=GrantStatus.ACTIVE,
        signed_at=_aware(day),
        amount=Decimal(amount),
        start_date=day,
        end_date=day + datetime.timedelta(days=300),
        application__title=title,
        application__summary=summary,
        application__municipality=Municipality.objects.get(code=municipality),
    )


@pytest.fixture
def quarter_data():
    indicator = Indicator.objects.create(
        code="AKT-X-1",
        calculation="grants_awarded",
        name_en="Number of grants awarded",
        name_sq="Numri i granteve të dhëna",
        disaggregations=["component"],
    )
    Adjustment.objects.create(
        indicator=indicator,
        fiscal_year=2027,
        quarter=1,
        value=Decimal("1"),
        reason="A grant signed on paper in the field.",
        recorded_by=UserFactory(first_name="Vjosa", last_name="Morina"),
    )
    ReportBranding.objects.create(agreement_number="TEST-AGR-0042", disclaimer="Views herein are not USAID's views.")
    inside = [
        _grant(datetime.date(2026, 10, 15), "Youth centre in Gjilan", "12345.67", summary="Chairs & <tables>"),
        _grant(datetime.date(2026, 12, 31), "Bakery ovens", "5000.00", municipality="gracanica"),
    ]
    outside = _grant(datetime.date(2026, 9, 30), "Old library roof", "7000.00")
    Narrative.objects.create(
        fiscal_year=2027,
        quarter=1,
        section=NarrativeSection.EXECUTIVE_SUMMARY,
        text="The quarter went <well> & on plan.\nSecond line of the summary.",
    )
    return inside, outside


def _render(**fields):
    run = ReportRun(kind="quarterly", format="pdf", language="en", **fields)
    return documents.get("quarterly").render(run, progress=lambda *args: None)


def test_quarterly_pdf_prints_cover_narratives_indicators_and_only_the_grants_of_the_quarter(quarter_data, tmp_path):
    (youth_centre, bakery), outside = quarter_data
    rendered = _render(
        period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 12, 31), fiscal_year=2027, quarter=1
    )
    text = pdf_text(rendered.content, tmp_path)
    flat = words(text)

    assert rendered.content.startswith(b"%PDF")
    assert rendered.pages >= 8
    # Cover: period, agreement number, disclaimer, donor line.
    assert "FY2027 Q1: 1 October 2026 – 31 December 2026" in flat
    assert "TEST-AGR-0042" in flat
    assert "Views herein are not USAID's views." in flat
    assert "United States Agency for International Development" in flat
    # Narratives: escaped text with its line break, and the gap of a section nobody wrote.
    assert "The quarter went <well> & on plan." in text
    assert "Second line of the summary." in text
    assert flat.count("No narrative was written for this section.") == 5
    # Indicator table: the code and the figures of the snapshot (two grants in Q1 plus an adjustment of one).
    snapshot = rendered.figures["indicators"]["AKT-X-1"]["values"]
    assert snapshot["Q1"] == {"computed": 2, "adjustment": "1.00", "value": 3}
    assert (snapshot["FY"]["value"], snapshot["LOP"]["value"]) == (3, 4)
    row = next(line for line in text.splitlines() if "AKT-X-1" in line)
    assert words(row).split()[-5:-2] == ["3*", "3*", "4*"]  # Q1 (later quarters empty), FY to date, cumulative
    assert "AKT-X-1, FY2027 Q1: +1.00 — A grant signed on paper in the field." in flat
    # Grants annex: the two grants of the quarter, not the one signed on 30 September.
    assert rendered.figures["grants_in_period"] == 2
    assert youth_centre.number in flat and bakery.number in flat
    assert "Youth centre in Gjilan" in flat and "Chairs & <tables>" in flat
    assert "12,345.67" in flat
    assert outside.number not in flat and "Old library roof" not in flat
    # The component and municipality figures printed are those of the snapshot.
    civic = rendered.figures["components"]["civic_engagement"]
    assert civic == {
        "awarded": 2,
        "awarded_amount": "17345.67",
        "active_at_end": 3,
        "disbursed": "0.00",
        "cost_share_contributed": "0.00",
    }
    assert rendered.figures["municipalities"]["gjilan"]["awarded"] == 1
    assert rendered.figures["municipalities"]["gracanica"]["committed"] == "5000.00"
    assert "17,345.67" in flat


def test_a_date_range_report_says_which_quarter_its_indicators_are_from(quarter_data, tmp_path):
    rendered = _render(period_start=datetime.date(2026, 9, 1), period_end=datetime.date(2026, 10, 31))
    flat = words(pdf_text(rendered.content, tmp_path))

    assert "1 September 2026 – 31 October 2026" in flat
    assert "are those of FY2027 Q1" in flat
    assert rendered.figures["grants_in_period"] == 2  # 30 September and 15 October; not 31 December


def test_the_municipality_figures_cost_the_same_queries_however_many_municipalities_have_grants(
    django_assert_max_num_queries,
):
    for code in ("gjilan", "gracanica", "istog", "novoberde"):
        _grant(datetime.date(2026, 11, 2), f"Project in {code}", "1000.00", municipality=code)
    period = Period.fiscal_quarter(2027, 1)

    with django_assert_max_num_queries(12):
        rows = figures_of.municipality_figures(period)

    assert len(rows) == 16
    assert {row.municipality.code: row.awarded for row in rows if row.awarded} == {
        "gjilan": 1,
        "gracanica": 1,
        "istog": 1,
        "novoberde": 1,
    }


@pytest.mark.django_db
def test_the_default_cover_texts_follow_the_document_language():
    from django.utils import translation

    from reports.branding import report_branding

    with translation.override("en"):
        english = report_branding()
    with translation.override("sq"):
        albanian = report_branding()
    assert english.programme_name == "Advancing Kosovo Together – Local Solutions"
    assert albanian.programme_name != english.programme_name and "Kosov" in albanian.programme_name
    assert albanian.disclaimer != english.disclaimer and "USAID" in albanian.disclaimer
