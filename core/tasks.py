"""Celery tasks shared by every app."""

import datetime

from celery import shared_task

from core.emails import email_deliver, emails_deliver_pending


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def deliver_email(email_id):
    """Send one e-mail of the outbox (safe to run twice: a sent row is skipped)."""
    email_deliver(email_id=email_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def deliver_pending_emails():
    """Periodic: send e-mails whose first attempt was lost (broker down) or failed (mail server down)."""
    return emails_deliver_pending(older_than=datetime.timedelta(minutes=2))


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660, ignore_result=True)
def sweep_orphan_files():
    """Weekly: remove uploads whose row was never committed, in the folders the apps declare (safe to run twice)."""
    from core.orphan_files import orphan_files_sweep

    return len(orphan_files_sweep())
