"""The letter to an applicant whose application was found ineligible, built when the outbox sends it.

It is written in the applicant's language (User.language), lists the reasons chosen by the programme officer and
their comment, and carries the same letter as a PDF for the applicant's records.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import render_pdf
from grants.models import Application, ApplicationStatus, IneligibilityReason


def _reason_labels(codes):
    labels = dict(IneligibilityReason.choices)
    return [str(labels[code]) for code in codes if code in labels]


def ineligibility_letter(application_id):
    """The letter with the reasons and the comment, and its PDF copy; None if the application is not ineligible."""
    application = (
        Application.objects.select_related("call", "applicant", "person", "screening").filter(pk=application_id).first()
    )
    screening = getattr(application, "screening", None) if application else None
    if application is None or application.status != ApplicationStatus.INELIGIBLE or screening is None:
        return None
    language = application.applicant.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "application": application,
            "screening": screening,
            "reasons": _reason_labels(screening.reasons),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("grants/email/ineligibility_subject.txt", context).strip()
        body = render_to_string("grants/email/ineligibility_message.txt", context)
    pdf = render_pdf("pdf/ineligibility_letter.html", context, language=language)
    message = EmailMessage(subject=" ".join(subject.split()), body=body)
    message.attach(f"{application.reference}-eligibility.pdf", pdf, "application/pdf")
    return message
