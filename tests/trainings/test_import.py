"""Importing participants and attendance from an XLSX sheet: the preview saves nothing, errors name their row and
reason, a confirmed import is all-or-nothing and happens once."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Person
from accounts.roles import Role
from core.choices import Community, Sex
from core.errors import ApplicationError
from core.models import AuditEntry
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory, SessionFactory
from trainings import imports, services
from trainings.models import Attendance, Enrolment

pytestmark = pytest.mark.django_db

HEADER = ["first name", "last name", "sex", "birth date", "community", "municipality", "personal number", "phone"]
DAY1, DAY2 = "06.04.2026", "07.04.2026"


@pytest.fixture(autouse=True)
def _no_two_factor(settings, tmp_path):
    settings.STAFF_REQUIRE_2FA = False
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def event():
    event = EventFactory(open=True, capacity=10)
    SessionFactory(event=event, date=datetime.date(2026, 4, 6))
    SessionFactory(event=event, date=datetime.date(2026, 4, 7))
    return event


def xlsx(rows, header=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or [*HEADER, DAY1, DAY2])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def clean_rows():
    return [
        ["Djordje", "Jovanovic", "M", "12.03.1990", "Serb", "Gračanica", "", "", "1", "x"],
        ["Arbëresha", "Hoxha", "femër", "1998", "shqiptar", "Gjilan", "1234567890", "+383 44 123 456", "✓", ""],
        ["Мила", "Петровић", "Ж", "01.02.2001", "Srbi", "Грачаница", "", "", "", "1"],
    ]


@pytest.fixture
def djordje():
    return PersonFactory(
        first_name="Đorđe",
        last_name="Jovanović",
        sex=Sex.MALE,
        community=Community.SERB,
        birth_date=datetime.date(1990, 3, 12),
        municipality=Municipality.objects.get(code="gracanica"),
    )


def preview_of(event, content):
    return imports.import_preview(event=event, sheet=imports.sheet_read(content))


def test_a_wrong_column_refuses_the_whole_file_naming_it(event):
    header = ["first name", "last name", "sex", "birth date", "community", "municipality", "shoe size"]
    with pytest.raises(ApplicationError) as refused:
        imports.sheet_read(xlsx([], header=header))
    assert "shoe size" in refused.value.message


def test_a_missing_required_column_is_named(event):
    with pytest.raises(ApplicationError) as refused:
        imports.sheet_read(xlsx([], header=["first name", "last name", "sex", "birth date", "municipality"]))
    assert "community" in refused.value.message


def test_headers_in_other_languages_and_scripts_are_understood():
    header = ["Emri", "Mbiemri", "Gjinia", "Datëlindja", "Komuniteti", "Општина", DAY1]
    sheet = imports.sheet_read(xlsx([["A", "B", "F", "1990", "Albanian", "Gjilan", "1"]], header=header))
    assert set(sheet.columns) == {"first_name", "last_name", "sex", "birth", "community", "municipality"}
    assert list(sheet.session_dates.values()) == [datetime.date(2026, 4, 6)]


def test_bad_rows_show_their_row_and_reason_and_nothing_is_saved(client, officer, event):
    rows = [
        ["Arta", "Krasniqi", "F", "01.01.2090", "Albanian", "Gjilan", "", "", "1", ""],
        ["Besa", "Gashi", "F", "05.05.1995", "Albanian", "Gjilan", "", "", "1", ""],
        ["Besa", "Gashi", "F", "05.05.1995", "Albanian", "Gjilan", "", "", "", "1"],
        ["Dren", "Berisha", "M", "1992", "Albanian", "Gjilan", "12345678", "", "", ""],
        ["Ema", "Morina", "F", "1993", "Martian", "Atlantis", "", "", "", ""],
    ]
    preview = preview_of(event, xlsx(rows))
    by_number = {row.number: row for row in preview.rows}
    assert "future" in by_number[2].errors[0]
    assert by_number[3].outcome == imports.Outcome.NEW
    assert "repeats row 3" in by_number[4].errors[0]
    assert "12345678" in by_number[5].errors[0] and "10 digits" in by_number[5].errors[0]
    assert any("Martian" in error for error in by_number[6].errors)
    assert any("Atlantis" in error for error in by_number[6].errors)
    assert preview.has_errors

    client.force_login(officer)
    upload = io.BytesIO(xlsx(rows))
    upload.name = "sheet.xlsx"
    response = client.post(reverse("staff:training_import", args=[event.pk]), {"sheet": upload})
    assert response.status_code == 302
    page = client.get(reverse("staff:training_import_preview", args=[event.pk]))
    html = page.content.decode()
    assert 'data-row="2" data-outcome="error"' in html and "data-confirm" not in html
    response = client.post(reverse("staff:training_import_preview", args=[event.pk]), {"confirm": "1"})
    assert not Person.objects.exists() and not Enrolment.objects.exists()


def test_session_date_the_event_lacks_and_capacity_are_row_errors(event):
    event.capacity = 1
    event.save()
    header = [*HEADER, DAY1, "09.04.2026"]
    rows = [
        ["Arta", "Krasniqi", "F", "1990", "Albanian", "Gjilan", "", "", "1", ""],
        ["Besa", "Gashi", "F", "1991", "Albanian", "Gjilan", "", "", "", ""],
        ["Dren", "Berisha", "M", "1992", "Albanian", "Gjilan", "", "", "", "x"],
    ]
    rows_by = {row.number: row for row in preview_of(event, xlsx(rows, header=header)).rows}
    assert rows_by[2].outcome == imports.Outcome.NEW
    assert "full" in rows_by[3].errors[0]
    assert "09.04.2026" in rows_by[4].errors[0]


def test_clean_sheet_previews_matches_and_new_people_then_confirm_creates_everything(client, officer, event, djordje):
    already = EnrolmentFactory(event=event)
    client.force_login(officer)
    upload = io.BytesIO(xlsx(clean_rows()))
    upload.name = "sheet.xlsx"
    assert client.post(reverse("staff:training_import", args=[event.pk]), {"sheet": upload}).status_code == 302
    page = client.get(reverse("staff:training_import_preview", args=[event.pk]))
    html = page.content.decode()
    assert 'data-row="2" data-outcome="match"' in html and f"#{djordje.pk}" in html
    assert 'data-row="3" data-outcome="new"' in html and 'data-row="4" data-outcome="new"' in html
    assert Person.objects.count() == 2 and Enrolment.objects.count() == 1  # nothing saved by the preview

    response = client.post(reverse("staff:training_import_preview", args=[event.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert Person.objects.count() == 4
    arbe = Person.objects.get(last_name="Hoxha")
    assert (arbe.sex, arbe.birth_year, arbe.community, arbe.personal_number) == (
        Sex.FEMALE,
        1998,
        Community.ALBANIAN,
        "1234567890",
    )
    assert Person.objects.get(last_name="Петровић").municipality.code == "gracanica"
    assert event.enrolments.count() == 4
    present = set(Attendance.objects.filter(present=True).values_list("enrolment__person__last_name", "session__date"))
    assert present == {
        ("Jovanović", datetime.date(2026, 4, 6)),
        ("Jovanović", datetime.date(2026, 4, 7)),
        ("Hoxha", datetime.date(2026, 4, 6)),
        ("Петровић", datetime.date(2026, 4, 7)),
    }
    assert not Attendance.objects.filter(enrolment=already, present=True).exists()
    entry = AuditEntry.objects.get(action="trainings.import.applied")
    assert entry.data["people_created"] == 2 and entry.data["enrolled"] == 3

    again = client.post(reverse("staff:training_import_preview", args=[event.pk]), {"confirm": "1"})
    assert again.status_code == 302
    assert Person.objects.count() == 4 and event.enrolments.count() == 4
    assert AuditEntry.objects.filter(action="trainings.import.applied").count() == 1


def test_a_failure_in_the_middle_of_confirm_leaves_nothing(monkeypatch, officer, event, djordje):
    real = services.enrolment_create
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "enrolment_create", failing)
    with pytest.raises(RuntimeError):
        imports.import_apply(actor=officer, event=event, content=xlsx(clean_rows()))
    assert Person.objects.count() == 1 and not Enrolment.objects.exists() and not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(action="trainings.import.applied").exists()


def test_confirm_rechecks_the_sheet_and_refuses_when_it_has_errors(officer, event):
    content = xlsx([["Arta", "Krasniqi", "F", "01.01.2090", "Albanian", "Gjilan", "", "", "", ""]])
    with pytest.raises(ApplicationError):
        imports.import_apply(actor=officer, event=event, content=content)
    assert not Person.objects.exists()


def test_template_download_has_the_columns_and_session_dates(client, officer, event):
    client.force_login(officer)
    response = client.get(reverse("staff:training_import_template", args=[event.pk]))
    assert response.status_code == 200
    sheet = imports.sheet_read(response.content)
    assert set(sheet.columns) == set(imports.COLUMNS)
    assert sorted(sheet.session_dates.values()) == [datetime.date(2026, 4, 6), datetime.date(2026, 4, 7)]


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.APPLICANT, Role.USAID_VIEWER])
def test_roles_without_trainings_get_404(client, role, event):
    client.force_login(UserFactory(role=role))
    for name in ("staff:training_import", "staff:training_import_preview", "staff:training_import_template"):
        assert client.get(reverse(name, args=[event.pk])).status_code == 404
    upload = io.BytesIO(xlsx(clean_rows()))
    upload.name = "sheet.xlsx"
    assert client.post(reverse("staff:training_import", args=[event.pk]), {"sheet": upload}).status_code == 404
    assert client.post(reverse("staff:training_import_preview", args=[event.pk])).status_code == 404
    assert not Person.objects.exists()


def test_upload_page_documents_the_layout_and_event_page_links_to_it(client, officer, event):
    client.force_login(officer)
    html = client.get(reverse("staff:training_import", args=[event.pk])).content.decode()
    assert "data-layout" in html and reverse("staff:training_import_template", args=[event.pk]) in html
    detail = client.get(reverse("staff:training_event_detail", args=[event.pk])).content.decode()
    assert reverse("staff:training_import", args=[event.pk]) in detail
    assert reverse("staff:training_participants_export", args=[event.pk]) in detail


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client, officer, event):
    client.force_login(officer)
    upload = io.BytesIO(b"first name,last name\n")
    upload.name = "sheet.xlsx"
    response = client.post(reverse("staff:training_import", args=[event.pk]), {"sheet": upload})
    assert response.status_code == 400 and "XLSX" in response.content.decode()
