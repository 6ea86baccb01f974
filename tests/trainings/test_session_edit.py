"""Changing and deleting a session: times and topic change also after attendance, the date never leaves the
event's days, a session with attendance cannot be deleted, and other roles get 404."""

import datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry
from tests.factories import UserFactory
from tests.trainings.factories import AttendanceFactory, EnrolmentFactory, EventFactory, SessionFactory
from trainings import services
from trainings.models import Attendance, EventStatus, Session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def attended_session():
    """A session of 6.4.2026 (the event runs 6–10.4.2026) with one participant marked present."""
    enrolment = EnrolmentFactory()
    session = SessionFactory(event=enrolment.event, topic="Bookkeeping")
    AttendanceFactory(session=session, enrolment=enrolment, present=True)
    return session


def _edit_url(session):
    return reverse("staff:training_session_edit", args=[session.event_id, session.pk])


def _delete_url(session):
    return reverse("staff:training_session_delete", args=[session.event_id, session.pk])


def _form(session, **changes):
    data = {"date": session.date.isoformat(), "start_time": "09:00", "end_time": "12:00", "topic": session.topic}
    return {**data, **changes}


def test_the_event_page_links_each_session_to_its_edit_page(officer_client, attended_session):
    html = officer_client.get(reverse("staff:training_event_detail", args=[attended_session.event_id])).content
    assert _edit_url(attended_session) in html.decode()
    assert officer_client.get(_edit_url(attended_session)).status_code == 200


def test_a_session_with_attendance_changes_its_times_date_and_topic_within_the_event(officer_client, attended_session):
    data = _form(attended_session, date="2026-04-08", start_time="13:00", end_time="16:30", topic="Cash flow")
    response = officer_client.post(_edit_url(attended_session), data)
    assert response.status_code == 302
    attended_session.refresh_from_db()
    assert attended_session.date == datetime.date(2026, 4, 8)
    assert (attended_session.start_time, attended_session.end_time) == (datetime.time(13, 0), datetime.time(16, 30))
    assert attended_session.topic == "Cash flow"
    assert Attendance.objects.get(session=attended_session).present  # the attendance stays with the session
    assert AuditEntry.objects.filter(action="trainings.session.updated", object_id=str(attended_session.pk)).exists()


def test_a_session_cannot_move_outside_the_event_days_and_keeps_what_was_typed(officer_client, attended_session):
    response = officer_client.post(_edit_url(attended_session), _form(attended_session, date="2026-04-20", topic="X"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The session must fall between the event" in html and 'value="2026-04-20"' in html
    attended_session.refresh_from_db()
    assert attended_session.date == datetime.date(2026, 4, 6) and attended_session.topic == "Bookkeeping"


def test_the_service_refuses_a_date_outside_the_event_and_an_end_before_the_start(officer, attended_session):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.session_update(actor=officer, session=attended_session, data={"date": datetime.date(2026, 4, 5)})
    with pytest.raises(ValidationError):
        services.session_update(
            actor=officer,
            session=attended_session,
            data={"start_time": datetime.time(12, 0), "end_time": datetime.time(11, 0)},
        )
    attended_session.refresh_from_db()
    assert attended_session.date == datetime.date(2026, 4, 6) and attended_session.start_time == datetime.time(9, 0)


def test_a_session_with_attendance_cannot_be_deleted(officer_client, attended_session):
    page = officer_client.get(_edit_url(attended_session)).content.decode()
    assert "data-delete-refused" in page and _delete_url(attended_session) not in page
    response = officer_client.post(_delete_url(attended_session), follow=True)
    assert Session.objects.filter(pk=attended_session.pk).exists()
    assert "Attendance is recorded for the session of 06.04.2026, so it cannot be deleted." in response.content.decode()


def test_a_session_recorded_all_absent_cannot_be_deleted_either(officer):
    enrolment = EnrolmentFactory()
    session = SessionFactory(event=enrolment.event)
    AttendanceFactory(session=session, enrolment=enrolment, present=False)
    with pytest.raises(ApplicationError) as refusal:
        services.session_delete(actor=officer, session=session)
    assert refusal.value.code == "has_attendance" and Session.objects.filter(pk=session.pk).exists()


def test_a_session_without_attendance_is_deleted_once_and_audited(officer_client):
    event = EventFactory(open=True)
    keep = SessionFactory(event=event)
    mistake = SessionFactory(event=event, date=datetime.date(2026, 4, 7))
    assert _delete_url(mistake) in officer_client.get(_edit_url(mistake)).content.decode()
    response = officer_client.post(_delete_url(mistake), follow=True)
    assert list(event.sessions.all()) == [keep]
    assert "The session of 07.04.2026 was deleted." in response.content.decode()
    assert AuditEntry.objects.filter(action="trainings.session.deleted", object_id=str(event.pk)).count() == 1
    again = officer_client.post(_delete_url(mistake), follow=True)
    assert again.status_code == 200 and "deleted already" in again.content.decode()
    assert list(event.sessions.all()) == [keep]


def test_a_closed_training_refuses_changes_to_its_sessions(officer):
    session = SessionFactory(event=EventFactory(status=EventStatus.CLOSED))
    with pytest.raises(ApplicationError):
        services.session_update(actor=officer, session=session, data={"topic": "Late change"})
    with pytest.raises(ApplicationError):
        services.session_delete(actor=officer, session=session)
    assert Session.objects.get(pk=session.pk).topic == ""


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.APPLICANT, Role.USAID_VIEWER])
def test_roles_without_trainings_get_404_and_change_nothing(client, role):
    session = SessionFactory(event=EventFactory(open=True))
    client.force_login(UserFactory(role=role))
    assert client.get(_edit_url(session)).status_code == 404
    assert client.post(_edit_url(session), _form(session, topic="Hacked")).status_code == 404
    assert client.post(_delete_url(session)).status_code == 404
    assert Session.objects.get(pk=session.pk).topic == ""


def test_a_session_of_another_event_answers_404(officer_client):
    session = SessionFactory(event=EventFactory(open=True))
    other = EventFactory(open=True)
    url = reverse("staff:training_session_edit", args=[other.pk, session.pk])
    assert officer_client.get(url).status_code == 404
