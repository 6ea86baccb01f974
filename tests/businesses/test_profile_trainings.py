"""The business profile lists the trainings its owners and managers were enrolled in, read in one query."""

import datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from businesses.models import BusinessManager
from businesses.selectors import trainings_of_business_people
from municipalities.models import Municipality
from tests.businesses.factories import BusinessFactory, BusinessOwnerFactory
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _event(start, **fields):
    return EventFactory(start_date=start, end_date=start + datetime.timedelta(days=2), open=True, **fields)


def test_the_selector_returns_owners_and_managers_enrolments_newest_first_and_no_strangers(
    django_assert_num_queries,
):
    business = BusinessFactory()
    owner = BusinessOwnerFactory(business=business).person
    manager = PersonFactory(first_name="Milica")
    BusinessManager.objects.create(business=business, person=manager, role_title="Sales")
    older = EnrolmentFactory(person=owner, event=_event(datetime.date(2025, 3, 3)))
    newer = EnrolmentFactory(person=manager, event=_event(datetime.date(2026, 5, 4)), completed=True)
    EnrolmentFactory(person=PersonFactory(), event=older.event)  # a stranger in the same event
    EnrolmentFactory(person=BusinessOwnerFactory().person)  # the owner of another business
    with django_assert_num_queries(1):
        rows = list(trainings_of_business_people(business))
        labels = [(row.person.first_name, row.event.course.title, str(row.event.municipality)) for row in rows]
    assert [row.pk for row in rows] == [newer.pk, older.pk]
    assert labels[0][0] == "Milica" and labels[1][2] == str(Municipality.objects.get(code="gjilan"))


def test_a_person_who_is_both_owner_and_manager_is_listed_once_per_training():
    business = BusinessFactory()
    person = BusinessOwnerFactory(business=business).person
    BusinessManager.objects.create(business=business, person=person, role_title="Director")
    enrolment = EnrolmentFactory(person=person)
    assert [row.pk for row in trainings_of_business_people(business)] == [enrolment.pk]


def test_the_profile_shows_the_owners_training_with_its_course_and_completion_but_not_a_strangers(client):
    business = BusinessFactory()
    owner = BusinessOwnerFactory(business=business, person=PersonFactory(first_name="Arbnore")).person
    course = CourseFactory(title_sq="Marketingu digjital", title_en="Digital marketing")
    mine = EnrolmentFactory(person=owner, event=_event(datetime.date(2026, 2, 9), course=course), completed=True)
    strangers = EnrolmentFactory(person=PersonFactory(), event=_event(datetime.date(2026, 3, 9)))
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    html = client.get(reverse("staff:business_detail", args=[business.pk])).content.decode()
    assert "Trainings of owners, managers and employees" in html
    assert f'data-training="{mine.pk}" data-completed="yes"' in html
    assert "Digital marketing" in html and reverse("staff:training_event_detail", args=[mine.event_id]) in html
    assert f'data-training="{strangers.pk}"' not in html
    assert strangers.event.course.title_en not in html


def test_a_profile_without_trainings_says_so(client):
    business = BusinessFactory()
    BusinessOwnerFactory(business=business)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    html = client.get(reverse("staff:business_detail", args=[business.pk])).content.decode()
    assert "data-training=" not in html
    assert "None of the owners, managers or named employees has been enrolled in a training yet." in html


def test_the_profile_costs_the_same_however_many_trainings_the_people_had(client, django_assert_max_num_queries):
    business = BusinessFactory()
    owner = BusinessOwnerFactory(business=business).person
    EnrolmentFactory(person=owner)
    client.force_login(UserFactory(role=Role.MANAGER))
    url = reverse("staff:business_detail", args=[business.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for number in range(8):
        manager = PersonFactory()
        BusinessManager.objects.create(business=business, person=manager, role_title=f"Role {number}")
        EnrolmentFactory(person=manager, event=_event(datetime.date(2024, 1, 1 + number)))
        EnrolmentFactory(person=owner, event=_event(datetime.date(2025, 1, 1 + number)), completed=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-training=") == 17
