"""Staff pages of trainings: who sees them (404 for everyone else), forms, the tick-list and constant queries."""

import datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.choices import Community, Sex
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.test_html_forms import nested_forms
from tests.trainings.factories import AttendanceFactory, CourseFactory, EnrolmentFactory, EventFactory, SessionFactory
from trainings.models import Attendance, Course, Enrolment, EventStatus, Topic, TrainingEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    return client


def _urls(event, session, enrolment):
    return [
        reverse("staff:training_events"),
        reverse("staff:training_event_detail", args=[event.pk]),
        reverse("staff:training_event_create"),
        reverse("staff:training_attendance", args=[event.pk, session.pk]),
        reverse("staff:training_enrol", args=[event.pk]),
        reverse("staff:training_register", args=[event.pk]),
        reverse("staff:training_scores", args=[event.pk, enrolment.pk]),
        reverse("staff:training_courses"),
        reverse("staff:training_course_create"),
    ]


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.APPLICANT, Role.USAID_VIEWER, Role.REVIEWER])
def test_roles_without_trainings_get_404_on_every_page(client, role):
    enrolment = EnrolmentFactory()
    session = SessionFactory(event=enrolment.event)
    client.force_login(UserFactory(role=role))
    for url in _urls(enrolment.event, session, enrolment):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("staff:training_attendance", args=[enrolment.event.pk, session.pk]))
    assert response.status_code == 404 and not Attendance.objects.exists()


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN])
def test_training_roles_open_every_page_and_no_form_is_nested(client, role):
    enrolment = EnrolmentFactory()
    session = SessionFactory(event=enrolment.event)
    client.force_login(UserFactory(role=role))
    for url in _urls(enrolment.event, session, enrolment):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not nested_forms(response.content.decode()), url


def test_the_tick_list_saves_everyone_in_one_post(officer_client):
    event = EventFactory(open=True)
    session = SessionFactory(event=event)
    here, away = EnrolmentFactory(event=event), EnrolmentFactory(event=event)
    url = reverse("staff:training_attendance", args=[event.pk, session.pk])
    html = officer_client.get(url).content.decode()
    assert html.count('type="checkbox" name="present"') == 2
    response = officer_client.post(url, {"present": [here.pk]})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("enrolment_id", "present")) == {here.pk: True, away.pk: False}


def test_the_tick_list_refuses_someone_not_enrolled_and_keeps_the_ticks(officer_client):
    event = EventFactory(open=True)
    session = SessionFactory(event=event)
    here = EnrolmentFactory(event=event)
    stranger = EnrolmentFactory()
    url = reverse("staff:training_attendance", args=[event.pk, session.pk])
    response = officer_client.post(url, {"present": [here.pk, stranger.pk]})
    html = response.content.decode()
    assert response.status_code == 400 and "not enrolled: refused" in html
    assert f'value="{here.pk}" id="present-{here.pk}" checked' in html
    assert not Attendance.objects.exists()


def test_enrol_finds_a_person_by_name_in_another_script_and_enrols_them(officer_client):
    event = EventFactory(open=True)
    person = PersonFactory(first_name="Đorđe", last_name="Jovanović")
    PersonFactory(first_name="Arta", last_name="Gashi")
    url = reverse("staff:training_enrol", args=[event.pk])
    html = officer_client.get(url, {"q": "Ђорђе"}).content.decode()
    assert f'data-person="{person.pk}"' in html and "Arta Gashi" not in html
    assert officer_client.post(url, {"person": person.pk}).status_code == 302
    assert Enrolment.objects.filter(event=event, person=person).exists()
    response = officer_client.post(url, {"person": person.pk, "q": "Dorde"})
    assert response.status_code == 400 and "enrolled in this training already" in response.content.decode()


def test_registering_djordje_proposes_the_existing_dorde_then_none_of_these_registers(officer_client):
    existing = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=datetime.date(1994, 2, 3))
    event = EventFactory(open=True)
    url = reverse("staff:training_register", args=[event.pk])
    data = {
        "first_name": "Djordje",
        "last_name": "Jovanovic",
        "sex": Sex.MALE,
        "community": Community.SERB,
        "birth_date": "1994-02-03",
        "municipality": Municipality.objects.get(code="gracanica").pk,
    }
    response = officer_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400 and f'data-candidate="{existing.pk}"' in html
    assert 'value="Djordje"' in html and 'type="checkbox" name="none_of_these"' in html
    assert not event.enrolments.exists()
    response = officer_client.post(url, {**data, "none_of_these": "on"})
    assert response.status_code == 302
    assert event.enrolments.get().person.first_name == "Djordje"


