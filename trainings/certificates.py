"""Certificates of completion: issued for the completers of an event in one action, numbered without gaps per
year, rendered to PDF by Celery (trainings/certificate_tasks.py) after commit; failure is state with a retry.

The PDF shows the participant's language beside English, the certificate number and a public verification link
(`trainings.urls_public`), which shows only that the certificate is valid, its number, name, course and dates.
"""

import datetime
import logging
import secrets

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.pdf import render_pdf
from core.services import audit_record
from core.workflow import transition
from trainings.models import (
    CERTIFICATE_TRANSITIONS,
    Certificate,
    CertificateSequence,
    CertificateStatus,
    Enrolment,
    TrainingEvent,
)
from trainings.permissions import can_manage_trainings

logger = logging.getLogger(__name__)

S = CertificateStatus
SOFT_TIME_LIMIT = 5 * 60
TIME_LIMIT = 6 * 60
NUMBER_PREFIX = "AKT-TR"
# A certificate still queued this long after it was queued has lost its worker (rendering takes at most TIME_LIMIT).
STUCK_AFTER = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 3
STUCK_BATCH = 200


def certificate_language(enrolment):
    """The participant's language: their account's, else the event's language of delivery, else Albanian."""
    languages = dict(settings.LANGUAGES)
    user = getattr(enrolment.person, "user", None)
    language = getattr(user, "language", "") if user is not None else ""
    if language in languages:
        return language
    if enrolment.event.language in languages:
        return enrolment.event.language
    return settings.LANGUAGE_CODE


def participant_name(person):
    return f"{person.first_name} {person.last_name}".strip()


def verification_url(certificate):
    with translation.override(certificate.language):
        path = reverse("certificate_verify", kwargs={"code": certificate.verification_code})
    return settings.SITE_URL.rstrip("/") + path


def _refuse_unless_manager(actor):
    if not can_manage_trainings(actor):
        raise ApplicationError(_("You may not issue certificates for this training."), code="forbidden")


def _next_number(year):
    """The next number of `year`, taken under a row lock so two issuers never share or skip a number."""
    CertificateSequence.objects.get_or_create(year=year)
    sequence = CertificateSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{NUMBER_PREFIX}-{year}-{sequence.last_number:06d}"


def _issue(enrolment, *, actor):
    now = timezone.now()
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        number=_next_number(now.year),
        verification_code=secrets.token_urlsafe(18),
        language=certificate_language(enrolment),
        issued_at=now,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
        attempts=1,
    )
    audit_record(actor=actor, action="trainings.certificate.issued", target=certificate)
    transition(
        instance=certificate,
        to=S.QUEUED,
        actor=actor,
        transitions=CERTIFICATE_TRANSITIONS,
        action="trainings.certificate.queued",
    )
    _queue(certificate)
    return certificate


def _queue(certificate):
    from trainings.certificate_tasks import render_training_certificate

    transaction.on_commit(lambda: render_training_certificate.delay(certificate.pk), robust=True)


@transaction.atomic
def certificates_request(*, actor, event):
    """Issue a certificate to every completer of `event` who has none yet, and queue their PDFs.

    Returns the new certificates (none on a second click). Refused when nobody completed the event.
    """
    _refuse_unless_manager(actor)
    event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    completers = list(
        Enrolment.objects.filter(event=event, completed=True)
        .select_related("person__user", "event")
        .order_by("person__last_name", "person__first_name", "id")
    )
    if not completers:
        raise ApplicationError(
            _("Nobody has completed this training yet. Compute completion first, then issue the certificates."),
            code="no_completers",
        )
    have = set(Certificate.objects.filter(enrolment__event=event).values_list("enrolment_id", flat=True))
    issued = [_issue(enrolment, actor=actor) for enrolment in completers if enrolment.pk not in have]
    audit_record(
        actor=actor, action="trainings.event.certificates_requested", target=event, data={"issued": len(issued)}
    )
    return issued


