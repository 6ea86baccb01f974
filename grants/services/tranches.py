"""Money going out after signature: a tranche is requested, approved once its milestone is verified (or by
finance with a written reason), and paid in one or more payments; in-kind grants record deliveries instead.

Every service locks the grant row first and then the tranche, always in that order, so that two people acting on
the same tranche at once are served one after the other: the second one finds the new state and is told.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from core.uploads import checked_upload, uploaded_name
from core.workflow import transition
from grants.models import (
    TRANCHE_TRANSITIONS,
    Grant,
    GrantMilestone,
    GrantStatus,
    GrantTranche,
    InKindDelivery,
    InstrumentType,
    TranchePayment,
    TrancheStatus,
    VerificationSource,
)
from grants.permissions import (
    can_approve_tranche,
    can_cancel_tranche,
    can_pay_tranche,
    can_record_delivery,
    can_request_tranche,
)

T = TrancheStatus
ZERO = Decimal("0.00")


def money(value):
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "d.m.Y H:i") if moment else ""


def _locked_tranche(tranche):
    """Lock the grant, then the tranche (always in this order), and return the fresh tranche."""
    Grant.objects.select_for_update(of=("self",)).filter(pk=tranche.grant_id).first()
    return (
        GrantTranche.objects.select_for_update(of=("self",))
        .select_related("grant__application", "milestone", "approved_by", "requested_by")
        .get(pk=tranche.pk)
    )


def tranche_paid_amount(tranche):
    total = TranchePayment.objects.filter(tranche=tranche).aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(total).quantize(ZERO)


def _refuse_unless_active(grant):
    if grant.status != GrantStatus.ACTIVE:
        raise ApplicationError(
            _("The grant is “%(status)s”: tranches move only while it is active.")
            % {"status": grant.get_status_display()},
            code="grant_not_active",
        )


def tranche_state_message(tranche):
    """Say what happened to a tranche someone else moved a moment ago (instead of a bare refusal)."""
    if tranche.status == T.APPROVED:
        return _("Tranche %(number)s was already approved by %(who)s on %(when)s; nothing was changed.") % {
            "number": tranche.number,
            "who": getattr(tranche.approved_by, "email", "—"),
            "when": _when(tranche.approved_at),
        }
    if tranche.status == T.REQUESTED:
        return _("Tranche %(number)s was already requested on %(when)s; nothing was changed.") % {
            "number": tranche.number,
            "when": _when(tranche.requested_at),
        }
    return _("Tranche %(number)s is now “%(status)s”; nothing was changed. Reload the page to see it.") % {
        "number": tranche.number,
        "status": tranche.get_status_display(),
    }


@transaction.atomic
def tranche_request(*, actor, tranche, comment=""):
    """The grantee (or an officer) asks for a planned tranche to be paid."""
    tranche = _locked_tranche(tranche)
    _refuse_unless_active(tranche.grant)
    if tranche.status != T.PLANNED:
        raise ApplicationError(tranche_state_message(tranche), code="tranche_moved")
    if not can_request_tranche(actor, tranche):
        raise ApplicationError(_("You may not request this tranche."), code="not_allowed")
    tranche.requested_at, tranche.requested_by = timezone.now(), actor
    return transition(
        instance=tranche,
        to=T.REQUESTED,
        actor=actor,
        transitions=TRANCHE_TRANSITIONS,
        action="grants.tranche.requested",
        comment=comment,
        save_fields=["requested_at", "requested_by"],
    )


@transaction.atomic
def tranche_return(*, actor, tranche, reason):
    """Finance sends a request back (for example: the milestone is not verified yet), with the reason."""
    tranche = _locked_tranche(tranche)
    if tranche.status != T.REQUESTED:
        raise ApplicationError(tranche_state_message(tranche), code="tranche_moved")
    if not can_approve_tranche(actor, tranche):
        raise ApplicationError(_("Only finance may send a tranche request back."), code="not_allowed")
    if not (reason or "").strip():
        raise ApplicationError(_("Write why the request is sent back, so that the grantee knows what to do."))
    tranche.requested_at, tranche.requested_by = None, None
    return transition(
        instance=tranche,
        to=T.PLANNED,
        actor=actor,
        transitions=TRANCHE_TRANSITIONS,
        action="grants.tranche.returned",
        comment=reason.strip(),
        save_fields=["requested_at", "requested_by"],
    )


def tranche_milestone_verified(tranche):
    """Whether the tranche's condition is met: an advance on signature, or a verified milestone."""
    return tranche.on_signature or (tranche.milestone is not None and tranche.milestone.is_verified)


