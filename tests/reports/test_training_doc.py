"""The training report (XLSX, donor training-system layout): the events that started in the period and their
participants, totals by sex with "not known" as its own part, unique people beside participations, and who may
ask for it (it names people)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from accounts.roles import Role
from core.choices import Community, Sex
from reports.documents import get
from reports.models import ReportRun
from reports.periods import Period
from reports.permissions import can_request_report_kind
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import AttendanceFactory, CourseFactory, EnrolmentFactory, EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

Q1 = Period.fiscal_quarter(2027, 1)  # 1 October – 31 December 2026


def render(period=Q1):
    run = ReportRun(
        kind="training",
        format="xlsx",
        language=translation.get_language(),
        period_start=period.start,
        period_end=period.end,
        fiscal_year=period.fiscal_year,
        quarter=period.quarter,
    )
    return get("training").render(run, lambda percent, note="": None)


def event(start, days=2, **kwargs):
    return EventFactory(start_date=start, end_date=start + datetime.timedelta(days=days), **kwargs)


@pytest.fixture
def trainings():
    """Two events that start in Q1 (on its first and last day), two that do not; five participations of four
    people: two by one woman, two by men, one by a person whose sex is not known."""
    arta = PersonFactory(first_name="Arta", last_name="Berisha", sex=Sex.FEMALE, birth_date=datetime.date(1995, 5, 17))
    marko = PersonFactory(
        first_name="Marko",
        last_name="Jovanović",
        sex=Sex.MALE,
        community=Community.SERB,
        birth_date=None,
        birth_year=1988,
    )
    ana = PersonFactory(first_name="Ana", last_name="Nikolić", sex=Sex.NOT_STATED, birth_date=None)
    luan = PersonFactory(first_name="Luan", last_name="Gashi", sex=Sex.MALE)
    besa = PersonFactory(first_name="Besa", last_name="Krasniqi", sex=Sex.FEMALE)

    course = CourseFactory(title_en="Business planning basics", title_sq="Bazat e planit të biznesit")
    first = event(
        datetime.date(2026, 10, 1),
        course=course,
        cost_instruction=Decimal("100.00"),
        cost_participant=Decimal("50.00"),
        cost_travel=Decimal("25.50"),
    )
    morning, afternoon = (
        SessionFactory(event=first),
        SessionFactory(event=first, start_time=datetime.time(13, 0), end_time=datetime.time(16, 0)),
    )
    arta_first = EnrolmentFactory(event=first, person=arta, completed=True)
    marko_first = EnrolmentFactory(event=first, person=marko)
    EnrolmentFactory(event=first, person=ana)
    AttendanceFactory(session=morning, enrolment=arta_first)
    AttendanceFactory(session=afternoon, enrolment=arta_first)
    AttendanceFactory(session=morning, enrolment=marko_first)
    AttendanceFactory(session=afternoon, enrolment=marko_first, present=False)

    last = event(datetime.date(2026, 12, 31))
    EnrolmentFactory(event=last, person=arta)
    EnrolmentFactory(event=last, person=luan)

    EnrolmentFactory(event=event(datetime.date(2026, 9, 30)), person=besa)  # the day before the period
    EnrolmentFactory(event=event(datetime.date(2027, 1, 1)), person=besa)  # the day after it
    return {"first": first, "last": last}


def sheets(content):
    workbook = load_workbook(io.BytesIO(content))
    return {name: [list(row) for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames}


def test_events_sheet_has_the_events_of_the_period_with_participants_by_sex(trainings):
    rendered = render()
    events = sheets(rendered.content)["Events"]
    header = events[1]
    col = {name: header.index(name) for name in header}
    rows = events[2:-2]
    assert [row[col["Event ID"]] for row in rows] == [trainings["first"].pk, trainings["last"].pk]
    first = rows[0]
    assert first[col["Course title"]] == "Business planning basics"
    assert first[col["Start date"]].date() == datetime.date(2026, 10, 1)
    assert first[col["Total cost (EUR)"]] == pytest.approx(175.50)
    assert first[col["Contact hours"]] == 15
    assert [first[col[name]] for name in ("Participants", "Female", "Male", "Sex not known", "Completed")] == [
        3,
        1,
        1,
        1,
        1,
    ]
    participations, unique = events[-2], events[-1]
    assert [participations[col[n]] for n in ("Participants", "Female", "Male", "Sex not known")] == [5, 2, 2, 1]
    assert participations[col["Completed"]] == 1
    assert [unique[col[n]] for n in ("Participants", "Female", "Male", "Sex not known")] == [4, 1, 2, 1]
    assert rendered.figures["events"] == 2
    assert {k: rendered.figures[k] for k in ("participants", "female", "male", "not_known")} == {
        "participants": 5,
        "female": 2,
        "male": 2,
        "not_known": 1,
    }
    assert rendered.figures["unique_people"] == {"participants": 4, "female": 1, "male": 2, "not_known": 1}


def test_participants_sheet_has_one_row_per_enrolment_with_attendance_and_totals(trainings):
    participants = sheets(render().content)["Participants"]
    header = participants[1]
    col = {name: header.index(name) for name in header}
    rows = [row for row in participants[2:] if isinstance(row[col["Event ID"]], int)]
    assert [(row[col["First name"]], row[col["Last name"]]) for row in rows] == [
        ("Arta", "Berisha"),
        ("Marko", "Jovanović"),
        ("Ana", "Nikolić"),
        ("Arta", "Berisha"),
        ("Luan", "Gashi"),
    ]
    arta, marko, ana = rows[0], rows[1], rows[2]
    assert (arta[col["Sex"]], arta[col["Birth year"]], arta[col["Completed"]]) == ("Female", 1995, "Yes")
    assert (arta[col["Sessions attended"]], arta[col["Sessions held"]], arta[col["Attendance (%)"]]) == (2, 2, 100)
    assert (marko[col["Birth year"]], marko[col["Community"]], marko[col["Attendance (%)"]]) == (1988, "Serb", 50)
    assert (ana[col["Sex"]], ana[col["Attendance (%)"]], ana[col["Completed"]]) == ("Not known", 0, "No")
    assert "Besa" not in {row[col["First name"]] for row in rows}
    assert participants[-1][:5] == ["Participations", 5, 2, 2, 1]


def test_course_title_is_in_the_language_of_the_run(trainings):
    with translation.override("sq"):
        events = sheets(render().content)["Events"]
    assert events[2][1] == "Bazat e planit të biznesit"


def test_reading_costs_the_same_queries_for_one_event_or_many(trainings):
    def count():
        with CaptureQueriesContext(connection) as context:
            render()
        return len(context.captured_queries)

    before = count()
    for day in (5, 6, 7):
        extra = event(datetime.date(2026, 11, day))
        for _ in range(3):
            EnrolmentFactory(event=extra, person=PersonFactory())
    assert count() == before


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ME_OFFICER, True),
        (Role.PROGRAMME_OFFICER, True),
        (Role.MANAGER, True),
        (Role.USAID_VIEWER, False),
        (Role.FINANCE_OFFICER, False),
        (Role.APPLICANT, False),
    ],
)
def test_only_roles_that_see_personal_data_may_request_it(role, allowed):
    assert can_request_report_kind(UserFactory(role=role), "training") is allowed
