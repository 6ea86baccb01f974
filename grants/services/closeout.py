"""The grant's own status after signature (suspend, resume, terminate), the closeout checklist, the cost-share
reconciliation, and completing and closing a grant.

Every change locks the grant row first and goes through `core.workflow.transition` with the reason, so the
grant's timeline says who did it and why; the grantee is e-mailed (in their language) about each change of
status.

Terminating a grant leaves its tranches as they are. An approved tranche may still stand for work done before
the termination, and the tranche services refuse to move tranches of a grant that is not active, so nothing more
is paid; the closeout panel shows what was paid and what was left unpaid, which is what an auditor asks for.
"""

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    GRANT_TRANSITIONS,
    CostShareContribution,
    Grant,
    GrantStatus,
    GrantTranche,
    InKindDelivery,
    InstrumentType,
    MonitoringVisit,
    ProgressReport,
    ReportKind,
    ReportStatus,
    TranchePayment,
    TrancheStatus,
)
from grants.permissions import (
    can_change_grant_status,
    can_close_grant,
    can_complete_grant,
    can_reconcile_cost_share,
)
from grants.services.grants import grantee_language
from grants.services.tranches import money

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
STATUS_ACTIONS = {
    GrantStatus.SUSPENDED: "grants.grant.suspended",
    GrantStatus.ACTIVE: "grants.grant.resumed",
    GrantStatus.TERMINATED: "grants.grant.terminated",
}


def _lock(grant):
    return Grant.objects.select_for_update(of=("self",)).select_related("application__applicant").get(pk=grant.pk)


def _queue_status_email(grant, action, reason=""):
    email = grant.application.applicant.email
    if email:
        email_queue(
            recipient=email,
            builder="grants.services.closeout.grant_status_email",
            args={"grant_id": grant.pk, "action": action, "reason": reason},
        )


# --- Suspend, resume, terminate ----------------------------------------------------------------------------------
def _change_status(*, actor, grant, to, reason, refusal):
    grant = _lock(grant)
    if not can_change_grant_status(actor, grant):
        raise ApplicationError(refusal, code="not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Write the reason; it is kept in the grant's history and sent to the grantee."), code="reason_required"
        )
    save_fields = []
    if to != GrantStatus.ACTIVE:
        grant.status_reason = reason
        save_fields = ["status_reason"]
    action = STATUS_ACTIONS[to]
    transition(
        instance=grant,
        to=to,
        actor=actor,
        transitions=GRANT_TRANSITIONS,
        action=action,
        comment=reason,
        save_fields=save_fields,
    )
    _queue_status_email(grant, action, reason)
    return grant


@transaction.atomic
def grant_suspend(*, actor, grant, reason):
    """A manager stops an active grant for a while (no tranche moves while it is suspended), with the reason."""
    refusal = _("Only a manager may suspend a grant.")
    return _change_status(actor=actor, grant=grant, to=GrantStatus.SUSPENDED, reason=reason, refusal=refusal)


@transaction.atomic
def grant_resume(*, actor, grant, reason):
    """A manager lets a suspended grant go on, saying why (for example: the problem was solved)."""
    refusal = _("Only a manager may resume a grant.")
    return _change_status(actor=actor, grant=grant, to=GrantStatus.ACTIVE, reason=reason, refusal=refusal)


@transaction.atomic
def grant_terminate(*, actor, grant, reason):
    """A manager ends a grant early; its tranches stay as they are (see the module's docstring)."""
    refusal = _("Only a manager may terminate a grant.")
    return _change_status(actor=actor, grant=grant, to=GrantStatus.TERMINATED, reason=reason, refusal=refusal)


# --- Money of the closeout -----------------------------------------------------------------------------------------
def grant_paid_total(grant):
    """What went out of the grant: payments of its tranches, or for in-kind grants the value delivered."""
    if grant.instrument == InstrumentType.IN_KIND:
        rows = InKindDelivery.objects.filter(grant=grant).aggregate(total=Sum("value"))
    else:
        rows = TranchePayment.objects.filter(tranche__grant=grant).aggregate(total=Sum("amount"))
    return Decimal(rows["total"] or ZERO).quantize(CENT)


def cost_share_contributed(grant):
    """Cost share the grantee reported in accepted progress reports (what the reconciliation counts)."""
    total = CostShareContribution.objects.filter(report__grant=grant, report__status=ReportStatus.ACCEPTED).aggregate(
        total=Sum("value")
    )["total"]
    return Decimal(total or ZERO).quantize(CENT)


