"""Test set-up shared by every test: English, a temporary media folder, an empty cache.

The suite runs on SQLite by default and on PostgreSQL and Redis when DATABASE_URL and
CELERY_BROKER_URL are set (as .ci/run does).
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from akt_ls.celery import app as celery_app


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    translation.activate("en")
    cache.clear()  # allauth's rate limits live in the cache
    yield
    cache.clear()
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request, settings):
    """Tasks run in the test's own process and transaction, so their results can be asserted.

    Tests marked `real_worker` keep the configured broker: with CELERY_BROKER_URL set (as in CI) they
    talk to Redis and to a real `celery worker` process.
    """
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def celery_worker_process(settings):
    """A real `celery worker`, started as production starts it, on the test database and media folder.

    Without a broker (the embedded default) there is no worker to start: tasks run eagerly and this
    yields None. Use it in tests marked `real_worker` with `transaction=True` (the worker sees only
    committed rows).
    """
    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "akt_ls",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            f"--hostname=test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=30)
