"""Amendments of a signed grant: a programme officer or finance proposes new terms with a reason, a manager (never
the proposer) approves or rejects them, and the proposer may withdraw them.

The shape of the proposed changes and the checks on them are in `plan.py`. They run when an amendment is proposed
and again, against the grant as it then is, when it is approved. Approval applies everything in one transaction
(grant row locked first, then the amendment and the tranches), stores the grant as it was (`before`) and as it
became (`after`) and raises `grant.amendment_number`; until then those two fields hold the projection made at
proposal time, which is what a rejected or withdrawn amendment keeps showing.
"""

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    AMENDMENT_TRANSITIONS,
    TRANCHE_TRANSITIONS,
    AmendmentStatus,
    Grant,
    GrantAmendment,
    GrantBudgetLine,
    GrantMilestone,
    GrantStatus,
    GrantTranche,
    TrancheStatus,
)
from grants.permissions import can_decide_amendment, can_propose_amendment, can_withdraw_amendment
from grants.services.amendments.plan import (
    CENT,
    PAID_SUM,
    amendment_plan,
    amendment_summary,
    grant_snapshot,
    normalise_changes,
    parse_amount,
    parse_date,
    prune_changes,
    refuse,
)
from grants.services.grants import grantee_language
from grants.services.reports import report_schedule_follow
from grants.services.tranches import money

AMENDABLE = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
__all__ = [
    "amendment_approve",
    "amendment_plan",
    "amendment_propose",
    "amendment_reject",
    "amendment_summary",
    "amendment_withdraw",
    "grant_snapshot",
    "normalise_changes",
]


def _lock_grant(grant):
    return Grant.objects.select_for_update(of=("self",)).select_related("application__applicant").get(pk=grant.pk)


def _check_grant_open(grant):
    if grant.status not in AMENDABLE:
        raise ApplicationError(
            _("The grant is “%(status)s”: only an active or suspended grant can be amended.")
            % {"status": grant.get_status_display()},
            code="grant_not_amendable",
        )


def _lock_amendment(amendment):
    return (
        GrantAmendment.objects.select_for_update(of=("self",))
        .select_related("grant", "proposed_by", "decided_by")
        .get(pk=amendment.pk)
    )


