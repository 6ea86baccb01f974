"""Pre- and post-test scores in the participant sheet: headers in the four languages, shown in the preview, a
score that is not a whole number from 0 to 100 blocks the import, and confirmed scores are recorded with the
enrolments in the same transaction (an empty cell keeps the score recorded before)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from accounts.models import Person
from accounts.roles import Role
from core.models import AuditEntry
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory, SessionFactory
from trainings import imports, services
from trainings.models import Enrolment

pytestmark = pytest.mark.django_db

HEADER = ["first name", "last name", "sex", "birth date", "community", "municipality", "pre-test score", "post-test"]
DAY1 = "06.04.2026"


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def event():
    event = EventFactory(open=True, capacity=10)
    SessionFactory(event=event, date=datetime.date(2026, 4, 6))
    return event


def xlsx(rows, header=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or [*HEADER, DAY1])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, event, content):
    upload = io.BytesIO(content)
    upload.name = "sheet.xlsx"
    assert client.post(reverse("staff:training_import", args=[event.pk]), {"sheet": upload}).status_code == 302
    return client.get(reverse("staff:training_import_preview", args=[event.pk])).content.decode()


@pytest.mark.parametrize(
    ("pre", "post"),
    [
        ("Pikët para testit", "Pikët pas testit"),
        ("pikët e testit paraprak", "pikët e testit përfundimtar"),
        ("Bodovi pre testa", "Bodovi posle testa"),
        ("Бодови пре теста", "Бодови после теста"),
        ("резултат улазног теста", "резултат излазног теста"),
        ("Pre-test score", "Post-test score"),
    ],
)
def test_score_headers_are_understood_in_every_language_and_script(pre, post):
    header = ["Emri", "Mbiemri", "Gjinia", "Datëlindja", "Komuniteti", "Komuna", pre, post]
    sheet = imports.sheet_read(xlsx([["A", "B", "F", "1990", "Albanian", "Gjilan", "40", "80"]], header=header))
    assert sheet.columns["pre_test_score"] == 6 and sheet.columns["post_test_score"] == 7


def test_scores_are_shown_in_the_preview_and_saved_with_the_import(client, officer, event):
    rows = [
        ["Arta", "Krasniqi", "F", "1990", "Albanian", "Gjilan", 45, "90", "1"],
        ["Besa", "Gashi", "F", "1991", "Albanian", "Gjilan", "", 0, "1"],
    ]
    client.force_login(officer)
    html = _upload(client, event, xlsx(rows))
    assert 'data-pre-test="45"' in html and 'data-post-test="90"' in html
    assert 'data-post-test="0"' in html and "data-confirm" in html
    assert not Enrolment.objects.exists()

    assert client.post(reverse("staff:training_import_preview", args=[event.pk]), {"confirm": "1"}).status_code == 302
    arta = Enrolment.objects.get(person__last_name="Krasniqi")
    besa = Enrolment.objects.get(person__last_name="Gashi")
    assert (arta.pre_test_score, arta.post_test_score) == (45, 90)
    assert (besa.pre_test_score, besa.post_test_score) == (None, 0)
    assert AuditEntry.objects.filter(action="trainings.enrolment.scored").count() == 2
    assert AuditEntry.objects.get(action="trainings.import.applied").data["scored"] == 2


def test_a_score_of_120_or_a_word_is_an_error_in_the_preview_and_nothing_is_saved(client, officer, event):
    rows = [
        ["Arta", "Krasniqi", "F", "1990", "Albanian", "Gjilan", "120", "80", "1"],
        ["Besa", "Gashi", "F", "1991", "Albanian", "Gjilan", "good", "", "1"],
        ["Dren", "Berisha", "M", "1992", "Albanian", "Gjilan", "-5", "72.5", "1"],
        ["Ema", "Morina", "F", "1993", "Albanian", "Gjilan", "50", "60", "1"],
    ]
    client.force_login(officer)
    html = _upload(client, event, xlsx(rows))
    assert 'data-row="2" data-outcome="error"' in html and "“120” is not a whole number from 0 to 100" in html
    assert 'data-row="3" data-outcome="error"' in html and "“good”" in html
    assert 'data-row="4" data-outcome="error"' in html and "“-5”" in html and "“72.5”" in html
    assert 'data-row="5" data-outcome="new"' in html
    assert "data-confirm" not in html

    client.post(reverse("staff:training_import_preview", args=[event.pk]), {"confirm": "1"})
    assert not Person.objects.exists() and not Enrolment.objects.exists()
    assert not AuditEntry.objects.filter(action="trainings.enrolment.scored").exists()


def test_an_enrolled_participant_keeps_the_score_the_sheet_leaves_empty(officer, event):
    person = PersonFactory(first_name="Arta", last_name="Krasniqi", personal_number="1234567890")
    enrolment = EnrolmentFactory(event=event, person=person, pre_test_score=30)
    header = [*HEADER[:6], "personal number", "pre-test score", "post-test score", DAY1]
    row = ["Arta", "Krasniqi", "F", "1990", "Albanian", "Gjilan", "1234567890", "", "85", "1"]
    counts = imports.import_apply(actor=officer, event=event, content=xlsx([row], header=header))
    enrolment.refresh_from_db()
    assert (enrolment.pre_test_score, enrolment.post_test_score) == (30, 85)
    assert counts["scored"] == 1 and counts["enrolled"] == 0


def test_a_failure_while_scoring_leaves_nothing(monkeypatch, officer, event):
    def failing(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "enrolment_scores", failing)
    rows = [["Arta", "Krasniqi", "F", "1990", "Albanian", "Gjilan", "45", "90", "1"]]
    with pytest.raises(RuntimeError):
        imports.import_apply(actor=officer, event=event, content=xlsx(rows))
    assert not Person.objects.exists() and not Enrolment.objects.exists()


@pytest.mark.parametrize("language", ["sq", "sr-latn", "sr", "en"])
def test_the_template_has_both_score_columns_in_the_page_language_and_reads_back(client, officer, event, language):
    client.force_login(officer)
    with translation.override(language):
        url = reverse("staff:training_import_template", args=[event.pk])
    response = client.get(url)
    header = [cell.value for cell in next(load_workbook(io.BytesIO(response.content)).active.iter_rows())]
    with translation.override(language):
        assert str(imports.COLUMNS["pre_test_score"][0]) in header
        assert str(imports.COLUMNS["post_test_score"][0]) in header
    sheet = imports.sheet_read(response.content)
    assert {"pre_test_score", "post_test_score"} <= set(sheet.columns)
