"""The e-mails of the grants app, built in their reader's language when the outbox sends them.

Each builder takes ids (from the outbox row), loads what it needs and returns an EmailMessage, or None when
the event no longer calls for the message.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.pdf import render_pdf
from grants.models import Application, Clarification
from grants.services.clarifications import SECTION_LABELS


def submission_confirmation(application_id):
    """The reference and a PDF copy of the submitted application."""
    application = (
        Application.objects.select_related("call", "applicant", "person", "organisation", "municipality")
        .prefetch_related("partners__municipality", "budget_lines", "documents__call_document")
        .get(pk=application_id)
    )
    language = application.applicant.language or settings.LANGUAGE_CODE
    context = {"application": application, "site_url": settings.SITE_URL.rstrip("/")}
    pdf = render_pdf("pdf/application.html", context, language=language)
    with translation.override(language):
        subject = render_to_string("grants/email/submission_confirmation_subject.txt", context).strip()
        body = render_to_string("grants/email/submission_confirmation_message.txt", context)
    message = EmailMessage(subject=subject, body=body)
    message.attach(f"{application.reference}.pdf", pdf, "application/pdf")
    return message


def clarification_request(clarification_id):
    """What staff ask the applicant to clarify, with a link to the application; None once answered."""
    clarification = Clarification.objects.select_related("application__applicant").filter(pk=clarification_id).first()
    if clarification is None or clarification.answered_at:
        return None
    with translation.override(clarification.application.applicant.language or settings.LANGUAGE_CODE):
        subject, body = clarification_email(clarification)
    return EmailMessage(subject=subject, body=body)


def clarification_email(clarification):
    """Subject and body of the request, in the language active when called (the applicant's)."""
    application = clarification.application
    path = reverse("application_detail", kwargs={"pk": application.pk})
    sections = "\n".join(f"- {SECTION_LABELS.get(code, code)}" for code in clarification.sections)
    subject = "[AKT-LS] " + _("Clarification requested for application %(reference)s") % {
        "reference": application.reference
    }
    body = _(
        "Hello,\n\n"
        "The AKT-LS programme team asks you to clarify or correct your application %(reference)s "
        "(“%(title)s”).\n\n"
        "What to clarify:\n%(message)s\n\n"
        "You can change these parts of the application:\n%(sections)s\n\n"
        "Open your application, make the changes and send your answer:\n%(link)s\n\n"
        "Your application stays submitted; it is assessed after you answer.\n\n"
        "The AKT-LS Grants team"
    ) % {
        "reference": application.reference,
        "title": application.title,
        "message": clarification.message,
        "sections": sections,
        "link": settings.SITE_URL.rstrip("/") + path,
    }
    return subject, body