@transaction.atomic
def tranche_approve(*, actor, tranche, override_reason=""):
    """Finance approves a requested tranche. Its milestone must be verified, unless finance overrides that
    with a written reason (kept on the tranche and in the audit trail)."""
    tranche = _locked_tranche(tranche)
    _refuse_unless_active(tranche.grant)
    if tranche.status != T.REQUESTED:
        raise ApplicationError(tranche_state_message(tranche), code="tranche_moved")
    if not can_approve_tranche(actor, tranche):
        raise ApplicationError(_("Only finance may approve a tranche."), code="not_allowed")
    override_reason = (override_reason or "").strip()
    verified = tranche_milestone_verified(tranche)
    if not verified and not override_reason:
        raise ApplicationError(
            _(
                "Tranche %(number)s depends on the milestone “%(milestone)s”, which is not verified yet (by an "
                "accepted progress report or a monitoring visit). Wait for the verification, or write why you "
                "approve it without one."
            )
            % {"number": tranche.number, "milestone": tranche.milestone.description},
            code="milestone_not_verified",
        )
    tranche.approved_at, tranche.approved_by = timezone.now(), actor
    tranche.override_reason = "" if verified else override_reason
    return transition(
        instance=tranche,
        to=T.APPROVED,
        actor=actor,
        transitions=TRANCHE_TRANSITIONS,
        action="grants.tranche.approved" if verified else "grants.tranche.approved_override",
        comment=tranche.override_reason,
        data={"milestone_verified": verified},
        save_fields=["approved_at", "approved_by", "override_reason"],
    )


def _check_payment(tranche, *, paid_on, amount, bank_reference):
    if paid_on > timezone.localdate():
        raise ApplicationError(
            _("The payment date %(date)s is in the future. Record a payment once the bank has made it.")
            % {"date": formats.date_format(paid_on, "d.m.Y")},
            code="payment_in_future",
        )
    if paid_on < tranche.grant.start_date - datetime.timedelta(days=366):
        raise ApplicationError(_("The payment date is long before the grant started. Check the year."))
    if amount is None or amount <= 0:
        raise ApplicationError(_("Enter an amount greater than zero."), code="payment_amount")
    remaining = tranche.amount - tranche_paid_amount(tranche)
    if amount > remaining:
        raise ApplicationError(
            _(
                "The payment of %(amount)s EUR is more than what is left of tranche %(number)s (%(remaining)s EUR "
                "of %(total)s EUR). Pay at most what is left."
            )
            % {
                "amount": money(amount),
                "number": tranche.number,
                "remaining": money(remaining),
                "total": money(tranche.amount),
            },
            code="payment_too_large",
        )
    if TranchePayment.objects.filter(tranche__grant=tranche.grant, bank_reference=bank_reference).exists():
        raise ApplicationError(
            _("A payment with the bank reference “%(reference)s” is already recorded for this grant.")
            % {"reference": bank_reference},
            code="payment_duplicate",
        )
    return remaining


@transaction.atomic
def tranche_payment_record(*, actor, tranche, paid_on, amount, bank_reference):
    """Finance records a bank transfer against an approved tranche; when the payments add up to the tranche, it
    is paid. Paying more than what is left, a date in the future or the same bank reference twice is refused."""
    tranche = _locked_tranche(tranche)
    if tranche.status != T.APPROVED:
        raise ApplicationError(
            _("Tranche %(number)s is “%(status)s”: only an approved tranche can be paid.")
            % {"number": tranche.number, "status": tranche.get_status_display()},
            code="tranche_not_approved",
        )
    _refuse_unless_active(tranche.grant)
    if not can_pay_tranche(actor, tranche):
        raise ApplicationError(_("Only finance may record a payment."), code="not_allowed")
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise ApplicationError(_("Enter the bank reference of the transfer."), code="payment_reference")
    remaining = _check_payment(tranche, paid_on=paid_on, amount=amount, bank_reference=bank_reference)
    try:
        with transaction.atomic():
            payment = TranchePayment.objects.create(
                tranche=tranche, paid_on=paid_on, amount=amount, bank_reference=bank_reference, recorded_by=actor
            )
    except IntegrityError as error:
        raise ApplicationError(
            _("A payment with the bank reference “%(reference)s” is already recorded for this grant.")
            % {"reference": bank_reference},
            code="payment_duplicate",
        ) from error
    data = {"payment": payment.pk, "amount": str(amount), "paid_on": paid_on.isoformat(), "reference": bank_reference}
    audit_record(actor=actor, action="grants.tranche.payment_recorded", target=tranche, data=data)
    if amount == remaining:
        transition(
            instance=tranche,
            to=T.PAID,
            actor=actor,
            transitions=TRANCHE_TRANSITIONS,
            action="grants.tranche.paid",
            data={"total": str(tranche.amount)},
        )
    _queue_payment_email(tranche, payment)
    return payment


