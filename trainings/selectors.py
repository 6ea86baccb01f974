"""Reads of trainings for pages (and later the indicators): SQL filters, joins and aggregates, constant queries."""

import datetime

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from accounts.selectors_people import people_for_staff
from core.choices import AgeBand, Community, Sex
from trainings.models import Attendance, Enrolment, EventStatus, Session, Topic, TrainingEvent
from trainings.permissions import can_view_trainings

FILTER_KEYS = ("municipality", "topic", "status", "date_from", "date_to")
SEARCH_LIMIT = 20


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def clean_filters(raw):
    """Known values only; anything else is dropped (a stale link never breaks the list)."""
    filters = {key: (raw.get(key) or "").strip() for key in FILTER_KEYS}
    if filters["topic"] not in Topic.values:
        filters["topic"] = ""
    if filters["status"] not in EventStatus.values:
        filters["status"] = ""
    if not filters["municipality"].isdigit():
        filters["municipality"] = ""
    for key in ("date_from", "date_to"):
        if _date(filters[key]) is None:
            filters[key] = ""
    return filters


def events_for_user(*, user, filters=None):
    """Events with their course, municipality and counts of sessions, enrolled and completers (one query a page)."""
    if not can_view_trainings(user):
        return TrainingEvent.objects.none()
    filters = clean_filters(filters or {})
    events = TrainingEvent.objects.select_related("course", "municipality").annotate(
        session_count=Count("sessions", distinct=True),
        enrolled_count=Count("enrolments", distinct=True),
        completed_count=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
    )
    if filters["municipality"]:
        events = events.filter(municipality_id=int(filters["municipality"]))
    if filters["topic"]:
        events = events.filter(course__topic=filters["topic"])
    if filters["status"]:
        events = events.filter(status=filters["status"])
    if filters["date_from"]:
        events = events.filter(end_date__gte=_date(filters["date_from"]))
    if filters["date_to"]:
        events = events.filter(start_date__lte=_date(filters["date_to"]))
    return events.order_by("-start_date", "-id")


def event_for_page(*, user, pk):
    """The event with its sessions, trainers and course, or None when the user may not see it."""
    if not can_view_trainings(user):
        return None
    return (
        TrainingEvent.objects.select_related("course", "municipality")
        .prefetch_related(
            "trainer_users", Prefetch("sessions", queryset=Session.objects.order_by("date", "start_time"))
        )
        .filter(pk=pk)
        .first()
    )


def enrolments_with_attendance(event):
    """Enrolments with the person, their certificate (if any) and the number of sessions attended, in one query."""
    return (
        Enrolment.objects.filter(event=event)
        .select_related("person", "person__municipality", "certificate")
        .annotate(attended=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("person__last_name", "person__first_name", "id")
    )


def attendance_percent(attended, sessions):
    return round(attended * 100 / sessions) if sessions else 0


def _age_band_expression(on_day):
    """The participant's age band on the event's first day, from the birth date or else the year of birth."""
    year = Coalesce(ExtractYear("person__birth_date"), "person__birth_year")
    return Case(
        When(person__birth_year__isnull=True, person__birth_date__isnull=True, then=Value(AgeBand.NOT_KNOWN)),
        When(**{"birth__gt": on_day.year - 15}, then=Value(AgeBand.UNDER_15)),
        When(**{"birth__gt": on_day.year - 30}, then=Value(AgeBand.YOUTH)),
        When(**{"birth__gt": on_day.year - 65}, then=Value(AgeBand.ADULT)),
        default=Value(AgeBand.SENIOR),
    ), year


def event_demographics(event):
    """Counts of participants by sex, age band and community (aggregates only: three small queries)."""
    enrolments = Enrolment.objects.filter(event=event)
    by_sex = dict(enrolments.values_list("person__sex").annotate(count=Count("pk")).order_by())
    by_community = dict(enrolments.values_list("person__community").annotate(count=Count("pk")).order_by())
    band, year = _age_band_expression(event.start_date)
    by_band = dict(
        enrolments.annotate(birth=Coalesce(year, Value(0), output_field=IntegerField()))
        .annotate(band=band)
        .values_list("band")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {
        "sex": [(label, by_sex.get(code, 0)) for code, label in Sex.choices],
        "age_band": [(label, by_band.get(code, 0)) for code, label in AgeBand.choices],
        "community": [(label, by_community[code]) for code, label in Community.choices if by_community.get(code)],
    }


def attendance_sheet(session):
    """The enrolments of the session's event, each with whether they were marked present (two queries)."""
    present = set(Attendance.objects.filter(session=session, present=True).values_list("enrolment_id", flat=True))
    rows = list(Enrolment.objects.filter(event_id=session.event_id).select_related("person"))
    return [(enrolment, enrolment.pk in present) for enrolment in rows]


def people_to_enrol(*, event, q):
    """People whose name (any script, with or without diacritics) matches `q`, those enrolled already marked."""
    if len((q or "").strip()) < 2:
        return []
    people = list(people_for_staff(q=q)[:SEARCH_LIMIT])
    enrolled = set(
        Enrolment.objects.filter(event=event, person__in=[p.pk for p in people]).values_list("person_id", flat=True)
    )
    return [(person, person.pk in enrolled) for person in people]
