"""The USAID quarterly progress report (PDF): cover, contents, the narratives staff wrote for the quarter, the
indicator table, what each component did, a chapter per partner municipality and the annexes (grants awarded,
trainings held, financial summary).

Every number comes from the selectors (reports.selectors.indicator_table and reports/documents/quarterly_figures),
and every number printed is also in the figures returned for the run's snapshot, so a report sent to USAID can be
reproduced and compared with a later run. Text people wrote (narratives, grant summaries) is escaped by the
template and keeps its line breaks.
"""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Component
from reports.branding import report_branding
from reports.calculations import registry
from reports.documents import Rendered, document
from reports.documents import quarterly_figures as figures_of
from reports.models import Narrative, NarrativeSection, Unit
from reports.periods import Period, fiscal_year_of, quarter_of
from reports.selectors import indicator_table, snapshot_of_rows

# Figures of registered calculations each component chapter prints beside its own counts. A key another module has
# not registered yet prints "not available".
COMPONENT_CALCULATIONS = {
    Component.CIVIC_ENGAGEMENT: [
        ("infrastructure_completed", gettext_lazy("Small infrastructure projects completed")),
        ("joint_activity_people", gettext_lazy("People from different communities in joint activities")),
        ("csos_supported", gettext_lazy("Civil-society organisations supported")),
    ],
    Component.BUSINESS_DEVELOPMENT: [
        ("firms_assisted", gettext_lazy("Firms receiving assistance")),
        ("persons_trained", gettext_lazy("Persons trained")),
        ("businesses_formalised", gettext_lazy("Businesses formalised")),
    ],
    Component.MUNICIPAL_DEVELOPMENT: [
        ("municipalities_assisted", gettext_lazy("Municipalities receiving assistance")),
        ("services_improved", gettext_lazy("Municipal services improved")),
        ("municipal_staff_trained", gettext_lazy("Municipal staff trained")),
        ("hearing_participants", gettext_lazy("Citizens taking part in public hearings")),
    ],
}


def run_period(run):
    """The period of a run: its fiscal quarter or year when it names one, else the dates as given."""
    if run.fiscal_year and run.quarter:
        return Period.fiscal_quarter(run.fiscal_year, run.quarter)
    if run.fiscal_year and (run.period_start, run.period_end) == (
        Period.fiscal_year(run.fiscal_year).start,
        Period.fiscal_year(run.fiscal_year).end,
    ):
        return Period.fiscal_year(run.fiscal_year)
    return Period.dates(run.period_start, run.period_end)


def reporting_quarter(period):
    """The fiscal year and quarter whose indicator table and narratives the report prints: the run's own, or for
    a fiscal year or a date range the quarter in which the period ends."""
    if period.quarter:
        return period.fiscal_year, period.quarter
    return fiscal_year_of(period.end), quarter_of(period.end)


def format_value(value, unit=Unit.NUMBER):
    """A figure as the report prints it: money and FTE with two decimals, percentages with one, counts whole."""
    if value is None:
        return "—"
    value = Decimal(value)
    if unit in (Unit.EUR, Unit.USD, Unit.FTE):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    if unit == Unit.PERCENT:
        return formats.number_format(value, 1, use_l10n=True) + " %"
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def money(value):
    return format_value(value or Decimal(0), Unit.EUR)


def narrative_sections(fiscal_year, quarter):
    """Each section of the quarter in order, with its text or None when nobody wrote it: one query."""
    texts = dict(Narrative.objects.filter(fiscal_year=fiscal_year, quarter=quarter).values_list("section", "text"))
    return {
        code: {"code": code, "label": label, "text": (texts.get(code) or "").strip() or None}
        for code, label in NarrativeSection.choices
    }


def _cell_text(cell, unit):
    if cell is None:
        return {"text": "", "adjusted": False}
    return {"text": format_value(cell.value, unit) if cell.figure is not None else "—", "adjusted": cell.is_adjusted}