@transaction.atomic
def certificate_request(*, actor, enrolment):
    """Issue (or return the existing) certificate of one enrolment; refused when the participant did not complete."""
    _refuse_unless_manager(actor)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("person__user", "event").get(pk=enrolment.pk)
    )
    if not enrolment.completed:
        raise ApplicationError(
            _("%(name)s did not complete this training, so no certificate can be issued.")
            % {"name": participant_name(enrolment.person)},
            code="not_completed",
        )
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    return existing or _issue(enrolment, actor=actor)


def is_stuck(certificate, *, now=None):
    """Queued for longer than STUCK_AFTER: the worker that had it died, so staff may queue it again."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    return certificate.status == S.QUEUED and certificate.updated_at is not None and certificate.updated_at < cutoff


@transaction.atomic
def certificate_retry(*, actor, certificate):
    """Queue again a failed certificate, or one stuck in the queue (see is_stuck); anything else is left as it is,
    so a second click does nothing. A retry by staff starts the count of attempts afresh."""
    _refuse_unless_manager(actor)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == S.FAILED:
        certificate.attempts = 1
        certificate.error = ""
        transition(
            instance=certificate,
            to=S.QUEUED,
            actor=actor,
            transitions=CERTIFICATE_TRANSITIONS,
            action="trainings.certificate.retried",
            save_fields=["error", "attempts"],
        )
    elif is_stuck(certificate):
        certificate.attempts = 1
        certificate.save(update_fields=["attempts", "updated_at"])
        audit_record(actor=actor, action="trainings.certificate.requeued", target=certificate, data={"by": "staff"})
    else:
        return certificate
    _queue(certificate)
    return certificate


@transaction.atomic
def certificates_retry_failed(*, actor, event):
    """Queue again every failed certificate of `event`; returns how many."""
    _refuse_unless_manager(actor)
    failed = list(Certificate.objects.filter(enrolment__event=event, status=S.FAILED))
    for certificate in failed:
        certificate_retry(actor=actor, certificate=certificate)
    return len(failed)


def certificates_requeue_stuck(*, now=None):
    """Queue again the certificates stuck in the queue (their worker died); one stuck MAX_ATTEMPTS times is marked
    failed with the reason, so the event page offers staff a retry instead of "being prepared" for ever.

    Each certificate is handled in its own transaction; a row being rendered right now is locked and skipped.
    Returns how many were queued again and how many failed.
    """
    now = now or timezone.now()
    ids = list(
        Certificate.objects.filter(status=S.QUEUED, updated_at__lt=now - STUCK_AFTER)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:STUCK_BATCH]
    )
    counts = {"requeued": 0, "failed": 0}
    for certificate_id in ids:
        outcome = _requeue_stuck(certificate_id, now=now)
        if outcome:
            counts[outcome] += 1
    if ids:
        logger.warning("Stuck certificates: %s queued again, %s failed", counts["requeued"], counts["failed"])
    return counts


@transaction.atomic
def _requeue_stuck(certificate_id, *, now):
    certificate = Certificate.objects.select_for_update(skip_locked=True).filter(pk=certificate_id).first()
    if certificate is None or not is_stuck(certificate, now=now):
        return None
    if certificate.attempts >= MAX_ATTEMPTS:
        error = _(
            "The certificate was sent to be prepared %(count)s times and never came back (the document service "
            "stopped each time). Try again; if it stays stuck, tell IT support."
        ) % {"count": certificate.attempts}
        _fail(certificate.pk, error)
        return "failed"
    certificate.attempts += 1
    certificate.save(update_fields=["attempts", "updated_at"])
    audit_record(
        actor=None,
        action="trainings.certificate.requeued",
        target=certificate,
        data={"attempt": certificate.attempts, "by": "system"},
    )
    _queue(certificate)
    return "requeued"


def certificate_render(*, certificate_id):
    """Render and store the PDF of a queued certificate (what the task does). Safe to run twice: a certificate
    that is not queued (already ready) is left as it is. A failure is stored with its reason.
    """
    try:
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("enrolment__person", "enrolment__event__course", "enrolment__event__municipality")
                .filter(pk=certificate_id)
                .first()
            )
            if certificate is None or certificate.status != S.QUEUED:
                return certificate
            pdf = certificate_pdf(certificate)
            if certificate.file:
                certificate.file.delete(save=False)
            certificate.file.save(f"{certificate.verification_code}.pdf", ContentFile(pdf), save=False)
            certificate.error = ""
            return transition(
                instance=certificate,
                to=S.READY,
                actor=None,
                transitions=CERTIFICATE_TRANSITIONS,
                action="trainings.certificate.generated",
                save_fields=["file", "error"],
            )
    except SoftTimeLimitExceeded:
        error = _("Preparing the certificate took longer than the time allowed. Try again.")
    except Exception as exc:  # failure is state: the page shows why and offers a retry
        logger.exception("Certificate %s failed", certificate_id)
        error = _(
            "The certificate could not be prepared (%(reason)s). Try again; if it fails again, tell IT support."
        ) % {"reason": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return _fail(certificate_id, error)


@transaction.atomic
def _fail(certificate_id, error):
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None or certificate.status != S.QUEUED:
        return certificate
    certificate.error = error
    return transition(
        instance=certificate,
        to=S.FAILED,
        actor=None,
        transitions=CERTIFICATE_TRANSITIONS,
        action="trainings.certificate.failed",
        comment=error,
        save_fields=["error"],
    )


# --- PDF content -------------------------------------------------------------------------------------------------


def _setting_text(name, language, default):
    value = getattr(settings, name, None)
    if isinstance(value, dict):
        return value.get(language) or value.get("en") or default
    return value or default


def _half(certificate, language):
    """The certificate's text in one language (one column of the PDF)."""
    enrolment = certificate.enrolment
    event = enrolment.event
    with translation.override(language):
        values = {
            "donor": getattr(settings, "AGREEMENT_DONOR_NAME", "USAID"),
            "programme": getattr(settings, "AGREEMENT_PROGRAMME_NAME", "Advancing Kosovo Together – Local Solutions"),
            "course": event.course.title,
            "start": formats.date_format(event.start_date, "d.m.Y"),
            "end": formats.date_format(event.end_date, "d.m.Y"),
            "municipality": event.municipality.name,
            "hours": formats.number_format(event.contact_hours, decimal_pos=1),
        }
        return {
            "language": language,
            "title": _("Certificate of completion"),
            "certifies": _("This certifies that"),
            "completed": _("has completed the training “%(course)s”") % values,
            "details": _("held in %(municipality)s from %(start)s to %(end)s, %(hours)s contact hours.") % values,
            "programme": _("Organised by the %(programme)s programme, funded by %(donor)s.") % values,
            "number_label": _("Certificate number"),
            "verify_label": _("Check this certificate at"),
            "branding": _setting_text("AGREEMENT_BRANDING_LINE", language, _("From the American people")),
            "disclaimer": _(
                "This certificate is made possible by the support of the American people through %(donor)s. "
                "The contents do not necessarily reflect the views of %(donor)s or the United States Government."
            )
            % values,
        }


def certificate_pdf(certificate):
    """The PDF bytes: the participant's language beside English (English alone for English speakers)."""
    language = certificate.language if certificate.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    languages = [language, "en"] if language != "en" else ["en"]
    halves = [_half(certificate, code) for code in languages]
    context = {
        "certificate": certificate,
        "name": participant_name(certificate.enrolment.person),
        "halves": halves,
        "branding": " · ".join(dict.fromkeys(half["branding"] for half in halves)),
        "disclaimers": list(dict.fromkeys(half["disclaimer"] for half in halves)),
        "verification_url": verification_url(certificate),
        "logo": getattr(settings, "AGREEMENT_LOGO_STATIC", ""),
    }
    return render_pdf("pdf/training_certificate.html", context, language=language)


def certificate_for_verification(code):
    """The certificate with this public code, ready to show (None if unknown or not issued)."""
    if not code or len(code) > 40:
        return None
    return (
        Certificate.objects.select_related("enrolment__person", "enrolment__event__course")
        .exclude(status=S.NONE)
        .filter(verification_code=code)
        .first()
    )
