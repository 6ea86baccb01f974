"""What every write to a draft shares: the lock, the version check and the search text."""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.text import fold
from grants.models import (
    Application,
    ApplicationStatus,
)


def _stale_error():
    return ApplicationError(
        _(
            "This application was changed in another tab or window after you opened this page. "
            "Your text is still below: copy what you need, reload the page to see the latest version, then save again."
        ),
        code="stale",
    )


def locked_for_writing(application, *, actor, section, version=None):
    """The application, locked for writing, after checking owner, state and (optionally) the version."""
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if locked.applicant_id != actor.pk:
        raise ApplicationError(_("Only the applicant can change this application."), code="not_owner")
    reopened = locked.status == ApplicationStatus.CLARIFICATION_REQUESTED and section in locked.unlocked_sections
    if locked.status != ApplicationStatus.DRAFT and not reopened:
        raise ApplicationError(
            _("This part of the application can no longer be changed: it has been submitted."), code="not_editable"
        )
    if version is not None and int(version) != locked.version:
        raise _stale_error()
    return locked


def record_change(application):
    """Count one more change (the optimistic lock) and refresh what search finds."""
    Application.objects.filter(pk=application.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), search_text=_search_text(application)
    )
    application.refresh_from_db(fields=["version", "updated_at", "search_text"])


def _search_text(application):
    parts = [application.reference or "", application.title, str(application.person)]
    if application.organisation_id:
        parts.append(application.organisation.name)
    if application.municipality_id:
        m = application.municipality
        parts += [m.name_sq, m.name_sr_latn, m.name_sr_cyrl, m.name_en]
    return fold(" ".join(parts))
