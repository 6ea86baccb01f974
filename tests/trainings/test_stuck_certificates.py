"""Certificates whose worker died: left "queued" for more than 15 minutes they are queued again by the beat task
and rendered; after three attempts they fail with a reason; a fresh one is left alone; staff may queue a stuck one
again with "Try again"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory
from trainings.certificate_tasks import requeue_stuck_certificates
from trainings.certificates import certificate_request
from trainings.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _queued_certificate(officer, django_capture_on_commit_callbacks, *, minutes_ago, event=None):
    """A certificate issued and queued, whose task never ran (the worker died), queued `minutes_ago`."""
    enrolment = EnrolmentFactory(event=event or EventFactory(held=True), completed=True)
    with django_capture_on_commit_callbacks(execute=False):
        certificate = certificate_request(actor=officer, enrolment=enrolment)
    Certificate.objects.filter(pk=certificate.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.QUEUED and certificate.attempts == 1
    return certificate


def test_a_certificate_stuck_for_16_minutes_is_queued_again_and_rendered_and_a_fresh_one_is_left(
    officer, django_capture_on_commit_callbacks
):
    stuck = _queued_certificate(officer, django_capture_on_commit_callbacks, minutes_ago=16)
    fresh = _queued_certificate(officer, django_capture_on_commit_callbacks, minutes_ago=5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        requeue_stuck_certificates()
    assert len(callbacks) == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == CertificateStatus.READY and stuck.file and stuck.attempts == 2
    assert fresh.status == CertificateStatus.QUEUED and fresh.attempts == 1 and not fresh.file
    assert AuditEntry.objects.filter(action="trainings.certificate.requeued", object_id=str(stuck.pk)).count() == 1


def test_after_three_attempts_a_stuck_certificate_fails_with_a_reason(officer, django_capture_on_commit_callbacks):
    certificate = _queued_certificate(officer, django_capture_on_commit_callbacks, minutes_ago=20)
    for attempt in (2, 3):
        # The worker dies again each time: the queued task never runs.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            requeue_stuck_certificates()
        assert len(callbacks) == 1
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.QUEUED and certificate.attempts == attempt
        Certificate.objects.filter(pk=certificate.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        requeue_stuck_certificates()
    assert callbacks == []
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.FAILED
    assert "3 times" in certificate.error and "Try again" in certificate.error
    # The next sweep leaves the failed certificate alone.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        requeue_stuck_certificates()
    assert callbacks == []


def test_staff_see_try_again_on_a_stuck_certificate_and_it_renders_it(
    client, officer, django_capture_on_commit_callbacks
):
    event = EventFactory(held=True)
    stuck = _queued_certificate(officer, django_capture_on_commit_callbacks, minutes_ago=16, event=event)
    fresh = _queued_certificate(officer, django_capture_on_commit_callbacks, minutes_ago=2, event=event)
    client.force_login(officer)
    html = client.get(reverse("staff:training_event_detail", args=[event.pk])).content.decode()
    stuck_url = reverse("staff:training_certificate_retry", args=[event.pk, stuck.pk])
    fresh_url = reverse("staff:training_certificate_retry", args=[event.pk, fresh.pk])
    assert stuck_url in html and fresh_url not in html

    # A fresh one is not queued twice, even when the button is posted directly.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(fresh_url)
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(stuck_url)
    assert len(callbacks) == 1
    stuck.refresh_from_db()
    assert stuck.status == CertificateStatus.READY and stuck.file


def test_the_sweep_runs_every_ten_minutes(settings):
    from akt_ls.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stuck-certificates"]
    assert entry["task"] == "trainings.certificate_tasks.requeue_stuck_certificates"
    assert entry["schedule"] == 600.0
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
