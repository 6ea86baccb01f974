from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.call_pdfs import queue_call_pdfs
from grants.models import CALL_TRANSITIONS, Call, CallCriterion, CallDocument, CallQuestion, CallStatus

# The rows a call owns, by the word used in audit action codes ("grants.call.question.created").
CALL_ROW_KINDS = {CallDocument: "document", CallQuestion: "question", CallCriterion: "criterion"}


@transaction.atomic
def call_save(*, actor, call, municipalities=None):
    """Create or change a call's own fields. A published call stays published; changes are audited.

    The status is never taken from `call` (only the transition services change it), and a published call keeps
    its code, because applicants and documents already refer to it.
    """
    creating = call.pk is None
    if not creating:
        stored = Call.objects.select_for_update().get(pk=call.pk)
        if stored.status == CallStatus.CLOSED:
            raise ApplicationError(_("This call is closed and can no longer be changed."), code="call_closed")
        if stored.status != CallStatus.DRAFT and stored.code != call.code:
            raise ApplicationError(
                _("The code of a published call cannot be changed; keep “%(code)s”.") % {"code": stored.code},
                code="call_code_locked",
            )
        call.status = stored.status
    call.full_clean()
    call.save()
    if municipalities is not None:
        call.eligible_municipalities.set(municipalities)
    audit_record(actor=actor, action="grants.call.created" if creating else "grants.call.changed", target=call)
    return call


def _row_kind(row):
    try:
        return CALL_ROW_KINDS[type(row)]
    except KeyError:
        raise TypeError(f"{type(row).__name__} is not a row of a call") from None


def _ensure_call_changeable(call):
    if Call.objects.select_for_update().filter(pk=call.pk, status=CallStatus.CLOSED).exists():
        raise ApplicationError(_("This call is closed and can no longer be changed."), code="call_closed")


def _touch(call):
    """A change to a call's rows is a change to the call: its PDFs are made again (their name follows updated_at)."""
    Call.objects.filter(pk=call.pk).update(updated_at=timezone.now())


@transaction.atomic
def call_row_save(*, actor, call, row):
    """Create or change one required document, question or scoring criterion of `call`.

    Applications keep a frozen copy of the questions they answered, so editing a published call's form is safe.
    """
    kind = _row_kind(row)
    _ensure_call_changeable(call)
    creating = row.pk is None
    row.call = call
    row.full_clean()
    row.save()
    _touch(call)
    audit_record(
        actor=actor,
        action=f"grants.call.{kind}.{'created' if creating else 'changed'}",
        target=call,
        data={"id": row.pk, "name": str(row)},
    )
    return row


@transaction.atomic
def call_row_delete(*, actor, call, row):
    """Remove one required document, question or scoring criterion; refused when applications already use it."""
    kind = _row_kind(row)
    _ensure_call_changeable(call)
    if row.call_id != call.pk:
        raise ApplicationError(_("This row does not belong to this call."), code="call_row_foreign")
    row_id, name = row.pk, str(row)
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError:
        raise ApplicationError(
            _("“%(name)s” cannot be removed because applicants have already used it; mark it as not required instead.")
            % {"name": name},
            code="call_row_in_use",
        ) from None
    _touch(call)
    audit_record(actor=actor, action=f"grants.call.{kind}.deleted", target=call, data={"id": row_id, "name": name})


@transaction.atomic
def call_save_with_rows(*, actor, call, municipalities=None, rows=(), deleted_rows=()):
    """Save a call and the rows edited on the same page in one transaction: all of it is saved, or nothing."""
    call = call_save(actor=actor, call=call, municipalities=municipalities)
    for row in deleted_rows:
        call_row_delete(actor=actor, call=call, row=row)
    for row in rows:
        call_row_save(actor=actor, call=call, row=row)
    return call


@transaction.atomic
def call_publish(*, actor, call):
    """Open the call to the public. Refused while it has no questions or no scoring criteria."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status == CallStatus.PUBLISHED:
        # A second click on "Publish" lands here once the first has committed.
        raise ApplicationError(_("This call is already published; nothing was changed."), code="call_already_published")
    problems = []
    if not call.questions.exists():
        problems.append(_("add at least one question to the application form"))
    if not call.criteria.exists():
        problems.append(_("add at least one scoring criterion"))
    if not call.eligible_municipalities.exists():
        problems.append(_("choose the eligible municipalities"))
    if problems:
        raise ApplicationError(
            _("The call cannot be published yet: %(problems)s.") % {"problems": "; ".join(problems)},
            code="call_incomplete",
        )
    call = transition(
        instance=call,
        to=CallStatus.PUBLISHED,
        actor=actor,
        transitions=CALL_TRANSITIONS,
        action="grants.call.published",
    )
    queue_call_pdfs(call)  # after commit: the PDF in each language is ready before the first reader asks
    return call


@transaction.atomic
def call_close(*, actor, call, comment=""):
    """Close the call before its deadline (after the deadline it is closed by the clock anyway)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status == CallStatus.CLOSED:
        raise ApplicationError(_("This call is already closed; nothing was changed."), code="call_already_closed")
    return transition(
        instance=call,
        to=CallStatus.CLOSED,
        actor=actor,
        transitions=CALL_TRANSITIONS,
        action="grants.call.closed",
        comment=comment,
    )