# --- Proposing and deciding -------------------------------------------------------------------------------------
@transaction.atomic
def amendment_propose(*, actor, grant, reason, new_amount=None, new_end_date=None, changes=None):
    """Propose new terms for a signed grant, with the reason; one proposal per grant waits for a decision."""
    grant = _lock_grant(grant)
    _check_grant_open(grant)
    if not can_propose_amendment(actor, grant):
        raise ApplicationError(_("You may not propose amendments of this grant."), code="not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Write why the grant is amended; the reason is kept with the amendment."), code="reason_required"
        )
    pending = GrantAmendment.objects.filter(grant=grant, status=AmendmentStatus.PROPOSED).first()
    if pending is not None:
        raise ApplicationError(_pending_message(pending), code="amendment_pending")
    new_amount = None if new_amount in (None, "") else parse_amount(new_amount)
    new_amount = None if new_amount == grant.amount else new_amount
    new_end_date = None if new_end_date in (None, "", grant.end_date) else parse_date(new_end_date)
    before = grant_snapshot(grant)
    changes = prune_changes(normalise_changes(changes), before)
    after, problems = amendment_plan(
        grant, before=before, new_amount=new_amount, new_end_date=new_end_date, changes=changes
    )
    refuse(problems)
    number = (GrantAmendment.objects.filter(grant=grant).aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = GrantAmendment(
        grant=grant,
        number=number,
        reason=reason,
        new_amount=new_amount,
        new_end_date=new_end_date,
        changes=changes,
        before=before,
        after=after,
        proposed_by=actor,
    )
    try:
        with transaction.atomic():
            amendment.save()
    except IntegrityError as error:  # someone proposed one a moment ago
        pending = GrantAmendment.objects.filter(grant=grant, status=AmendmentStatus.PROPOSED).first()
        raise ApplicationError(_pending_message(pending), code="amendment_pending") from error
    audit_record(
        actor=actor,
        action="grants.amendment.proposed",
        target=amendment,
        to_status=AmendmentStatus.PROPOSED,
        comment=reason,
        data=amendment_summary(before, after),
    )
    return amendment


def _pending_message(pending):
    if pending is None:
        return _("Another amendment of this grant was proposed a moment ago. Reload the page to see it.")
    return _(
        "Amendment %(number)s of this grant is still waiting for a decision. A grant has one proposed amendment at "
        "a time: wait for the decision, or withdraw it, before proposing another."
    ) % {"number": pending.number}


def _refuse_decision(actor, amendment):
    if amendment.status != AmendmentStatus.PROPOSED:
        raise ApplicationError(
            _("Amendment %(number)s is already “%(status)s” (%(who)s, %(when)s); nothing was changed.")
            % {
                "number": amendment.number,
                "status": amendment.get_status_display(),
                "who": getattr(amendment.decided_by, "email", "") or getattr(amendment.proposed_by, "email", ""),
                "when": formats.date_format(
                    timezone.localtime(amendment.decided_at or amendment.updated_at), "d.m.Y H:i"
                ),
            },
            code="amendment_decided",
        )
    if amendment.proposed_by_id == getattr(actor, "pk", None):
        raise ApplicationError(
            _("You proposed this amendment, so another manager must decide on it."), code="own_amendment"
        )
    raise ApplicationError(_("Only a manager may decide on amendments."), code="not_allowed")


def _set_line_amount(line, amount):
    """A line's new grant part; quantity × unit cost keeps equal to grant part plus cost share."""
    line.grant_amount = amount
    total = amount + line.cost_share_amount
    unit = (total / line.quantity).quantize(CENT) if line.quantity else total
    if unit * line.quantity != total:
        line.quantity, unit = Decimal("1"), total
    line.unit_cost = unit


def _apply_rows(grant, changes, *, actor, number):
    ids = [int(pk) for pk in changes["budget"]]
    for line in GrantBudgetLine.objects.filter(grant=grant, pk__in=ids):
        _set_line_amount(line, Decimal(changes["budget"][str(line.pk)]))
        line.save(update_fields=["grant_amount", "quantity", "unit_cost"])
    ids = [int(pk) for pk in changes["milestones"]]
    for milestone in GrantMilestone.objects.filter(grant=grant, pk__in=ids):
        values = changes["milestones"][str(milestone.pk)]
        milestone.description = values.get("description", milestone.description)
        milestone.due_date = parse_date(values.get("due_date", milestone.due_date))
        milestone.save(update_fields=["description", "due_date"])
    created = [
        GrantMilestone.objects.create(grant=grant, **{**m, "due_date": parse_date(m["due_date"])})
        for m in changes["new_milestones"]
    ]
    ids = [int(pk) for pk in changes["tranches"]]
    for tranche in GrantTranche.objects.filter(grant=grant, pk__in=ids).annotate(paid=PAID_SUM):
        tranche.amount = Decimal(changes["tranches"][str(tranche.pk)])
        tranche.save(update_fields=["amount"])
        if tranche.status == TrancheStatus.APPROVED and tranche.paid == tranche.amount:
            comment = _("Paid in full after amendment %(number)s.") % {"number": number}
            transition(
                instance=tranche,
                to=TrancheStatus.PAID,
                actor=actor,
                transitions=TRANCHE_TRANSITIONS,
                action="grants.tranche.paid",
                comment=comment,
                data={"total": str(tranche.amount)},
            )
    last = GrantTranche.objects.filter(grant=grant).aggregate(n=Max("number"))["n"] or 0
    for offset, new in enumerate(changes["new_tranches"], start=1):
        milestone_id = new["milestone"] if new["milestone"] is not None else created[new["new_milestone"]].pk
        GrantTranche.objects.create(
            grant=grant,
            number=last + offset,
            amount=Decimal(new["amount"]),
            planned_date=parse_date(new["planned_date"]),
            milestone_id=milestone_id,
        )


@transaction.atomic
def amendment_approve(*, actor, amendment, comment=""):
    """A manager (not the proposer) approves: the plan is checked again and applied, and the grantee is told."""
    grant = _lock_grant(amendment.grant)
    amendment = _lock_amendment(amendment)
    if not can_decide_amendment(actor, amendment):
        _refuse_decision(actor, amendment)
    _check_grant_open(grant)
    list(GrantTranche.objects.select_for_update().filter(grant=grant))  # payments wait until the plan is applied
    before = grant_snapshot(grant)
    changes = normalise_changes(amendment.changes)
    _after, problems = amendment_plan(
        grant, before=before, new_amount=amendment.new_amount, new_end_date=amendment.new_end_date, changes=changes
    )
    refuse(problems)
    grant.amount = amendment.new_amount if amendment.new_amount is not None else grant.amount
    grant.end_date = amendment.new_end_date or grant.end_date
    grant.amendment_number += 1
    grant.save(update_fields=["amount", "end_date", "amendment_number", "updated_at"])
    _apply_rows(grant, changes, actor=actor, number=amendment.number)
    report_schedule_follow(actor=actor, grant=grant)  # new end date or milestones: the reports follow
    amendment.before, amendment.after = before, grant_snapshot(grant)
    amendment.decided_by, amendment.decided_at = actor, timezone.now()
    amendment.decision_comment = (comment or "").strip()
    transition(
        instance=amendment,
        to=AmendmentStatus.APPROVED,
        actor=actor,
        transitions=AMENDMENT_TRANSITIONS,
        action="grants.amendment.approved",
        comment=amendment.decision_comment,
        data=amendment_summary(amendment.before, amendment.after),
        save_fields=["before", "after", "decided_by", "decided_at", "decision_comment"],
    )
    if grant.application.applicant.email:
        email_queue(
            recipient=grant.application.applicant.email,
            builder="grants.services.amendments.amendment_approved_email",
            args={"amendment_id": amendment.pk},
        )
    return amendment


@transaction.atomic
def amendment_reject(*, actor, amendment, comment):
    """A manager (not the proposer) rejects the proposal with the reason; the grant stays as it is."""
    _lock_grant(amendment.grant)
    amendment = _lock_amendment(amendment)
    if not can_decide_amendment(actor, amendment):
        _refuse_decision(actor, amendment)
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Write why the amendment is rejected, so that its proposer knows what to change."),
            code="reason_required",
        )
    amendment.decided_by, amendment.decided_at, amendment.decision_comment = actor, timezone.now(), comment
    return transition(
        instance=amendment,
        to=AmendmentStatus.REJECTED,
        actor=actor,
        transitions=AMENDMENT_TRANSITIONS,
        action="grants.amendment.rejected",
        comment=comment,
        save_fields=["decided_by", "decided_at", "decision_comment"],
    )


