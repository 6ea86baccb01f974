"""Celery tasks of staff intake: application exports.

They take ids, load the rows and call services; each is safe to run twice. grants/tasks.py imports this module so
that the worker registers them.
"""

import datetime
import logging

from celery import shared_task

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
