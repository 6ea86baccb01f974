"""Files left without a row (a transaction that wrote an upload and then rolled back) are removed once a day old;
files that rows point to, recent ones, and folders no app declares, stay."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from akt_ls.celery import app
from core.orphan_files import orphan_files_sweep
from core.storage import private_storage
from tests.grants.grant_factories import GrantFactory
from tests.grants.visit_factories import MonitoringVisitFactory, VisitPhotoFactory
from tests.municipal.factories_packages import DeliverableVersionFactory

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


def test_municipal_uploads_are_swept_too_but_undeclared_folders_are_never_touched():
    version = DeliverableVersionFactory()
    orphans = [
        private_storage.save("deliverables/orphan.pdf", ContentFile(b"a version whose row rolled back")),
        private_storage.save("service_evidence/orphan.pdf", ContentFile(b"evidence whose measure rolled back")),
        private_storage.save("memoranda/orphan.pdf", ContentFile(b"a signed copy whose signing rolled back")),
    ]
    kept_on_purpose = private_storage.save("reports/kept.pdf", ContentFile(b"a submitted report's file"))
    for name in (version.file.name, *orphans, kept_on_purpose):
        _age(name, 3)
    assert sorted(orphan_files_sweep()) == sorted(orphans)
    assert private_storage.exists(version.file.name) and private_storage.exists(kept_on_purpose)


def test_the_weekly_task_is_scheduled_and_registered(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-orphan-files"]
    assert entry["task"] == "core.tasks.sweep_orphan_files"
    app.loader.import_default_modules()  # what the worker does at start
    assert entry["task"] in app.tasks
