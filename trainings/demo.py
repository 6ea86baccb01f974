"""Demo trainings for `manage.py seed_demo`: three courses, six events in different municipalities with sessions,
enrolled demo people, attendance, test scores and completion computed.

Deterministic and idempotent: a course is looked up by its Albanian title and an event by course, municipality and
first day before they are created. Runs after accounts' demo (INSTALLED_APPS order), whose people are enrolled.
"""

import datetime
from decimal import Decimal

from accounts.models import Person, User
from businesses.models import Sector
from municipalities.selectors import partner_municipalities
from trainings.certificates import certificate_render, certificates_request
from trainings.models import Course, DeliveryLanguage, Topic, TrainingEvent
from trainings.services import (
    attendance_record,
    course_create,
    enrolment_create,
    enrolment_scores,
    event_complete,
    event_create,
    event_open,
    session_create,
)

COURSES = [
    {
        "topic": Topic.BUSINESS_PLANNING,
        "title_sq": "Plani i biznesit për të rinjtë",
        "title_sr": "Biznis plan za mlade",
        "title_en": "Business planning for young entrepreneurs",
    },
    {
        "topic": Topic.MARKETING_SALES,
        "title_sq": "Marketingu dhe shitja",
        "title_sr": "Marketing i prodaja",
        "title_en": "Marketing and sales",
    },
    {
        "topic": Topic.SECTOR_SPECIFIC,
        "sector": Sector.FOOD_PROCESSING,
        "title_sq": "Përpunimi i ushqimit: standardet HACCP",
        "title_sr": "Prerada hrane: HACCP standardi",
        "title_en": "Food processing: HACCP standards",
    },
]
SESSIONS_PER_EVENT = 5
# Sessions attended by the n-th participant, cycling: most complete (4 or 5 of 5), some do not.
ATTENDED = [5, 4, 5, 3, 4, 2]


def seed(*, password):
    actor = User.objects.filter(email="admin@example.org").first()
    if actor is None:
        return
    courses = [_course(actor, data) for data in COURSES]
    municipalities = list(partner_municipalities()[:6])
    made = 0
    for index, municipality in enumerate(municipalities):
        course = courses[index % len(courses)]
        start = datetime.date(2026, 3 + index, 9)
        if TrainingEvent.objects.filter(course=course, municipality=municipality, start_date=start).exists():
            continue
        _event(actor, course, municipality, start, index)
        made += 1
    yield f"{len(courses)} courses and {made} new training events with attendance and completion"


def _course(actor, data):
    return Course.objects.filter(title_sq=data["title_sq"]).first() or course_create(actor=actor, data=data)


def _event(actor, course, municipality, start, index):
    event = event_create(
        actor=actor,
        data={
            "course": course,
            "start_date": start,
            "end_date": start + datetime.timedelta(days=SESSIONS_PER_EVENT - 1),
            "municipality": municipality,
            "venue": f"Qendra e trajnimit, {municipality.name_sq}",
            "language": DeliveryLanguage.BILINGUAL if index % 2 else DeliveryLanguage.ALBANIAN,
            "trainers": "Blerta Morina, Dejan Kostić",
            "capacity": 12,
            "contact_hours": Decimal("15"),
            "cost_instruction": Decimal("900.00"),
            "cost_participant": Decimal("240.00"),
            "cost_travel": Decimal("60.00"),
        },
    )
    event_open(actor=actor, event=event)
    sessions = [
        session_create(
            actor=actor,
            event=event,
            data={
                "date": start + datetime.timedelta(days=day),
                "start_time": datetime.time(9, 0),
                "end_time": datetime.time(12, 0),
                "topic": f"Session {day + 1}",
            },
        )
        for day in range(SESSIONS_PER_EVENT)
    ]
    people = list(Person.objects.filter(municipality=municipality).order_by("id")[:6])
    enrolments = [enrolment_create(actor=actor, event=event, person=person) for person in people]
    for number, enrolment in enumerate(enrolments):
        enrolment_scores(
            actor=actor, enrolment=enrolment, pre_test_score=40 + number * 5, post_test_score=65 + number * 5
        )
    for day, session in enumerate(sessions):
        present = [e.pk for n, e in enumerate(enrolments) if day < ATTENDED[n % len(ATTENDED)]]
        attendance_record(actor=actor, session=session, present_enrolment_ids=present)
    # The last event is still running: attendance so far, completion not yet computed.
    if index < 5:
        event_complete(actor=actor, event=event, close=index % 2 == 0)
    if index < 2:  # certificates for the completers of the first two events (rendered now, as the task would)
        for certificate in certificates_request(actor=actor, event=event):
            certificate_render(certificate_id=certificate.pk)
    return event
