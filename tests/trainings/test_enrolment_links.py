"""An enrolment reads as its course and dates, and the people registry links it to the event's staff page."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def test_an_enrolment_reads_as_course_and_dates_and_points_to_the_event_page():
    event = EventFactory(open=True, course=CourseFactory(title_sq="Plani i biznesit", title_en="Business planning"))
    enrolment = EnrolmentFactory(event=event)
    assert str(enrolment) == "Business planning · 06.04.2026–10.04.2026"
    assert enrolment.get_staff_url() == (
        reverse("staff:training_event_detail", args=[event.pk]) + f"#enrolment-{enrolment.pk}"
    )


def test_the_person_page_links_the_training_to_the_participant_row_of_the_event(client):
    enrolment = EnrolmentFactory(event=EventFactory(open=True, course=CourseFactory(title_en="Marketing basics")))
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    person_page = client.get(reverse("staff:person_detail", args=[enrolment.person_id])).content.decode()
    assert f'href="{enrolment.get_staff_url()}"' in person_page and "Marketing basics · 06.04.2026" in person_page
    event_page = client.get(enrolment.get_staff_url()).content.decode()
    assert f'id="enrolment-{enrolment.pk}"' in event_page
