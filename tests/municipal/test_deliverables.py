"""Deliverables keep every version: each upload is numbered after the last, checked by its content, and every
version stays downloadable by municipal TA staff only. The activity page costs the same with many of them."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from municipal.models import Deliverable, DeliverableVersion
from municipal.services import packages as services
from tests.factories import PersonFactory, UserFactory
from tests.municipal.factories_packages import (
    PDF_BYTES,
    DeliverableFactory,
    DeliverableVersionFactory,
    TAActivityFactory,
    pdf_upload,
    png_upload,
    text_upload,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _download(client, version):
    response = client.get(reverse("staff:ta_deliverable_version_download", args=[version.pk]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_three_uploads_are_versions_1_2_3_and_each_is_kept_and_downloadable(client, officer):
    activity = TAActivityFactory(in_progress=True)
    client.force_login(officer)
    create = reverse("staff:ta_deliverable_create", args=[activity.pk])
    assert nested_forms(client.get(create).content.decode()) == 0
    response = client.post(create, {"title": "Needs assessment report", "file": pdf_upload("draft.pdf", b"%v1")})
    assert response.status_code == 302
    deliverable = Deliverable.objects.get()
    add_version = reverse("staff:ta_deliverable_version_create", args=[deliverable.pk])
    client.post(add_version, {"file": pdf_upload("second.pdf", b"%v2"), "note": "Comments of the directorate"})
    client.post(add_version, {"file": png_upload("signed-page.png"), "note": "Signed page"})
    versions = {version.number: version for version in deliverable.versions.all()}
    assert sorted(versions) == [1, 2, 3]
    assert [versions[n].original_name for n in (1, 2, 3)] == ["draft.pdf", "second.pdf", "signed-page.png"]
    assert len({versions[n].file.name for n in (1, 2, 3)}) == 3  # no file replaced another
    for number, marker in [(1, b"%v1"), (2, b"%v2")]:
        response, content = _download(client, versions[number])
        assert response.status_code == 200 and content == PDF_BYTES + marker
        assert (
            response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
        )
    assert _download(client, versions[3])[1].startswith(b"\x89PNG")
    page = client.get(reverse("staff:ta_activity_detail", args=[activity.pk])).content.decode()
    assert all(f'data-version="{n}"' in page for n in (1, 2, 3)) and "Comments of the directorate" in page
    assert [entry.data.get("version") for entry in audit_entries_for(target=activity).order_by("id")] == [1, 2, 3]


def test_a_version_is_numbered_after_the_highest_even_with_a_gap(officer):
    deliverable = DeliverableFactory()
    DeliverableVersionFactory(deliverable=deliverable, number=1)
    DeliverableVersionFactory(deliverable=deliverable, number=4)
    version = services.deliverable_version_add(
        actor=officer, deliverable=deliverable, uploaded_file=pdf_upload(), note="Final"
    )
    assert version.number == 5 and deliverable.versions.count() == 3


def test_a_file_that_is_not_a_document_is_refused_and_nothing_is_saved(client, officer):
    activity = TAActivityFactory(in_progress=True)
    client.force_login(officer)
    response = client.post(
        reverse("staff:ta_deliverable_create", args=[activity.pk]), {"title": "Plan", "file": text_upload("plan.pdf")}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "“plan.pdf” is not a PDF, Word (.docx), Excel (.xlsx)" in body and 'value="Plan"' in body
    assert not Deliverable.objects.exists() and not DeliverableVersion.objects.exists()
    deliverable = DeliverableVersionFactory(deliverable__activity=activity).deliverable
    response = client.post(
        reverse("staff:ta_deliverable_version_create", args=[deliverable.pk]),
        {"file": text_upload("v2.docx"), "note": "Second draft"},
    )
    assert response.status_code == 400 and deliverable.versions.count() == 1


def _office_file(name):
    """A real .xlsx written by openpyxl, or a minimal .docx (a zip with the parts Word writes first)."""
    buffer = io.BytesIO()
    if name.endswith(".xlsx"):
        Workbook().save(buffer)
    else:
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "<Relationships/>")
            archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_word_and_excel_deliverables_are_accepted_as_written_documents(client, officer):
    activity = TAActivityFactory(in_progress=True)
    client.force_login(officer)
    response = client.post(
        reverse("staff:ta_deliverable_create", args=[activity.pk]),
        {"title": "Needs assessment", "file": _office_file("assessment.docx")},
    )
    assert response.status_code == 302
    deliverable = Deliverable.objects.get(activity=activity)
    services.deliverable_version_add(
        actor=officer, deliverable=deliverable, uploaded_file=_office_file("figures.xlsx"), note="Annex with figures"
    )
    assert [v.original_name for v in deliverable.versions.order_by("number")] == ["assessment.docx", "figures.xlsx"]


def test_a_new_version_needs_a_note_of_what_changed(client, officer):
    deliverable = DeliverableVersionFactory().deliverable
    client.force_login(officer)
    response = client.post(
        reverse("staff:ta_deliverable_version_create", args=[deliverable.pk]), {"file": pdf_upload()}
    )
    assert response.status_code == 400 and deliverable.versions.count() == 1


def test_no_version_is_added_to_an_accepted_or_cancelled_activity(officer):
    for activity in (TAActivityFactory(accepted=True), TAActivityFactory(cancelled=True)):
        deliverable = DeliverableVersionFactory(deliverable__activity=activity).deliverable
        with pytest.raises(ApplicationError) as refused:
            services.deliverable_version_add(
                actor=officer, deliverable=deliverable, uploaded_file=pdf_upload(), note="Late change"
            )
        assert refused.value.code == "closed" and deliverable.versions.count() == 1


@pytest.mark.parametrize("role", [Role.USAID_VIEWER, Role.FINANCE_OFFICER, Role.REVIEWER])
def test_a_deliverable_is_not_downloadable_outside_municipal_ta(client, role):
    version = DeliverableVersionFactory()
    client.force_login(UserFactory(role=role))
    assert _download(client, version)[0].status_code == 404


def test_the_activity_page_costs_the_same_with_many_deliverables_versions_and_people(
    client, officer, django_assert_max_num_queries
):
    activity = TAActivityFactory(hearing=True, delivered=True)
    DeliverableVersionFactory(deliverable__activity=activity)
    activity.participants.add(PersonFactory())
    services.hearing_attendance_set(
        actor=officer, activity=activity, rows=[{"community": "serb", "sex": "male", "count": 3}]
    )
    client.force_login(officer)
    url = reverse("staff:ta_activity_detail", args=[activity.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _number in range(6):
        deliverable = DeliverableFactory(activity=activity)
        for number in (1, 2, 3):
            DeliverableVersionFactory(deliverable=deliverable, number=number, uploaded_by=UserFactory())
        activity.participants.add(PersonFactory())
    services.hearing_attendance_set(
        actor=officer,
        activity=activity,
        rows=[{"community": c, "sex": s, "count": 2} for c in ("serb", "albanian", "roma") for s in ("male", "female")],
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    body = response.content.decode()
    assert body.count("data-version=") == 19 and body.count("data-participant=") == 7
    assert nested_forms(body) == 0
