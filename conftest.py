"""Test set-up shared by every test: English, a temporary media folder, an empty cache.

The suite runs on SQLite by default and on PostgreSQL and Redis when DATABASE_URL and
CELERY_BROKER_URL are set (as .ci/run does).
"""

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    translation.activate("en")
    cache.clear()  # allauth's rate limits live in the cache
    yield
    cache.clear()
    translation.deactivate()
