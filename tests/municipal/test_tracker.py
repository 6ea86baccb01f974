"""The municipal services tracker: services and measures are refused with a clear message and nothing saved when
the data is wrong, values recorded in error are removed with a reason kept, and the pages show the numbers (table
and chart data) only to the roles of the municipal component."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry
from municipal.models import MeasureKind, MunicipalService, ServiceCategory, ServiceMeasure
from municipal.selectors_tracker import tracker_for_municipality
from municipal.services.tracker import measure_record, measure_remove, service_save
from tests.factories import UserFactory
from tests.municipal.factories_tracker import (
    PDF_BYTES,
    MunicipalServiceFactory,
    ServiceMeasureFactory,
    TrackerActivityFactory,
    TrackerPackageFactory,
    municipality,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 31)
JUN = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _pdf(name="survey.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _record(actor, service, **overrides):
    fields = {"kind": MeasureKind.PROCESSING_DAYS, "measured_on": JUN, "value": Decimal("12"), "is_baseline": False}
    return measure_record(actor=actor, service=service, **{**fields, **overrides})


def _entries(action):
    return AuditEntry.objects.filter(action=action)


# --- services -------------------------------------------------------------------------------------------------------
def test_a_service_is_saved_with_activities_of_its_municipality_and_audited(officer):
    activity = TrackerActivityFactory(package=TrackerPackageFactory(municipality=municipality("gjilan")))
    service = service_save(
        actor=officer,
        municipality=municipality("gjilan"),
        data={"category": ServiceCategory.CONSTRUCTION_PERMITS, "name": "Construction permits", "description": ""},
        activities=[activity],
    )
    assert list(service.activities.all()) == [activity]
    entry = _entries("municipal.service.created").get()
    assert entry.object_id == str(service.pk) and entry.actor == officer


def test_an_activity_of_another_municipality_is_refused_and_nothing_saved(officer):
    foreign = TrackerActivityFactory(package=TrackerPackageFactory(municipality=municipality("peje")))
    with pytest.raises(ApplicationError) as refusal:
        service_save(
            actor=officer,
            municipality=municipality("gjilan"),
            data={"category": ServiceCategory.PROPERTY_TAX, "name": "Property tax", "description": ""},
            activities=[foreign],
        )
    assert foreign.title in refusal.value.message and "Gjilan" in refusal.value.message
    assert not MunicipalService.objects.exists() and not AuditEntry.objects.exists()


def test_a_second_service_with_the_same_name_in_a_municipality_is_refused(officer):
    MunicipalServiceFactory(name="Citizen service centre")
    with pytest.raises(ApplicationError, match="already has a service named"):
        service_save(
            actor=officer,
            municipality=municipality("gjilan"),
            data={"category": ServiceCategory.OTHER, "name": "citizen service centre", "description": ""},
        )
    assert MunicipalService.objects.count() == 1


# --- measures -------------------------------------------------------------------------------------------------------
def test_a_baseline_then_a_follow_up_with_evidence_are_recorded_and_audited(officer):
    service = MunicipalServiceFactory()
    _record(officer, service, is_baseline=True, measured_on=JAN, value=Decimal("30"))
    follow_up = _record(officer, service, evidence=_pdf())
    assert follow_up.evidence and follow_up.evidence_name == "survey.pdf"
    assert follow_up.evidence.read() == PDF_BYTES
    entries = list(_entries("municipal.service.measure_recorded").order_by("id"))
    assert [entry.data["value"] for entry in entries] == ["30", "12"]
    assert entries[1].data["evidence"] == "application/pdf" and entries[1].object_id == str(service.pk)


def _refused(officer, service, message, **overrides):
    before = ServiceMeasure.objects.count()
    with pytest.raises(ApplicationError) as refusal:
        _record(officer, service, **overrides)
    assert message in refusal.value.message
    assert ServiceMeasure.objects.count() == before
    return refusal.value


def test_a_measure_with_no_date_is_refused(officer):
    service = MunicipalServiceFactory()
    _refused(officer, service, "Enter the date", is_baseline=True, measured_on=None)


def test_a_follow_up_before_or_on_the_baseline_date_is_refused(officer):
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, baseline=True, measured_on=datetime.date(2026, 3, 15))
    for day in (datetime.date(2026, 2, 1), datetime.date(2026, 3, 15)):
        error = _refused(officer, service, "The baseline of this measure was taken on", measured_on=day)
        assert "a follow-up must come after it" in error.message and "03/15/2026" in error.message


def test_a_follow_up_without_a_baseline_is_refused(officer):
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, kind=MeasureKind.REVENUE, is_baseline=True, measured_on=JAN)
    _refused(officer, service, "Record the baseline first", kind=MeasureKind.PROCESSING_DAYS)


def test_a_second_baseline_is_refused(officer):
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, baseline=True)
    _refused(officer, service, "already has a baseline", is_baseline=True, measured_on=datetime.date(2025, 12, 1))


def test_a_date_in_the_future_is_refused(officer):
    service = MunicipalServiceFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _refused(officer, service, "is in the future", is_baseline=True, measured_on=tomorrow)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (MeasureKind.SATISFACTION, Decimal("101"), "from 0 to 100"),
        (MeasureKind.BOTH_LANGUAGES, Decimal("2"), "1 (yes) or 0 (no)"),
        (MeasureKind.BOTH_LANGUAGES, Decimal("0.5"), "1 (yes) or 0 (no)"),
        (MeasureKind.REVENUE, Decimal("-1"), "cannot be negative"),
    ],
)
def test_values_out_of_range_are_refused(officer, kind, value, message):
    service = MunicipalServiceFactory()
    _refused(officer, service, message, kind=kind, value=value, is_baseline=True, measured_on=JAN)


def test_two_values_of_a_measure_on_one_day_are_refused(officer):
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, baseline=True)
    ServiceMeasureFactory(service=service, measured_on=JUN)
    _refused(officer, service, "already has a value for", measured_on=JUN)


def test_evidence_that_is_not_a_document_is_refused(officer, settings):
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, baseline=True)
    fake = SimpleUploadedFile("survey.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    error = _refused(officer, service, "is not a PDF, JPEG or PNG file", evidence=fake)
    assert error.code == "file_type_not_allowed"


def test_only_the_municipal_roles_record_measures():
    service = MunicipalServiceFactory()
    with pytest.raises(ApplicationError):
        _record(UserFactory(role=Role.FINANCE_OFFICER), service, is_baseline=True, measured_on=JAN)
    assert not ServiceMeasure.objects.exists()


def test_a_value_recorded_in_error_is_removed_with_its_reason_kept(officer, django_capture_on_commit_callbacks):
    service = MunicipalServiceFactory()
    baseline = ServiceMeasureFactory(service=service, baseline=True)
    follow_up = ServiceMeasureFactory(service=service, measured_on=JUN, value=Decimal("21"), with_evidence=True)
    file_name = follow_up.evidence.name
    with pytest.raises(ApplicationError, match="Remove them first"):
        measure_remove(actor=officer, measure=baseline, reason="Typed in the wrong service")
    with pytest.raises(ApplicationError, match="Write why"):
        measure_remove(actor=officer, measure=follow_up, reason="  ")
    assert ServiceMeasure.objects.count() == 2
    storage = follow_up.evidence.storage
    assert storage.exists(file_name)
    with django_capture_on_commit_callbacks(execute=True):
        measure_remove(actor=officer, measure=follow_up, reason="Typed in the wrong service")
    assert list(ServiceMeasure.objects.all()) == [baseline]
    entry = _entries("municipal.service.measure_removed").get()
    assert entry.comment == "Typed in the wrong service"
    assert entry.data["value"] == "21.00" and entry.data["measured_on"] == "2026-06-30"
    assert entry.object_id == str(service.pk)
    assert not storage.exists(file_name)  # the file goes with the row, after the commit
    measure_remove(actor=officer, measure=baseline, reason="Wrong year")
    assert not ServiceMeasure.objects.exists()


# --- pages ----------------------------------------------------------------------------------------------------------
def _service_with_trend():
    service = MunicipalServiceFactory(name="Business registration help desk")
    ServiceMeasureFactory(service=service, baseline=True, source="Register 2025")
    ServiceMeasureFactory(service=service, measured_on=JUN, value=Decimal("12"), with_evidence=True)
    return service


def test_the_service_page_shows_the_table_and_the_chart_data(client, officer):
    service = _service_with_trend()
    client.force_login(officer)
    response = client.get(reverse("staff:municipal_service_detail", args=[service.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and nested_forms(html) == 0
    table = re.search(r'<table[^>]*data-measure-table="processing_days".*?</table>', html, re.S).group(0)
    assert "Register 2025" in table and ">30<" in table and ">12<" in table and "survey.pdf" in table
    data = json.loads(re.search(r'<script id="trend-data-processing_days"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["dates"] == ["2026-01-31", "2026-06-30"] and data["values"] == ["30.00", "12.00"]
    assert 'data-trend-chart="trend-data-processing_days"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/municipal_trend.js" in html
    assert 'data-improved="yes"' in html and 'data-kind-improved="yes"' in html


def test_the_evidence_downloads_as_an_attachment(client, officer):
    service = _service_with_trend()
    measure = service.measures.get(is_baseline=False)
    client.force_login(officer)
    response = client.get(reverse("staff:municipal_measure_evidence", args=[measure.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment") and "survey.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("role", [Role.USAID_VIEWER, Role.FINANCE_OFFICER, Role.APPLICANT])
def test_roles_outside_the_municipal_component_get_404_on_every_tracker_page(client, role):
    service = _service_with_trend()
    measure = service.measures.get(is_baseline=False)
    client.force_login(UserFactory(role=role))
    urls = [
        reverse("staff:municipal_service_create", args=["gjilan"]),
        reverse("staff:municipal_service_detail", args=[service.pk]),
        reverse("staff:municipal_service_edit", args=[service.pk]),
        reverse("staff:municipal_measure_create", args=[service.pk]),
        reverse("staff:municipal_measure_remove", args=[measure.pk]),
        reverse("staff:municipal_measure_evidence", args=[measure.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(urls[4], {"reason": "gone"})
    assert response.status_code == 404 and ServiceMeasure.objects.filter(pk=measure.pk).exists()
    response = client.post(urls[0], {"category": ServiceCategory.OTHER, "name": "Sneaky"})
    assert response.status_code == 404 and not MunicipalService.objects.filter(name="Sneaky").exists()


def test_an_officer_adds_a_service_and_records_a_baseline_through_the_pages(client, officer):
    activity = TrackerActivityFactory(package=TrackerPackageFactory(municipality=municipality("gjilan")))
    TrackerActivityFactory(title="Elsewhere", package=TrackerPackageFactory(municipality=municipality("peje")))
    client.force_login(officer)
    form_url = reverse("staff:municipal_service_create", args=["gjilan"])
    page = client.get(form_url).content.decode()
    assert activity.title in page and "Elsewhere" not in page and nested_forms(page) == 0
    response = client.post(
        form_url,
        {"category": ServiceCategory.PROPERTY_TAX, "name": "Property-tax office", "activities": [activity.pk]},
    )
    service = MunicipalService.objects.get(name="Property-tax office")
    assert response.status_code == 302 and response["Location"] == service.get_staff_url()
    response = client.post(
        reverse("staff:municipal_measure_create", args=[service.pk]),
        {
            "kind": MeasureKind.REVENUE,
            "measured_on": "2026-01-31",
            "value": "52000.00",
            "is_baseline": "on",
            "evidence": _pdf(),
        },
    )
    assert response.status_code == 302
    assert service.measures.get().value == Decimal("52000.00")


def test_a_refused_measure_keeps_what_was_typed_and_answers_400(client, officer):
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, baseline=True)
    client.force_login(officer)
    response = client.post(
        reverse("staff:municipal_measure_create", args=[service.pk]),
        {"kind": MeasureKind.PROCESSING_DAYS, "measured_on": "2026-01-02", "value": "9", "source": "Help-desk log"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "a follow-up must come after it" in html
    assert 'value="Help-desk log"' in html and 'value="2026-01-02"' in html
    assert service.measures.count() == 1


def test_a_measure_without_a_date_is_refused_by_the_page(client, officer):
    service = MunicipalServiceFactory()
    client.force_login(officer)
    response = client.post(
        reverse("staff:municipal_measure_create", args=[service.pk]),
        {"kind": MeasureKind.PROCESSING_DAYS, "value": "30", "is_baseline": "on"},
    )
    assert response.status_code == 400 and "Enter the date the value was measured." in response.content.decode()
    assert not service.measures.exists()


def test_the_panel_shows_verdicts_and_hides_links_and_evidence_from_aggregate_readers():
    service = _service_with_trend()
    MunicipalServiceFactory(name="Market inspections")
    context = {"municipality": municipality("gjilan"), "services": tracker_for_municipality(municipality("gjilan"))}
    full = render_to_string("municipal/tracker/_panel.html", {**context, "may_manage": True, "aggregate_only": False})
    totals = render_to_string("municipal/tracker/_panel.html", {**context, "may_manage": False, "aggregate_only": True})
    assert service.get_staff_url() in full and "Track a service" in full
    assert 'data-services-improved="1" data-services-total="2"' in totals
    assert f'data-service="{service.pk}" data-improved="yes"' in totals
    assert 'data-improved-kind="processing_days"' in totals and "30 → 12" in totals
    assert "href" not in totals and "survey.pdf" not in totals


def test_an_officer_changes_a_service_and_its_activities(client, officer):
    first, second = TrackerActivityFactory(), TrackerActivityFactory()
    service = MunicipalServiceFactory(name="Help desk")
    service.activities.set([first])
    client.force_login(officer)
    url = reverse("staff:municipal_service_edit", args=[service.pk])
    page = client.get(url).content.decode()
    assert re.search(rf'value="{first.pk}"[^>]*checked', page) and nested_forms(page) == 0
    response = client.post(
        url, {"category": ServiceCategory.CITIZEN_SERVICE_CENTRE, "name": "One-stop shop", "activities": [second.pk]}
    )
    service.refresh_from_db()
    assert response.status_code == 302 and service.name == "One-stop shop"
    assert list(service.activities.all()) == [second]
    assert _entries("municipal.service.updated").get().data["activities"] == [second.pk]


def test_the_service_page_costs_the_same_queries_with_few_and_many_measures(client, officer):
    service = _service_with_trend()
    client.force_login(officer)
    url = reverse("staff:municipal_service_detail", args=[service.pk])
    client.get(url)  # the first request fills process-wide caches (content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for kind in (MeasureKind.REVENUE, MeasureKind.SATISFACTION, MeasureKind.SERVICES_PER_MONTH):
        ServiceMeasureFactory(service=service, kind=kind, is_baseline=True, measured_on=JAN, value=Decimal("40"))
        for month in (2, 3, 4, 5):
            ServiceMeasureFactory(
                service=service,
                kind=kind,
                measured_on=datetime.date(2026, month, 28),
                value=Decimal("50"),
                with_evidence=True,
            )
    activities = [TrackerActivityFactory() for _ in range(4)]
    service.activities.set(activities)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert all(f'href="{activity.get_staff_url()}"' in html for activity in activities)
    assert html.count("data-measure=") == 2 + 3 * 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_measure_form_uploads_files_and_starts_a_new_measure_with_its_baseline(client, officer):
    service = _service_with_trend()
    client.force_login(officer)
    url = reverse("staff:municipal_measure_create", args=[service.pk])
    html = client.get(url + "?kind=revenue").content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file" name="evidence"' in html
    assert re.search(r'name="is_baseline"[^>]*checked', html) and nested_forms(html) == 0
    html = client.get(url + "?kind=processing_days").content.decode()
    assert not re.search(r'name="is_baseline"[^>]*checked', html)
