"""Celery tasks of the grants app. They take ids, load the rows, and are safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.pdf import render_pdf
from grants import call_pdfs, export_tasks  # noqa: F401 - registers their tasks with the worker
from grants.models import Application

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60, soft_time_limit=120, time_limit=180)
def send_submission_confirmation(self, application_id):
    """E-mail the applicant the reference and a PDF copy of the submitted application, in their language."""
    application = (
        Application.objects.select_related("call", "applicant", "person", "organisation", "municipality")
        .prefetch_related("partners__municipality", "budget_lines", "documents__call_document")
        .get(pk=application_id)
    )
    if application.confirmation_sent_at:
        return  # already sent: a redelivered task must not send it twice
    language = application.applicant.language or settings.LANGUAGE_CODE
    context = {"application": application, "site_url": settings.SITE_URL}
    try:
        pdf = render_pdf("pdf/application.html", context, language=language)
        with translation.override(language):
            subject = render_to_string("grants/email/submission_confirmation_subject.txt", context).strip()
            body = render_to_string("grants/email/submission_confirmation_message.txt", context)
        message = EmailMessage(subject=subject, body=body, to=[application.applicant.email])
        message.attach(f"{application.reference}.pdf", pdf, "application/pdf")
        message.send()
    except Exception as exc:  # e-mail servers fail; try again later, a bounded number of times
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.exception("Confirmation of application %s not sent", application_id)
            return
        raise self.retry(exc=exc) from exc
    Application.objects.filter(pk=application.pk).update(confirmation_sent_at=timezone.now())
