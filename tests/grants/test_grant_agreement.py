"""The agreement PDF (rendered by a task, in the grantee's language beside English), its failure and retry, the
signed copy that activates the grant, and who downloads what."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import DocumentStatus, GrantStatus, InstrumentType
from grants.services import grants as services
from grants.services.grants import grant_agreement_render, grant_agreement_request, grant_sign
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantBudgetLineFactory, GrantFactory, GrantTrancheFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _pdf_text(pdf, tmp_path):
    assert shutil.which("pdftotext"), "pdftotext is missing: install poppler-utils (apt-get install poppler-utils)"
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _small_pdf(tmp_path):
    """A real one-page PDF, as a scanner would produce (made by WeasyPrint here)."""
    from core.pdf import html_to_pdf

    return html_to_pdf("<p>Signed</p>")


def _generate(grant, actor, capture):
    with capture(execute=True):
        grant_agreement_request(actor=actor, grant=grant)
    grant.refresh_from_db()
    return grant


def _actions(grant):
    return [entry.action for entry in audit_entries_for(target=grant)]


def test_the_task_renders_the_agreement_in_serbian_cyrillic_beside_english(
    officer, tmp_path, django_capture_on_commit_callbacks
):
    grant = GrantFactory(with_plan=True, amount=Decimal("12500.00"))
    grant.application.applicant.language = "sr"
    grant.application.applicant.save()
    grant = _generate(grant, officer, django_capture_on_commit_callbacks)
    assert grant.agreement_status == DocumentStatus.READY
    text = _pdf_text(grant.agreement_file.read(), tmp_path)
    assert grant.number in text
    assert "12,500.00" in text  # the English half
    assert "12.500,00" in text  # the Serbian half
    assert "Grant amount" in text and "Износ гранта" in text
    assert "Гњилане" in text and "Gjilan" in text
    assert "USAID" in text
    assert _actions(grant)[:2] == ["grants.grant.agreement_generated", "grants.grant.agreement_requested"]


def test_the_agreement_of_an_albanian_grantee_is_in_albanian_and_english_with_the_donor_settings(
    officer, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.AGREEMENT_DONOR_NAME = "Donor Agency"
    settings.AGREEMENT_BRANDING_LINE = "Branding of the donor"
    settings.AGREEMENT_DISCLAIMER = {"en": "English disclaimer.", "sq": "Mohim përgjegjësie në shqip."}
    grant = GrantFactory(with_plan=True)
    grant.application.applicant.language = "sq"
    grant.application.applicant.save()
    text = _pdf_text(_generate(grant, officer, django_capture_on_commit_callbacks).agreement_file.read(), tmp_path)
    assert "Donor Agency" in text and "Branding of the donor" in text
    assert "English disclaimer." in text and "Mohim përgjegjësie në shqip." in text
    assert "Shuma e grantit" in text and "Grant amount" in text
    assert "Pajisje / Equipment" in text


def test_the_task_is_idempotent(officer, django_capture_on_commit_callbacks):
    grant = _generate(GrantFactory(with_plan=True), officer, django_capture_on_commit_callbacks)
    name = grant.agreement_file.name
    grant_agreement_render(grant_id=grant.pk)
    grant_agreement_render(grant_id=grant.pk)
    grant.refresh_from_db()
    assert grant.agreement_status == DocumentStatus.READY and grant.agreement_file.name == name
    assert _actions(grant).count("grants.grant.agreement_generated") == 1


def test_a_second_click_while_queued_queues_nothing_more(officer, django_capture_on_commit_callbacks):
    grant = GrantFactory(with_plan=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grant_agreement_request(actor=officer, grant=grant)
        grant_agreement_request(actor=officer, grant=grant)
    assert len(callbacks) == 1
    grant.refresh_from_db()
    assert grant.agreement_status == DocumentStatus.QUEUED


def test_a_failure_is_stored_with_its_reason_and_a_retry_succeeds(
    officer, client, monkeypatch, django_capture_on_commit_callbacks
):
    grant = GrantFactory(with_plan=True)

    def broken(grant):
        raise OSError("disk full")

    monkeypatch.setattr(services, "agreement_pdf", broken)
    grant = _generate(grant, officer, django_capture_on_commit_callbacks)
    assert grant.agreement_status == DocumentStatus.FAILED
    assert "disk full" in grant.agreement_error
    client.force_login(officer)
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert "disk full" in html and "Retry" in html
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/staff/grants/{grant.pk}/agreement/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.agreement_status == DocumentStatus.READY and grant.agreement_error == ""
    assert "grants.grant.agreement_failed" in _actions(grant)


def test_the_agreement_is_refused_while_the_tranches_do_not_add_up(officer):
    grant = GrantFactory(with_plan=True)
    GrantTrancheFactory(grant=grant, number=9, amount=Decimal("1.00"), on_signature=True)
    with pytest.raises(ApplicationError) as error:
        grant_agreement_request(actor=officer, grant=grant)
    assert "tranches add up" in error.value.message
    grant.refresh_from_db()
    assert grant.agreement_status == DocumentStatus.NONE


def test_the_signed_copy_activates_the_grant_with_an_audit_entry(officer, tmp_path, django_capture_on_commit_callbacks):
    grant = _generate(GrantFactory(with_plan=True), officer, django_capture_on_commit_callbacks)
    signed = SimpleUploadedFile("signed.pdf", _small_pdf(tmp_path), content_type="application/pdf")
    grant_sign(actor=officer, grant=grant, signed_file=signed)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE and grant.signed_at is not None
    assert grant.signed_copy.read().startswith(b"%PDF")
    entry = audit_entries_for(target=grant).get(action="grants.grant.signed")
    assert (entry.from_status, entry.to_status, entry.actor) == ("awaiting_signature", "active", officer)
    with pytest.raises(ApplicationError):  # once signed, never again
        grant_sign(actor=officer, grant=grant, signed_file=signed)


def test_a_file_that_is_not_a_pdf_is_refused_and_the_grant_stays_awaiting_signature(
    officer, client, django_capture_on_commit_callbacks
):
    grant = _generate(GrantFactory(with_plan=True), officer, django_capture_on_commit_callbacks)
    client.force_login(officer)
    fake = SimpleUploadedFile("signed.pdf", b"GIF89a not a pdf at all", content_type="application/pdf")
    response = client.post(f"/en/staff/grants/{grant.pk}/sign/", {"signed_file": fake})
    assert response.status_code == 400
    assert "must be a PDF" in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == GrantStatus.AWAITING_SIGNATURE and not grant.signed_copy


def test_signing_before_the_agreement_is_generated_is_refused(officer, tmp_path):
    grant = GrantFactory(with_plan=True)
    signed = SimpleUploadedFile("signed.pdf", _small_pdf(tmp_path))
    with pytest.raises(ApplicationError) as error:
        grant_sign(actor=officer, grant=grant, signed_file=signed)
    assert error.value.code == "no_agreement"


def test_the_signed_copy_is_uploaded_through_the_page(officer, client, tmp_path, django_capture_on_commit_callbacks):
    grant = _generate(GrantFactory(with_plan=True), officer, django_capture_on_commit_callbacks)
    client.force_login(officer)
    upload = SimpleUploadedFile("scan.pdf", _small_pdf(tmp_path))
    response = client.post(f"/en/staff/grants/{grant.pk}/sign/", {"signed_file": upload})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    response = client.get(f"/en/staff/grants/{grant.pk}/agreement/signed/")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    return b"".join(response.streaming_content)


def test_the_grantee_sees_their_grant_and_downloads_the_agreement(officer, client, django_capture_on_commit_callbacks):
    grant = _generate(GrantFactory(with_plan=True), officer, django_capture_on_commit_callbacks)
    client.force_login(grant.application.applicant)
    response = client.get(f"/en/my/grants/{grant.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert grant.number in html and "Sound equipment" in html
    assert "/staff/" not in html.split("<main", 1)[1]  # read-only: no staff action
    assert _download(client, f"/en/my/grants/{grant.pk}/agreement/").startswith(b"%PDF")
    client.force_login(officer)
    assert _download(client, f"/en/staff/grants/{grant.pk}/agreement/download/").startswith(b"%PDF")


def test_another_applicant_and_visitors_get_404_on_a_grantees_page(client, officer, django_capture_on_commit_callbacks):
    grant = _generate(GrantFactory(with_plan=True), officer, django_capture_on_commit_callbacks)
    urls = [f"/en/my/grants/{grant.pk}/", f"/en/my/grants/{grant.pk}/agreement/"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(UserFactory(role=Role.APPLICANT))
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_no_agreement_to_download_before_it_is_ready(client):
    grant = GrantFactory(with_plan=True)
    client.force_login(grant.application.applicant)
    assert client.get(f"/en/my/grants/{grant.pk}/agreement/").status_code == 404


def test_an_in_kind_agreement_needs_no_tranches_and_says_the_grant_is_given_in_goods(
    officer, tmp_path, django_capture_on_commit_callbacks
):
    grant = GrantFactory(instrument=InstrumentType.IN_KIND)
    GrantBudgetLineFactory(grant=grant, grant_amount=grant.amount)
    grant.application.applicant.language = "en"
    grant.application.applicant.save()
    grant = _generate(grant, officer, django_capture_on_commit_callbacks)
    assert grant.agreement_status == DocumentStatus.READY
    with grant.agreement_file.open("rb") as file:
        text = " ".join(_pdf_text(file.read(), tmp_path).split())
    assert "The grant is given in kind" in text
    assert "Annex 2" not in text
