"""Clarification requests: staff reopen named sections of a submitted application, the applicant answers.

Between the request and the answer the application is `clarification_requested` and only the reopened
sections can be edited (grants.services.applications checks `unlocked_sections`).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import email_queue
from core.errors import ApplicationError
from core.workflow import transition
from grants.models import APPLICATION_TRANSITIONS, Application, ApplicationStatus, Clarification, DocumentType
from grants.permissions import can_request_clarification
from grants.services.applications import SECTIONS, missing_items
from grants.services.documents import checked_file_type, stored_document

_LABELS = {
    "applicant": gettext_lazy("Applicant and partners"),
    "project": gettext_lazy("Project"),
    "questions": gettext_lazy("Questions of the call"),
    "budget": gettext_lazy("Budget"),
    "documents": gettext_lazy("Documents"),
}
# In the order of the application's steps; a section added to SECTIONS shows under its code until it is named here.
SECTION_LABELS = {section: _LABELS.get(section, section) for section in SECTIONS}
MAX_TEXT = 5000


def _clean_text(text, *, empty_message):
    text = (text or "").strip()
    if not text:
        raise ApplicationError(empty_message, code="empty")
    if len(text) > MAX_TEXT:
        raise ApplicationError(
            _("The text is longer than %(limit)s characters; shorten it and send it again.") % {"limit": MAX_TEXT},
            code="too_long",
        )
    return text


@transaction.atomic
def application_request_clarification(*, actor, application, message, sections):
    """Ask the applicant to fix named sections; they are reopened until the applicant answers.

    The applicant is e-mailed after commit, in their own language, so a rolled-back request sends nothing.
    """
    if not can_request_clarification(actor):
        raise ApplicationError(
            _("Only programme officers and managers can ask for clarifications."), code="not_allowed"
        )
    requested = set(sections or [])
    if not requested or requested - set(SECTIONS):
        raise ApplicationError(
            _("Choose at least one section of the application for the applicant to correct."), code="no_sections"
        )
    sections = [section for section in SECTIONS if section in requested]
    message = _clean_text(message, empty_message=_("Write what the applicant should clarify or correct."))
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError(
            _("A clarification can be asked for only while the application is submitted and not yet assessed."),
            code="invalid_transition",
        )
    clarification = Clarification(application=application, requested_by=actor, message=message, sections=sections)
    clarification.full_clean()
    clarification.save()
    application.unlocked_sections = sections
    transition(
        instance=application,
        to=ApplicationStatus.CLARIFICATION_REQUESTED,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action="grants.application.clarification_requested",
        comment=message,
        data={"clarification": clarification.pk, "sections": sections},
        save_fields=["unlocked_sections"],
    )
    email_queue(
        recipient=application.applicant.email,
        builder="grants.emails.clarification_request",
        args={"clarification_id": clarification.pk},
    )
    return clarification


@transaction.atomic
def application_answer_clarification(*, actor, application, response, attachment=None):
    """The applicant answers the open request (optionally with a file); the application is submitted again.

    The reopened sections close again; an attachment is kept with the application's documents.
    """
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if application.applicant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("Only the applicant can answer this clarification request."), code="not_owner")
    if application.status != ApplicationStatus.CLARIFICATION_REQUESTED:
        raise ApplicationError(_("No clarification is waiting for an answer on this application."), code="not_open")
    response = _clean_text(response, empty_message=_("Write your answer before sending it."))
    clarification = (
        Clarification.objects.select_for_update()
        .filter(application=application, answered_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if clarification is None:
        raise ApplicationError(_("No clarification is waiting for an answer on this application."), code="not_open")
    reopened = set(application.unlocked_sections or [])
    missing = [item for item in missing_items(application) if item[0] in reopened]
    if missing:
        raise ApplicationError(
            _("The application is not complete yet. See the list of what is missing."),
            code="incomplete",
            extra={"missing": missing},
        )
    document = None
    if attachment is not None:
        mime = checked_file_type(application, attachment, DocumentType.values)
        document = stored_document(
            actor=actor, application=application, call_document=None, uploaded_file=attachment, mime=mime
        )
    clarification.response = response
    clarification.answered_at = timezone.now()
    clarification.full_clean()
    clarification.save(update_fields=["response", "answered_at", "updated_at"])
    application.unlocked_sections = []
    return transition(
        instance=application,
        to=ApplicationStatus.SUBMITTED,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action="grants.application.clarification_answered",
        comment=response,
        data={
            "clarification": clarification.pk,
            "sections": sorted(reopened),
            "attachment": document.pk if document else None,
        },
        save_fields=["unlocked_sections"],
    )
