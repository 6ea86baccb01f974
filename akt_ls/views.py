from django.views.generic import TemplateView

from accounts.permissions import can_manage_people_registry, can_use_staff_space
from accounts.roles import Role, user_roles
from accounts.selectors import programme_counts
from businesses.permissions import can_view_businesses
from core.choices import Component
from core.permissions import PermissionRequiredMixin
from grants.permissions import (
    can_assign_reviewers,
    can_list_applications,
    can_manage_calls,
    can_view_grant,
    can_view_portfolio,
)
from grants.selectors import grant_work_counts, open_calls
from grants.views.public import with_time_left
from municipal.permissions import can_view_municipality_overview
from municipalities.selectors import partner_municipalities, partner_municipalities_by_group
from reports.permissions import can_view_indicators
from reports.views.dashboard import dashboard_context
from trainings.permissions import can_view_trainings


class HomeView(TemplateView):
    """The public home page: the programme, its open calls and its 16 partner municipalities."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipality_groups"] = partner_municipalities_by_group()
        context["components"] = Component
        context["open_calls"] = with_time_left(list(open_calls()))
        return context


class StaffHomeView(PermissionRequiredMixin, TemplateView):
    """The staff start page: the dashboard (for the roles that see indicators), what the programme holds, and the
    work each role may open."""

    permission = staticmethod(can_use_staff_space)
    template_name = "accounts/staff_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        labels = dict(Role.choices)
        context["role_labels"] = [labels[code] for code in sorted(user_roles(user)) if code in labels]
        context["counts"] = programme_counts()
        context["municipality_count"] = partner_municipalities().count()
        context["is_admin"] = Role.ADMIN in user_roles(user)
        context["can_manage_calls"] = can_manage_calls(user)
        context["can_list_applications"] = can_list_applications(user)
        context["can_manage_grants"] = can_view_grant(user)
        context["can_review_assignments"] = can_assign_reviewers(user)
        context["can_view_portfolio"] = can_view_portfolio(user)
        context["can_manage_people"] = can_manage_people_registry(user)
        context["can_view_businesses"] = can_view_businesses(user)
        context["can_view_trainings"] = can_view_trainings(user)
        context["can_view_municipalities"] = can_view_municipality_overview(user)
        context["work"] = grant_work_counts(user)
        context["can_view_indicators"] = can_view_indicators(user)
        context["dashboard"] = dashboard_context(self.request)
        return context
