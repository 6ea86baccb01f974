"""Every write to a grant between award and signature: terms, approved budget, milestones and planned tranches,
the agreement PDF (rendered by Celery, failure is state; its content is in `agreement_pdf`) and the signed copy
that activates the grant. After signature, see `tranches`, `visits`, `reports`, `amendments` and `closeout`.

Each service locks the grant row first, so edits and an agreement rendering never interleave: an agreement is
always printed from one consistent state of the grant. Any change of terms makes a generated agreement outdated;
it is removed, and staff generate it again.
"""

import logging
from decimal import Decimal

import filetype
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    GRANT_TRANSITIONS,
    DocumentStatus,
    Grant,
    GrantBudgetLine,
    GrantMilestone,
    GrantStatus,
    GrantTranche,
    InstrumentType,
    TrancheStatus,
)
from grants.permissions import (
    can_edit_grant_budget,
    can_edit_grant_terms,
    can_plan_tranches,
    can_prepare_agreement,
)
from grants.services.agreement_pdf import agreement_pdf, grantee_language, grantee_name  # noqa: F401 (re-exported)
from grants.services.reports import report_schedule_create
from grants.services.tranches import money

logger = logging.getLogger(__name__)

D = DocumentStatus
AGREEMENT_TRANSITIONS = {
    D.NONE: {D.QUEUED},
    D.QUEUED: {D.READY, D.FAILED},
    D.READY: {D.QUEUED, D.NONE},
    D.FAILED: {D.QUEUED, D.NONE},
}
# Celery limits of the document tasks (grants/grant_tasks.py); a queued agreement older than this may be queued
# again (its worker died or the broker lost the message).
SOFT_TIME_LIMIT = 5 * 60
TIME_LIMIT = 6 * 60
STALE_QUEUED_SECONDS = TIME_LIMIT + 60
MAX_SIGNED_COPY_SIZE = 20 * 1024 * 1024
TERM_FIELDS = ("instrument", "start_date", "end_date", "special_conditions", "cost_share_committed", "report_frequency")
BUDGET_FIELDS = ("category", "description", "unit", "quantity", "unit_cost", "grant_amount", "cost_share_amount")
BUDGET_FIELDS += ("cost_share_kind",)
MILESTONE_FIELDS = ("description", "due_date", "evidence")
TRANCHE_FIELDS = ("number", "amount", "planned_date", "on_signature", "milestone")


# Who may change what lives in grants/permissions.py (can_edit_grant_terms, can_plan_tranches, can_prepare_agreement).


