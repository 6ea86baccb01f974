"""The evaluation committee's meeting and its decisions on applications, recorded by a manager.

A decision locks the call (so two approvals cannot both squeeze under the budget envelope) and then the
application (so two managers cannot decide it twice); every refusal is an ApplicationError that says why,
and nothing of a refused decision is saved. Approval creates the grant; the applicant's letter is queued
in the outbox and sent after commit.
"""

from decimal import Decimal

import filetype
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    Call,
    CommitteeMeeting,
    Decision,
    DecisionOutcome,
)
from grants.permissions import can_record_decision
from grants.services.grant_create import grant_create_from_application

S = ApplicationStatus
MAX_MINUTES_SIZE = 10 * 1024 * 1024
MINUTES_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ACTIONS = {
    DecisionOutcome.APPROVED: "grants.application.approved",
    DecisionOutcome.WAITLISTED: "grants.application.waitlisted",
    DecisionOutcome.REJECTED: "grants.application.rejected",
}


def _require_decider(actor):
    if not can_record_decision(actor):
        raise ApplicationError(_("Only a manager records the committee's decisions."), code="not_allowed")


def _checked_minutes_file(uploaded_file):
    """The signed minutes must be a PDF or a Word (DOCX) file, recognised by content, of at most 10 MB."""
    if uploaded_file.size == 0:
        raise ApplicationError(_("The minutes file is empty. Choose the file again."), code="file_empty")
    if uploaded_file.size > MAX_MINUTES_SIZE:
        raise ApplicationError(
            _("The minutes file is larger than 10 MB. Reduce it and upload it again."), code="file_too_large"
        )
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in MINUTES_TYPES:
        raise ApplicationError(
            _("Upload the minutes as a PDF or a Word (DOCX) file (the content is checked, not the file name)."),
            code="file_type_not_allowed",
        )


@transaction.atomic
def committee_meeting_record(*, actor, call, held_on, members, other_members, minutes, minutes_file=None):
    """Record who sat on the committee for `call`, when, and what the minutes say."""
    _require_decider(actor)
    if held_on > timezone.localdate():
        raise ApplicationError(_("The meeting date is in the future; record a meeting after it was held."))
    members = list(members)
    if not members and not other_members.strip():
        raise ApplicationError(_("Name the committee members: tick them in the list or write their names."))
    if minutes_file is not None:
        _checked_minutes_file(minutes_file)
    meeting = CommitteeMeeting(
        call=call, held_on=held_on, other_members=other_members, minutes=minutes, recorded_by=actor
    )
    if minutes_file is not None:
        meeting.minutes_file.save(f"{call.code}-{held_on:%Y%m%d}", minutes_file, save=False)
    meeting.full_clean()
    meeting.save()
    meeting.members.set(members)
    audit_record(
        actor=actor,
        action="grants.meeting.recorded",
        target=meeting,
        data={"call": call.code, "held_on": held_on.isoformat(), "members": [m.pk for m in members]},
    )
    return meeting


def _money(amount):
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


def _refuse_unless_decidable(application, outcome):
    decision = getattr(application, "decision", None)
    if application.status in (S.APPROVED, S.REJECTED) or (
        application.status == S.WAITLISTED and outcome == DecisionOutcome.WAITLISTED
    ):
        raise ApplicationError(
            _(
                "%(reference)s was already decided (%(outcome)s) by %(person)s on %(date)s. "
                "Reload the page to see the decision; nothing was changed."
            )
            % {
                "reference": application.reference,
                "outcome": decision.get_outcome_display() if decision else application.get_status_display(),
                "person": decision.decided_by if decision else "—",
                "date": timezone.localtime(decision.updated_at).strftime("%d.%m.%Y %H:%M") if decision else "—",
            },
            code="already_decided",
        )
    if application.status not in (S.REVIEWED, S.WAITLISTED):
        raise ApplicationError(
            _(
                "%(reference)s has not been reviewed yet (its status is “%(status)s”). The committee decides only "
                "on reviewed applications."
            )
            % {"reference": application.reference, "status": application.get_status_display()},
            code="not_reviewed",
        )


def _check_outcome(application, outcome, approved_amount, reasons, requested):
    if outcome not in DecisionOutcome.values:
        raise ApplicationError(_("Choose approved, waitlisted or rejected."), code="invalid_outcome")
    if outcome == DecisionOutcome.APPROVED:
        if approved_amount is None or approved_amount <= 0:
            raise ApplicationError(
                _("%(reference)s: enter the approved amount (more than 0).") % {"reference": application.reference},
                code="amount_missing",
            )
        if approved_amount > requested:
            raise ApplicationError(
                _(
                    "%(reference)s: the approved amount %(amount)s EUR is more than the %(requested)s EUR requested. "
                    "Approve at most the amount requested."
                )
                % {
                    "reference": application.reference,
                    "amount": _money(approved_amount),
                    "requested": _money(requested),
                },
                code="amount_above_requested",
            )
    if outcome == DecisionOutcome.REJECTED and not reasons.strip():
        raise ApplicationError(
            _("%(reference)s: write the reasons for the rejection; the applicant receives them.")
            % {"reference": application.reference},
            code="reasons_missing",
        )


