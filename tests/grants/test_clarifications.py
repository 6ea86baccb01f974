"""Clarification requests: staff reopen sections of a submitted application, the applicant answers, and both
steps are audited; the applicant is e-mailed in their own language."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants import services
from grants.models import ApplicationStatus, Clarification
from grants.services.clarifications import application_answer_clarification, application_request_clarification
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory, BudgetLineFactory
from tests.grants.applying import PDF_BYTES, complete_application


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PROGRAMME_OFFICER, email="officer@example.org")


@pytest.fixture
def application(db):
    application = ApplicationFactory(submitted=True, title="Youth centre", applicant__language="sr")
    BudgetLineFactory(application=application, requested_amount=Decimal("1800.00"), cost_share_amount=Decimal("200"))
    return application


@pytest.mark.django_db
def test_request_and_answer_round_trip(officer, application, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        clarification = application_request_clarification(
            actor=officer, application=application, message="Explain the cost of the tables.", sections=["budget"]
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLARIFICATION_REQUESTED
    assert application.unlocked_sections == ["budget"]
    assert clarification.requested_by == officer and clarification.sections == ["budget"]

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [application.applicant.email]
    assert application.reference in message.subject
    assert "Explain the cost of the tables." in message.body
    # Rendered in the applicant's language (Serbian, Cyrillic): the link opens the application on the /sr/ site.
    assert f"/sr/my/applications/{application.pk}/" in message.body

    application_answer_clarification(
        actor=application.applicant, application=application, response="Ten tables at 180 EUR each."
    )
    application.refresh_from_db()
    clarification.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.unlocked_sections == []
    assert clarification.response == "Ten tables at 180 EUR each."
    assert clarification.answered_at is not None

    entries = {entry.action: entry for entry in audit_entries_for(target=application)}
    requested = entries["grants.application.clarification_requested"]
    answered = entries["grants.application.clarification_answered"]
    assert (requested.actor, requested.from_status, requested.to_status) == (
        officer,
        "submitted",
        "clarification_requested",
    )
    assert requested.data["sections"] == ["budget"]
    assert (answered.actor, answered.from_status, answered.to_status) == (
        application.applicant,
        "clarification_requested",
        "submitted",
    )


@pytest.mark.django_db
def test_email_goes_out_in_each_applicants_language(officer, mailoutbox, django_capture_on_commit_callbacks):
    application = ApplicationFactory(submitted=True, applicant__language="sq")
    with django_capture_on_commit_callbacks(execute=True):
        application_request_clarification(actor=officer, application=application, message="Why?", sections=["project"])
    assert f"/sq/my/applications/{application.pk}/" in mailoutbox[0].body


@pytest.mark.django_db
def test_nothing_is_sent_when_the_request_is_refused(officer, mailoutbox, django_capture_on_commit_callbacks):
    application = ApplicationFactory(submitted=True, status=ApplicationStatus.ELIGIBLE)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        application_request_clarification(actor=officer, application=application, message="Why?", sections=["project"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert not Clarification.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "sections"), [("Why?", []), ("Why?", ["budget", "secret_field"]), ("   ", ["budget"])]
)
def test_a_request_needs_a_message_and_known_sections(officer, application, message, sections):
    with pytest.raises(ApplicationError):
        application_request_clarification(actor=officer, application=application, message=message, sections=sections)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.unlocked_sections == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.ME_OFFICER, Role.APPLICANT])
def test_only_intake_staff_may_ask(application, role):
    with pytest.raises(ApplicationError):
        application_request_clarification(
            actor=UserFactory(role=role), application=application, message="Why?", sections=["budget"]
        )


@pytest.mark.django_db
def test_only_the_applicant_may_answer(officer, application):
    application_request_clarification(actor=officer, application=application, message="Why?", sections=["budget"])
    with pytest.raises(ApplicationError) as error:
        application_answer_clarification(actor=UserFactory(role=Role.APPLICANT), application=application, response="x")
    assert error.value.code == "not_owner"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLARIFICATION_REQUESTED
    assert application.unlocked_sections == ["budget"]


@pytest.mark.django_db
def test_an_answer_is_refused_while_a_reopened_section_is_incomplete(officer, application):
    application_request_clarification(actor=officer, application=application, message="Why?", sections=["budget"])
    application.budget_lines.all().delete()
    with pytest.raises(ApplicationError) as error:
        application_answer_clarification(actor=application.applicant, application=application, response="Done")
    assert error.value.code == "incomplete"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLARIFICATION_REQUESTED


# --- The form on the staff page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_page_sends_a_request(client, officer, application, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(officer)
    url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    assert 'name="sections"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "Add the partner's letter.", "sections": ["applicant", "documents"]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLARIFICATION_REQUESTED
    assert application.unlocked_sections == ["applicant", "documents"]
    assert len(mailoutbox) == 1
    page = client.get(url).content.decode()
    assert "Add the partner&#x27;s letter." in page
    assert 'name="sections"' not in page  # no second request while one is open


@pytest.mark.django_db
def test_staff_page_keeps_the_message_when_no_section_is_chosen(client, officer, application):
    client.force_login(officer)
    url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    response = client.post(url, {"message": "Text I do not want to type again"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Text I do not want to type again" in html
    assert "Choose at least one section" in html
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_staff_who_may_read_but_not_ask_see_no_form_and_get_404_on_posting(client, application):
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    assert 'name="sections"' not in client.get(url).content.decode()
    assert client.post(url, {"message": "Why?", "sections": ["budget"]}).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_the_applicant_answers_with_an_attachment_that_staff_then_see(client):
    application = complete_application()
    application = services.application_submit(actor=application.applicant, application=application, declaration=True)
    officer = UserFactory(role="programme_officer")
    application_request_clarification(
        actor=officer, application=application, message="Send the municipality's letter.", sections=["project"]
    )
    application_answer_clarification(
        actor=application.applicant,
        application=application,
        response="Here it is.",
        attachment=SimpleUploadedFile("letter.pdf", PDF_BYTES),
    )
    attachment = application.documents.get(call_document__isnull=True)
    assert attachment.original_name == "letter.pdf"
    client.force_login(officer)
    html = client.get(f"/en/staff/applications/{application.pk}/").content.decode()
    assert "Attachment to a clarification" in html
    assert "letter.pdf" in html
