"""Celery tasks of the reports: render a report run, and send again the runs whose task was lost.

They take ids and call reports.services.runs; each is safe to run twice.
"""

from celery import shared_task

from reports.services import runs


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=runs.RENDER_SOFT_TIME_LIMIT,
    time_limit=runs.RENDER_TIME_LIMIT,
    max_retries=0,
)
def render_report_run(run_id):
    """Render one run's document; its state (running with progress, succeeded or failed with why) is its row."""
    runs.execute_run(run_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def requeue_stuck_runs():
    """Periodic: runs whose task was lost are sent again (or failed after three attempts)."""
    requeued, failed = runs.requeue_stuck_runs()
    return {"requeued": requeued, "failed": failed}
