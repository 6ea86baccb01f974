"""Factories for trainings, built directly (not through the services) so each test stands alone.

CourseFactory()                          a business-planning course
EventFactory(open=True)                  an event open for enrolment (planned by default), 20 places, in Gjilan
SessionFactory(event=e)                  a morning session on the event's first day
EnrolmentFactory(event=e, person=p)
AttendanceFactory(session=s, enrolment=en, present=True)
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from municipalities.models import Municipality
from tests.factories import PersonFactory
from trainings.models import Attendance, Course, DeliveryLanguage, Enrolment, EventStatus, Session, Topic, TrainingEvent


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    topic = Topic.BUSINESS_PLANNING
    title_sq = factory.Sequence(lambda n: f"Plani i biznesit {n + 1}")
    title_en = factory.Sequence(lambda n: f"Business planning {n + 1}")


class EventFactory(DjangoModelFactory):
    class Meta:
        model = TrainingEvent

    course = factory.SubFactory(CourseFactory)
    start_date = datetime.date(2026, 4, 6)
    end_date = datetime.date(2026, 4, 10)
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gjilan"))
    venue = "Qendra Rinore"
    language = DeliveryLanguage.ALBANIAN
    capacity = 20
    contact_hours = Decimal("15")
    status = EventStatus.PLANNED

    class Params:
        open = factory.Trait(status=EventStatus.OPEN)
        held = factory.Trait(status=EventStatus.HELD)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    date = factory.LazyAttribute(lambda o: o.event.start_date)
    start_time = datetime.time(9, 0)
    end_time = datetime.time(12, 0)


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    event = factory.SubFactory(EventFactory, open=True)
    person = factory.SubFactory(PersonFactory)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(EnrolmentFactory)
    present = True
