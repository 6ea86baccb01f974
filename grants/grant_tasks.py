"""Celery tasks of grants after award: agreement PDFs and the selection record (see grants/services/grants.py).

They take ids, load the rows and call the services; each is safe to run twice (a redelivered agreement task finds
the grant no longer queued and does nothing), and stores its failure as state that the page shows with a retry.
"""

from celery import shared_task

from grants.services.grants import SOFT_TIME_LIMIT, TIME_LIMIT, grant_agreement_render
from grants.services.selection_record import selection_record_render


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
def render_grant_agreement(grant_id):
    """Render and store the agreement of one grant; its state (ready, or failed with the reason) is on the grant."""
    grant_agreement_render(grant_id=grant_id)


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
def render_selection_record(call_id, language):
    """Render a call's whole selection record for an audit, in the language of the manager who asked for it."""
    selection_record_render(call_id=call_id, language=language)