# --- The checklist ---------------------------------------------------------------------------------------------------
CHECKLIST_LABELS = {
    "final_report": gettext_lazy("Final report accepted"),
    "tranches": gettext_lazy("All tranches paid or cancelled"),
    "deliveries": gettext_lazy("Deliveries recorded"),
    "cost_share": gettext_lazy("Cost share reconciled"),
    "final_visit": gettext_lazy("Final monitoring visit recorded"),
}
CHECKLIST_TODO = {
    "final_report": gettext_lazy("The grantee submits the final report and an officer accepts it."),
    "tranches": gettext_lazy("Finance pays the tranches that are due and cancels those that will not be paid."),
    "deliveries": gettext_lazy("Record the goods and services handed over, with the signed handover records."),
    "cost_share": gettext_lazy("Finance reconciles the cost share contributed with what was committed."),
    "final_visit": gettext_lazy("An officer records a monitoring visit marked as the final one."),
}
# Where on the grant's page each item is dealt with (anchors of the panels that own it).
CHECKLIST_ANCHORS = {
    "final_report": "reports",
    "tranches": "payments",
    "deliveries": "payments",
    "cost_share": "closeout",
    "final_visit": "visits",
}


def _checklist_facts(grant):
    """Everything the checklist needs in one query."""
    open_tranches = GrantTranche.objects.filter(grant=OuterRef("pk")).exclude(
        status__in=(TrancheStatus.PAID, TrancheStatus.CANCELLED)
    )
    final_report = ProgressReport.objects.filter(
        grant=OuterRef("pk"), kind=ReportKind.FINAL, status=ReportStatus.ACCEPTED
    )
    final_visit = MonitoringVisit.objects.filter(grant=OuterRef("pk"), is_final=True)
    deliveries = InKindDelivery.objects.filter(grant=OuterRef("pk"))
    return (
        Grant.objects.filter(pk=grant.pk)
        .annotate(
            open_tranches=Exists(open_tranches),
            final_report=Exists(final_report),
            final_visit=Exists(final_visit),
            has_deliveries=Exists(deliveries),
        )
        .values("open_tranches", "final_report", "final_visit", "has_deliveries", "cost_share_reconciled_at")
        .get()
    )


def closeout_checklist(grant):
    """What closeout needs, each item with `done`, a label, what to do when it is not done, and its anchor."""
    facts = _checklist_facts(grant)
    done = {
        "final_report": facts["final_report"],
        "tranches": not facts["open_tranches"],
        "cost_share": facts["cost_share_reconciled_at"] is not None,
        "final_visit": facts["final_visit"],
    }
    if grant.instrument == InstrumentType.IN_KIND:
        done = {"final_report": done["final_report"], "deliveries": facts["has_deliveries"], **done}
    order = ("final_report", "tranches", "deliveries", "cost_share", "final_visit")
    return [
        {
            "code": code,
            "label": CHECKLIST_LABELS[code],
            "done": done[code],
            "todo": CHECKLIST_TODO[code],
            "anchor": CHECKLIST_ANCHORS[code],
        }
        for code in order
        if code in done
    ]


# --- Reconcile, complete, close ----------------------------------------------------------------------------------
@transaction.atomic
def cost_share_reconcile(*, actor, grant, note=""):
    """Finance compares the cost share contributed with what was committed and records it (again if needed);
    a shortfall needs a note that explains it."""
    grant = _lock(grant)
    if not can_reconcile_cost_share(actor, grant):
        raise ApplicationError(_("Only finance may reconcile the cost share of this grant."), code="not_allowed")
    contributed = cost_share_contributed(grant)
    committed = grant.cost_share_committed
    note = (note or "").strip()
    if contributed < committed and not note:
        raise ApplicationError(
            _(
                "The grantee contributed %(contributed)s EUR of the %(committed)s EUR committed (%(short)s EUR "
                "short). Write a note that explains the difference, then reconcile."
            )
            % {
                "contributed": money(contributed),
                "committed": money(committed),
                "short": money(committed - contributed),
            },
            code="note_required",
        )
    grant.cost_share_reconciled_at, grant.cost_share_reconciled_by = timezone.now(), actor
    grant.cost_share_reconciliation_note = note
    grant.save(
        update_fields=[
            "cost_share_reconciled_at",
            "cost_share_reconciled_by",
            "cost_share_reconciliation_note",
            "updated_at",
        ]
    )
    data = {"committed": str(committed), "contributed": str(contributed)}
    audit_record(actor=actor, action="grants.grant.cost_share_reconciled", target=grant, comment=note, data=data)
    return grant