def test_course_and_event_are_created_through_the_forms(officer_client):
    response = officer_client.post(
        reverse("staff:training_course_create"),
        {"topic": Topic.SECTOR_SPECIFIC, "title_sq": "Bletaria"},
    )
    assert response.status_code == 400 and "needs its sector" in response.content.decode()
    assert 'value="Bletaria"' in response.content.decode()
    officer_client.post(
        reverse("staff:training_course_create"),
        {"topic": Topic.SECTOR_SPECIFIC, "sector": "agriculture", "title_sq": "Bletaria"},
    )
    course = Course.objects.get(title_sq="Bletaria")
    response = officer_client.post(
        reverse("staff:training_event_create"),
        {
            "course": course.pk,
            "start_date": "2026-05-04",
            "end_date": "2026-05-06",
            "municipality": Municipality.objects.get(code="kline").pk,
            "venue": "Shkolla",
            "language": "sq",
            "capacity": 15,
            "contact_hours": "12",
            "cost_instruction": "500",
            "cost_participant": "100",
            "cost_travel": "0",
            "completion_min_percent": 80,
        },
    )
    event = TrainingEvent.objects.get(course=course)
    assert response.status_code == 302 and event.status == EventStatus.PLANNED
    officer_client.post(reverse("staff:training_event_status", args=[event.pk, "open"]))
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN


def test_the_list_filters_by_municipality_topic_status_and_dates(officer_client):
    kline = EventFactory(
        municipality=Municipality.objects.get(code="kline"),
        start_date=datetime.date(2026, 6, 1),
        end_date=datetime.date(2026, 6, 2),
    )
    EventFactory(course=CourseFactory(topic=Topic.MARKETING_SALES), held=True)
    url = reverse("staff:training_events")
    for query, expected in [
        ({"municipality": kline.municipality_id}, 1),
        ({"topic": Topic.MARKETING_SALES}, 1),
        ({"status": EventStatus.HELD}, 1),
        ({"date_from": "2026-05-01"}, 1),
        ({"status": "nonsense"}, 2),
    ]:
        html = officer_client.get(url, query).content.decode()
        assert f'data-event-count="{expected}"' in html, query


def test_the_events_list_costs_the_same_queries_with_many_events(officer_client, django_assert_max_num_queries):
    for _ in range(30):
        event = EventFactory(open=True, course=CourseFactory())
        SessionFactory(event=event)
        EnrolmentFactory(event=event, completed=True)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("staff:training_events"))
    assert response.context["page_obj"].paginator.count == 30
    assert response.content.decode().count("data-event=") == 25


def test_the_event_page_costs_the_same_queries_with_many_enrolments(officer_client, django_assert_max_num_queries):
    event = EventFactory(open=True, capacity=100)
    sessions = [SessionFactory(event=event, date=event.start_date + datetime.timedelta(days=n)) for n in range(5)]
    young = PersonFactory(sex=Sex.MALE, community=Community.SERB, birth_date=datetime.date(2000, 1, 1))
    for n in range(40):
        enrolment = EnrolmentFactory(
            event=event, person=young if n == 0 else PersonFactory(birth_date=datetime.date(1970, 1, 1))
        )
        for session in sessions[: 4 if n % 2 else 2]:
            AttendanceFactory(session=session, enrolment=enrolment)
    with django_assert_max_num_queries(16):
        response = officer_client.get(reverse("staff:training_event_detail", args=[event.pk]))
    html = response.content.decode()
    assert html.count("data-enrolment=") == 40
    assert html.count('data-attendance-percent="80"') == 20 and html.count('data-attendance-percent="40"') == 20
    demographics = response.context["demographics"]
    assert dict(demographics["sex"])[Sex.MALE.label] == 1
    assert dict(demographics["community"])[Community.SERB.label] == 1
    bands = dict(demographics["age_band"])
    assert bands["15–29"] == 1 and bands["30–64"] == 39


def test_scores_out_of_range_are_refused_keeping_what_was_typed_then_saved(officer_client):
    enrolment = EnrolmentFactory()
    url = reverse("staff:training_scores", args=[enrolment.event.pk, enrolment.pk])
    response = officer_client.post(url, {"pre_test_score": "45", "post_test_score": "130"})
    assert response.status_code == 400 and 'value="45"' in response.content.decode()
    assert officer_client.post(url, {"pre_test_score": "45", "post_test_score": "90"}).status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.pre_test_score, enrolment.post_test_score) == (45, 90)


def test_fewer_places_than_people_enrolled_is_refused_on_the_edit_page(officer_client):
    event = EventFactory(open=True, capacity=5)
    EnrolmentFactory(event=event), EnrolmentFactory(event=event)
    form = officer_client.get(reverse("staff:training_event_edit", args=[event.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("trainer_users", None)
    response = officer_client.post(reverse("staff:training_event_edit", args=[event.pk]), {**data, "capacity": 1})
    assert response.status_code == 400 and "cannot be fewer" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 5


def test_compute_completion_from_the_event_page_marks_completers(officer_client):
    event = EventFactory(open=True)
    session = SessionFactory(event=event)
    AttendanceFactory(session=session, enrolment=EnrolmentFactory(event=event))
    EnrolmentFactory(event=event)
    officer_client.post(reverse("staff:training_event_status", args=[event.pk, "complete"]))
    event.refresh_from_db()
    assert event.status == EventStatus.HELD
    assert list(event.enrolments.order_by("pk").values_list("completed", flat=True)) == [True, False]
