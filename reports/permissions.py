"""Who may see and change indicators and reports (architecture.md's role table).

- indicators, targets, adjustments: the M&E officer, the manager and the administrator maintain them;
- dashboards, indicator figures and reports: programme officers, M&E, finance, managers, USAID's viewer (aggregates
  only) and administrators;
- the lists of records behind a figure: only the roles that may see those records — lists of people only for the
  roles that see personal data; USAID's viewer opens none (aggregates only).

Plain functions `can_<action>(user, obj=None)`, named by views through core.permissions.PermissionRequiredMixin.
"""

from accounts.permissions import can_view_personal_data
from accounts.roles import Role, has_role

DASHBOARD_ROLES = (
    Role.PROGRAMME_OFFICER,
    Role.ME_OFFICER,
    Role.FINANCE_OFFICER,
    Role.MANAGER,
    Role.USAID_VIEWER,
    Role.ADMIN,
)
CATALOGUE_ROLES = (Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)
NARRATIVE_ROLES = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)
# Reports that list people by name (participants): not for roles without personal data.
PERSONAL_REPORT_KINDS = frozenset({"training"})


def can_view_indicators(user, obj=None):
    """The dashboard and the indicator figures (aggregates)."""
    return user.is_authenticated and has_role(user, *DASHBOARD_ROLES)


def is_aggregate_only(user):
    """USAID's viewer sees figures only: no names and no lists of records."""
    return has_role(user, Role.USAID_VIEWER) and not has_role(
        user, *(r for r in DASHBOARD_ROLES if r != Role.USAID_VIEWER)
    )


def can_manage_indicators(user, obj=None):
    """Edit the catalogue (definitions, disaggregations, baselines, targets)."""
    return user.is_authenticated and has_role(user, *CATALOGUE_ROLES)


def can_adjust_indicator(user, obj=None):
    """Record an adjustment to a computed figure, with a reason: the M&E officer (and the administrator)."""
    return user.is_authenticated and has_role(user, Role.ME_OFFICER, Role.ADMIN)


def can_open_records(user, record_kind=None):
    """The list of records behind a figure. `record_kind` is a reports.records.RecordKind."""
    if not can_view_indicators(user) or is_aggregate_only(user):
        return False
    if record_kind is not None and record_kind.personal:
        return can_view_personal_data(user)
    return True


def can_write_narratives(user, obj=None):
    return user.is_authenticated and has_role(user, *NARRATIVE_ROLES)


def can_request_reports(user, obj=None):
    return can_view_indicators(user)


def can_request_report_kind(user, kind):
    """`kind` is a ReportKind code; "records" runs are checked against their record kind by the service."""
    if not can_request_reports(user):
        return False
    if kind == "records":
        return not is_aggregate_only(user)
    if kind in PERSONAL_REPORT_KINDS:
        return can_view_personal_data(user)
    return True


def can_view_run(user, run):
    """A run's page and file: whoever may request that kind of report sees the runs of it (the list is shared, so
    a manager can download what the M&E officer prepared); record exports only by the person who asked."""
    if run is None or not can_request_report_kind(user, run.kind):
        return False
    if run.kind == "records":
        return run.requested_by_id == user.pk or has_role(user, Role.ADMIN)
    return True
