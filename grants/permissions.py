"""Who may do what with calls and applications: plain `can_<action>(user, obj=None)` functions."""

from accounts.roles import Role, has_role
from grants.models import ApplicationStatus, CallStatus, GrantStatus

# Roles that read every application (architecture.md); reviewers read only what they are assigned.
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


# --- Selection (screening, reviews, decisions) and grants -----------------------------------------------------
DECIDE = (Role.MANAGER, Role.ADMIN)
MANAGE_GRANTS = (Role.PROGRAMME_OFFICER, Role.MANAGER, Role.ADMIN)
FINANCE = (Role.FINANCE_OFFICER, Role.MANAGER, Role.ADMIN)


def can_screen(user, application=None):
    if not (user.is_authenticated and has_role(user, *INTAKE)):
        return False
    return application is None or application.status == ApplicationStatus.SUBMITTED


def can_assign_reviewers(user, application=None):
    if not (user.is_authenticated and has_role(user, *INTAKE)):
        return False
    return application is None or application.status in (ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_REVIEW)


def can_see_assignment(user, assignment=None):
    """A reviewer sees their own assignments (title and municipality only until they declare)."""
    if not (user.is_authenticated and has_role(user, Role.REVIEWER)):
        return False
    return assignment is None or assignment.reviewer_id == user.pk


def can_read_assigned_application(user, assignment):
    return can_see_assignment(user, assignment) and assignment.may_read_application


def can_score(user, assignment):
    from grants.models import AssignmentStatus

    return can_see_assignment(user, assignment) and assignment.status == AssignmentStatus.DECLARED


def can_view_reviews(user, application=None):
    """Staff see reviews and reviewer names; applicants never do."""
    return user.is_authenticated and has_role(user, *READ_ALL_APPLICATIONS)


def can_record_decision(user, application=None):
    """The committee decides (recorded by a manager); programme officers propose through the ranking."""
    if not (user.is_authenticated and has_role(user, *DECIDE)):
        return False
    return application is None or application.status in (ApplicationStatus.REVIEWED, ApplicationStatus.WAITLISTED)


def can_view_ranking(user, call=None):
    return user.is_authenticated and has_role(user, *READ_ALL_APPLICATIONS)


def can_view_grant(user, grant=None):
    if not user.is_authenticated:
        return False
    if grant is not None and grant.application.applicant_id == user.pk:
        return True
    return has_role(user, *READ_ALL_APPLICATIONS)


def can_manage_grant(user, grant=None):
    return user.is_authenticated and has_role(user, *MANAGE_GRANTS)


def can_edit_grant_budget(user, grant=None):
    """Finance adjusts the approved budget until the agreement is signed."""
    from grants.models import GrantStatus

    if not (user.is_authenticated and has_role(user, *FINANCE)):
        return False
    return grant is None or grant.status == GrantStatus.AWAITING_SIGNATURE


def can_export_selection_record(user, call=None):
    return user.is_authenticated and has_role(user, *DECIDE)


def can_edit_grant_terms(user, grant=None):
    """Programme staff and finance change the terms until the agreement is signed."""
    if grant is not None and grant.status != GrantStatus.AWAITING_SIGNATURE:
        return False
    return can_manage_grant(user, grant) or can_edit_grant_budget(user, grant)


def can_plan_tranches(user, grant=None):
    """Programme staff plan milestones and tranches until signature; afterwards the implementation pages do."""
    if grant is not None and grant.status != GrantStatus.AWAITING_SIGNATURE:
        return False
    return can_manage_grant(user, grant)


def can_prepare_agreement(user, grant=None):
    """Generating the agreement and uploading its signed copy belong to programme staff, before signature."""
    if grant is not None and grant.status != GrantStatus.AWAITING_SIGNATURE:
        return False
    return can_manage_grant(user, grant)
