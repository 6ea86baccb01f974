"""The e-mail outbox: queue a message with the event it reports, send it after commit, retry what is pending."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import EMAIL_TRANSITIONS, EmailStatus, OutgoingEmail
from core.workflow import transition

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def email_queue(*, recipient, builder, args=None):
    """Record an e-mail to send; call inside the transaction of the event it reports.

    The send is queued after commit. If the broker is down then, the row stays pending and the periodic
    `deliver_pending_emails` task sends it later.
    """
    email = OutgoingEmail.objects.create(recipient=recipient, builder=builder, args=args or {})
    transaction.on_commit(lambda: _queue_delivery(email.pk), robust=True)
    return email


def _queue_delivery(email_id):
    from core.tasks import deliver_email

    deliver_email.delay(email_id)


@transaction.atomic
def email_deliver(*, email_id):
    """Send one pending e-mail. The row is locked, so two workers never send it twice."""
    email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, status=EmailStatus.PENDING).first()
    if email is None:
        return None
    try:
        message = import_string(email.builder)(**email.args)
        if message is None:  # the event no longer calls for it (e.g. the request was answered meanwhile)
            return transition(
                instance=email,
                to=EmailStatus.CANCELLED,
                actor=None,
                transitions=EMAIL_TRANSITIONS,
                action="core.email.cancelled",
            )
        message.to = [email.recipient]
        message.send()
    except Exception as exc:  # a mail server or a template failed: keep the row, count the attempt
        logger.warning("E-mail %s not sent: %s", email.pk, exc)
        email.attempts += 1
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= MAX_ATTEMPTS:
            return transition(
                instance=email,
                to=EmailStatus.FAILED,
                actor=None,
                transitions=EMAIL_TRANSITIONS,
                action="core.email.failed",
                comment=email.last_error,
                save_fields=["attempts", "last_error"],
            )
        email.save(update_fields=["attempts", "last_error", "updated_at"])
        return email
    email.sent_at = timezone.now()
    return transition(
        instance=email,
        to=EmailStatus.SENT,
        actor=None,
        transitions=EMAIL_TRANSITIONS,
        action="core.email.sent",
        save_fields=["sent_at"],
    )


def emails_deliver_pending(*, older_than, limit=200):
    """Send what is still pending (its first attempt was lost or failed); returns how many were tried."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutgoingEmail.objects.filter(status=EmailStatus.PENDING, updated_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for email_id in ids:
        email_deliver(email_id=email_id)
    return len(ids)


@transaction.atomic
def email_retry(*, actor, email):
    """Put a failed e-mail back in the queue (after the mail server is fixed)."""
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    email.attempts = 0
    transition(
        instance=email,
        to=EmailStatus.PENDING,
        actor=actor,
        transitions=EMAIL_TRANSITIONS,
        action="core.email.retried",
        save_fields=["attempts"],
    )
    transaction.on_commit(lambda: _queue_delivery(email.pk), robust=True)
    return email
