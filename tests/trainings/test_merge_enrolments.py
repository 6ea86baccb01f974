"""Two records of one human enrolled in the same training: merging them combines the enrolments (attendance,
scores, completion, certificate) instead of refusing; two certificates for one training refuse and change nothing."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Person
from accounts.services_people import person_merge
from core.errors import ApplicationError
from core.models import AuditEntry
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import AttendanceFactory, EnrolmentFactory, EventFactory, SessionFactory
from trainings.models import Attendance, Certificate, Enrolment

pytestmark = pytest.mark.django_db
BORN = datetime.date(2000, 7, 7)


@pytest.fixture
def officer():
    return UserFactory(role="programme_officer")


def _twins():
    latin = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN)
    cyrillic = PersonFactory(first_name="Ђорђе", last_name="Јовановић", birth_date=BORN)
    return latin, cyrillic


def _certificate(enrolment, number):
    return Certificate.objects.create(
        enrolment=enrolment, number=number, verification_code=number, language="sq", issued_at=timezone.now()
    )


def test_both_enrolled_in_one_training_become_one_enrolment_with_every_attended_session(officer):
    keep, merge = _twins()
    event = EventFactory(open=True)
    first, second, third = (
        SessionFactory(event=event, date=event.start_date + datetime.timedelta(days=n)) for n in range(3)
    )
    kept = EnrolmentFactory(event=event, person=keep, pre_test_score=40)
    merged = EnrolmentFactory(event=event, person=merge, post_test_score=80, completed=True)
    AttendanceFactory(session=first, enrolment=kept, present=True)
    AttendanceFactory(session=second, enrolment=kept, present=False)
    AttendanceFactory(session=second, enrolment=merged, present=True)
    AttendanceFactory(session=third, enrolment=merged, present=True)
    certificate = _certificate(merged, "AKT-TR-2026-000009")

    person_merge(actor=officer, keep=keep, merge=merge)

    assert not Person.objects.filter(pk=merge.pk).exists()
    only = Enrolment.objects.get(event=event)
    assert only.pk == kept.pk and only.person_id == keep.pk
    assert (only.pre_test_score, only.post_test_score, only.completed) == (40, 80, True)
    present = set(Attendance.objects.filter(enrolment=only, present=True).values_list("session_id", flat=True))
    assert present == {first.pk, second.pk, third.pk}
    assert Attendance.objects.count() == 3
    certificate.refresh_from_db()
    assert certificate.enrolment_id == only.pk
    assert AuditEntry.objects.filter(action="trainings.enrolment.combined", object_id=str(event.pk)).count() == 1


def test_enrolments_in_different_trainings_simply_move(officer):
    keep, merge = _twins()
    one, other = EventFactory(open=True), EventFactory(open=True)
    EnrolmentFactory(event=one, person=keep)
    moved = EnrolmentFactory(event=other, person=merge)

    person_merge(actor=officer, keep=keep, merge=merge)

    moved.refresh_from_db()
    assert moved.person_id == keep.pk and Enrolment.objects.filter(person=keep).count() == 2
    assert not AuditEntry.objects.filter(action="trainings.enrolment.combined").exists()


def test_two_certificates_for_one_training_refuse_the_merge_and_change_nothing(officer):
    keep, merge = _twins()
    event = EventFactory(open=True)
    session = SessionFactory(event=event)
    kept = EnrolmentFactory(event=event, person=keep, completed=True)
    merged = EnrolmentFactory(event=event, person=merge, completed=True)
    AttendanceFactory(session=session, enrolment=merged, present=True)
    _certificate(kept, "AKT-TR-2026-000001")
    _certificate(merged, "AKT-TR-2026-000002")

    with pytest.raises(ApplicationError) as refused:
        person_merge(actor=officer, keep=keep, merge=merge)

    assert refused.value.code == "two_certificates" and "AKT-TR-2026-000002" in refused.value.message
    assert Person.objects.filter(pk=merge.pk).exists()
    assert Enrolment.objects.filter(event=event).count() == 2
    assert Attendance.objects.get(session=session).enrolment_id == merged.pk
