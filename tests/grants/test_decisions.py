"""The committee's decisions: approved (a grant), waitlisted, rejected, with audit entries and letters in the
applicant's language; every refusal leaves nothing half-saved; bulk decisions are all or nothing; only managers
reach the decision pages."""

import datetime
import io
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry, OutgoingEmail
from grants.models import (
    Application,
    ApplicationStatus,
    CommitteeMeeting,
    Decision,
    Grant,
    GrantBudgetLine,
    GrantSequence,
)
from grants.services.decisions import application_decide, applications_decide_bulk, committee_meeting_record
from tests.factories import UserFactory
from tests.grants.application_factories import PDF_BYTES, ApplicationFactory, BudgetLineFactory
from tests.grants.decision_factories import MeetingFactory, reviewed_application
from tests.grants.factories import CallFactory
from tests.test_html_forms import nested_forms


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def call(db):
    return CallFactory(closed=True, code="CE-2027-01", budget_envelope=Decimal("10000.00"))


def _actions(target):
    return list(
        AuditEntry.objects.filter(object_id=str(target.pk), content_type__model=target._meta.model_name).values_list(
            "action", flat=True
        )
    )


def _approve(manager, application, amount="4000", **kwargs):
    return application_decide(
        actor=manager, application=application, outcome="approved", approved_amount=Decimal(amount), **kwargs
    )


# --- Approval ---------------------------------------------------------------------------------------------------