def _queue_payment_email(tranche, payment):
    from core.emails import email_queue

    applicant = tranche.grant.application.applicant
    if applicant.email:
        email_queue(
            recipient=applicant.email, builder="grants.mail_tranches.payment_recorded", args={"payment_id": payment.pk}
        )


@transaction.atomic
def tranche_cancel(*, actor, tranche, reason):
    """Finance cancels a tranche (or, for a partly paid one, what is left of it), with a reason."""
    tranche = _locked_tranche(tranche)
    if not can_cancel_tranche(actor, tranche):
        if tranche.status in (T.PAID, T.CANCELLED):
            raise ApplicationError(tranche_state_message(tranche), code="tranche_moved")
        raise ApplicationError(_("Only finance may cancel a tranche."), code="not_allowed")
    if not (reason or "").strip():
        raise ApplicationError(_("Write why the tranche is cancelled."), code="reason_required")
    tranche.cancel_reason = reason.strip()
    paid = tranche_paid_amount(tranche)
    return transition(
        instance=tranche,
        to=T.CANCELLED,
        actor=actor,
        transitions=TRANCHE_TRANSITIONS,
        action="grants.tranche.cancelled",
        comment=tranche.cancel_reason,
        data={"paid": str(paid), "not_paid": str(tranche.amount - paid)},
        save_fields=["cancel_reason"],
    )


def milestone_verify(*, actor, milestone, source, report=None, visit=None):
    """Mark a milestone verified by an accepted report or a monitoring visit (the first verification counts).

    Called by the report and visit services inside their transaction; returns whether it changed anything.
    """
    milestone = GrantMilestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.is_verified:
        return False
    if source not in VerificationSource.values:
        raise ValueError(source)
    milestone.verified_at, milestone.verified_by, milestone.verified_source = timezone.now(), actor, source
    milestone.verified_report, milestone.verified_visit = report, visit
    milestone.save(update_fields=["verified_at", "verified_by", "verified_source", "verified_report", "verified_visit"])
    audit_record(
        actor=actor,
        action="grants.milestone.verified",
        target=milestone.grant,
        comment=milestone.description,
        data={
            "milestone": milestone.pk,
            "source": source,
            "report": getattr(report, "pk", None),
            "visit": getattr(visit, "pk", None),
        },
    )
    return True


# --- In-kind grants ----------------------------------------------------------------------------------------------
def delivered_value(grant):
    total = InKindDelivery.objects.filter(grant=grant).aggregate(total=Sum("value"))["total"] or ZERO
    return Decimal(total).quantize(ZERO)


@transaction.atomic
def delivery_record(*, actor, grant, item, supplier, value, delivered_on, handover_file):
    """Record goods or services handed over to an in-kind grantee, with the handover record they signed."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("application").get(pk=grant.pk)
    if grant.instrument != InstrumentType.IN_KIND:
        raise ApplicationError(_("Deliveries are recorded only for in-kind grants."), code="not_in_kind")
    _refuse_unless_active(grant)
    if not can_record_delivery(actor, grant):
        raise ApplicationError(_("You may not record deliveries for this grant."), code="not_allowed")
    if delivered_on > timezone.localdate():
        raise ApplicationError(_("The delivery date is in the future. Record a delivery once it was handed over."))
    left = grant.amount - delivered_value(grant)
    if value > left:
        raise ApplicationError(
            _("The delivery of %(value)s EUR is more than what is left of the grant (%(left)s EUR).")
            % {"value": money(value), "left": money(left)},
            code="delivery_too_large",
        )
    mime = checked_upload(handover_file)
    delivery = InKindDelivery(
        grant=grant,
        item=item,
        supplier=supplier,
        value=value,
        delivered_on=delivered_on,
        handover_name=uploaded_name(handover_file),
        recorded_by=actor,
    )
    delivery.handover_file.save(uploaded_name(handover_file), handover_file, save=False)
    delivery.full_clean()
    delivery.save()
    audit_record(
        actor=actor,
        action="grants.grant.delivery_recorded",
        target=grant,
        comment=item,
        data={"delivery": delivery.pk, "value": str(value), "type": mime},
    )
    return delivery
