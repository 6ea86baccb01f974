from django.contrib.contenttypes.models import ContentType

from core.models import AuditEntry


def audit_entries_for(*, target):
    """The timeline of one object, newest first, with the actor joined in."""
    content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(target.pk)).select_related("actor")
