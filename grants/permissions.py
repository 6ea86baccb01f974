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


# --- Grant implementation (tranches, payments, visits, reports, amendments, closeout) -------------------------
# Officers follow the work (visits, reports, requests); finance approves and pays; managers decide amendments and
# the grant's own status. The grantee reads their grant, requests tranches and writes their reports.
IMPLEMENTING = (GrantStatus.ACTIVE,)
FOLLOWED = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED, GrantStatus.COMPLETED)


def is_grantee(user, grant):
    return user.is_authenticated and grant is not None and grant.application.applicant_id == user.pk


def can_request_tranche(user, tranche=None):
    """The grantee or programme staff ask for a planned tranche of an active grant."""
    if tranche is None:
        return user.is_authenticated and has_role(user, Role.APPLICANT, *MANAGE_GRANTS)
    from grants.models import TrancheStatus

    if tranche.grant.status not in IMPLEMENTING or tranche.status != TrancheStatus.PLANNED:
        return False
    return is_grantee(user, tranche.grant) or can_manage_grant(user, tranche.grant)


def can_approve_tranche(user, tranche=None):
    """Finance approves a requested tranche (and may override an unverified milestone with a reason)."""
    if not (user.is_authenticated and has_role(user, *FINANCE)):
        return False
    from grants.models import TrancheStatus

    return tranche is None or (tranche.grant.status in IMPLEMENTING and tranche.status == TrancheStatus.REQUESTED)


def can_pay_tranche(user, tranche=None):
    """Finance records payments against an approved tranche."""
    if not (user.is_authenticated and has_role(user, *FINANCE)):
        return False
    from grants.models import TrancheStatus

    return tranche is None or (tranche.grant.status in IMPLEMENTING and tranche.status == TrancheStatus.APPROVED)


def can_cancel_tranche(user, tranche=None):
    """Finance cancels a tranche that is not fully paid (or what is left of it), with a reason."""
    if not (user.is_authenticated and has_role(user, *FINANCE)):
        return False
    from grants.models import TRANCHE_TRANSITIONS, TrancheStatus

    if tranche is None:
        return True
    return tranche.grant.status in FOLLOWED and TrancheStatus.CANCELLED in TRANCHE_TRANSITIONS[tranche.status]


def can_record_delivery(user, grant=None):
    """In-kind grants: programme staff and finance record goods handed over, with the signed handover record."""
    if not (user.is_authenticated and has_role(user, *MANAGE_GRANTS, *FINANCE)):
        return False
    from grants.models import InstrumentType

    return grant is None or (grant.status in IMPLEMENTING and grant.instrument == InstrumentType.IN_KIND)


def can_record_visit(user, grant=None):
    """Programme officers record monitoring visits of grants being implemented (and the final one)."""
    if not (user.is_authenticated and has_role(user, *MANAGE_GRANTS)):
        return False
    return grant is None or grant.status in FOLLOWED


def can_edit_report(user, report=None):
    """The grantee writes a report that is not submitted yet, or that came back for revision."""
    from grants.models import ReportStatus

    if report is None:
        return user.is_authenticated and has_role(user, Role.APPLICANT)
    editable = (ReportStatus.DRAFT, ReportStatus.REVISION_REQUESTED)
    return is_grantee(user, report.grant) and report.status in editable and report.grant.status in FOLLOWED


def can_review_report(user, report=None):
    """Programme officers accept a submitted report or ask for a revision."""
    if not (user.is_authenticated and has_role(user, *MANAGE_GRANTS)):
        return False
    from grants.models import ReportStatus

    return report is None or report.status == ReportStatus.SUBMITTED


def can_view_money(user, obj=None):
    """Money pages (per grant and across the portfolio) are for the roles that read every grant."""
    return user.is_authenticated and has_role(user, *READ_ALL_APPLICATIONS)


def can_view_portfolio(user, obj=None):
    """The portfolio's money by call, component and municipality is an aggregate: USAID's viewer reads it too."""
    return can_view_money(user) or (user.is_authenticated and has_role(user, Role.USAID_VIEWER))


def can_manage_exchange_rates(user, obj=None):
    return user.is_authenticated and has_role(user, *FINANCE)


def can_propose_amendment(user, grant=None):
    if not (user.is_authenticated and has_role(user, *MANAGE_GRANTS, *FINANCE)):
        return False
    return grant is None or grant.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)


def can_decide_amendment(user, amendment=None):
    """A manager approves or rejects a proposed amendment; never the person who proposed it (four eyes)."""
    if not (user.is_authenticated and has_role(user, *DECIDE)):
        return False
    from grants.models import AmendmentStatus

    if amendment is None:
        return True
    return amendment.status == AmendmentStatus.PROPOSED and amendment.proposed_by_id != user.pk


def can_withdraw_amendment(user, amendment):
    """Only the person who proposed an amendment withdraws it, while it waits for a decision."""
    from grants.models import AmendmentStatus

    return (
        user.is_authenticated and amendment.status == AmendmentStatus.PROPOSED and amendment.proposed_by_id == user.pk
    )


def can_change_grant_status(user, grant=None):
    """Suspending, resuming and terminating a grant are a manager's decisions."""
    return user.is_authenticated and has_role(user, *DECIDE)


def can_complete_grant(user, grant=None):
    """Programme staff complete an active grant once its closeout checklist is met."""
    if not can_manage_grant(user, grant):
        return False
    return grant is None or grant.status == GrantStatus.ACTIVE


def can_close_grant(user, grant=None):
    """Finance or a manager closes a completed grant."""
    if not (user.is_authenticated and has_role(user, *FINANCE)):
        return False
    return grant is None or grant.status == GrantStatus.COMPLETED


def can_reconcile_cost_share(user, grant=None):
    if not (user.is_authenticated and has_role(user, *FINANCE)):
        return False
    return grant is None or grant.status in FOLLOWED


def can_edit_infrastructure(user, grant=None):
    """Programme staff describe the infrastructure of a civic grant (type, place, co-funding, users)."""
    if not can_manage_grant(user, grant):
        return False
    from core.choices import Component

    if grant is None:
        return True
    return grant.application.call.component == Component.CIVIC_ENGAGEMENT and grant.status != GrantStatus.CLOSED