def _locked(grant, *, actor, rule, refusal):
    """The grant, locked for writing, if `rule(actor, grant)` allows it; else an ApplicationError saying why."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("application").get(pk=grant.pk)
    if grant.status != GrantStatus.AWAITING_SIGNATURE:
        raise ApplicationError(
            _("This grant's agreement is signed: its terms, budget and tranches can no longer be changed here."),
            code="grant_signed",
        )
    if not rule(actor, grant):
        raise ApplicationError(refusal, code="not_allowed")
    return grant


def _outdate_agreement(grant, *, actor):
    """Terms changed: a generated (or failed) agreement no longer matches them, so it is removed."""
    if grant.agreement_status not in (D.READY, D.FAILED):
        return
    if grant.agreement_file:
        grant.agreement_file.delete(save=False)
    grant.agreement_file, grant.agreement_error = "", ""
    transition(
        instance=grant,
        to=D.NONE,
        actor=actor,
        transitions=AGREEMENT_TRANSITIONS,
        action="grants.grant.agreement_outdated",
        field="agreement_status",
        save_fields=["agreement_file", "agreement_error"],
    )


def _clean_or_refuse(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), code="invalid", extra={"errors": error}) from error


def _changes(instance, data, fields):
    """Apply `data` to `instance`; the changed fields as {field: [old, new]} (text, for the audit entry)."""
    changed = {}
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            changed[field] = [str(getattr(instance, field)), str(data[field])]
            setattr(instance, field, data[field])
    return changed


# --- Terms, budget, milestones, tranches -------------------------------------------------------------------------
@transaction.atomic
def grant_terms_update(*, actor, grant, data):
    """Change instrument, dates, special conditions or cost share committed before signature."""
    grant = _locked(grant, actor=actor, rule=can_edit_grant_terms, refusal=_("You may not change this grant's terms."))
    changed = _changes(grant, data, TERM_FIELDS)
    if not changed:
        return grant
    _clean_or_refuse(grant)
    grant.save()
    audit_record(actor=actor, action="grants.grant.terms_changed", target=grant, data=changed)
    _outdate_agreement(grant, actor=actor)
    return grant


@transaction.atomic
def grant_budget_line_save(*, actor, grant, data, line=None):
    """Add a line to the approved budget, or change one (finance, before signature)."""
    grant = _locked(grant, actor=actor, rule=can_edit_grant_budget, refusal=_("Only finance may change the budget."))
    adding = line is None
    line = GrantBudgetLine(grant=grant) if adding else GrantBudgetLine.objects.get(pk=line.pk, grant=grant)
    changed = _changes(line, data, BUDGET_FIELDS)
    _clean_or_refuse(line)
    line.save()
    action = "grants.grant.budget_line_added" if adding else "grants.grant.budget_line_changed"
    audit_record(actor=actor, action=action, target=grant, comment=line.description, data=changed)
    _outdate_agreement(grant, actor=actor)
    return line


@transaction.atomic
def grant_budget_line_delete(*, actor, grant, line):
    grant = _locked(grant, actor=actor, rule=can_edit_grant_budget, refusal=_("Only finance may change the budget."))
    line = GrantBudgetLine.objects.filter(pk=line.pk, grant=grant).first()
    if line is None:
        return
    line.delete()
    audit_record(actor=actor, action="grants.grant.budget_line_removed", target=grant, comment=line.description)
    _outdate_agreement(grant, actor=actor)


@transaction.atomic
def grant_milestone_save(*, actor, grant, data, milestone=None):
    grant = _locked(grant, actor=actor, rule=can_plan_tranches, refusal=_("You may not plan this grant's milestones."))
    adding = milestone is None
    milestone = GrantMilestone(grant=grant) if adding else GrantMilestone.objects.get(pk=milestone.pk, grant=grant)
    changed = _changes(milestone, data, MILESTONE_FIELDS)
    _clean_or_refuse(milestone)
    milestone.save()
    action = "grants.grant.milestone_added" if adding else "grants.grant.milestone_changed"
    audit_record(actor=actor, action=action, target=grant, comment=milestone.description, data=changed)
    _outdate_agreement(grant, actor=actor)
    return milestone


@transaction.atomic
def grant_milestone_delete(*, actor, grant, milestone):
    grant = _locked(grant, actor=actor, rule=can_plan_tranches, refusal=_("You may not plan this grant's milestones."))
    milestone = GrantMilestone.objects.filter(pk=milestone.pk, grant=grant).first()
    if milestone is None:
        return
    try:
        with transaction.atomic():
            milestone.delete()
    except ProtectedError as error:
        raise ApplicationError(
            _("A tranche is paid on this milestone. Change or remove that tranche first."), code="milestone_in_use"
        ) from error
    audit_record(actor=actor, action="grants.grant.milestone_removed", target=grant, comment=milestone.description)
    _outdate_agreement(grant, actor=actor)


def _check_tranche_trigger(grant, tranche):
    if tranche.on_signature == (tranche.milestone is not None):
        raise ApplicationError(
            _("Choose when the tranche is paid: either on signature or after one milestone, not both or neither."),
            code="tranche_trigger",
        )
    if tranche.milestone is not None and tranche.milestone.grant_id != grant.pk:
        raise ApplicationError(_("Choose a milestone of this grant."), code="wrong_milestone")


@transaction.atomic
def grant_tranche_save(*, actor, grant, data, tranche=None):
    """Plan a tranche (number, amount, planned date, paid on signature or after a milestone), before signature."""
    grant = _locked(grant, actor=actor, rule=can_plan_tranches, refusal=_("You may not plan this grant's tranches."))
    adding = tranche is None
    tranche = GrantTranche(grant=grant) if adding else GrantTranche.objects.get(pk=tranche.pk, grant=grant)
    changed = _changes(tranche, data, TRANCHE_FIELDS)
    _check_tranche_trigger(grant, tranche)
    taken = _("This grant already has a tranche number %(number)s; choose another number.")
    if GrantTranche.objects.filter(grant=grant, number=tranche.number).exclude(pk=tranche.pk).exists():
        raise ApplicationError(taken % {"number": tranche.number}, code="tranche_number_taken")
    _clean_or_refuse(tranche)
    try:
        with transaction.atomic():
            tranche.save()
    except IntegrityError as error:  # the same number saved by someone else a moment ago
        raise ApplicationError(taken % {"number": tranche.number}, code="tranche_number_taken") from error
    action = "grants.grant.tranche_added" if adding else "grants.grant.tranche_changed"
    audit_record(actor=actor, action=action, target=grant, comment=str(tranche.number), data=changed)
    _outdate_agreement(grant, actor=actor)
    return tranche


@transaction.atomic
def grant_tranche_delete(*, actor, grant, tranche):
    grant = _locked(grant, actor=actor, rule=can_plan_tranches, refusal=_("You may not plan this grant's tranches."))
    tranche = GrantTranche.objects.filter(pk=tranche.pk, grant=grant).first()
    if tranche is None:
        return
    tranche.delete()
    audit_record(actor=actor, action="grants.grant.tranche_removed", target=grant, comment=str(tranche.number))
    _outdate_agreement(grant, actor=actor)


def _tranche_share(tranche):
    """What a tranche adds to the grant: its amount, or only what was paid of it once it is cancelled."""
    if tranche.status != TrancheStatus.CANCELLED:
        return tranche.amount
    paid = getattr(tranche, "paid", None)
    if paid is None:
        paid = sum((payment.amount for payment in tranche.payments.all()), Decimal("0"))
    return paid


def grant_tranche_problems(grant, tranches=None):
    """What is wrong with the planned tranches, in the reader's language (empty when they add up)."""
    if grant.instrument == InstrumentType.IN_KIND:
        return []  # paid in goods and services, recorded as deliveries: there are no tranches to add up
    tranches = list(grant.tranches.all()) if tranches is None else tranches
    if not tranches:
        return [_("No tranches are planned yet. Plan at least one, so that the agreement can say how it is paid.")]
    total = sum((_tranche_share(t) for t in tranches), Decimal("0"))
    if total != grant.amount:
        return [
            _(
                "The tranches add up to %(total)s EUR, but the grant is %(amount)s EUR (difference %(difference)s "
                "EUR). Change the tranche amounts until they add up."
            )
            % {"total": money(total), "amount": money(grant.amount), "difference": money(grant.amount - total)}
        ]
    return []