@transaction.atomic
def amendment_withdraw(*, actor, amendment, comment=""):
    """The proposer takes the proposal back (for example to propose a corrected one)."""
    _lock_grant(amendment.grant)
    amendment = _lock_amendment(amendment)
    if amendment.status != AmendmentStatus.PROPOSED:
        _refuse_decision(actor, amendment)
    if not can_withdraw_amendment(actor, amendment):
        raise ApplicationError(_("Only the person who proposed an amendment may withdraw it."), code="not_allowed")
    amendment.decided_at = timezone.now()
    return transition(
        instance=amendment,
        to=AmendmentStatus.WITHDRAWN,
        actor=actor,
        transitions=AMENDMENT_TRANSITIONS,
        action="grants.amendment.withdrawn",
        comment=(comment or "").strip(),
        save_fields=["decided_at"],
    )


# --- E-mail to the grantee (built when the outbox sends it, in the grantee's language) ---------------------------
def amendment_approved_email(amendment_id):
    amendment = (
        GrantAmendment.objects.select_related("grant__application__applicant")
        .filter(pk=amendment_id, status=AmendmentStatus.APPROVED)
        .first()
    )
    if amendment is None:
        return None
    grant = amendment.grant
    with translation.override(grantee_language(grant)):
        values = {
            "number": grant.number,
            "amendment": amendment.number,
            "amount_before": money(Decimal(amendment.before["amount"])),
            "amount_after": money(Decimal(amendment.after["amount"])),
            "end_before": formats.date_format(parse_date(amendment.before["end_date"]), "d.m.Y"),
            "end_after": formats.date_format(parse_date(amendment.after["end_date"]), "d.m.Y"),
            "reason": amendment.reason,
            "link": settings.SITE_URL.rstrip("/") + reverse("my_grant_detail", kwargs={"pk": grant.pk}),
        }
        subject = "[AKT-LS] " + _("Grant %(number)s amended (amendment %(amendment)s)") % values
        body = (
            _(
                "Amendment %(amendment)s of your grant %(number)s was approved.\n\n"
                "Grant amount: %(amount_before)s EUR → %(amount_after)s EUR\n"
                "End date: %(end_before)s → %(end_after)s\n\n"
                "Reason: %(reason)s\n\n"
                "The budget, milestones and tranches as they are now: %(link)s\n"
            )
            % values
        )
    return EmailMessage(subject=subject, body=body)