def test_approval_records_the_decision_creates_the_grant_and_sends_the_letter_in_the_applicants_language(
    manager, call, mailoutbox, django_capture_on_commit_callbacks
):
    application = reviewed_application(call=call, scores=[80, 70], requested="4500", cost_share="500")
    BudgetLineFactory(application=application, requested_amount=Decimal("500"), cost_share_amount=Decimal("250"))
    application.applicant.language = "sq"
    application.applicant.save()
    meeting = MeetingFactory(call=call)
    with django_capture_on_commit_callbacks(execute=True):
        decision = _approve(manager, application, amount="4500", meeting=meeting, conditions="Hire a local accountant.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert decision.approved_amount == Decimal("4500")
    assert decision.meeting == meeting and decision.decided_by == manager
    assert "grants.application.approved" in _actions(application)

    grant = Grant.objects.get(application=application)
    assert grant.number == "AKT-G-CE-001"
    assert grant.status == "awaiting_signature" and grant.instrument == "standard"
    assert grant.amount == Decimal("4500")
    assert grant.cost_share_committed == Decimal("750")
    assert (grant.start_date, grant.end_date) == (application.start_date, application.end_date)
    assert grant.special_conditions == "Hire a local accountant."
    lines = list(GrantBudgetLine.objects.filter(grant=grant).values_list("grant_amount", "cost_share_amount"))
    assert lines == [(Decimal("4500"), Decimal("500")), (Decimal("500"), Decimal("250"))]
    assert _actions(grant) == ["grants.grant.created"]

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [application.applicant.email]
    assert application.reference in message.subject
    assert "4.500,00" in message.body  # Albanian number format: the letter is built in the applicant's language
    assert "AKT-G-CE-001" in message.body and "Hire a local accountant." in message.body
    assert f"/sq/my/applications/{application.pk}/" in message.body


def test_grant_numbers_run_without_gaps_per_component(manager, call):
    first = reviewed_application(call=call, requested="3000")
    second = reviewed_application(call=call, requested="3000")
    business = reviewed_application(
        call=CallFactory(closed=True, component="business_development", code="BD-2027-01"), requested="3000"
    )
    for application in (first, second, business):
        _approve(manager, application, amount="3000")
    numbers = list(Grant.objects.order_by("id").values_list("number", flat=True))
    assert numbers == ["AKT-G-CE-001", "AKT-G-CE-002", "AKT-G-BD-001"]
    assert GrantSequence.objects.get(prefix="CE").last_number == 2


def test_approved_amount_may_be_lower_than_requested(manager, call):
    application = reviewed_application(call=call, requested="5000")
    decision = _approve(manager, application, amount="3500.50")
    assert decision.approved_amount == Decimal("3500.50")
    assert application.grant.amount == Decimal("3500.50")


# --- Waitlist and rejection -----------------------------------------------------------------------------------


def test_waitlisted_then_approved_updates_the_one_decision_and_sends_both_letters(
    manager, call, mailoutbox, django_capture_on_commit_callbacks
):
    application = reviewed_application(call=call, requested="2000")
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(actor=manager, application=application, outcome="waitlisted")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WAITLISTED
    assert "waiting list" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        _approve(manager, application, amount="2000")
    assert Decision.objects.filter(application=application).count() == 1
    assert Decision.objects.get(application=application).outcome == "approved"
    assert _actions(application)[-2:] in (
        ["grants.application.waitlisted", "grants.application.approved"],
        ["grants.application.approved", "grants.application.waitlisted"],
    )
    assert len(mailoutbox) == 2 and "approved" in mailoutbox[1].body


def test_rejection_needs_reasons_and_the_letter_gives_them(
    manager, call, mailoutbox, django_capture_on_commit_callbacks
):
    application = reviewed_application(call=call)
    with pytest.raises(ApplicationError) as error:
        application_decide(actor=manager, application=application, outcome="rejected", reasons="  ")
    assert error.value.code == "reasons_missing"
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(
            actor=manager, application=application, outcome="rejected", reasons="The budget is not realistic."
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert "grants.application.rejected" in _actions(application)
    assert not Grant.objects.exists()
    assert "The budget is not realistic." in mailoutbox[0].body


# --- Refusals: each says why, nothing is saved ------------------------------------------------------------------


def _nothing_saved(application, status):
    assert Application.objects.get(pk=application.pk).status == status
    assert not Decision.objects.filter(application=application).exists()
    assert not Grant.objects.filter(application=application).exists()
    assert not OutgoingEmail.objects.exists()


def test_an_application_not_yet_reviewed_is_refused(manager, call):
    application = ApplicationFactory(submitted=True, call=call, status=ApplicationStatus.UNDER_REVIEW)
    BudgetLineFactory(application=application)
    with pytest.raises(ApplicationError) as error:
        _approve(manager, application, amount="100")
    assert error.value.code == "not_reviewed"
    assert "not been reviewed" in error.value.message
    _nothing_saved(application, ApplicationStatus.UNDER_REVIEW)


@pytest.mark.parametrize("amount", ["5000.01", "0"])
def test_an_amount_above_the_request_or_zero_is_refused(manager, call, amount):
    application = reviewed_application(call=call, requested="5000")
    with pytest.raises(ApplicationError) as error:
        _approve(manager, application, amount=amount)
    assert error.value.code in ("amount_above_requested", "amount_missing")
    _nothing_saved(application, ApplicationStatus.REVIEWED)


def test_going_past_the_envelope_needs_a_written_reason(manager, call):
    first = reviewed_application(call=call, requested="6000")
    second = reviewed_application(call=call, requested="5000")
    _approve(manager, first, amount="6000")
    with pytest.raises(ApplicationError) as error:
        _approve(manager, second, amount="5000")
    assert error.value.code == "envelope_exceeded"
    assert "10,000.00" in error.value.message and "11,000.00" in error.value.message
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.REVIEWED
    assert Grant.objects.count() == 1

    decision = _approve(manager, second, amount="5000", envelope_override_reason="USAID added 2,000 EUR.")
    assert decision.envelope_override_reason == "USAID added 2,000 EUR."
    entry = AuditEntry.objects.get(action="grants.application.approved", object_id=str(second.pk))
    assert entry.data["envelope_override_reason"] == "USAID added 2,000 EUR."


def test_a_second_decision_on_the_same_application_is_refused(manager, call):
    application = reviewed_application(call=call, requested="3000")
    other_manager = UserFactory(role=Role.MANAGER)
    stale = Application.objects.get(pk=application.pk)  # the other manager's page still shows it reviewed
    _approve(manager, application, amount="3000")
    with pytest.raises(ApplicationError) as error:
        application_decide(actor=other_manager, application=stale, outcome="rejected", reasons="No.")
    assert error.value.code == "already_decided"
    assert "already decided" in error.value.message
    assert Decision.objects.get(application=application).outcome == "approved"
    assert Grant.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_deciding_at_once_get_one_decision_and_one_clear_refusal():
    call = CallFactory(closed=True, budget_envelope=Decimal("10000"))
    application = reviewed_application(call=call, requested="3000")
    managers = [UserFactory(role=Role.MANAGER) for _ in range(2)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def decide(actor, outcome):
        try:
            barrier.wait(timeout=10)
            kwargs = {"approved_amount": Decimal("3000")} if outcome == "approved" else {"reasons": "Weak."}
            results.append(application_decide(actor=actor, application=application, outcome=outcome, **kwargs))
        except ApplicationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(managers[0], "approved")),
        threading.Thread(target=decide, args=(managers[1], "rejected")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].code == "already_decided"
    assert Decision.objects.filter(application=application).count() == 1
    assert Grant.objects.count() == (1 if results[0].outcome == "approved" else 0)


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.REVIEWER, Role.APPLICANT])
def test_only_managers_decide_in_the_service(call, role):
    application = reviewed_application(call=call)
    with pytest.raises(ApplicationError) as error:
        application_decide(actor=UserFactory(role=role), application=application, outcome="waitlisted")
    assert error.value.code == "not_allowed"


