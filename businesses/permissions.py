"""Who may see and change businesses (architecture.md: programme officer, M&E officer, manager, administrator).

Plain functions `can_<action>(user, obj=None)`; views name them through core.permissions.PermissionRequiredMixin,
so everyone else gets 404.
"""

from accounts.permissions import can_view_personal_data
from accounts.roles import Role, has_role

BUSINESS_ROLES = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)


def can_view_businesses(user, business=None):
    return user.is_authenticated and has_role(user, *BUSINESS_ROLES)


def can_manage_businesses(user, business=None):
    """Create and edit businesses, owners, snapshots and market links, and record a formalisation."""
    return user.is_authenticated and has_role(user, *BUSINESS_ROLES)


def can_view_owner_personal_data(user, business=None):
    """Owners' birth dates and communities: only the roles that may see personal data."""
    return can_view_personal_data(user)
