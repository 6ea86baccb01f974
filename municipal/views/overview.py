"""The list of partner municipalities and the page that brings everything about one municipality together.

The page is the municipality's figures (municipal.selectors.municipality_overview) and three panels that other
parts of the app own — partnership, TA packages, services tracker — each rendered from its own selector and
template. USAID's viewer (`overview_is_aggregate_only`) sees numbers only: no names, no links into records, no
documents; everyone else sees a number as a link to the list behind it when they may open that list.
"""

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import View

from businesses.permissions import can_view_businesses
from core.permissions import PermissionRequiredMixin
from grants.permissions import can_view_grant
from municipal.permissions import can_manage_municipal, can_view_municipality_overview, overview_is_aggregate_only
from municipal.selectors import municipalities_summary, municipality_overview
from municipal.selectors_packages import packages_of_municipality
from municipal.selectors_partnership import partnership_for_page
from municipal.selectors_tracker import tracker_for_municipality
from municipalities.models import Municipality, ProgrammeGroup
from trainings.permissions import can_view_trainings


def _links(user, aggregate_only):
    """Which lists a number may link to for this user (none for aggregate-only readers)."""
    if aggregate_only:
        return {"grants": False, "businesses": False, "trainings": False}
    return {
        "grants": can_view_grant(user, None),
        "businesses": can_view_businesses(user),
        "trainings": can_view_trainings(user),
    }


class MunicipalityListView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_municipality_overview)

    def get(self, request):
        summaries = municipalities_summary()
        groups = [
            (label, [row for row in summaries if row.municipality.programme_group == value])
            for value, label in ProgrammeGroup.choices
        ]
        aggregate_only = overview_is_aggregate_only(request.user)
        context = {
            "groups": [(label, rows) for label, rows in groups if rows],
            "aggregate_only": aggregate_only,
            "links": _links(request.user, aggregate_only),
        }
        return render(request, "municipal/municipality_list.html", context)


def _partnership_panel(municipality):
    return partnership_for_page(municipality)


def _packages_panel(municipality):
    return {"packages": packages_of_municipality(municipality)}


def _tracker_panel(municipality):
    return {"services": tracker_for_municipality(municipality)}


# name: (template, function returning the panel's own context). Each panel owns its queries (constant per page).
PANELS = {
    "partnership": ("municipal/partnership/_panel.html", _partnership_panel),
    "packages": ("municipal/packages/_panel.html", _packages_panel),
    "tracker": ("municipal/tracker/_panel.html", _tracker_panel),
}


def _panels(request, municipality, shared):
    """{name: rendered HTML} of the panels."""
    return {
        name: render_to_string(template_name, {**shared, **context_of(municipality)}, request)
        for name, (template_name, context_of) in PANELS.items()
    }


class MunicipalityOverviewView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_municipality_overview)

    def get(self, request, code):
        municipality = Municipality.objects.filter(code=code, is_partner=True).first()
        if municipality is None:
            raise Http404
        aggregate_only = overview_is_aggregate_only(request.user)
        shared = {
            "municipality": municipality,
            "may_manage": can_manage_municipal(request.user),
            "aggregate_only": aggregate_only,
        }
        context = {
            **shared,
            **municipality_overview(municipality),
            "links": _links(request.user, aggregate_only),
            "panels": _panels(request, municipality, shared),
        }
        return render(request, "municipal/municipality_detail.html", context)