@transaction.atomic
def grant_complete(*, actor, grant):
    """Programme staff complete an active grant once every closeout item is done; otherwise the refusal lists
    what is missing and what to do."""
    grant = _lock(grant)
    if not can_complete_grant(actor, grant):
        if grant.status != GrantStatus.ACTIVE:
            raise ApplicationError(
                _("The grant is “%(status)s”: only an active grant can be completed.")
                % {"status": grant.get_status_display()},
                code="grant_not_active",
            )
        raise ApplicationError(_("Only programme staff may complete a grant."), code="not_allowed")
    missing = [item for item in closeout_checklist(grant) if not item["done"]]
    if missing:
        lines = [_("The grant cannot be completed yet. Still missing:")]
        lines += [f"• {item['label']}: {item['todo']}" for item in missing]
        raise ApplicationError("\n".join(lines), code="closeout_incomplete", extra={"missing": missing})
    grant.completed_at = timezone.now()
    transition(
        instance=grant,
        to=GrantStatus.COMPLETED,
        actor=actor,
        transitions=GRANT_TRANSITIONS,
        action="grants.grant.completed",
        save_fields=["completed_at"],
    )
    _queue_status_email(grant, "grants.grant.completed")
    return grant


@transaction.atomic
def grant_close(*, actor, grant):
    """Finance or a manager closes a completed grant: its file is final."""
    grant = _lock(grant)
    if not can_close_grant(actor, grant):
        if grant.status != GrantStatus.COMPLETED:
            raise ApplicationError(
                _("The grant is “%(status)s”: only a completed grant can be closed. Complete it first.")
                % {"status": grant.get_status_display()},
                code="grant_not_completed",
            )
        raise ApplicationError(_("Only finance or a manager may close a grant."), code="not_allowed")
    grant.closed_at = timezone.now()
    transition(
        instance=grant,
        to=GrantStatus.CLOSED,
        actor=actor,
        transitions=GRANT_TRANSITIONS,
        action="grants.grant.closed",
        save_fields=["closed_at"],
    )
    _queue_status_email(grant, "grants.grant.closed")
    return grant


# --- E-mail to the grantee (built when the outbox sends it, in the grantee's language) ---------------------------
EMAIL_TEXTS = {
    "grants.grant.suspended": (
        gettext_lazy("Grant %(number)s suspended"),
        gettext_lazy(
            "Your grant %(number)s is suspended: no tranche can be requested or paid until it is resumed.\n\n"
            "Reason: %(reason)s\n"
        ),
    ),
    "grants.grant.resumed": (
        gettext_lazy("Grant %(number)s resumed"),
        gettext_lazy("Your grant %(number)s is active again.\n\nReason: %(reason)s\n"),
    ),
    "grants.grant.terminated": (
        gettext_lazy("Grant %(number)s terminated"),
        gettext_lazy(
            "Your grant %(number)s was terminated.\n\nReason: %(reason)s\n\n"
            "Paid so far: %(paid)s EUR of %(amount)s EUR. Nothing more will be paid.\n"
        ),
    ),
    "grants.grant.completed": (
        gettext_lazy("Grant %(number)s completed"),
        gettext_lazy(
            "Your grant %(number)s is completed: the final report, payments, cost share and the final visit "
            "are all recorded. Thank you.\n"
        ),
    ),
    "grants.grant.closed": (
        gettext_lazy("Grant %(number)s closed"),
        gettext_lazy("Your grant %(number)s is closed. Thank you for your work.\n"),
    ),
}


def grant_status_email(grant_id, action, reason=""):
    grant = Grant.objects.select_related("application__applicant").filter(pk=grant_id).first()
    if grant is None or action not in EMAIL_TEXTS:
        return None
    subject, body = EMAIL_TEXTS[action]
    with translation.override(grantee_language(grant)):
        values = {
            "number": grant.number,
            "reason": reason,
            "paid": money(grant_paid_total(grant)),
            "amount": money(grant.amount),
        }
        link = settings.SITE_URL.rstrip("/") + reverse("my_grant_detail", kwargs={"pk": grant.pk})
        text = str(body) % values + "\n" + _("Your grant: %(link)s") % {"link": link} + "\n"
        return EmailMessage(subject="[AKT-LS] " + str(subject) % values, body=text)
