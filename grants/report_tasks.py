"""The daily task that reminds grantees of progress reports due in a week or today (see report_reminders_send).

Safe to run twice: each reminder is recorded once per report and kind, and a second run finds it sent.
"""

from celery import shared_task

from grants.services.reports import report_reminders_send


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, ignore_result=True)
def send_report_reminders():
    """Queue today's reminders in the outbox; the outbox task sends them."""
    return report_reminders_send()
