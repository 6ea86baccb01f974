"""Who may see and change the municipal component (architecture.md: municipal TA — programme officer, M&E officer,
manager, administrator; dashboards and reports also finance and USAID's viewer, who sees aggregates only).

Plain functions `can_<action>(user, obj=None)`; views name them through core.permissions.PermissionRequiredMixin,
so everyone else gets 404.
"""

from accounts.permissions import can_view_personal_data
from accounts.roles import Role, has_role

TA_ROLES = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)
OVERVIEW_ROLES = (*TA_ROLES, Role.FINANCE_OFFICER, Role.USAID_VIEWER)


def can_view_municipal(user, obj=None):
    """MoUs, focal persons, packages, activities, deliverables and the services tracker, in full."""
    return user.is_authenticated and has_role(user, *TA_ROLES)


def can_manage_municipal(user, obj=None):
    """Record and change MoUs, profiles, packages, activities (and their status), deliverables, hearings, services
    and measures."""
    return user.is_authenticated and has_role(user, *TA_ROLES)


def can_view_municipality_overview(user, obj=None):
    """The list of municipalities and each municipality's page. USAID's viewer and finance see it too; see
    `overview_is_aggregate_only` for what they see."""
    return user.is_authenticated and has_role(user, *OVERVIEW_ROLES)


def overview_is_aggregate_only(user):
    """USAID's viewer reads totals only: no names, documents, or links into records."""
    return not can_view_municipal(user) and not has_role(user, Role.FINANCE_OFFICER)


def can_view_participant_personal_data(user, obj=None):
    return can_view_personal_data(user)
