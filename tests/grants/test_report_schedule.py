"""The report schedule a grant gets when its agreement is signed (quarterly or per milestone, always a final
report), the choice of frequency before signature, and the report panels of both grant pages."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import DocumentStatus, Grant, GrantStatus, ProgressReport, ReportFrequency, ReportKind
from grants.services.amendments import amendment_approve, amendment_propose
from grants.services.grants import grant_sign, grant_terms_update
from grants.services.report_drafts import report_progress_save
from grants.services.reports import report_schedule_create
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory, GrantMilestoneFactory
from tests.grants.report_factories import ProgressReportFactory, pdf_upload

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _rows(grant):
    return [
        (r.number, r.kind, r.period_start, r.period_end, r.due_date)
        for r in ProgressReport.objects.filter(grant=grant).order_by("number")
    ]


def test_a_quarterly_grant_reports_per_calendar_quarter_cut_to_its_dates_and_once_at_the_end(officer):
    grant = GrantFactory(active=True, start_date=D(2027, 2, 10), end_date=D(2027, 11, 20))
    report_schedule_create(actor=officer, grant=grant)
    assert _rows(grant) == [
        (1, ReportKind.PERIODIC, D(2027, 2, 10), D(2027, 3, 31), D(2027, 4, 15)),
        (2, ReportKind.PERIODIC, D(2027, 4, 1), D(2027, 6, 30), D(2027, 7, 15)),
        (3, ReportKind.PERIODIC, D(2027, 7, 1), D(2027, 9, 30), D(2027, 10, 15)),
        (4, ReportKind.PERIODIC, D(2027, 10, 1), D(2027, 11, 20), D(2027, 12, 5)),
        (5, ReportKind.FINAL, D(2027, 2, 10), D(2027, 11, 20), D(2027, 12, 20)),
    ]


def test_a_quarterly_grant_across_the_new_year_starts_a_quarter_in_january(officer):
    grant = GrantFactory(active=True, start_date=D(2027, 12, 1), end_date=D(2028, 1, 31))
    report_schedule_create(actor=officer, grant=grant)
    assert _rows(grant) == [
        (1, ReportKind.PERIODIC, D(2027, 12, 1), D(2027, 12, 31), D(2028, 1, 15)),
        (2, ReportKind.PERIODIC, D(2028, 1, 1), D(2028, 1, 31), D(2028, 2, 15)),
        (3, ReportKind.FINAL, D(2027, 12, 1), D(2028, 1, 31), D(2028, 3, 1)),
    ]


def test_a_stub_of_less_than_a_month_at_either_end_joins_the_next_or_previous_quarter(officer):
    grant = GrantFactory(active=True, start_date=D(2027, 3, 25), end_date=D(2027, 10, 5))
    report_schedule_create(actor=officer, grant=grant)
    assert _rows(grant) == [
        (1, ReportKind.PERIODIC, D(2027, 3, 25), D(2027, 6, 30), D(2027, 7, 15)),
        (2, ReportKind.PERIODIC, D(2027, 7, 1), D(2027, 10, 5), D(2027, 10, 20)),
        (3, ReportKind.FINAL, D(2027, 3, 25), D(2027, 10, 5), D(2027, 11, 4)),
    ]


def test_a_per_milestone_grant_reports_once_per_milestone_from_the_previous_one_and_at_the_end(officer):
    grant = GrantFactory(
        active=True,
        start_date=D(2027, 2, 10),
        end_date=D(2027, 11, 20),
        report_frequency=ReportFrequency.PER_MILESTONE,
    )
    second = GrantMilestoneFactory(grant=grant, due_date=D(2027, 9, 15))
    first = GrantMilestoneFactory(grant=grant, due_date=D(2027, 4, 30))
    report_schedule_create(actor=officer, grant=grant)
    assert _rows(grant) == [
        (1, ReportKind.MILESTONE, D(2027, 2, 10), D(2027, 4, 30), D(2027, 5, 15)),
        (2, ReportKind.MILESTONE, D(2027, 5, 1), D(2027, 9, 15), D(2027, 9, 30)),
        (3, ReportKind.FINAL, D(2027, 2, 10), D(2027, 11, 20), D(2027, 12, 20)),
    ]
    reports = ProgressReport.objects.filter(grant=grant).order_by("number")
    assert [r.milestone for r in reports] == [first, second, None]


def test_making_the_schedule_twice_keeps_the_first_and_records_it_once(officer):
    grant = GrantFactory(active=True, start_date=D(2027, 2, 10), end_date=D(2027, 11, 20))
    first = report_schedule_create(actor=officer, grant=grant)
    ProgressReport.objects.filter(pk=first[0].pk).update(narrative="Already writing")
    second = report_schedule_create(actor=officer, grant=grant)
    assert [r.pk for r in second] == [r.pk for r in first]
    assert ProgressReport.objects.get(pk=first[0].pk).narrative == "Already writing"
    assert audit_entries_for(target=grant).filter(action="grants.report.scheduled").count() == 1


def test_no_schedule_before_the_agreement_is_signed(officer):
    grant = GrantFactory()
    with pytest.raises(ApplicationError):
        report_schedule_create(actor=officer, grant=grant)
    assert not ProgressReport.objects.filter(grant=grant).exists()


def test_signing_the_agreement_creates_the_schedule_in_the_chosen_frequency(officer):
    grant = GrantFactory(with_plan=True, start_date=D(2027, 2, 10), end_date=D(2027, 11, 20))
    grant_terms_update(actor=officer, grant=grant, data={"report_frequency": ReportFrequency.PER_MILESTONE})
    Grant.objects.filter(pk=grant.pk).update(agreement_status=DocumentStatus.READY, agreement_file="agreements/x.pdf")
    grant.refresh_from_db()
    assert grant.report_frequency == ReportFrequency.PER_MILESTONE
    grant_sign(actor=officer, grant=grant, signed_file=pdf_upload("signed.pdf"))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    kinds = list(ProgressReport.objects.filter(grant=grant).order_by("number").values_list("kind", flat=True))
    assert kinds == [ReportKind.MILESTONE, ReportKind.FINAL]  # one milestone in the plan, then the final report


def test_the_terms_page_offers_the_report_frequency_before_signature(client, officer):
    grant = GrantFactory(with_plan=True)
    client.force_login(officer)
    html = client.get(f"/en/staff/grants/{grant.pk}/terms/").content.decode()
    assert 'name="report_frequency"' in html and 'value="per_milestone"' in html


def test_both_grant_pages_list_the_reports_with_the_overdue_ones_flagged(client, officer):
    report = ProgressReportFactory(due_date=timezone.localdate() - datetime.timedelta(days=3))
    ProgressReportFactory(grant=report.grant, number=99)
    grant = report.grant
    client.force_login(officer)
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert f'href="/en/staff/grants/{grant.pk}/reports/{report.pk}/"' in html
    assert html.count("data-overdue") == 1
    client.force_login(grant.application.applicant)
    html = client.get(f"/en/my/grants/{grant.pk}/").content.decode()
    assert f'href="/en/my/grants/{grant.pk}/reports/{report.pk}/edit/"' in html
    assert html.count("data-overdue") == 1


def test_the_reports_panel_is_absent_before_signature(client, officer):
    grant = GrantFactory(with_plan=True)
    client.force_login(officer)
    response = client.get(f"/en/staff/grants/{grant.pk}/")
    assert response.status_code == 200
    assert not any(panel["name"] == "reports_panel" for panel in response.context["panels"])


def test_the_grant_page_costs_the_same_queries_with_many_reports(client, officer, django_assert_max_num_queries):
    report = ProgressReportFactory()
    client.force_login(officer)
    url = f"/en/staff/grants/{report.grant.pk}/"
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for number in range(100, 120):
        ProgressReportFactory(grant=report.grant, number=number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(next(p for p in response.context["panels"] if p["name"] == "reports_panel")["reports"]) == 21


def test_an_amendment_extends_the_schedule_moves_the_final_report_and_keeps_written_reports(officer):
    grant = GrantFactory(active=True, with_plan=True, start_date=D(2027, 2, 10), end_date=D(2027, 11, 20))
    report_schedule_create(actor=officer, grant=grant)
    first = ProgressReport.objects.get(grant=grant, number=1)
    report_progress_save(
        actor=grant.application.applicant, report=first, version=first.version, data={"narrative": "Started."}
    )
    amendment = amendment_propose(
        actor=officer, grant=grant, reason="More time is needed.", new_end_date=D(2028, 2, 15), changes={}
    )
    amendment_approve(actor=UserFactory(role=Role.MANAGER), amendment=amendment)
    assert _rows(grant) == [
        (1, ReportKind.PERIODIC, D(2027, 2, 10), D(2027, 3, 31), D(2027, 4, 15)),
        (2, ReportKind.PERIODIC, D(2027, 4, 1), D(2027, 6, 30), D(2027, 7, 15)),
        (3, ReportKind.PERIODIC, D(2027, 7, 1), D(2027, 9, 30), D(2027, 10, 15)),
        (4, ReportKind.PERIODIC, D(2027, 10, 1), D(2027, 12, 31), D(2028, 1, 15)),
        (5, ReportKind.PERIODIC, D(2028, 1, 1), D(2028, 2, 15), D(2028, 3, 1)),
        (6, ReportKind.FINAL, D(2027, 2, 10), D(2028, 2, 15), D(2028, 3, 16)),
    ]
    first.refresh_from_db()
    assert first.narrative == "Started." and first.number == 1
    assert "grants.report.schedule_changed" in [e.action for e in audit_entries_for(target=grant)]


def test_a_shorter_grant_drops_untouched_drafts_after_its_new_end_but_never_a_written_report(officer):
    grant = GrantFactory(active=True, with_plan=True, start_date=D(2027, 2, 10), end_date=D(2027, 11, 20))
    report_schedule_create(actor=officer, grant=grant)
    written = ProgressReport.objects.get(grant=grant, number=4)  # 1 Oct – 20 Nov
    report_progress_save(
        actor=grant.application.applicant, report=written, version=written.version, data={"narrative": "Early."}
    )
    amendment = amendment_propose(
        actor=officer, grant=grant, reason="Finished early.", new_end_date=D(2027, 8, 31), changes={}
    )
    amendment_approve(actor=UserFactory(role=Role.MANAGER), amendment=amendment)
    rows = _rows(grant)
    assert rows[:3] == [
        (1, ReportKind.PERIODIC, D(2027, 2, 10), D(2027, 3, 31), D(2027, 4, 15)),
        (2, ReportKind.PERIODIC, D(2027, 4, 1), D(2027, 6, 30), D(2027, 7, 15)),
        (3, ReportKind.PERIODIC, D(2027, 7, 1), D(2027, 8, 31), D(2027, 9, 15)),
    ]
    assert rows[-1] == (5, ReportKind.FINAL, D(2027, 2, 10), D(2027, 8, 31), D(2027, 9, 30))
    assert ProgressReport.objects.get(pk=written.pk).narrative == "Early."  # kept (staff decide what to do with it)
