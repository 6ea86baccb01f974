"""Uploaded participant sheets never confirmed are removed after a day by a daily task; younger ones (a preview
still open) stay, and so do files outside the import folder."""

import datetime
import io
import os

import pytest
from celery.schedules import crontab
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.roles import Role
from core.storage import private_storage
from tests.factories import UserFactory
from tests.trainings.factories import EventFactory
from trainings.import_tasks import remove_stale_import_sheets
from trainings.imports import SHEET_FOLDER, import_files_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STAFF_REQUIRE_2FA = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _age(name, hours):
    moment = (timezone.now() - datetime.timedelta(hours=hours)).timestamp()
    os.utime(private_storage.path(name), (moment, moment))


def test_a_sheet_older_than_a_day_is_removed_and_a_fresh_one_stays():
    old = private_storage.save(f"{SHEET_FOLDER}/old.xlsx", ContentFile(b"names and birth dates"))
    fresh = private_storage.save(f"{SHEET_FOLDER}/fresh.xlsx", ContentFile(b"a preview still open"))
    elsewhere = private_storage.save("certificates/2026/keep.pdf", ContentFile(b"%PDF"))
    _age(old, 25)
    _age(fresh, 23)
    _age(elsewhere, 24 * 30)
    assert remove_stale_import_sheets() == 1
    assert not os.path.exists(private_storage.path(old))
    assert os.path.exists(private_storage.path(fresh)) and os.path.exists(private_storage.path(elsewhere))
    assert import_files_sweep() == []  # safe to run twice


def test_no_folder_yet_is_not_an_error():
    assert import_files_sweep() == []


def test_a_sheet_uploaded_and_abandoned_is_swept_and_the_preview_asks_for_a_new_upload(client):
    event = EventFactory(open=True)
    workbook = Workbook()
    workbook.active.append(["first name", "last name", "sex", "birth date", "community", "municipality"])
    workbook.active.append(["Arta", "Krasniqi", "F", "1990", "Albanian", "Gjilan"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "sheet.xlsx"
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    client.post(reverse("staff:training_import", args=[event.pk]), {"sheet": buffer})
    (stored,) = private_storage.listdir(SHEET_FOLDER)[1]
    name = f"{SHEET_FOLDER}/{stored}"
    _age(name, 30)
    assert import_files_sweep() == [name]
    response = client.get(reverse("staff:training_import_preview", args=[event.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("staff:training_import", args=[event.pk])


def test_the_sweep_is_scheduled_daily_at_a_quarter_past_three(settings):
    from akt_ls.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["remove-stale-import-sheets"]
    assert entry["task"] == "trainings.import_tasks.remove_stale_import_sheets"
    assert entry["schedule"] == crontab(hour=3, minute=15)
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
