"""Writing and submitting a progress report: drafts that save incomplete, a second tab told instead of
overwriting, typed text that survives an expired session, checked uploads, and a submission that lists exactly
what is missing and keeps a snapshot of what was sent."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from grants.models import (
    CostShareContribution,
    ReportBeneficiary,
    ReportExpenditure,
    ReportFile,
    ReportFileKind,
    ReportMessage,
    ReportStatus,
)
from grants.services.reports import (
    report_beneficiaries_save,
    report_contribution_add,
    report_expenditure_add,
    report_files_add,
    report_progress_save,
    report_submit,
)
from tests.factories import UserFactory
from tests.grants.report_factories import (
    ProgressReportFactory,
    ReportExpenditureFactory,
    ReportFileFactory,
    fake_pdf_upload,
    pdf_upload,
    png_upload,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _url(report, tail=""):
    return f"/en/my/grants/{report.grant_id}/reports/{report.pk}/{tail}"


def _grantee(report):
    return report.grant.application.applicant


def _fresh(report):
    report.refresh_from_db()
    return report


# --- Drafts -------------------------------------------------------------------------------------------------------
def test_a_draft_saves_without_being_complete_and_counts_a_version(client):
    report = ProgressReportFactory()
    client.force_login(_grantee(report))
    response = client.post(
        _url(report, "edit/progress/"), {"version": report.version, "narrative": "Half written", "problems": ""}
    )
    assert response.status_code == 302
    report = _fresh(report)
    assert (report.narrative, report.percent_complete, report.version) == ("Half written", None, 2)
    assert report.status == ReportStatus.DRAFT


def test_a_second_tab_is_told_and_overwrites_nothing(client):
    report = ProgressReportFactory()
    client.force_login(_grantee(report))
    client.post(_url(report, "edit/progress/"), {"version": 1, "narrative": "From the first tab"})
    response = client.post(_url(report, "edit/progress/"), {"version": 1, "narrative": "From the second tab"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed in another tab" in html and "From the second tab" in html  # told, and the text is kept
    assert _fresh(report).narrative == "From the first tab"


def test_typed_text_survives_an_expired_session(client):
    report = ProgressReportFactory()
    url = _url(report, "edit/progress/")
    response = client.post(url, {"version": 1, "narrative": "Typed before the session expired"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _fresh(report).narrative == ""
    client.force_login(_grantee(report))
    html = client.get(url).content.decode()
    assert "Typed before the session expired" in html and "session had expired" in html


def test_people_reached_are_saved_as_rows_and_a_duplicate_cell_is_refused_with_the_rows_kept(client):
    report = ProgressReportFactory()
    client.force_login(_grantee(report))
    row = {"community": "serb", "sex": "male", "age_band": "15_29", "count": "12"}
    data = {"version": 1, "people-TOTAL_FORMS": 3, "people-INITIAL_FORMS": 0}
    data.update({f"people-0-{k}": v for k, v in row.items()})
    data.update({f"people-1-{k}": v for k, v in {**row, "count": "3"}.items()})
    response = client.post(_url(report, "edit/beneficiaries/"), data)
    assert response.status_code == 400
    assert "already on row 1" in response.content.decode()
    assert not ReportBeneficiary.objects.filter(report=report).exists()
    data.update({"people-1-sex": "female"})
    assert client.post(_url(report, "edit/beneficiaries/"), data).status_code == 302
    cells = set(ReportBeneficiary.objects.filter(report=report).values_list("community", "sex", "age_band", "count"))
    assert cells == {("serb", "male", "15_29", 12), ("serb", "female", "15_29", 3)}


def test_a_half_filled_row_of_people_says_what_to_fill_in(client):
    report = ProgressReportFactory()
    client.force_login(_grantee(report))
    data = {"version": 1, "people-TOTAL_FORMS": 1, "people-INITIAL_FORMS": 0, "people-0-community": "roma"}
    response = client.post(_url(report, "edit/beneficiaries/"), data)
    assert response.status_code == 400
    assert "Fill in community, sex, age band and the number of people" in response.content.decode()


def test_the_service_refuses_a_duplicate_cell_too():
    report = ProgressReportFactory()
    row = {"community": "serb", "sex": "male", "age_band": "15_29", "count": 4}
    with pytest.raises(ApplicationError) as error:
        report_beneficiaries_save(actor=_grantee(report), report=report, version=1, rows=[row, row])
    assert error.value.code == "duplicate_cell"


# --- Expenditures, cost share, photos ------------------------------------------------------------------------------
def test_an_expenditure_with_its_receipt_is_added_through_the_page(client):
    report = ProgressReportFactory()
    line = report.grant.budget_lines.first()
    client.force_login(_grantee(report))
    response = client.post(
        _url(report, "edit/expenditures/"),
        {
            "action": "add",
            "budget_line": line.pk,
            "description": "Chairs",
            "spent_on": report.period_start.isoformat(),
            "amount": "250.50",
            "receipts": [pdf_upload("invoice-17.pdf")],
        },
    )
    assert response.status_code == 302
    expenditure = ReportExpenditure.objects.get(report=report)
    assert (expenditure.budget_line, expenditure.amount) == (line, Decimal("250.50"))
    receipt = expenditure.receipts.get()
    assert (receipt.original_name, receipt.content_type, receipt.kind) == (
        "invoice-17.pdf",
        "application/pdf",
        ReportFileKind.RECEIPT,
    )


def test_a_receipt_of_the_wrong_type_is_refused_and_the_typed_expenditure_kept(client):
    report = ProgressReportFactory()
    client.force_login(_grantee(report))
    response = client.post(
        _url(report, "edit/expenditures/"),
        {
            "action": "add",
            "budget_line": report.grant.budget_lines.first().pk,
            "description": "Sound system rental",
            "spent_on": report.period_start.isoformat(),
            "amount": "90",
            "receipts": [fake_pdf_upload("invoice.pdf")],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a PDF, JPEG or PNG file" in html and "Sound system rental" in html
    assert not ReportExpenditure.objects.filter(report=report).exists()
    assert not ReportFile.objects.exists()


def test_the_service_refuses_a_wrong_receipt_for_an_existing_expenditure():
    expenditure = ReportExpenditureFactory()
    with pytest.raises(ApplicationError) as error:
        report_files_add(
            actor=_grantee(expenditure.report),
            report=expenditure.report,
            kind=ReportFileKind.RECEIPT,
            uploads=[fake_pdf_upload()],
            expenditure=expenditure,
        )
    assert error.value.code == "file_type_not_allowed"
    assert not expenditure.receipts.exists()


def test_an_expenditure_dated_outside_the_period_is_refused_but_a_few_days_after_is_accepted():
    report = ProgressReportFactory()
    line = report.grant.budget_lines.first()
    common = {"actor": _grantee(report), "report": report, "budget_line": line, "amount": Decimal("10.00")}
    with pytest.raises(ApplicationError) as error:
        report_expenditure_add(
            description="Too early", spent_on=report.period_start - datetime.timedelta(days=30), **common
        )
    assert "outside this report's period" in error.value.message and "7 days" in error.value.message
    inside_tolerance = min(report.period_end + datetime.timedelta(days=5), timezone.localdate())
    report_expenditure_add(description="Receipt dated later", spent_on=inside_tolerance, **common)
    assert list(report.expenditures.values_list("description", flat=True)) == ["Receipt dated later"]


def test_an_expenditure_on_another_grants_budget_line_is_refused():
    report = ProgressReportFactory()
    other_line = ProgressReportFactory().grant.budget_lines.first()
    with pytest.raises(ApplicationError):
        report_expenditure_add(
            actor=_grantee(report),
            report=report,
            budget_line=other_line,
            description="Elsewhere",
            spent_on=report.period_start,
            amount=Decimal("5"),
        )
    assert not report.expenditures.exists()


def test_photos_get_thumbnails_and_a_pdf_is_not_a_photo(client):
    report = ProgressReportFactory()
    client.force_login(_grantee(report))
    url = _url(report, "edit/photos/")
    response = client.post(url, {"action": "attach", "files": [pdf_upload("scan.pdf")]})
    assert response.status_code == 400 and "is not a photo" in response.content.decode()
    assert client.post(url, {"action": "attach", "files": [png_upload("site.png")]}).status_code == 302
    photo = ReportFile.objects.get(report=report, kind=ReportFileKind.PHOTO)
    assert photo.thumbnail and photo.thumbnail.read(3) == b"\xff\xd8\xff"  # a JPEG thumbnail
    thumbnail = client.get(_url(report, f"files/{photo.pk}/?thumbnail=1"))
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"


def test_a_removed_expenditure_takes_its_receipts_with_it(client):
    receipt = ReportFileFactory()
    report = receipt.report
    client.force_login(_grantee(report))
    response = client.post(_url(report, "edit/expenditures/"), {"action": "remove", "item": receipt.expenditure_id})
    assert response.status_code == 302
    assert not ReportExpenditure.objects.filter(report=report).exists()
    assert not ReportFile.objects.filter(pk=receipt.pk).exists()


# --- Submission ----------------------------------------------------------------------------------------------------
def test_submitting_an_incomplete_report_lists_what_is_missing_and_keeps_the_draft(client):
    report = ProgressReportFactory()
    ReportExpenditureFactory(report=report, description="Projector")
    CostShareContribution.objects.create(report=report, kind="in_kind", description="Volunteer hours", value=300)
    client.force_login(_grantee(report))
    response = client.post(_url(report, "edit/review/"), {"version": _fresh(report).version})
    assert response.status_code == 400
    html = response.content.decode()
    for expected in (
        "Describe what was done in this period.",
        "Say how much of the project is complete (%).",
        "Add the people reached in this period",
        "Attach the receipt of “Projector”",
        "Attach evidence of the contribution “Volunteer hours”",
    ):
        assert expected in html, expected
    assert _fresh(report).status == ReportStatus.DRAFT
    assert not ReportMessage.objects.filter(report=report).exists()


def test_a_complete_report_is_submitted_once_with_a_snapshot_of_what_was_sent(client):
    report = ProgressReportFactory(complete=True)
    ReportFileFactory(expenditure=ReportExpenditureFactory(report=report, description="Projector"))
    client.force_login(_grantee(report))
    data = {"version": _fresh(report).version}
    assert client.post(_url(report, "edit/review/"), data).status_code == 302
    assert client.post(_url(report, "edit/review/"), data).status_code == 302  # a double click
    report = _fresh(report)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at is not None
    message = ReportMessage.objects.get(report=report)
    assert message.snapshot["narrative"] == "Three workshops held with 45 young people."
    assert message.snapshot["expenditures"][0]["description"] == "Projector"
    assert message.snapshot["expenditures"][0]["receipts"][0]["name"] == "receipt.pdf"
    assert message.snapshot["beneficiaries"] == [
        {"community": "albanian", "sex": "female", "age_band": "15_29", "count": 25}
    ]


def test_a_period_with_no_one_reached_is_submitted_with_that_statement():
    report = ProgressReportFactory(narrative="Procurement only", percent_complete=10)
    grantee = _grantee(report)
    with pytest.raises(ApplicationError) as error:
        report_submit(actor=grantee, report=report, version=1)
    assert [step for step, _message in error.value.extra["missing"]] == ["beneficiaries"]
    report_submit(actor=grantee, report=report, version=1, none_reached=True)
    assert ReportMessage.objects.get(report=report).snapshot["none_reached"] is True


def test_submitting_from_a_stale_page_is_refused():
    report = ProgressReportFactory(complete=True)
    report_progress_save(actor=_grantee(report), report=report, version=1, data={"problems": "Rain"})
    with pytest.raises(ApplicationError) as error:
        report_submit(actor=_grantee(report), report=report, version=1)
    assert error.value.code == "stale"
    assert _fresh(report).status == ReportStatus.DRAFT


def test_a_submitted_report_is_read_only_for_the_grantee(client):
    report = ProgressReportFactory(submitted=True)
    client.force_login(_grantee(report))
    response = client.get(_url(report, "edit/progress/"))
    assert response.status_code == 302 and response["Location"].endswith(_url(report))
    response = client.post(_url(report, "edit/progress/"), {"version": report.version, "narrative": "Changed"})
    assert _fresh(report).narrative == "Three workshops held with 45 young people."
    with pytest.raises(ApplicationError):
        report_contribution_add(
            actor=_grantee(report), report=report, kind="cash", description="Late", value=Decimal("5")
        )


# --- Who may do what -----------------------------------------------------------------------------------------------
def test_another_grantee_gets_404_on_every_page_of_a_report(client):
    receipt = ReportFileFactory()
    report = receipt.report
    client.force_login(ProgressReportFactory().grant.application.applicant)
    for tail in ("", "edit/", "edit/progress/", "edit/review/", f"files/{receipt.pk}/"):
        assert client.get(_url(report, tail)).status_code == 404, tail
    response = client.post(_url(report, "edit/progress/"), {"version": 1, "narrative": "Hijack"})
    assert response.status_code == 404
    assert _fresh(report).narrative == ""


def test_a_programme_officer_cannot_edit_the_grantees_report(client):
    report = ProgressReportFactory()
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    client.force_login(officer)
    assert client.post(_url(report, "edit/progress/"), {"version": 1, "narrative": "Officer"}).status_code == 404
    with pytest.raises(ApplicationError) as error:
        report_progress_save(actor=officer, report=report, version=1, data={"narrative": "Officer"})
    assert error.value.code == "not_allowed"
    assert _fresh(report).narrative == ""
    html = client.get(f"/en/staff/grants/{report.grant_id}/reports/{report.pk}/").content.decode()
    assert 'name="narrative"' not in html


def test_receipts_download_only_for_the_grantee_and_staff(client):
    receipt = ReportFileFactory()
    report = receipt.report
    client.force_login(_grantee(report))
    response = client.get(_url(report, f"files/{receipt.pk}/"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    staff_url = f"/en/staff/grants/{report.grant_id}/reports/{report.pk}/files/{receipt.pk}/"
    assert client.get(staff_url).status_code == 200
    client.force_login(UserFactory(role=Role.USAID_VIEWER))
    assert client.get(staff_url).status_code == 404


# --- Pages ---------------------------------------------------------------------------------------------------------
def test_the_report_pages_nest_no_form_in_another(client):
    receipt = ReportFileFactory()
    report = receipt.report
    client.force_login(_grantee(report))
    for tail in ("", *(f"edit/{step}/" for step in ("progress", "beneficiaries", "expenditures", "cost_share"))):
        response = client.get(_url(report, tail))
        assert response.status_code == 200, tail
        assert nested_forms(response.content.decode()) == 0, tail
    for tail in ("edit/photos/", "edit/review/"):
        assert nested_forms(client.get(_url(report, tail)).content.decode()) == 0, tail
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    report.status = ReportStatus.SUBMITTED
    report.save()
    for url in (f"/en/staff/grants/{report.grant_id}/reports/{report.pk}/", "/en/staff/grants/reports/"):
        response = client.get(url)
        assert response.status_code == 200
        assert nested_forms(response.content.decode()) == 0, url


def _fill(report, rows):
    for number in range(rows):
        receipt = ReportFileFactory(expenditure=ReportExpenditureFactory(report=report))
        ReportFile.objects.create(
            report=report,
            kind=ReportFileKind.PHOTO,
            file=receipt.file.name,
            thumbnail=receipt.file.name,
            original_name=f"p{number}.png",
            content_type="image/png",
            size=1,
        )
        contribution = CostShareContribution.objects.create(report=report, kind="cash", description="c", value=1)
        ReportFile.objects.create(
            report=report,
            kind=ReportFileKind.COST_SHARE_EVIDENCE,
            contribution=contribution,
            file=receipt.file.name,
            original_name="e.pdf",
            content_type="application/pdf",
            size=1,
        )


@pytest.mark.parametrize("tail", ["", "edit/expenditures/", "edit/cost_share/", "edit/photos/", "edit/review/"])
def test_the_grantees_report_pages_cost_the_same_queries_with_many_rows(client, django_assert_max_num_queries, tail):
    report = ProgressReportFactory(complete=True)
    client.force_login(_grantee(report))
    _fill(report, 1)
    with django_assert_max_num_queries(60) as baseline:
        assert client.get(_url(report, tail)).status_code == 200
    _fill(report, 15)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(_url(report, tail)).status_code == 200


def test_the_dashboard_lists_the_reports_due_with_the_overdue_flagged(client, django_assert_max_num_queries):
    report = ProgressReportFactory(due_date=timezone.localdate() - datetime.timedelta(days=2))
    ProgressReportFactory(grant=report.grant, number=90, due_date=timezone.localdate() + datetime.timedelta(days=10))
    ProgressReportFactory(grant=report.grant, number=91, due_date=timezone.localdate() + datetime.timedelta(days=200))
    ProgressReportFactory(grant=report.grant, number=92, submitted=True)
    client.force_login(_grantee(report))
    with django_assert_max_num_queries(25) as baseline:
        html = client.get("/en/my/").content.decode()
    assert html.count("data-report-due=") == 2 and html.count("data-overdue") == 1
    assert f'href="{_url(report, "edit/")}"' in html
    for number in range(93, 103):
        ProgressReportFactory(grant=report.grant, number=number, due_date=timezone.localdate())
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        html = client.get("/en/my/").content.decode()
    assert html.count("data-report-due=") == 12