def _check_envelope(call, application, amount, override_reason):
    """Refuse an approval that takes the call past its envelope, unless a written reason overrides it."""
    if call.budget_envelope is None:
        return
    approved = Decision.objects.filter(application__call=call, outcome=DecisionOutcome.APPROVED).exclude(
        application=application
    ).aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")
    if approved + amount > call.budget_envelope and not override_reason.strip():
        raise ApplicationError(
            _(
                "%(reference)s: approving %(amount)s EUR brings the call's approvals to %(total)s EUR, above its "
                "budget envelope of %(envelope)s EUR. Lower the amount, or write why the envelope may be exceeded."
            )
            % {
                "reference": application.reference,
                "amount": _money(amount),
                "total": _money(approved + amount),
                "envelope": _money(call.budget_envelope),
            },
            code="envelope_exceeded",
        )


def _locked(application):
    Call.objects.select_for_update().filter(pk=application.call_id).first()
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "applicant", "decision", "decision__decided_by")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_decide(
    *,
    actor,
    application,
    outcome,
    meeting=None,
    approved_amount=None,
    conditions="",
    reasons="",
    envelope_override_reason="",
):
    """Record the committee's decision on one application: approved (a grant is created), waitlisted or rejected.

    A waitlisted application can be decided once more (approved or rejected); its decision row is updated.
    """
    _require_decider(actor)
    application = _locked(application)
    _refuse_unless_decidable(application, outcome)
    requested = application.budget_lines.aggregate(total=Sum("requested_amount"))["total"] or Decimal("0")
    _check_outcome(application, outcome, approved_amount, reasons, requested)
    if meeting is not None and meeting.call_id != application.call_id:
        raise ApplicationError(_("The meeting chosen is of another call."), code="wrong_meeting")
    approved = outcome == DecisionOutcome.APPROVED
    if approved:
        _check_envelope(application.call, application, approved_amount, envelope_override_reason)
    decision = _save_decision(
        application,
        actor=actor,
        outcome=outcome,
        meeting=meeting,
        approved_amount=approved_amount if approved else None,
        conditions=conditions if approved else "",
        reasons=reasons if not approved else "",
        envelope_override_reason=envelope_override_reason if approved else "",
    )
    transition(
        instance=application,
        to=outcome,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action=ACTIONS[outcome],
        comment=decision.conditions or decision.reasons,
        data={
            "decision": decision.pk,
            "meeting": meeting.pk if meeting else None,
            "approved_amount": str(decision.approved_amount) if approved else None,
            "requested": str(requested),
            "envelope_override_reason": decision.envelope_override_reason,
        },
    )
    if approved:
        grant_create_from_application(
            actor=actor, application=application, amount=approved_amount, conditions=decision.conditions
        )
    email_queue(
        recipient=application.applicant.email,
        builder="grants.mail_decisions.decision_letter",
        args={"decision_id": decision.pk, "outcome": outcome},
    )
    return decision


def _save_decision(application, *, actor, **values):
    decision = getattr(application, "decision", None) or Decision(application=application)
    for name, value in values.items():
        setattr(decision, name, value)
    decision.decided_by = actor
    decision.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as error:  # another manager's decision was saved meanwhile (the OneToOne holds)
        raise ApplicationError(
            _("%(reference)s was decided by someone else at the same moment. Reload the page to see the decision.")
            % {"reference": application.reference},
            code="already_decided",
        ) from error
    return decision


@transaction.atomic
def applications_decide_bulk(*, actor, decisions, meeting):
    """Decide several applications from the ranking at once: all of them, or (on any refusal) none.

    `decisions` is a list of dicts with `application`, `outcome` and optionally `approved_amount`,
    `conditions`, `reasons` and `envelope_override_reason`. They are taken in the order given (the ranking's),
    so the envelope is checked against the approvals before each one.
    """
    _require_decider(actor)
    if not decisions:
        raise ApplicationError(_("Select at least one application."), code="nothing_selected")
    results = []
    for item in decisions:
        try:
            results.append(application_decide(actor=actor, meeting=meeting, **item))
        except ApplicationError as error:
            raise ApplicationError(
                _("%(message)s No decision of this selection was saved.") % {"message": error.message},
                code=error.code,
                extra={"application": item["application"].pk},
            ) from error
    return results