# --- Bulk -------------------------------------------------------------------------------------------------------


def test_bulk_decisions_are_all_or_nothing(manager, call):
    good = reviewed_application(call=call, requested="3000")
    also_good = reviewed_application(call=call, requested="2000")
    not_reviewed = ApplicationFactory(submitted=True, call=call, status=ApplicationStatus.UNDER_REVIEW)
    meeting = MeetingFactory(call=call)
    items = [
        {"application": app, "outcome": "approved", "approved_amount": Decimal("1000")}
        for app in (good, also_good, not_reviewed)
    ]
    with pytest.raises(ApplicationError) as error:
        applications_decide_bulk(actor=manager, decisions=items, meeting=meeting)
    assert not_reviewed.reference in error.value.message and "No decision" in error.value.message
    assert not Decision.objects.exists() and not Grant.objects.exists() and not OutgoingEmail.objects.exists()
    assert set(Application.objects.values_list("status", flat=True)) == {"reviewed", "under_review"}
    assert not GrantSequence.objects.filter(last_number__gt=0).exists()

    decisions = applications_decide_bulk(actor=manager, decisions=items[:2], meeting=meeting)
    assert [d.outcome for d in decisions] == ["approved", "approved"]
    assert sorted(Grant.objects.values_list("number", flat=True)) == ["AKT-G-CE-001", "AKT-G-CE-002"]
    assert OutgoingEmail.objects.count() == 2


def test_bulk_checks_the_envelope_after_each_approval(manager, call):
    apps = [reviewed_application(call=call, requested="4000") for _ in range(3)]
    items = [{"application": a, "outcome": "approved", "approved_amount": Decimal("4000")} for a in apps]
    with pytest.raises(ApplicationError) as error:
        applications_decide_bulk(actor=manager, decisions=items, meeting=None)
    assert error.value.code == "envelope_exceeded" and apps[2].reference in error.value.message
    assert not Decision.objects.exists()


# --- Committee meeting ------------------------------------------------------------------------------------------


def _docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_meeting_is_recorded_with_members_minutes_and_a_checked_file(manager, call):
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    meeting = committee_meeting_record(
        actor=manager,
        call=call,
        held_on=timezone.localdate(),
        members=[manager, officer],
        other_members="Mayor's adviser",
        minutes="Ranked and decided.",
        minutes_file=SimpleUploadedFile("minutes.pdf", PDF_BYTES),
    )
    assert set(meeting.members.all()) == {manager, officer}
    assert meeting.minutes_file.name
    assert _actions(meeting) == ["grants.meeting.recorded"]
    with pytest.raises(ApplicationError) as error:
        committee_meeting_record(
            actor=manager,
            call=call,
            held_on=timezone.localdate(),
            members=[manager],
            other_members="",
            minutes="",
            minutes_file=SimpleUploadedFile("minutes.pdf", b"<html>not a pdf</html>"),
        )
    assert error.value.code == "file_type_not_allowed"
    assert CommitteeMeeting.objects.count() == 1


