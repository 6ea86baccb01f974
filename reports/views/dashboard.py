"""The managers' dashboard, shown on the staff start page (/staff/, akt_ls.views.StaffHomeView) above its buttons.

Not a page of its own: `dashboard_context(request)` reads the filters (GET `fy`, `component`), and returns what
templates/reports/_dashboard.html prints, or None when the reader may not see indicators. The figures come from
reports.selectors_dashboard; this module only reads the request and says which filters were chosen.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from core.choices import Component
from reports.periods import current_fiscal_year, fiscal_year_of
from reports.permissions import can_view_indicators, is_aggregate_only
from reports.selectors_dashboard import Dashboard


def fiscal_years():
    """From the programme's first fiscal year to the current one, the newest first."""
    first = fiscal_year_of(settings.PROGRAMME_START_DATE)
    last = max(current_fiscal_year(), first)
    return list(range(last, first - 1, -1))


def chosen_filters(params):
    """(fiscal year, component or None, [error messages]) from the query string; a value the form does not offer
    falls back to the default and says so."""
    errors = []
    years = fiscal_years()
    fiscal_year = current_fiscal_year() if current_fiscal_year() in years else years[0]
    raw_year = (params.get("fy") or "").strip()
    if raw_year:
        try:
            asked = int(raw_year)
        except ValueError:
            asked = None
        if asked in years:
            fiscal_year = asked
        else:
            errors.append(
                _("There are no figures for fiscal year %(year)s; showing FY%(default)s.")
                % {"year": raw_year, "default": fiscal_year}
            )
    component = (params.get("component") or "").strip() or None
    if component is not None and component not in Component.values:
        errors.append(_("Choose one of the programme's components, or all of them."))
        component = None
    return fiscal_year, component, errors


def dashboard_context(request):
    """The dashboard's context for the staff start page, or None for readers who may not see indicators."""
    user = request.user
    if not can_view_indicators(user):
        return None
    fiscal_year, component, errors = chosen_filters(request.GET)
    dashboard = Dashboard(user, fiscal_year, component)
    charts = dashboard.charts()
    return {
        "fiscal_year": fiscal_year,
        "fiscal_years": fiscal_years(),
        "component": component or "",
        "components": Component.choices,
        "component_label": dict(Component.choices).get(component, ""),
        "errors": errors,
        "period": dashboard.period,
        "aggregate_only": is_aggregate_only(user),
        "headlines": dashboard.headlines(),
        "progress": dashboard.progress(),
        "charts": charts,
        "chart_data": [(f"{chart.id}-data", chart.data()) for chart in charts],
        "grid": dashboard.municipality_grid(),
    }
