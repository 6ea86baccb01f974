"""The officer's side of progress reports: accepting (which verifies the report's milestones, so finance can approve
the tranche that waits for them), asking for a revision with a comment, the thread that keeps every submission,
the e-mails to the grantee, and the queue of reports to review or chase."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import OutgoingEmail
from core.selectors import audit_entries_for
from grants.mail_reports import report_reviewed
from grants.models import GrantTranche, ReportMessage, ReportMessageKind, ReportStatus, TrancheStatus
from grants.services.reports import report_accept, report_progress_save, report_request_revision, report_submit
from grants.services.tranches import tranche_approve, tranche_request
from tests.factories import UserFactory
from tests.grants.report_factories import ProgressReportFactory, ReportExpenditureFactory, ReportFileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _submitted(**kwargs):
    report = ProgressReportFactory(complete=True, **kwargs)
    report_submit(actor=report.grant.application.applicant, report=report, version=report.version)
    report.refresh_from_db()
    return report


def _staff_url(report, tail=""):
    return f"/en/staff/grants/{report.grant_id}/reports/{report.pk}/{tail}"


def test_an_accepted_report_verifies_its_milestone_and_finance_then_approves_the_tranche_without_override(officer):
    report = ProgressReportFactory(complete=True)
    milestone = report.grant.milestones.get(description="Workshops held")
    grantee = report.grant.application.applicant
    report_progress_save(actor=grantee, report=report, version=1, data={"milestones_completed": [milestone]})
    report_submit(actor=grantee, report=report, version=2)
    tranche = GrantTranche.objects.get(grant=report.grant, milestone=milestone)
    tranche_request(actor=grantee, tranche=tranche)
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    with pytest.raises(ApplicationError) as error:  # not verified yet
        tranche_approve(actor=finance, tranche=tranche)
    assert error.value.code == "milestone_not_verified"

    report_accept(actor=officer, report=report, comment="Well documented.")
    milestone.refresh_from_db()
    assert milestone.is_verified and milestone.verified_source == "report" and milestone.verified_report == report
    tranche_approve(actor=finance, tranche=tranche)
    tranche.refresh_from_db()
    assert tranche.status == TrancheStatus.APPROVED and tranche.override_reason == ""
    report.refresh_from_db()
    assert (report.status, report.accepted_by) == (ReportStatus.ACCEPTED, officer)
    assert audit_entries_for(target=report).filter(action="grants.report.accepted", to_status="accepted").exists()


def test_a_revision_needs_a_comment_and_the_thread_keeps_every_submission(client, officer):
    report = _submitted()
    grantee = report.grant.application.applicant
    with pytest.raises(ApplicationError) as error:
        report_request_revision(actor=officer, report=report, comment="  ")
    assert error.value.code == "comment_required"
    report_request_revision(actor=officer, report=report, comment="Add the attendance lists.")
    report.refresh_from_db()
    assert report.status == ReportStatus.REVISION_REQUESTED

    client.force_login(grantee)
    html = client.get(f"/en/my/grants/{report.grant_id}/reports/{report.pk}/edit/progress/").content.decode()
    assert "Add the attendance lists." in html  # the comment is shown where the grantee revises
    data = {
        "version": report.version,
        "narrative": "Three workshops; attendance lists attached.",
        "percent_complete": 45,
    }
    assert client.post(f"/en/my/grants/{report.grant_id}/reports/{report.pk}/edit/progress/", data).status_code == 302
    report.refresh_from_db()
    report_submit(actor=grantee, report=report, version=report.version)

    kinds = list(ReportMessage.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == ["submitted", "revision_requested", "submitted"]
    client.force_login(officer)
    html = client.get(_staff_url(report)).content.decode()
    assert "Three workshops held with 45 young people." in html  # the first submission, as sent
    assert "Three workshops; attendance lists attached." in html  # the second
    assert "Add the attendance lists." in html
    client.force_login(grantee)
    html = client.get(f"/en/my/grants/{report.grant_id}/reports/{report.pk}/").content.decode()
    assert html.count('data-message="submitted"') == 2 and "Add the attendance lists." in html


def test_the_review_page_accepts_and_the_grantee_is_emailed_in_their_language(client, officer):
    report = _submitted()
    applicant = report.grant.application.applicant
    applicant.language = "sr-latn"
    applicant.save()
    client.force_login(officer)
    response = client.post(_staff_url(report, "review/"), {"decision": "accept", "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    email = OutgoingEmail.objects.get(builder="grants.mail_reports.report_reviewed")
    assert email.recipient == applicant.email
    message = report_reviewed(**email.args)
    assert "prihvaćen" in message.subject  # Serbian (Latin), the grantee's language
    assert f"/sr-latn/my/grants/{report.grant_id}/reports/{report.pk}/" in message.body


def test_asking_for_a_revision_on_the_page_without_a_comment_is_refused_and_nothing_changes(client, officer):
    report = _submitted()
    client.force_login(officer)
    response = client.post(_staff_url(report, "review/"), {"decision": "revise", "comment": ""})
    assert response.status_code == 400
    assert "Write what the grantee should change" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not OutgoingEmail.objects.exists()


def test_two_officers_deciding_at_once_the_second_is_told(client, officer):
    report = _submitted()
    report_accept(actor=officer, report=report)
    with pytest.raises(ApplicationError) as error:
        report_request_revision(actor=UserFactory(role=Role.MANAGER), report=report, comment="Too late")
    assert error.value.code == "report_moved"
    assert ReportMessage.objects.filter(report=report, kind=ReportMessageKind.REVISION_REQUESTED).count() == 0


def test_finance_reads_reports_but_does_not_decide_on_them(client):
    report = _submitted()
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    with pytest.raises(ApplicationError):
        report_accept(actor=finance, report=report)
    client.force_login(finance)
    html = client.get(_staff_url(report)).content.decode()
    assert 'name="decision"' not in html
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_staff_report_page_costs_the_same_queries_with_many_rows(client, officer, django_assert_max_num_queries):
    report = _submitted()
    ReportFileFactory(expenditure=ReportExpenditureFactory(report=report))  # so that every prefetch has rows
    client.force_login(officer)
    with django_assert_max_num_queries(60) as baseline:
        assert client.get(_staff_url(report)).status_code == 200
    for _ in range(15):
        ReportFileFactory(expenditure=ReportExpenditureFactory(report=report))
    ReportMessage.objects.bulk_create(
        [ReportMessage(report=report, kind="submitted", author=officer, snapshot={}) for _ in range(10)]
    )
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(_staff_url(report)).status_code == 200


def test_the_queue_lists_reports_to_review_and_overdue_ones_in_pages_of_constant_cost(
    client, officer, django_assert_max_num_queries
):
    today = timezone.localdate()
    waiting = _submitted()
    overdue = ProgressReportFactory(due_date=today - datetime.timedelta(days=1))
    ProgressReportFactory(due_date=today + datetime.timedelta(days=5))  # not yet due: not listed
    client.force_login(officer)
    response = client.get("/en/staff/grants/reports/")
    assert {r.pk for r in response.context["reports"]} == {waiting.pk, overdue.pk}
    assert {r.pk for r in client.get("/en/staff/grants/reports/?show=overdue").context["reports"]} == {overdue.pk}
    with django_assert_max_num_queries(30) as baseline:
        client.get("/en/staff/grants/reports/")
    for _ in range(30):
        ProgressReportFactory(due_date=today - datetime.timedelta(days=3))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get("/en/staff/grants/reports/")
    assert len(response.context["reports"]) == 25
    assert len(client.get("/en/staff/grants/reports/?page=2").context["reports"]) == 7


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.REVIEWER, Role.USAID_VIEWER])
def test_staff_report_pages_answer_404_to_people_who_may_not_see_grants(client, role):
    report = _submitted()
    if role:
        client.force_login(UserFactory(role=role))
    for url in (_staff_url(report), "/en/staff/grants/reports/"):
        assert client.get(url).status_code == 404, url
    assert client.post(_staff_url(report, "review/"), {"decision": "accept"}).status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
