"""E-mails are rows first: a lost queue message or a mail server that is down loses nothing."""

import datetime

import pytest

from core.emails import MAX_ATTEMPTS, email_deliver, emails_deliver_pending
from core.models import EmailStatus, OutgoingEmail
from grants import services
from tests.factories import UserFactory
from tests.grants.applying import complete_application


@pytest.mark.django_db
def test_a_confirmation_whose_task_was_lost_is_sent_by_the_periodic_sweep(mailoutbox):
    application = complete_application()
    # The after-commit queueing never happens here: as if Redis was down when the applicant submitted.
    submitted = services.application_submit(actor=application.applicant, application=application, declaration=True)
    email = OutgoingEmail.objects.get()
    assert (email.status, email.recipient) == (EmailStatus.PENDING, application.applicant.email)
    assert mailoutbox == []

    assert emails_deliver_pending(older_than=datetime.timedelta(0)) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert submitted.reference in mailoutbox[0].subject
    assert emails_deliver_pending(older_than=datetime.timedelta(0)) == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_mail_server_that_is_down_keeps_the_email_pending_then_marks_it_failed(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens there
    application = complete_application()
    services.application_submit(actor=application.applicant, application=application, declaration=True)
    email = OutgoingEmail.objects.get()
    email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)


@pytest.mark.django_db
def test_an_email_is_never_sent_twice(mailoutbox, django_capture_on_commit_callbacks):
    application = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=application.applicant, application=application, declaration=True)
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.SENT
    email_deliver(email_id=email.pk)  # a redelivered task
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_an_administrator_sends_a_failed_email_again_from_the_admin(client, mailoutbox):
    email = OutgoingEmail.objects.create(
        recipient="arta@example.org",
        builder="grants.emails.clarification_request",
        args={"clarification_id": 0},
        status=EmailStatus.FAILED,
        attempts=MAX_ATTEMPTS,
    )
    client.force_login(UserFactory(role="admin", is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/core/outgoingemail/", {"action": "send_again", "_selected_action": [email.pk]}, follow=True
    )
    assert response.status_code == 200
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 0)
    # Its builder finds no clarification to report any more, so sending it cancels it instead of failing.
    email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == EmailStatus.CANCELLED
    assert mailoutbox == []
