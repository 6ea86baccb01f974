"""Celery tasks of staff intake: application exports and the clarification e-mail.

They take ids, load the rows and call services; each is safe to run twice. grants/tasks.py imports this module so
that the worker registers them.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grants.models import Clarification
from grants.services.clarifications import SECTION_LABELS
from grants.services.exports import application_export_run, application_exports_fail_stuck

logger = logging.getLogger(__name__)

# Below the broker's visibility timeout (one hour), so Redis never hands a running export to a second worker.
EXPORT_SOFT_LIMIT = 10 * 60
EXPORT_HARD_LIMIT = 11 * 60


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=EXPORT_SOFT_LIMIT,
    time_limit=EXPORT_HARD_LIMIT,
    max_retries=0,
)
def export_applications(export_id):
    """Write the file of one export; its state (running, succeeded or failed with the reason) lives in its row."""
    application_export_run(export_id=export_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def fail_stuck_exports():
    """Periodic: exports left `running` by a worker that died are marked failed, so their page offers a retry."""
    return application_exports_fail_stuck(older_than=datetime.timedelta(seconds=EXPORT_HARD_LIMIT + 60))


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


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60, soft_time_limit=60, time_limit=90)
def send_clarification_request(self, clarification_id):
    """E-mail the applicant what to clarify, in the applicant's language, with a link to the application.

    A redelivered task may send the message twice (nothing on the row records that it went out).
    """
    clarification = Clarification.objects.select_related("application__applicant").filter(pk=clarification_id).first()
    if clarification is None or clarification.answered_at:
        return
    applicant = clarification.application.applicant
    with translation.override(applicant.language or settings.LANGUAGE_CODE):
        subject, body = clarification_email(clarification)
    try:
        EmailMessage(subject=subject, body=body, to=[applicant.email]).send()
    except Exception as exc:  # e-mail servers fail; try again later, a bounded number of times
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.exception("Clarification request %s not e-mailed", clarification_id)
            return
        raise self.retry(exc=exc) from exc
