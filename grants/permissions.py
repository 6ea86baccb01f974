"""Who may do what with calls and applications: plain `can_<action>(user, obj=None)` functions."""

from accounts.roles import Role, has_role
from grants.models import ApplicationStatus, CallStatus

# Roles that read every application (architecture.md); reviewers read only what they are assigned (next issue).
READ_ALL_APPLICATIONS = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.FINANCE_OFFICER, Role.MANAGER, Role.ADMIN)
MANAGE_CALLS = (Role.PROGRAMME_OFFICER, Role.MANAGER, Role.ADMIN)
INTAKE = (Role.PROGRAMME_OFFICER, Role.MANAGER, Role.ADMIN)


def can_view_call_publicly(user, call=None):
    return call is None or call.status != CallStatus.DRAFT


def can_manage_calls(user, call=None):
    return user.is_authenticated and has_role(user, *MANAGE_CALLS)


def can_apply(user, call=None):
    if not (user.is_authenticated and has_role(user, Role.APPLICANT)):
        return False
    return call is None or call.is_open


def can_view_application(user, application=None):
    if not user.is_authenticated:
        return False
    if application is not None and application.applicant_id == user.pk:
        return True
    return has_role(user, *READ_ALL_APPLICATIONS)


def can_edit_application(user, application):
    if not user.is_authenticated or application.applicant_id != user.pk:
        return False
    return application.status in (ApplicationStatus.DRAFT, ApplicationStatus.CLARIFICATION_REQUESTED)


def can_withdraw_application(user, application):
    from grants.models import APPLICATION_TRANSITIONS

    return (
        user.is_authenticated
        and application.applicant_id == user.pk
        and ApplicationStatus.WITHDRAWN in APPLICATION_TRANSITIONS.get(application.status, set())
    )


def can_list_applications(user, obj=None):
    return user.is_authenticated and has_role(user, *READ_ALL_APPLICATIONS)


def can_request_clarification(user, application=None):
    if not (user.is_authenticated and has_role(user, *INTAKE)):
        return False
    return application is None or application.status == ApplicationStatus.SUBMITTED
