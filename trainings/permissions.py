"""Who may see and run trainings (architecture.md: programme officer, M&E officer, manager, administrator).

Plain functions `can_<action>(user, obj=None)`; views name them through core.permissions.PermissionRequiredMixin,
so everyone else gets 404.
"""

from accounts.permissions import can_view_personal_data
from accounts.roles import Role, has_role

TRAINING_ROLES = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)


def can_view_trainings(user, obj=None):
    return user.is_authenticated and has_role(user, *TRAINING_ROLES)


def can_manage_trainings(user, obj=None):
    """Create and change courses, events and sessions; enrol people, record attendance, scores and completion."""
    return user.is_authenticated and has_role(user, *TRAINING_ROLES)


def can_view_participant_personal_data(user, obj=None):
    """Participants' birth dates and communities one by one: only the roles that may see personal data."""
    return can_view_personal_data(user)
