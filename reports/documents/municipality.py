"""The municipality report (PDF, in sq, sr-latn, sr or en): everything the programme did in one partner municipality
in a period — memorandum, money per component, grants, businesses, trainings and people trained, TA activities and
deliverables, services improved, public hearings, and the indicators that can be narrowed to the municipality.

Figures of the period come from reports/documents/quarterly_figures (narrowed with `municipality=`), figures to
date from municipal.selectors.municipality_overview, indicators from their registered calculations filtered by
[("municipality", code)]: a fixed number of queries whatever the municipality holds.
"""

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import Community, Sex
from municipal.models import HearingAttendance
from municipal.selectors import HearingTotals, municipality_overview
from municipal.selectors_tracker import tracker_for_municipality
from reports.branding import report_branding
from reports.calculations import registry
from reports.documents import Rendered, document
from reports.documents import quarterly_figures as figures_of
from reports.documents.quarterly import format_value, run_period
from reports.selectors import indicators_queryset


def hearing_totals(period, municipality):
    """Citizens at the municipality's public hearings held during the period, by community and sex: two queries."""
    activities = figures_of.ta_activities(period, municipality=municipality)
    rows = (
        HearingAttendance.objects.filter(activity__in=activities.values("pk"))
        .values("community", "sex")
        .annotate(total=Sum("count"))
        .order_by()
    )
    hearings = activities.filter(hearing_attendance__isnull=False).distinct().count()
    return HearingTotals(cells={(row["community"], row["sex"]): row["total"] for row in rows}, hearings=hearings)


def municipal_indicators(period, municipality):
    """The reported indicators whose calculation can be narrowed to one municipality, with the period's figure."""
    rows = []
    for indicator in indicators_queryset():
        calculation = registry.get(indicator.calculation)
        if calculation is None or "municipality" not in calculation.dimensions:
            continue
        figure = calculation.compute(period, filters=[("municipality", municipality.code)])
        rows.append(
            {"code": indicator.code, "name": indicator.name, "value": format_value(figure.value, indicator.unit)}
        )
    return rows


def people_rows(breakdown):
    """The people trained by sex, and by community × sex for the communities with anyone."""
    by_sex = [(label, breakdown["sex"].get(value, 0)) for value, label in Sex.choices]
    cells = breakdown["community_sex"]
    by_community = [
        (label, [cells.get((value, sex), 0) for sex in Sex.values], breakdown["community"].get(value, 0))
        for value, label in Community.choices
        if breakdown["community"].get(value, 0)
    ]
    return {"total": breakdown["total"], "sex": by_sex, "community": by_community}


def build(run, progress):
    municipality = run.municipality
    if municipality is None:
        raise ValueError(_("The municipality report needs a municipality."))
    period = run_period(run)
    progress(10, _("Reading the municipality"))
    overview = municipality_overview(municipality)
    progress(30, _("Counting the period"))
    components = figures_of.component_figures(period, municipality=municipality)
    trainings = figures_of.training_figures(period, municipality=municipality)
    ta = figures_of.ta_figures(period, municipality=municipality)
    grants = figures_of.grants_list(period, municipality=municipality)
    events = figures_of.trainings_list(period, municipality=municipality)
    activities = figures_of.ta_list(period, municipality=municipality)
    businesses = figures_of.businesses_supported(period, municipality=municipality)
    progress(55, _("Services and hearings"))
    services = tracker_for_municipality(municipality)
    hearings = hearing_totals(period, municipality)
    progress(65, _("Computing the indicators"))
    indicators = municipal_indicators(period, municipality)
    memorandum = overview["memorandum"]
    context = {
        "municipality": municipality,
        "period": period,
        "branding": report_branding(),
        "submitted_on": timezone.localdate(run.created_at) if run.created_at else timezone.localdate(),
        "overview": overview,
        "memorandum": memorandum,
        "components": components,
        "trainings": trainings,
        "people": people_rows(trainings.breakdown),
        "sex_labels": Sex.labels,
        "ta": ta,
        "deliverables": sum(activity.deliverable_count for activity in activities),
        "grants": grants,
        "events": events,
        "activities": activities,
        "businesses": businesses,
        "services": services,
        "hearings": hearings,
        "indicators": indicators,
    }
    figures = {
        "municipality": municipality.code,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": str(period.label)},
        "mou_status": memorandum.status if memorandum else None,
        "components": {row.component: row.as_data() for row in components},
        "to_date": {
            "committed": figures_of.plain(overview["money"].committed),
            "paid": figures_of.plain(overview["money"].paid),
        },
        "grants_in_period": len(grants),
        "grants": [grant.number for grant in grants],
        "businesses": businesses,
        "trainings": trainings.as_data(),
        "ta": {**ta, "deliverables": context["deliverables"]},
        "services_improved": services.improved_count,
        "services_tracked": len(services),
        "hearing_participants": hearings.total,
        "indicators": {row["code"]: row["value"] for row in indicators},
    }
    return context, figures


@document("municipality", formats=("pdf",))
def render(run, progress):
    language = run.language or "sq"
    with translation.override(language):
        context, figures = build(run, progress)
        progress(80, _("Laying out the pages"))
        html = render_to_string("reports/pdf/municipality.html", {**context, "document_language": language})
        content, pages = figures_of.pdf_with_pages(html)
        progress(100, _("Done"))
    return Rendered(content=content, figures=figures, pages=pages)
