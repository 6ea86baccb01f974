"""The selection record of a call: one PDF with every application's screening, reviewers and scores, the mean,
the decisions and the committee meetings, rendered by a task for a manager (everyone else gets 404)."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.selectors import audit_entries_for
from grants.models import (
    ApplicationStatus,
    AssignmentStatus,
    CommitteeMeeting,
    Decision,
    Review,
    ReviewAssignment,
    ReviewScore,
    Screening,
)
from grants.services import selection_record as services
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallCriterionFactory, CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, first_name="Mira", last_name="Manager")


def _review(application, reviewer, criteria, scores, total):
    assignment = ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, assigned_by=reviewer, status=AssignmentStatus.SUBMITTED
    )
    review = Review.objects.create(assignment=assignment, submitted_at=timezone.now(), total=Decimal(total))
    for criterion, (score, comment) in zip(criteria, scores, strict=True):
        ReviewScore.objects.create(review=review, criterion=criterion, score=score, comment=comment)


@pytest.fixture
def selection(manager):
    call = CallFactory(closed=True, code="CE-2027-07")
    criteria = [
        CallCriterionFactory(call=call, name_en="Relevance", max_score=10),
        CallCriterionFactory(call=call, name_en="Inter-ethnic cooperation", max_score=10),
    ]
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    reviewers = [UserFactory(role=Role.REVIEWER, first_name="Rita", last_name=f"Reviewer{i}") for i in range(2)]
    approved = ApplicationFactory(
        call=call, submitted=True, reference="AKT-CE-2027-0101", status=ApplicationStatus.APPROVED
    )
    rejected = ApplicationFactory(
        call=call, submitted=True, reference="AKT-CE-2027-0102", status=ApplicationStatus.INELIGIBLE
    )
    Screening.objects.create(application=approved, screened_by=officer, eligible=True, comment="All documents in order")
    Screening.objects.create(
        application=rejected, screened_by=officer, eligible=False, reasons=["documents_missing"], comment="No statute"
    )
    _review(approved, reviewers[0], criteria, [(8, "Clear need"), (9, "Mixed team")], "85.00")
    _review(approved, reviewers[1], criteria, [(6, "Vague budget"), (7, "")], "65.00")
    meeting = CommitteeMeeting.objects.create(
        call=call,
        held_on=datetime.date(2027, 5, 20),
        minutes="The committee approved one application unanimously.",
        other_members="Observer from the municipality",
        recorded_by=manager,
    )
    meeting.members.set([manager])
    Decision.objects.create(
        application=approved,
        meeting=meeting,
        outcome="approved",
        approved_amount=Decimal("7500.00"),
        reasons="Strong inter-ethnic design",
        decided_by=manager,
    )
    return call


def _pdf_text(pdf, tmp_path):
    assert shutil.which("pdftotext"), "pdftotext is missing: install poppler-utils (apt-get install poppler-utils)"
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_manager_requests_and_downloads_the_whole_selection_record(
    client, manager, selection, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = f"/en/staff/grants/selection-record/{selection.code}/"
    assert "Generate the selection record" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    html = client.get(url).content.decode()
    assert "Download the latest selection record" in html
    response = client.get(url + "download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = _pdf_text(b"".join(response.streaming_content), tmp_path)
    for expected in [
        "AKT-CE-2027-0101",
        "AKT-CE-2027-0102",
        "Relevance",
        "8 / 10",
        "9 / 10",
        "Clear need",
        "Vague budget",
        "75.00",  # the mean of 85 and 65
        "Rita Reviewer0",
        "Required documents are missing",
        "No statute",
        "Approved",
        "7,500.00",
        "Strong inter-ethnic design",
        "The committee approved one application unanimously.",
        "Observer from the municipality",
        "20.05.2027",
    ]:
        assert expected in text, expected
    actions = [entry.action for entry in audit_entries_for(target=selection)]
    assert "grants.call.selection_record_requested" in actions
    assert "grants.call.selection_record_generated" in actions
    name = services.selection_record_latest(selection)
    assert name.startswith(f"selection/{selection.code}/") and name.endswith(".pdf")


def test_a_failure_is_shown_with_its_reason_and_can_be_retried(
    client, manager, selection, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = f"/en/staff/grants/selection-record/{selection.code}/"

    def broken(call, language):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "selection_record_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    html = client.get(url).content.decode()
    assert "RuntimeError" in html and "Retry" in html
    assert client.get(url + "download/").status_code == 404
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert client.get(url + "download/").status_code == 200


def test_a_second_request_while_one_is_queued_queues_nothing(manager, selection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.selection_record_request(actor=manager, call=selection)
        services.selection_record_request(actor=manager, call=selection)
    assert len(callbacks) == 1
    assert services.selection_record_state(selection)["status"] == "queued"


@pytest.mark.parametrize("role", [None, Role.PROGRAMME_OFFICER, Role.REVIEWER, Role.APPLICANT])
def test_only_managers_see_the_selection_record(client, selection, role):
    if role:
        client.force_login(UserFactory(role=role))
    url = f"/en/staff/grants/selection-record/{selection.code}/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(url + "download/").status_code == 404
