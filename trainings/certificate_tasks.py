"""Celery tasks of training certificates (see trainings/certificates.py). Safe to run twice: a redelivered task
finds the certificate no longer queued and does nothing; a failure is stored on the certificate with a retry."""

from celery import shared_task

from trainings.certificates import SOFT_TIME_LIMIT, TIME_LIMIT, certificate_render, certificates_requeue_stuck


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def render_training_certificate(certificate_id):
    """Render and store one certificate's PDF; its state (ready, or failed with the reason) is on the row."""
    certificate_render(certificate_id=certificate_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90, ignore_result=True)
def requeue_stuck_certificates():
    """Periodic (every 10 minutes): certificates left queued by a worker that died are queued again, and marked
    failed after three attempts, so none shows "being prepared" for ever."""
    return certificates_requeue_stuck()