def test_meeting_page_records_a_meeting_with_a_docx_and_refuses_other_files(client, manager, call):
    client.force_login(manager)
    url = f"/en/staff/selection/calls/{call.code}/meetings/new/"
    response = client.get(url)
    assert response.status_code == 200 and nested_forms(response.content.decode()) == 0
    data = {"held_on": timezone.localdate().isoformat(), "members": [manager.pk], "minutes": "Minutes."}
    response = client.post(url, {**data, "minutes_file": SimpleUploadedFile("m.docx", b"MZ\x90\x00 an exe")})
    assert response.status_code == 400
    assert "PDF or a Word" in response.content.decode()
    assert not CommitteeMeeting.objects.exists()
    response = client.post(url, {**data, "minutes_file": SimpleUploadedFile("m.docx", _docx_bytes())})
    assert response.status_code == 302
    meeting = CommitteeMeeting.objects.get()
    download = client.get(f"/en/staff/selection/meetings/{meeting.pk}/minutes/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_meeting_in_the_future_is_refused(manager, call):
    with pytest.raises(ApplicationError):
        committee_meeting_record(
            actor=manager,
            call=call,
            held_on=timezone.localdate() + datetime.timedelta(days=2),
            members=[manager],
            other_members="",
            minutes="",
        )


# --- Pages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.REVIEWER, Role.APPLICANT, Role.FINANCE_OFFICER])
def test_everyone_but_managers_gets_404_on_decision_pages(client, call, role):
    application = reviewed_application(call=call)
    client.force_login(UserFactory(role=role))
    assert client.get(f"/en/staff/selection/applications/{application.pk}/decide/").status_code == 404
    assert client.get(f"/en/staff/selection/calls/{call.code}/meetings/new/").status_code == 404
    response = client.post(
        f"/en/staff/selection/calls/{call.code}/",
        {"selected": [application.pk], "outcome": "waitlisted"},
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_manager_decides_one_application_on_its_page(client, manager, call):
    application = reviewed_application(call=call, requested="4000")
    client.force_login(manager)
    url = f"/en/staff/selection/applications/{application.pk}/decide/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and nested_forms(html) == 0
    assert 'value="4000.00"' in html  # the approved amount defaults to the request
    response = client.post(url, {"outcome": "approved", "approved_amount": "4500", "conditions": ""})
    assert response.status_code == 400
    assert "more than the" in response.content.decode()
    response = client.post(url, {"outcome": "approved", "approved_amount": "3800", "conditions": "Report monthly."})
    assert response.status_code == 302
    assert Grant.objects.get(application=application).amount == Decimal("3800")
    response = client.get(url)  # decided: the page says so and shows the panel, with no form
    html = response.content.decode()
    assert "has been decided" in html and 'data-grant="AKT-G-CE-001"' in html and 'name="outcome"' not in html


def test_manager_decides_ticked_rows_from_the_ranking_with_their_amounts(client, manager, call):
    first = reviewed_application(call=call, scores=[90], requested="4000")
    second = reviewed_application(call=call, scores=[80], requested="3000")
    third = reviewed_application(call=call, scores=[70], requested="2000")
    meeting = MeetingFactory(call=call)
    client.force_login(manager)
    url = f"/en/staff/selection/calls/{call.code}/"
    page = client.get(url).content.decode()
    assert f'name="amount-{first.pk}"' in page and 'value="4000.00"' in page
    response = client.post(
        url,
        {
            "selected": [first.pk, second.pk],
            "outcome": "approved",
            "meeting": meeting.pk,
            f"amount-{first.pk}": "3500",
            f"amount-{second.pk}": "3000",
            f"amount-{third.pk}": "2000",
        },
    )
    assert response.status_code == 302
    assert dict(Decision.objects.values_list("application_id", "approved_amount")) == {
        first.pk: Decimal("3500"),
        second.pk: Decimal("3000"),
    }
    assert Application.objects.get(pk=third.pk).status == ApplicationStatus.REVIEWED
    assert set(Decision.objects.values_list("meeting_id", flat=True)) == {meeting.pk}


def test_a_refused_bulk_decision_shows_why_and_keeps_the_typed_amounts(client, manager, call):
    first = reviewed_application(call=call, scores=[90], requested="8000")
    second = reviewed_application(call=call, scores=[80], requested="3000")
    client.force_login(manager)
    response = client.post(
        f"/en/staff/selection/calls/{call.code}/",
        {
            "selected": [first.pk, second.pk],
            "outcome": "approved",
            f"amount-{first.pk}": "7999",
            f"amount-{second.pk}": "3000",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "budget envelope" in html and "No decision of this selection was saved." in html
    assert 'value="7999"' in html
    assert not Decision.objects.exists()


def test_decision_panel_shows_decision_amount_meeting_who_and_grant(manager, call):
    application = reviewed_application(call=call, requested="4000")
    meeting = MeetingFactory(call=call, held_on=datetime.date(2027, 3, 4))
    _approve(manager, application, amount="3000", meeting=meeting, conditions="Monthly reports.")
    application = Application.objects.get(pk=application.pk)
    html = render_to_string("grants/staff/_panel_decision.html", {"application": application})
    assert 'data-outcome="approved"' in html
    assert "3,000.00" in html and "Monthly reports." in html and "04.03.2027" in html
    assert str(manager) in html and 'data-grant="AKT-G-CE-001"' in html
    undecided = reviewed_application(call=call)
    html = render_to_string("grants/staff/_panel_decision.html", {"application": undecided, "can_decide": True})
    assert "No decision yet." in html and f"/selection/applications/{undecided.pk}/decide/" in html
