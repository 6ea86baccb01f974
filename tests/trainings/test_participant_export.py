"""The participant list in the donor's training-system layout: one row per enrolment, personal columns by role."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory

pytestmark = pytest.mark.django_db

FULL_HEADER = [
    "Participant ID",
    "First name",
    "Last name",
    "Sex",
    "Birth year",
    "Community",
    "Municipality",
    "Event title",
    "Start date",
    "End date",
    "Contact hours",
    "Completed",
]


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def rows_of(response):
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_has_the_donor_header_and_one_row_per_enrolment(client):
    event = EventFactory(open=True)
    first = EnrolmentFactory(event=event, completed=True)
    EnrolmentFactory(event=event)
    EnrolmentFactory()  # another event
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse("staff:training_participants_export", args=[event.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == FULL_HEADER
    assert len(rows) == 3
    row = next(r for r in rows[1:] if r[0] == first.person.pk)
    assert row[4] == 1995 and row[7] == event.course.title_en and row[11] == "Yes"


def test_export_in_another_language_stays_in_the_donor_layout(client):
    event = EventFactory(open=True)
    EnrolmentFactory(event=event)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse("staff:training_participants_export", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="sq")
    assert rows_of(response)[0] == FULL_HEADER


def test_export_without_personal_data_rights_leaves_out_personal_columns(client, monkeypatch):
    event = EventFactory(open=True)
    EnrolmentFactory(event=event)
    monkeypatch.setattr("trainings.participant_export.can_view_personal_data", lambda user: False)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    header = rows_of(client.get(reverse("staff:training_participants_export", args=[event.pk])))[0]
    assert "Birth year" not in header and "Community" not in header and "Participant ID" in header


def test_finance_officer_gets_404(client):
    event = EventFactory(open=True)
    EnrolmentFactory(event=event)
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert client.get(reverse("staff:training_participants_export", args=[event.pk])).status_code == 404
