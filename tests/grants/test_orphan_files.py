"""Files left without a row (a transaction that wrote a photo and then rolled back) are removed once a day old;
files that rows point to, and recent ones, stay."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.models.applications import private_storage
from grants.services.orphan_files import orphan_files_sweep
from tests.grants.grant_factories import GrantFactory
from tests.grants.visit_factories import MonitoringVisitFactory, VisitPhotoFactory

pytestmark = pytest.mark.django_db


def _age(name, days):
    moment = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(private_storage.path(name), (moment, moment))


def test_only_old_files_without_a_row_are_removed():
    photo = VisitPhotoFactory(visit=MonitoringVisitFactory(grant=GrantFactory(active=True)))
    orphan = private_storage.save("photos/ab/orphan", ContentFile(b"left behind by a rollback"))
    young = private_storage.save("photos/cd/young", ContentFile(b"its row may still be committing"))
    for name in (photo.image.name, photo.thumbnail.name, orphan):
        _age(name, 3)
    assert orphan_files_sweep() == [orphan]
    assert not private_storage.exists(orphan)
    assert private_storage.exists(young)
    assert private_storage.exists(photo.image.name) and private_storage.exists(photo.thumbnail.name)


def test_the_weekly_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-orphan-files"]
    assert entry["task"] == "grants.grant_tasks.sweep_orphan_files"