def indicator_view(rows):
    """The indicator table as the template prints it, and the notes on adjusted values."""
    table, notes = [], []
    for row in rows:
        unit = row.indicator.unit
        table.append(
            {
                "code": row.indicator.code,
                "name": row.indicator.name,
                "unit": row.indicator.get_unit_display(),
                "baseline": format_value(row.indicator.baseline_value, unit),
                "target": format_value(row.target, unit),
                "quarters": [_cell_text(cell, unit) for cell in row.quarters],
                "year": _cell_text(row.year, unit),
                "cumulative": _cell_text(row.cumulative, unit),
                "percent": format_value(row.percent_of_target, Unit.PERCENT),
                "on_track": row.on_track,
            }
        )
        for adjustment in row.cumulative.adjustments:
            notes.append(
                {
                    "code": row.indicator.code,
                    "period": Period.fiscal_quarter(adjustment.fiscal_year, adjustment.quarter).label,
                    "value": f"{adjustment.value:+}",
                    "reason": adjustment.reason,
                    "recorded_by": str(adjustment.recorded_by),
                }
            )
    return table, notes


def component_chapters(period, narratives, component_rows, trainings, ta):
    chapters = []
    for row in component_rows:
        extra = [
            {"key": key, "label": label, "value": figures_of.calculation_value(key, period)}
            for key, label in COMPONENT_CALCULATIONS.get(row.component, [])
        ]
        chapters.append(
            {
                "row": row,
                "narrative": narratives[row.component],
                "calculations": [
                    {
                        **item,
                        "text": figures_of.not_available() if item["value"] is None else format_value(item["value"]),
                    }
                    for item in extra
                ],
                "trainings": trainings if row.component == Component.BUSINESS_DEVELOPMENT else None,
                "ta": ta if row.component == Component.MUNICIPAL_DEVELOPMENT else None,
            }
        )
    return chapters


def _financial_total(rows):
    return {
        "awarded": sum(row.awarded for row in rows),
        "awarded_amount": sum((row.awarded_amount for row in rows), Decimal(0)),
        "disbursed": sum((row.disbursed for row in rows), Decimal(0)),
        "cost_share": sum((row.cost_share for row in rows), Decimal(0)),
        "active": sum(row.active for row in rows),
    }


def build(run, progress):
    """The template context and the snapshot figures of a quarterly report."""
    period = run_period(run)
    fiscal_year, quarter = reporting_quarter(period)
    branding = report_branding()
    progress(5, _("Reading the narratives"))
    narratives = narrative_sections(fiscal_year, quarter)
    progress(15, _("Computing the indicators"))
    rows = indicator_table(fiscal_year, through_quarter=quarter)
    table, notes = indicator_view(rows)
    progress(45, _("Counting grants, trainings and technical assistance"))
    component_rows = figures_of.component_figures(period)
    trainings = figures_of.training_figures(period)
    ta = figures_of.ta_figures(period)
    progress(60, _("Summing up the municipalities"))
    municipalities = figures_of.municipality_figures(period)
    progress(70, _("Listing the annexes"))
    grants = figures_of.grants_list(period)
    events = figures_of.trainings_list(period)
    context = {
        "period": period,
        "is_quarter": bool(period.quarter),
        "table_quarter": Period.fiscal_quarter(fiscal_year, quarter),
        "branding": branding,
        "submitted_on": timezone.localdate(run.created_at) if run.created_at else timezone.localdate(),
        "narratives": narratives,
        "indicators": table,
        "adjustment_notes": notes,
        "chapters": component_chapters(period, narratives, component_rows, trainings, ta),
        "trainings": trainings,
        "ta": ta,
        "municipalities": municipalities,
        "grants": grants,
        "events": events,
        "financial": component_rows,
        "financial_total": _financial_total(component_rows),
    }
    figures = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": str(period.label)},
        "indicator_quarter": {"fiscal_year": fiscal_year, "quarter": quarter},
        "branding": branding.as_data(),
        "narratives": {code: section["text"] is not None for code, section in narratives.items()},
        "indicators": snapshot_of_rows(rows),
        "components": {row.component: row.as_data() for row in component_rows},
        "trainings": trainings.as_data(),
        "ta": ta,
        "municipalities": {row.municipality.code: row.as_data() for row in municipalities},
        "grants_in_period": len(grants),
        "grants": [grant.number for grant in grants],
        "training_events_in_period": len(events),
        "calculations_not_available": sorted(
            {key for items in COMPONENT_CALCULATIONS.values() for key, _label in items if registry.get(key) is None}
        ),
    }
    return context, figures


@document("quarterly", formats=("pdf",))
def render(run, progress):
    language = run.language or "en"
    with translation.override(language):
        context, figures = build(run, progress)
        progress(80, _("Laying out the pages"))
        html = render_to_string("reports/pdf/quarterly.html", {**context, "document_language": language})
        content, pages = figures_of.pdf_with_pages(html)
        progress(100, _("Done"))
    return Rendered(content=content, figures=figures, pages=pages)
