"""Roles are Django groups named by these codes (never by a translated label)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    ME_OFFICER = "me_officer", _("M&E officer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    MANAGER = "manager", _("Manager")
    USAID_VIEWER = "usaid_viewer", _("USAID viewer")
    ADMIN = "admin", _("Administrator")


# Roles that work in the /staff/ back office (and so need two-factor authentication).
STAFF_ROLES = frozenset(
    {
        Role.PROGRAMME_OFFICER,
        Role.ME_OFFICER,
        Role.FINANCE_OFFICER,
        Role.MANAGER,
        Role.USAID_VIEWER,
        Role.ADMIN,
    }
)


def user_roles(user):
    """The role codes of `user`, read once per request object and kept on it."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._role_codes = cached
    return cached


def has_role(user, *roles):
    return bool(user_roles(user) & set(roles))


def is_staff_member(user):
    return bool(user_roles(user) & STAFF_ROLES)
