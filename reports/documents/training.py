"""The training report (XLSX) in the layout of the donor's training system (TraiNet-like), for the run's period.

Sheet "Events": one row per training event whose first day falls in the period, with its participants by sex and
how many completed, and a totals row. Sheet "Participants": one row per enrolment in those events (the columns of
trainings/participant_export.py, plus attendance), and the same totals by sex. A person enrolled in two events is
two participations (two rows, as the donor's system counts them); the sheet "Events" also gives the number of
unique people, so the two are never confused.

"Not known" sex: the person preferred not to say (or nothing was recorded); it is its own column, never dropped.

It holds personal data (names, year of birth, community): reports.permissions lets only the roles that see
personal data request it. Every figure is an SQL aggregate; four queries read the whole document, whatever the
number of events or participants. The sheets are named "Events" and "Participants" in every language (the donor's
system imports them by name); headers, labels and course titles are in the run's language.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import Person
from core.choices import Sex
from reports.documents import Rendered, document
from reports.documents.grants_list import MONEY_FORMAT, period_of, workbook_bytes, xlsx_row
from trainings.models import Attendance, Enrolment, Session, TrainingEvent
from trainings.selectors import attendance_percent

KNOWN_SEXES = (Sex.FEMALE, Sex.MALE)


def events_of(period):
    """The events whose first day is in `period`, each with its participants counted by sex (one query)."""
    return (
        TrainingEvent.objects.filter(start_date__gte=period.start, start_date__lte=period.end)
        .select_related("course", "municipality")
        .annotate(
            **_by_sex("enrolments", "enrolments__person__sex"),
            completed_count=Count("enrolments", filter=Q(enrolments__completed=True)),
        )
        .order_by("start_date", "pk")
    )


def _by_sex(relation, sex):
    """Counts of `relation` in total and by the sex at `sex` (female, male, not known)."""
    return {
        "participants": Count(relation),
        "female": Count(relation, filter=Q(**{sex: Sex.FEMALE})),
        "male": Count(relation, filter=Q(**{sex: Sex.MALE})),
        "not_known": Count(relation, filter=~Q(**{f"{sex}__in": KNOWN_SEXES})),
    }


def enrolments_of(period):
    """Enrolments in the events of `period`, with the sessions attended and held (one query, subqueries)."""
    attended = (
        Attendance.objects.filter(enrolment=OuterRef("pk"), present=True)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sessions = Session.objects.filter(event=OuterRef("event_id")).order_by().values("event").annotate(n=Count("pk"))
    return (
        Enrolment.objects.filter(event__start_date__gte=period.start, event__start_date__lte=period.end)
        .select_related("event__course", "person__municipality")
        .annotate(
            attended=Coalesce(Subquery(attended[:1]), Value(0), output_field=IntegerField()),
            sessions_held=Coalesce(Subquery(sessions.values("n")[:1]), Value(0), output_field=IntegerField()),
        )
        .order_by("event__start_date", "event_id", "person__last_name", "person__first_name", "pk")
    )


def totals_of(period):
    """Participations by sex (enrolments) and unique people by sex, in two aggregate queries."""
    enrolments = Enrolment.objects.filter(event__start_date__gte=period.start, event__start_date__lte=period.end)
    participations = enrolments.aggregate(
        **_by_sex("pk", "person__sex"), completed=Count("pk", filter=Q(completed=True))
    )
    people = Person.objects.filter(pk__in=Subquery(enrolments.values("person_id"))).aggregate(
        participants=Count("pk"),
        female=Count("pk", filter=Q(sex=Sex.FEMALE)),
        male=Count("pk", filter=Q(sex=Sex.MALE)),
        not_known=Count("pk", filter=~Q(sex__in=KNOWN_SEXES)),
    )
    return participations, people


def _yes_no(flag):
    return pgettext("completed", "Yes") if flag else pgettext("completed", "No")


def _sex(person):
    return str(person.get_sex_display()) if person.sex in KNOWN_SEXES else _("Not known")


EVENT_FORMATS = {9: "0.0", 10: MONEY_FORMAT, 11: MONEY_FORMAT, 12: MONEY_FORMAT, 13: MONEY_FORMAT}


def event_headers():
    return [
        _("Event ID"),
        _("Course title"),
        _("Topic"),
        _("Start date"),
        _("End date"),
        _("Municipality"),
        _("Venue"),
        _("Language of delivery"),
        _("Status"),
        _("Contact hours"),
        _("Instruction cost (EUR)"),
        _("Participant cost (EUR)"),
        _("Travel cost (EUR)"),
        _("Total cost (EUR)"),
        _("Participants"),
        _("Female"),
        _("Male"),
        _("Sex not known"),
        _("Completed"),
    ]


def write_events(sheet, period, events, participations, people):
    language = get_language()
    xlsx_row(sheet, [_("Training events"), period.label, period.dates_label], bold=True)
    xlsx_row(sheet, event_headers(), bold=True)
    count = 0
    for event in events:
        count += 1
        xlsx_row(
            sheet,
            [
                event.pk,
                event.course.title,
                event.course.get_topic_display(),
                event.start_date,
                event.end_date,
                event.municipality.name_in(language),
                event.venue,
                event.get_language_display(),
                event.get_status_display(),
                event.contact_hours,
                event.cost_instruction,
                event.cost_participant,
                event.cost_travel,
                event.total_cost,
                event.participants,
                event.female,
                event.male,
                event.not_known,
                event.completed_count,
            ],
            EVENT_FORMATS,
        )
    blanks = [""] * 13
    xlsx_row(
        sheet,
        [_("Total (participations)"), *blanks, *_sex_totals(participations), participations["completed"]],
        bold=True,
    )
    xlsx_row(sheet, [_("Unique people"), *blanks, *_sex_totals(people), ""], bold=True)
    return count


def _sex_totals(counts):
    return [counts["participants"], counts["female"], counts["male"], counts["not_known"]]


def participant_headers():
    return [
        _("Event ID"),
        _("Course title"),
        _("Start date"),
        _("End date"),
        _("Participant ID"),
        _("First name"),
        _("Last name"),
        _("Sex"),
        _("Birth year"),
        _("Community"),
        _("Municipality"),
        _("Completed"),
        _("Sessions attended"),
        _("Sessions held"),
        _("Attendance (%)"),
    ]


def write_participants(sheet, period, enrolments, participations):
    language = get_language()
    xlsx_row(sheet, [_("Participants"), period.label, period.dates_label], bold=True)
    xlsx_row(sheet, participant_headers(), bold=True)
    for enrolment in enrolments.iterator(chunk_size=2000):
        event, person = enrolment.event, enrolment.person
        birth_year = person.birth_date.year if person.birth_date else person.birth_year
        xlsx_row(
            sheet,
            [
                event.pk,
                event.course.title,
                event.start_date,
                event.end_date,
                person.pk,
                person.first_name,
                person.last_name,
                _sex(person),
                birth_year or "",
                str(person.get_community_display()) if person.community else "",
                person.municipality.name_in(language) if person.municipality_id else "",
                _yes_no(enrolment.completed),
                enrolment.attended,
                enrolment.sessions_held,
                attendance_percent(enrolment.attended, enrolment.sessions_held),
            ],
        )
    xlsx_row(sheet, [])
    xlsx_row(sheet, [_("Totals by sex"), _("Participants"), _("Female"), _("Male"), _("Sex not known")], bold=True)
    xlsx_row(sheet, [_("Participations"), *_sex_totals(participations)], bold=True)


@document("training", formats=("xlsx",))
def render(run, progress):
    period = period_of(run)
    progress(10, _("Counting participants"))
    participations, people = totals_of(period)
    workbook = Workbook(write_only=True)
    progress(30, _("Writing the events"))
    events = write_events(workbook.create_sheet(title="Events"), period, events_of(period), participations, people)
    progress(60, _("Writing the participants"))
    write_participants(workbook.create_sheet(title="Participants"), period, enrolments_of(period), participations)
    figures = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "events": events,
        "participants": participations["participants"],
        "female": participations["female"],
        "male": participations["male"],
        "not_known": participations["not_known"],
        "completed": participations["completed"],
        "unique_people": dict(people),
    }
    progress(95, _("Document written"))
    return Rendered(content=workbook_bytes(workbook), figures=figures)