def grant_budget_problems(grant, lines=None):
    """Whether the approved budget's grant column adds up to the grant amount, in the reader's language."""
    lines = list(grant.budget_lines.all()) if lines is None else lines
    total = sum((line.grant_amount for line in lines), Decimal("0"))
    if total != grant.amount:
        return [
            _(
                "The budget asks %(total)s EUR of the grant, but the grant is %(amount)s EUR. Finance adjusts the "
                "budget lines until they add up."
            )
            % {"total": money(total), "amount": money(grant.amount)}
        ]
    return []


# --- The agreement -----------------------------------------------------------------------------------------------
def _queue_agreement(grant):
    from grants.grant_tasks import render_grant_agreement

    transaction.on_commit(lambda: render_grant_agreement.delay(grant.pk), robust=True)


def agreement_is_stale(grant):
    """A queued agreement whose task should have finished long ago (lost message, dead worker)."""
    return grant.agreement_status == D.QUEUED and (timezone.now() - grant.updated_at).total_seconds() > (
        STALE_QUEUED_SECONDS
    )


@transaction.atomic
def grant_agreement_request(*, actor, grant):
    """Queue the agreement PDF (first time, again after a failure, or anew); the task renders it after commit."""
    grant = _locked(grant, actor=actor, rule=can_prepare_agreement, refusal=_("You may not prepare this agreement."))
    problems = grant_budget_problems(grant) + grant_tranche_problems(grant)
    if problems:
        raise ApplicationError(" ".join([_("The agreement cannot be generated yet."), *problems]), code="not_ready")
    if grant.agreement_status == D.QUEUED:
        if not agreement_is_stale(grant):
            return grant  # a second click queues nothing more
        grant.save(update_fields=["updated_at"])
        audit_record(actor=actor, action="grants.grant.agreement_requeued", target=grant)
    else:
        grant.agreement_error = ""
        transition(
            instance=grant,
            to=D.QUEUED,
            actor=actor,
            transitions=AGREEMENT_TRANSITIONS,
            action="grants.grant.agreement_requested",
            field="agreement_status",
            save_fields=["agreement_error"],
        )
    _queue_agreement(grant)
    return grant


