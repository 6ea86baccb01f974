"""Who may do what with accounts and people. Plain functions: `can_<action>(user, obj=None)`."""

from accounts.roles import Role, has_role, is_staff_member

# Roles that need to see community, birth date and ID numbers (architecture.md).
PERSONAL_DATA_ROLES = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)


def can_use_applicant_space(user, obj=None):
    return user.is_authenticated and has_role(user, Role.APPLICANT)


def can_use_review_space(user, obj=None):
    return user.is_authenticated and has_role(user, Role.REVIEWER)


def can_use_staff_space(user, obj=None):
    return user.is_authenticated and is_staff_member(user)


def can_edit_own_preferences(user, obj=None):
    return user.is_authenticated


def can_view_personal_data(user, person=None):
    """Community, birth date and ID numbers: the person themself, or the roles that need them."""
    if not user.is_authenticated:
        return False
    if person is not None and person.user_id == user.pk:
        return True
    return has_role(user, *PERSONAL_DATA_ROLES)


def can_manage_people_registry(user, obj=None):
    """The staff registry of people (list, person page, duplicates, merge): only roles that see personal data."""
    return user.is_authenticated and has_role(user, *PERSONAL_DATA_ROLES)
