from django.contrib.contenttypes.models import ContentType

from core.models import AuditEntry


def audit_record(*, actor, action, target, from_status="", to_status="", comment="", data=None):
    """Write one audit entry for `target`.

    Every status change and every other decision a person takes is recorded here, so that the
    programme can show USAID who did what and when. Call it inside the same transaction as the
    change it records.
    """
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        from_status=from_status or "",
        to_status=to_status or "",
        comment=comment or "",
        data=data or {},
    )
    entry.full_clean()
    entry.save()
    return entry
