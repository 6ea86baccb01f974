"""Celery tasks of businesses: exports of the staff list. They take ids, call services and are safe to run twice."""

import datetime

from celery import shared_task

from businesses.exports import business_export_run, business_exports_fail_stuck

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
def export_businesses(export_id):
    """Write the file of one export; its state (running, succeeded or failed with the reason) lives in its row."""
    business_export_run(export_id=export_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def fail_stuck_business_exports():
    """Periodic: exports left `running` by a worker that died are marked failed, so their page offers a retry."""
    return business_exports_fail_stuck(older_than=datetime.timedelta(seconds=EXPORT_HARD_LIMIT + 60))
