"""The rules of trainings: completion, attendance only for those enrolled, capacity, one enrolment per event."""

import datetime

import pytest

from accounts.models import Person
from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import AttendanceFactory, EnrolmentFactory, EventFactory, SessionFactory
from trainings.models import Attendance, Enrolment, EventStatus
from trainings.services import (
    attendance_record,
    enrolment_create,
    event_complete,
    person_register_and_enrol,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _event_with_sessions(count=5, **fields):
    event = EventFactory(open=True, **fields)
    sessions = [SessionFactory(event=event, date=event.start_date + datetime.timedelta(days=n)) for n in range(count)]
    return event, sessions


def test_four_of_five_sessions_complete_at_80_percent_and_three_do_not(officer):
    event, sessions = _event_with_sessions(5)
    four, three = EnrolmentFactory(event=event), EnrolmentFactory(event=event)
    for session in sessions[:4]:
        AttendanceFactory(session=session, enrolment=four)
    for session in sessions[:3]:
        AttendanceFactory(session=session, enrolment=three)
    AttendanceFactory(session=sessions[4], enrolment=three, present=False)

    assert event_complete(actor=officer, event=event) == 1

    four.refresh_from_db(), three.refresh_from_db(), event.refresh_from_db()
    assert four.completed is True and three.completed is False
    assert event.status == EventStatus.HELD
    assert AuditEntry.objects.filter(action="trainings.event.held", object_id=str(event.pk)).exists()


def test_completion_follows_the_rule_set_on_the_event_and_closing_freezes_it(officer):
    event, sessions = _event_with_sessions(5, completion_min_percent=60)
    three = EnrolmentFactory(event=event)
    for session in sessions[:3]:
        AttendanceFactory(session=session, enrolment=three)
    event_complete(actor=officer, event=event, close=True)
    three.refresh_from_db(), event.refresh_from_db()
    assert three.completed is True and event.status == EventStatus.CLOSED
    with pytest.raises(ApplicationError):
        attendance_record(actor=officer, session=sessions[0], present_enrolment_ids=[])


def test_attendance_for_someone_not_enrolled_is_refused_and_nothing_saved(officer):
    event, (session,) = _event_with_sessions(1)
    enrolled = EnrolmentFactory(event=event)
    elsewhere = EnrolmentFactory()  # enrolled in another event
    with pytest.raises(ApplicationError, match="not enrolled: refused") as refusal:
        attendance_record(actor=officer, session=session, present_enrolment_ids=[enrolled.pk, elsewhere.pk])
    assert refusal.value.code == "not_enrolled"
    assert not Attendance.objects.exists()


def test_attendance_saves_present_and_absent_for_everyone_in_one_call(officer):
    event, (session,) = _event_with_sessions(1)
    here, away = EnrolmentFactory(event=event), EnrolmentFactory(event=event)
    attendance_record(actor=officer, session=session, present_enrolment_ids=[here.pk])
    attendance_record(actor=officer, session=session, present_enrolment_ids=[str(here.pk), str(away.pk)])
    assert dict(Attendance.objects.values_list("enrolment_id", "present")) == {here.pk: True, away.pk: True}


def test_enrolment_beyond_capacity_is_refused(officer):
    event = EventFactory(open=True, capacity=2)
    EnrolmentFactory(event=event), EnrolmentFactory(event=event)
    with pytest.raises(ApplicationError, match="full") as refusal:
        enrolment_create(actor=officer, event=event, person=PersonFactory())
    assert refusal.value.code == "capacity"
    assert event.enrolments.count() == 2


def test_a_second_enrolment_of_the_same_person_is_refused_with_a_clear_message(officer):
    event = EventFactory(open=True)
    person = PersonFactory(first_name="Vjosa", last_name="Hoxha")
    enrolment_create(actor=officer, event=event, person=person)
    with pytest.raises(ApplicationError, match="Vjosa Hoxha is enrolled in this training already"):
        enrolment_create(actor=officer, event=event, person=person)
    assert Enrolment.objects.filter(event=event, person=person).count() == 1


def test_enrolment_in_a_held_event_is_refused(officer):
    with pytest.raises(ApplicationError) as refusal:
        enrolment_create(actor=officer, event=EventFactory(held=True), person=PersonFactory())
    assert refusal.value.code == "not_enrolling"


def _new_person_data(**fields):
    return {
        "first_name": "Djordje",
        "last_name": "Jovanovic",
        "sex": "male",
        "community": "serb",
        "birth_date": datetime.date(1994, 2, 3),
        **fields,
    }


def test_on_the_spot_registration_proposes_the_existing_dorde_and_saves_nothing(officer):
    existing = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=datetime.date(1994, 2, 3))
    event = EventFactory(open=True)
    people = Person.objects.count()

    result = person_register_and_enrol(actor=officer, event=event, data=_new_person_data())

    assert result.enrolment is None
    assert [candidate.person for candidate in result.candidates] == [existing]
    assert Person.objects.count() == people and not event.enrolments.exists()


def test_on_the_spot_registration_with_none_of_these_creates_and_enrols(officer):
    PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=datetime.date(1994, 2, 3))
    event = EventFactory(open=True)
    result = person_register_and_enrol(actor=officer, event=event, data=_new_person_data(), none_of_these=True)
    assert result.enrolment.person.first_name == "Djordje"
    assert Person.objects.filter(name_key="dorde jovanovic").count() == 2


def test_on_the_spot_registration_into_a_full_event_keeps_nobody(officer):
    event = EventFactory(open=True, capacity=1)
    EnrolmentFactory(event=event)
    people = Person.objects.count()
    with pytest.raises(ApplicationError):
        person_register_and_enrol(actor=officer, event=event, data=_new_person_data(first_name="Ana"))
    assert Person.objects.count() == people


def test_people_without_a_training_role_cannot_use_the_services():
    event = EventFactory(open=True)
    with pytest.raises(ApplicationError):
        enrolment_create(actor=UserFactory(role=Role.FINANCE_OFFICER), event=event, person=PersonFactory())
    assert not event.enrolments.exists()
