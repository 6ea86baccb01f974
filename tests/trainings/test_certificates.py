"""Certificates of completion: refused to non-completers, issued to all completers in one action with gapless
numbers, rendered once by an idempotent task, bilingual PDF text, public verification and permissions."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.errors import ApplicationError
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory
from trainings.certificate_tasks import render_training_certificate
from trainings.certificates import certificate_request, certificates_request
from trainings.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _event_with(completers=3, others=1, **event_kwargs):
    event = EventFactory(held=True, **event_kwargs)
    done = [EnrolmentFactory(event=event, completed=True) for _ in range(completers)]
    not_done = [EnrolmentFactory(event=event, completed=False) for _ in range(others)]
    return event, done, not_done


def _pdf_text(pdf, tmp_path):
    assert shutil.which("pdftotext"), "pdftotext is missing: install poppler-utils"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_participant_who_did_not_complete_is_refused(officer):
    _, _, (not_done,) = _event_with(completers=1, others=1)
    with pytest.raises(ApplicationError) as refusal:
        certificate_request(actor=officer, enrolment=not_done)
    assert refusal.value.code == "not_completed"
    assert not Certificate.objects.filter(enrolment=not_done).exists()


def test_an_event_without_completers_is_refused(officer):
    event, _, _ = _event_with(completers=0, others=2)
    with pytest.raises(ApplicationError):
        certificates_request(actor=officer, event=event)
    assert not Certificate.objects.exists()


def test_one_action_issues_all_completers_numbered_without_gaps_and_renders_them(
    officer, django_capture_on_commit_callbacks
):
    event, done, not_done = _event_with(completers=3, others=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issued = certificates_request(actor=officer, event=event)
    assert len(issued) == 3 and len(callbacks) == 3
    certificates = list(Certificate.objects.order_by("number"))
    assert {c.enrolment_id for c in certificates} == {e.pk for e in done}
    year = certificates[0].issued_at.year
    assert [c.number for c in certificates] == [f"AKT-TR-{year}-{n:06d}" for n in (1, 2, 3)]
    assert all(c.status == CertificateStatus.READY and c.file for c in certificates)
    assert all(len(c.verification_code) >= 16 for c in certificates)
    assert len({c.verification_code for c in certificates}) == 3

    # A second click queues nothing; a later completer gets the next number.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert certificates_request(actor=officer, event=event) == []
    assert callbacks == []
    late = not_done[0]
    late.completed = True
    late.save()
    with django_capture_on_commit_callbacks(execute=True):
        (new,) = certificates_request(actor=officer, event=event)
    assert new.number == f"AKT-TR-{year}-000004"


def test_running_the_task_twice_renders_once(officer, django_capture_on_commit_callbacks, monkeypatch):
    event, (enrolment,), _ = _event_with(completers=1, others=0)
    with django_capture_on_commit_callbacks(execute=False):
        certificate = certificate_request(actor=officer, enrolment=enrolment)
    calls = []
    from trainings import certificates

    real = certificates.certificate_pdf
    monkeypatch.setattr(certificates, "certificate_pdf", lambda c: calls.append(c.pk) or real(c))
    render_training_certificate(certificate.pk)
    render_training_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert calls == [certificate.pk]
    assert certificate.status == CertificateStatus.READY


def test_a_failure_is_stored_with_its_reason_and_a_retry_succeeds(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    from trainings import certificates

    event, (enrolment,), _ = _event_with(completers=1, others=0)
    real = certificates.certificate_pdf
    monkeypatch.setattr(certificates, "certificate_pdf", lambda c: (_ for _ in ()).throw(OSError("disk full")))
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_request(actor=officer, enrolment=enrolment)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.FAILED and "disk full" in certificate.error
    monkeypatch.setattr(certificates, "certificate_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates.certificates_retry_failed(actor=officer, event=event) == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.READY and certificate.error == ""


def test_the_pdf_has_the_name_with_diacritics_the_number_and_the_link(
    officer, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://grants.example.org"
    event, _, _ = _event_with(completers=0, others=0)
    person = PersonFactory(first_name="Đorđe Ćiriç", last_name="Čolaković Gërvalla")
    enrolment = EnrolmentFactory(event=event, person=person, completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_request(actor=officer, enrolment=enrolment)
    certificate.refresh_from_db()
    text = _pdf_text(certificate.file.read(), tmp_path)
    assert "Đorđe Ćiriç" in text and "Čolaković Gërvalla" in text
    assert certificate.number in text
    url = f"https://grants.example.org/sq/certificates/{certificate.verification_code}/"
    assert url in text.replace("\n", "").replace(" ", "")
    assert "Certificate of completion" in text and "USAID" in text


def test_the_pdf_of_a_serbian_cyrillic_speaker_is_in_cyrillic_beside_english(
    officer, tmp_path, django_capture_on_commit_callbacks
):
    user = UserFactory(role=Role.APPLICANT, language="sr")
    person = PersonFactory(first_name="Ђорђе", last_name="Јовановић", user=user)
    event, _, _ = _event_with(completers=0, others=0)
    enrolment = EnrolmentFactory(event=event, person=person, completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_request(actor=officer, enrolment=enrolment)
    certificate.refresh_from_db()
    assert certificate.language == "sr"
    text = _pdf_text(certificate.file.read(), tmp_path)
    assert "Ђорђе Јовановић" in text and certificate.number in text
    assert "/sr/certificates/" in text


def test_the_verification_page_shows_only_the_certificate_and_404_for_a_wrong_code(
    client, officer, django_capture_on_commit_callbacks
):
    event, (enrolment,), _ = _event_with(completers=1, others=0)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_request(actor=officer, enrolment=enrolment)
    response = client.get(reverse("certificate_verify", kwargs={"code": certificate.verification_code}))
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.number in page and enrolment.person.last_name in page
    assert "1995" not in page  # no birth date or other personal data
    assert client.get(reverse("certificate_verify", kwargs={"code": "x" * 24})).status_code == 404


def test_finance_officer_cannot_issue_or_download_and_staff_can(client, officer, django_capture_on_commit_callbacks):
    event, (enrolment,), _ = _event_with(completers=1, others=0)
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    response = client.post(reverse("staff:training_certificates_issue", args=[event.pk]))
    assert response.status_code == 404 and not Certificate.objects.exists()

    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:training_certificates_issue", args=[event.pk]))
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    page = client.get(reverse("staff:training_event_detail", args=[event.pk])).content.decode()
    assert certificate.number in page and "data-issue-certificates" in page
    url = reverse("staff:training_certificate_download", args=[event.pk, certificate.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    for role in (Role.FINANCE_OFFICER, Role.APPLICANT):
        client.force_login(UserFactory(role=role))
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_the_worker_registers_the_task_through_trainings_tasks():
    from akt_ls.celery import app

    app.loader.import_default_modules()
    assert "trainings.certificate_tasks.render_training_certificate" in app.tasks
