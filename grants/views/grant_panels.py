"""The sections of a grant's page, each owned by the module that writes its records.

A panel provider is `provider(request, grant) -> dict | None`: a dict with "template" (an include) and the context
that template reads, or None when the section does not apply (for example, deliveries of a cash grant). Providers
run in this order and each uses a constant number of queries, so the page's cost does not grow with its rows.

Action labels for the grant's timeline come from the same modules (`ACTION_LABELS` dicts).
"""

from django.utils.module_loading import import_string

# The staff page /staff/grants/<pk>/.
STAFF_PANELS = [
    "grants.views.tranches.tranches_panel",
    "grants.views.money.money_panel",
    "grants.views.visits.visits_panel",
    "grants.views.reports.reports_panel",
    "grants.views.closeout.closeout_panel",
    "grants.views.amendments.amendments_panel",
    "grants.views.closeout.infrastructure_panel",
    "grants.views.business_link.business_panel",
]
# The grantee's page /my/grants/<pk>/.
GRANTEE_PANELS = [
    "grants.views.tranches.my_tranches_panel",
    "grants.views.reports.my_reports_panel",
    "grants.views.money.my_money_panel",
    "grants.views.visits.my_visits_panel",
]
ACTION_LABEL_SOURCES = [
    "grants.views.tranches.ACTION_LABELS",
    "grants.views.money.ACTION_LABELS",
    "grants.views.visits.ACTION_LABELS",
    "grants.views.reports.ACTION_LABELS",
    "grants.views.amendments.ACTION_LABELS",
    "grants.views.closeout.ACTION_LABELS",
    "grants.views.business_link.ACTION_LABELS",
]


def panels(request, grant, providers):
    result = []
    for path in providers:
        panel = import_string(path)(request, grant)
        if panel is not None:
            panel.setdefault("name", path.rsplit(".", 1)[-1])
            result.append(panel)
    return result


def action_labels():
    labels = {}
    for path in ACTION_LABEL_SOURCES:
        labels.update(import_string(path))
    return labels


# What a grantee sees of their grant's timeline (staff see everything). Modules add their action codes here.
GRANTEE_TIMELINE_ACTIONS = {
    "grants.grant.created",
    "grants.grant.agreement_generated",
    "grants.grant.signed",
    "grants.grant.delivery_recorded",
    "grants.milestone.verified",
    "grants.tranche.requested",
    "grants.tranche.returned",
    "grants.tranche.approved",
    "grants.tranche.approved_override",
    "grants.tranche.payment_recorded",
    "grants.tranche.paid",
    "grants.tranche.cancelled",
    "grants.grant.suspended",
    "grants.grant.resumed",
    "grants.grant.terminated",
    "grants.grant.completed",
    "grants.grant.closed",
    "grants.amendment.approved",
    "grants.report.scheduled",
    "grants.report.submitted",
    "grants.report.accepted",
    "grants.report.revision_requested",
    "grants.report.schedule_changed",
    "grants.visit.recorded",
}
