"""The one way a status changes: lock the row, check the declared transition, save, audit."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record


def transition(*, instance, to, actor, transitions, action, comment="", data=None, save_fields=(), field="status"):
    """Move `instance` to status `to` if `transitions` allows it, and record who did it.

    Call inside `transaction.atomic`; `instance` should be locked with `select_for_update`. Extra
    attributes already set on `instance` and named in `save_fields` are saved with the status.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic")
    current = getattr(instance, field)
    if to not in transitions.get(current, set()):
        labels = dict(type(instance)._meta.get_field(field).choices)
        raise ApplicationError(
            _("This cannot be done now: the status is “%(current)s”, and it cannot become “%(target)s”.")
            % {"current": labels.get(current, current), "target": labels.get(to, to)},
            code="invalid_transition",
        )
    setattr(instance, field, to)
    update_fields = [field, *save_fields]
    if hasattr(instance, "updated_at"):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    audit_record(
        actor=actor, action=action, target=instance, from_status=current, to_status=to, comment=comment, data=data
    )
    return instance
