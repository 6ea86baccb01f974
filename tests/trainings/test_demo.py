import pytest
from django.core.management import call_command

from trainings.models import Attendance, Course, Enrolment, EventStatus, TrainingEvent

pytestmark = pytest.mark.django_db


def test_demo_trainings_have_sessions_attendance_and_completers_and_are_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Course.objects.count(), TrainingEvent.objects.count(), Enrolment.objects.count())
    call_command("seed_demo")
    assert (Course.objects.count(), TrainingEvent.objects.count(), Enrolment.objects.count()) == counts
    assert counts[:2] == (3, 6)
    assert TrainingEvent.objects.values("municipality").distinct().count() == 6
    assert Attendance.objects.filter(present=True).exists()
    assert Enrolment.objects.filter(completed=True).exists() and Enrolment.objects.filter(completed=False).exists()
    assert set(TrainingEvent.objects.values_list("status", flat=True)) >= {EventStatus.HELD, EventStatus.CLOSED}
