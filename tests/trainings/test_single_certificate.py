"""One certificate at a time from the event page: a completer gets "Issue certificate", a failed one "Try again",
a non-completer is refused with a message, a double click issues nothing twice, and other roles get 404."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory
from trainings import certificates
from trainings.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    return client


@pytest.fixture
def event():
    return EventFactory(held=True)


def _issue_url(enrolment):
    return reverse("staff:training_certificate_issue", args=[enrolment.event_id, enrolment.pk])


def _row(html, enrolment):
    start = html.index(f'data-enrolment="{enrolment.pk}"')
    return html[start : html.index("</tr>", start)]


def _event_page(client, event):
    return client.get(reverse("staff:training_event_detail", args=[event.pk])).content.decode()


def test_a_completer_row_offers_issue_and_one_click_renders_that_certificate_only(
    officer_client, event, django_capture_on_commit_callbacks
):
    ana = EnrolmentFactory(event=event, completed=True, person=PersonFactory(first_name="Ana", last_name="Krasniqi"))
    other = EnrolmentFactory(event=event, completed=True)
    absent = EnrolmentFactory(event=event, completed=False)
    html = _event_page(officer_client, event)
    assert "data-certificate-issue" in _row(html, ana) and "data-certificate-issue" in _row(html, other)
    assert "data-certificate-issue" not in _row(html, absent)

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(_issue_url(ana), follow=True)
    certificate = Certificate.objects.get()
    assert certificate.enrolment == ana and certificate.status == CertificateStatus.READY and certificate.file
    assert certificate.number in response.content.decode()
    html = _event_page(officer_client, event)
    assert "data-certificate-issue" not in _row(html, ana)
    assert reverse("staff:training_certificate_download", args=[event.pk, certificate.pk]) in _row(html, ana)
    assert "data-certificate-issue" in _row(html, other)


def test_a_double_click_issues_one_certificate_with_one_number(
    officer_client, event, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(event=event, completed=True)
    with django_capture_on_commit_callbacks(execute=True) as first:
        officer_client.post(_issue_url(enrolment))
    with django_capture_on_commit_callbacks(execute=True) as second:
        response = officer_client.post(_issue_url(enrolment), follow=True)
    assert Certificate.objects.count() == 1 and len(first) == 1 and second == []
    assert "has a certificate already" in response.content.decode()


def test_a_participant_who_did_not_complete_is_refused_with_a_message(officer_client, event):
    enrolment = EnrolmentFactory(
        event=event, completed=False, person=PersonFactory(first_name="Besa", last_name="Gashi")
    )
    response = officer_client.post(_issue_url(enrolment), follow=True)
    assert not Certificate.objects.exists()
    assert "Besa Gashi did not complete this training, so no certificate can be issued." in response.content.decode()


def test_a_failed_certificate_shows_try_again_which_renders_it(
    officer_client, event, monkeypatch, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(event=event, completed=True)
    real = certificates.certificate_pdf
    monkeypatch.setattr(certificates, "certificate_pdf", lambda c: (_ for _ in ()).throw(OSError("disk full")))
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(_issue_url(enrolment))
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.FAILED
    retry_url = reverse("staff:training_certificate_retry", args=[event.pk, certificate.pk])
    row = _row(_event_page(officer_client, event), enrolment)
    assert retry_url in row and "Try again" in row and "data-certificate-issue" not in row

    monkeypatch.setattr(certificates, "certificate_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(retry_url)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.READY and certificate.error == "" and certificate.file
    assert retry_url not in _row(_event_page(officer_client, event), enrolment)
    # A second click on the old button does nothing: the certificate stays ready, with its number.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        officer_client.post(retry_url)
    assert callbacks == []
    assert Certificate.objects.get().status == CertificateStatus.READY


def test_a_certificate_of_another_event_or_a_role_without_trainings_gets_404(client, event):
    enrolment = EnrolmentFactory(event=event, completed=True)
    elsewhere = EventFactory(held=True)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    wrong = reverse("staff:training_certificate_issue", args=[elsewhere.pk, enrolment.pk])
    assert client.post(wrong).status_code == 404
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert client.post(_issue_url(enrolment)).status_code == 404
    assert not Certificate.objects.exists()