def _agreement_for_rendering(grant_id):
    return (
        Grant.objects.select_for_update(of=("self",))
        .select_related("application__call", "application__organisation", "application__person")
        .select_related("application__municipality", "application__applicant")
        .filter(pk=grant_id)
        .first()
    )


def grant_agreement_render(*, grant_id):
    """Render and store the agreement of a queued grant (what the task does). Safe to run twice: a grant that is
    not queued is left as it is. Any failure is stored on the grant with its reason, and the page offers a retry.
    """
    try:
        with transaction.atomic():
            grant = _agreement_for_rendering(grant_id)
            if grant is None or grant.agreement_status != D.QUEUED:
                return grant
            pdf = agreement_pdf(grant)
            if grant.agreement_file:
                grant.agreement_file.delete(save=False)
            grant.agreement_file.save(f"{get_valid_filename(grant.number)}.pdf", ContentFile(pdf), save=False)
            grant.agreement_error = ""
            return transition(
                instance=grant,
                to=D.READY,
                actor=None,
                transitions=AGREEMENT_TRANSITIONS,
                action="grants.grant.agreement_generated",
                field="agreement_status",
                save_fields=["agreement_file", "agreement_error"],
            )
    except SoftTimeLimitExceeded:
        error = _("Preparing the agreement took longer than the time allowed. Try again.")
    except Exception as exc:  # failure is state: the page shows why and offers a retry
        logger.exception("Agreement of grant %s failed", grant_id)
        error = _(
            "The agreement could not be prepared (%(reason)s). Try again; if it fails again, tell IT support."
        ) % {"reason": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return _agreement_fail(grant_id, error)


@transaction.atomic
def _agreement_fail(grant_id, error):
    grant = Grant.objects.select_for_update().filter(pk=grant_id).first()
    if grant is None or grant.agreement_status != D.QUEUED:
        return grant
    grant.agreement_error = error
    return transition(
        instance=grant,
        to=D.FAILED,
        actor=None,
        transitions=AGREEMENT_TRANSITIONS,
        action="grants.grant.agreement_failed",
        comment=error,
        field="agreement_status",
        save_fields=["agreement_error"],
    )


def _checked_pdf(signed_file):
    if signed_file is None or signed_file.size == 0:
        raise ApplicationError(_("The file is empty. Scan the signed agreement again and upload it."), code="empty")
    if signed_file.size > MAX_SIGNED_COPY_SIZE:
        raise ApplicationError(
            _("The file is larger than 20 MB. Scan it at a lower resolution and upload it again."), code="too_large"
        )
    head = signed_file.read(8192)
    signed_file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime != "application/pdf":
        raise ApplicationError(
            _("The signed copy must be a PDF (the content is checked, not the file name). Scan it as PDF."),
            code="not_pdf",
        )


@transaction.atomic
def grant_sign(*, actor, grant, signed_file):
    """Store the signed agreement (a PDF, checked by content) and make the grant active."""
    grant = _locked(grant, actor=actor, rule=can_prepare_agreement, refusal=_("You may not sign this agreement."))
    if grant.agreement_status != D.READY:
        raise ApplicationError(
            _("Generate the agreement first; the signed copy is a scan of that document."), code="no_agreement"
        )
    _checked_pdf(signed_file)
    grant.signed_copy.save(f"{get_valid_filename(grant.number)}-signed.pdf", signed_file, save=False)
    grant.signed_at = timezone.now()
    transition(
        instance=grant,
        to=GrantStatus.ACTIVE,
        actor=actor,
        transitions=GRANT_TRANSITIONS,
        action="grants.grant.signed",
        data={"size": signed_file.size},
        save_fields=["signed_copy", "signed_at"],
    )
    report_schedule_create(actor=actor, grant=grant)  # the grantee's report schedule starts with the signature
    return grant
