from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import CALL_TRANSITIONS, Call, CallStatus


@transaction.atomic
def call_save(*, actor, call, municipalities=None):
    """Create or change a call's own fields. A published call stays published; changes are audited."""
    creating = call.pk is None
    call.full_clean()
    call.save()
    if municipalities is not None:
        call.eligible_municipalities.set(municipalities)
    audit_record(actor=actor, action="grants.call.created" if creating else "grants.call.changed", target=call)
    return call


@transaction.atomic
def call_publish(*, actor, call):
    """Open the call to the public. Refused while it has no questions or no scoring criteria."""
    call = Call.objects.select_for_update().get(pk=call.pk)
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
    return transition(
        instance=call,
        to=CallStatus.PUBLISHED,
        actor=actor,
        transitions=CALL_TRANSITIONS,
        action="grants.call.published",
    )


@transaction.atomic
def call_close(*, actor, call, comment=""):
    """Close the call before its deadline (after the deadline it is closed by the clock anyway)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    return transition(
        instance=call,
        to=CallStatus.CLOSED,
        actor=actor,
        transitions=CALL_TRANSITIONS,
        action="grants.call.closed",
        comment=comment,
    )
