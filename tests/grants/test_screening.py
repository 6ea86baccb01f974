"""Eligibility screening: the checklist explains what the system verified, the outcome moves the application and
is audited, an ineligible applicant gets a letter (with a PDF) in their language, bulk screening is all or nothing,
and only intake staff see the pages."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from core.emails import email_deliver
from core.errors import ApplicationError
from core.models import OutgoingEmail
from core.selectors import audit_entries_for
from grants.models import ApplicationStatus, IneligibilityReason, Screening
from grants.services.screening import application_screen, applications_screen_bulk, screening_checklist
from municipalities.models import Municipality
from municipalities.selectors import partner_municipalities
from tests.factories import OrganisationFactory, UserFactory
from tests.grants.application_factories import ApplicationFactory, BudgetLineFactory, DocumentFactory
from tests.grants.factories import CallDocumentFactory, CallFactory
from tests.test_html_forms import nested_forms

ALL_MANUAL_PASSED = {"documents_legible": True, "registration": True}


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def call(db):
    call = CallFactory(open=True, municipalities=list(partner_municipalities()))
    CallDocumentFactory(call=call, name_en="Statute")
    return call


def _application(call, *, requested="5000.00", share="600.00", with_document=True, **kwargs):
    kwargs.setdefault("municipality", Municipality.objects.get(code="gracanica"))
    application = ApplicationFactory(submitted=True, call=call, **kwargs)
    BudgetLineFactory(application=application, requested_amount=Decimal(requested), cost_share_amount=Decimal(share))
    if with_document:
        DocumentFactory(application=application, call_document=call.documents.get())
    return application


def _by_code(checklist):
    return {item["code"]: item for item in checklist}


# --- The checklist ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_checklist_passes_and_explains_what_the_system_verified(call):
    items = _by_code(screening_checklist(_application(call)))
    count = call.eligible_municipalities.count()
    assert items["municipality"]["passed"] is True
    assert items["municipality"]["why"] == f"Graçanicë is among the call's {count} municipalities."
    assert items["amount"]["passed"] is True
    assert items["amount"]["why"] == "Requested 5,000.00 EUR, within 1,000.00–10,000.00 EUR."
    assert items["cost_share"]["passed"] is True
    assert "10.71% of the total 5,600.00 EUR" in items["cost_share"]["why"]
    assert items["applicant_type"]["passed"] is True
    assert "Informal group" in items["applicant_type"]["why"]
    assert items["documents_present"] == {
        "code": "documents_present",
        "label": "Required documents present",
        "passed": True,
        "automatic": True,
        "why": "All 1 required documents are uploaded.",
    }
    # What a person must check is left open, with a hint of what to look at.
    assert items["documents_legible"]["passed"] is None and items["documents_legible"]["automatic"] is False
    assert items["registration"]["passed"] is None and items["registration"]["automatic"] is False


@pytest.mark.django_db
def test_checklist_fails_and_says_why(call):
    outside = Municipality.objects.create(
        code="elsewhere",
        name_sq="Diku",
        name_sr_latn="Negde",
        name_sr_cyrl="Негде",
        name_en="Elsewhere",
        programme_group="north",
        majority_community="serb",
        is_partner=False,
    )
    application = _application(
        call, requested="12000.00", share="100.00", with_document=False, municipality=outside, applicant_type="startup"
    )
    items = _by_code(screening_checklist(application))
    assert items["municipality"]["passed"] is False
    assert "Elsewhere is not among the call's" in items["municipality"]["why"]
    assert items["applicant_type"]["passed"] is False
    assert items["amount"]["passed"] is False
    assert items["amount"]["why"] == "Requested 12,000.00 EUR, outside 1,000.00–10,000.00 EUR."
    assert items["cost_share"]["passed"] is False
    assert items["documents_present"]["passed"] is False
    assert items["documents_present"]["why"] == "Missing: Statute."


@pytest.mark.django_db
def test_registration_hint_names_the_organisations_number(call):
    organisation = OrganisationFactory(registration_number="5112345")
    application = _application(call, organisation=organisation, applicant_type="cso")
    why = _by_code(screening_checklist(application))["registration"]["why"]
    assert organisation.name in why and "5112345" in why


# --- Outcomes -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_eligible_outcome_moves_the_application_stores_the_checklist_and_audits(officer, call):
    application = _application(call)
    screening = application_screen(
        actor=officer,
        application=application,
        eligible=True,
        reasons=[],
        comment="",
        checks={**ALL_MANUAL_PASSED, "free": [{"label": "Bank account confirmed", "passed": True}]},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert screening.eligible and screening.screened_by == officer
    stored = _by_code(screening.checklist)
    assert stored["registration"]["passed"] is True
    assert screening.checklist[-1] == {
        "code": "free",
        "label": "Bank account confirmed",
        "passed": True,
        "automatic": False,
        "why": "",
    }
    [entry] = [e for e in audit_entries_for(target=application) if e.action == "grants.application.screened_eligible"]
    assert (entry.actor, entry.from_status, entry.to_status) == (officer, "submitted", "eligible")
    assert entry.data["screening"] == screening.pk
    assert not OutgoingEmail.objects.exists()  # eligible applicants are not written to at this stage


@pytest.mark.django_db
def test_ineligible_outcome_is_audited_and_queues_the_letter(officer, call):
    application = _application(call)
    application_screen(
        actor=officer,
        application=application,
        eligible=False,
        reasons=["documents_illegible", "registration"],
        comment="The statute scan is unreadable.",
        checks={"documents_legible": False},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.screening.reasons == ["documents_illegible", "registration"]
    [entry] = [e for e in audit_entries_for(target=application) if e.action == "grants.application.screened_ineligible"]
    assert (entry.from_status, entry.to_status, entry.comment) == (
        "submitted",
        "ineligible",
        "The statute scan is unreadable.",
    )
    assert entry.data["reasons"] == ["documents_illegible", "registration"]
    [email] = OutgoingEmail.objects.all()
    assert email.recipient == application.applicant.email
    assert email.builder == "grants.mail_screening.ineligibility_letter"
    assert email.args == {"application_id": application.pk}


@pytest.mark.django_db
def test_the_letter_is_in_the_applicants_language_lists_the_reasons_and_has_the_pdf(
    officer, call, mailoutbox, django_capture_on_commit_callbacks
):
    application = _application(call, applicant__language="sr")
    with django_capture_on_commit_callbacks(execute=True):
        application_screen(
            actor=officer,
            application=application,
            eligible=False,
            reasons=["other"],
            comment="Писмо из општине недостаје.",
            checks={},
        )
    [message] = mailoutbox
    assert message.to == [application.applicant.email]
    assert application.reference in message.subject
    assert "Поштовани/а" in message.body  # Serbian, Cyrillic (the applicant's language, not the officer's English)
    assert "Напредујемо Косово Заједно" in message.body
    assert "Писмо из општине недостаје." in message.body
    [(name, content, mime)] = message.attachments
    assert mime == "application/pdf" and content.startswith(b"%PDF") and application.reference in name
    assert OutgoingEmail.objects.get().status == "sent"


@pytest.mark.django_db
def test_the_letter_names_the_reasons_in_english_for_an_english_applicant(officer, call, mailoutbox):
    application = _application(call)
    application_screen(
        actor=officer,
        application=application,
        eligible=False,
        reasons=[IneligibilityReason.AMOUNT, IneligibilityReason.DOCUMENTS_MISSING],
        comment="",
        checks={},
    )
    email_deliver(email_id=OutgoingEmail.objects.get().pk)
    [message] = mailoutbox
    assert "- The amount requested is outside the call's limits" in message.body
    assert "- Required documents are missing" in message.body
    assert message.attachments[0][1].startswith(b"%PDF")


# --- Refusals -----------------------------------------------------------------------------------------------------


def _refused(code, **kwargs):
    with pytest.raises(ApplicationError) as raised:
        application_screen(**kwargs)
    assert raised.value.code == code
    return raised.value


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [ApplicationStatus.CLARIFICATION_REQUESTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.WITHDRAWN]
)
def test_only_submitted_applications_can_be_screened(officer, call, status):
    application = _application(call, status=status)
    _refused("not_submitted", actor=officer, application=application, eligible=True, checks=ALL_MANUAL_PASSED)
    assert not Screening.objects.exists()


@pytest.mark.django_db
def test_ineligible_without_a_reason_is_refused_and_nothing_is_saved(officer, call):
    application = _application(call)
    error = _refused("no_reason", actor=officer, application=application, eligible=False, reasons=[], comment="No.")
    assert "at least one reason" in error.message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Screening.objects.exists() and not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_unknown_reasons_and_other_without_comment_are_refused(officer, call):
    application = _application(call)
    _refused("unknown_reason", actor=officer, application=application, eligible=False, reasons=["bogus"])
    _refused("other_without_comment", actor=officer, application=application, eligible=False, reasons=["other"])


@pytest.mark.django_db
def test_eligible_despite_a_failed_automatic_check_needs_a_comment(officer, call):
    application = _application(call, requested="500.00", share="100.00")
    error = _refused(
        "failed_checks_unexplained", actor=officer, application=application, eligible=True, checks=ALL_MANUAL_PASSED
    )
    assert "Amount within the call's limits" in error.message
    screening = application_screen(
        actor=officer,
        application=application,
        eligible=True,
        comment="The call's annex allows 500 EUR for informal groups.",
        checks=ALL_MANUAL_PASSED,
    )
    assert _by_code(screening.checklist)["amount"]["passed"] is False


@pytest.mark.django_db
def test_eligible_with_unanswered_manual_checks_or_with_reasons_is_refused(officer, call):
    application = _application(call)
    _refused("checks_unanswered", actor=officer, application=application, eligible=True, checks={})
    _refused(
        "reasons_for_eligible",
        actor=officer,
        application=application,
        eligible=True,
        reasons=["amount"],
        checks=ALL_MANUAL_PASSED,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPLICANT, Role.FINANCE_OFFICER])
def test_people_who_may_not_screen_are_refused(call, role):
    application = _application(call)
    _refused("not_allowed", actor=UserFactory(role=role), application=application, eligible=True)


# --- Bulk ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_screening_marks_all_selected_with_one_audit_entry_each(officer, call):
    applications = [_application(call) for _ in range(3)]
    applications_screen_bulk(
        actor=officer,
        application_ids=[a.pk for a in applications],
        eligible=False,
        reasons=["registration"],
        comment="Registrations expired.",
    )
    for application in applications:
        application.refresh_from_db()
        assert application.status == ApplicationStatus.INELIGIBLE
        actions = [e.action for e in audit_entries_for(target=application)]
        assert actions.count("grants.application.screened_ineligible") == 1
    assert OutgoingEmail.objects.count() == 3


@pytest.mark.django_db
def test_bulk_screening_is_all_or_nothing_and_names_the_first_failure(officer, call):
    good = _application(call)
    withdrawn = _application(call, status=ApplicationStatus.WITHDRAWN)
    later = _application(call)
    with pytest.raises(ApplicationError) as raised:
        applications_screen_bulk(
            actor=officer,
            application_ids=[good.pk, withdrawn.pk, later.pk],
            eligible=False,
            reasons=["amount"],
            comment="",
        )
    assert raised.value.message.startswith(f"{withdrawn.reference} could not be screened")
    assert "Nothing was saved" in raised.value.message
    assert not Screening.objects.exists() and not OutgoingEmail.objects.exists()
    good.refresh_from_db()
    assert good.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_bulk_screening_of_nothing_is_refused(officer):
    with pytest.raises(ApplicationError) as raised:
        applications_screen_bulk(actor=officer, application_ids=[], eligible=True, reasons=[], comment="")
    assert raised.value.code == "nothing_selected"


# --- Pages --------------------------------------------------------------------------------------------------------


def _application_url(application):
    return f"/en/staff/screening/applications/{application.pk}/"


def _call_url(call):
    return f"/en/staff/screening/calls/{call.code}/"


@pytest.mark.django_db
def test_application_page_shows_the_checklist_and_saves_an_ineligible_outcome(client, officer, call):
    application = _application(call)
    client.force_login(officer)
    response = client.get(_application_url(application))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Graçanicë is among the call&#x27;s" in html
    assert nested_forms(html) == 0
    response = client.post(
        _application_url(application),
        {"outcome": "ineligible", "reasons": ["cost_share"], "comment": "Share too low.", "check_registration": "yes"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INELIGIBLE
    assert _by_code(application.screening.checklist)["registration"]["passed"] is True
    page = client.get(_application_url(application)).content.decode()
    assert "The cost share is below the call's minimum" in page  # the result panel
    assert 'data-outcome="ineligible"' in page


@pytest.mark.django_db
def test_application_page_refusal_keeps_the_input_and_says_why(client, officer, call):
    application = _application(call)
    client.force_login(officer)
    response = client.post(_application_url(application), {"outcome": "eligible", "comment": "Looks fine."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer every check before marking the application eligible" in html
    assert "Looks fine." in html
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_application_page_form_asks_for_a_reason_when_ineligible(client, officer, call):
    application = _application(call)
    client.force_login(officer)
    response = client.post(_application_url(application), {"outcome": "ineligible"})
    assert response.status_code == 400
    assert "Choose at least one reason" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.REVIEWER, Role.APPLICANT, Role.FINANCE_OFFICER])
def test_people_who_may_not_screen_get_404_on_both_pages(client, call, role):
    application = _application(call)
    if role:
        client.force_login(UserFactory(role=role))
    for url in (_application_url(application), _call_url(call)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"outcome": "eligible"}).status_code == 404, url
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_drafts_and_draft_calls_are_404(client, officer):
    client.force_login(officer)
    draft = ApplicationFactory()
    assert client.get(_application_url(draft)).status_code == 404
    assert client.get(_call_url(CallFactory())).status_code == 404


@pytest.mark.django_db
def test_bulk_page_lists_submitted_applications_with_their_checks_and_screens_the_selected(client, officer, call):
    ok = _application(call)
    low = _application(call, requested="500.00", share="100.00")
    other_call = _application(CallFactory(open=True), with_document=False)
    client.force_login(officer)
    response = client.get(_call_url(call))
    html = response.content.decode()
    assert response.status_code == 200 and nested_forms(html) == 0
    assert ok.reference in html and low.reference in html and other_call.reference not in html
    rows = {row["application"].pk: row for row in response.context["rows"]}
    assert [item["passed"] for item in rows[ok.pk]["checks"]] == [True] * 5
    assert {item["code"]: item["passed"] for item in rows[low.pk]["checks"]}["amount"] is False

    response = client.post(
        _call_url(call),
        {"applications": [str(ok.pk)], "outcome": "eligible", "manual_checked": "on"},
    )
    assert response.status_code == 302
    ok.refresh_from_db()
    low.refresh_from_db()
    assert (ok.status, low.status) == (ApplicationStatus.ELIGIBLE, ApplicationStatus.SUBMITTED)


@pytest.mark.django_db
def test_bulk_page_refusal_names_the_application_and_saves_nothing(client, officer, call):
    ok = _application(call)
    low = _application(call, requested="500.00", share="100.00")
    client.force_login(officer)
    response = client.post(
        _call_url(call),
        {"applications": [str(ok.pk), str(low.pk)], "outcome": "eligible", "manual_checked": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{low.reference} could not be screened" in html
    assert f'value="{ok.pk}" id="select-{ok.pk}" checked' in html  # the selection is kept
    assert not Screening.objects.exists()


@pytest.mark.django_db
def test_bulk_page_costs_a_constant_number_of_queries(client, officer, call, django_assert_max_num_queries):
    for index in range(30):
        _application(call, organisation=OrganisationFactory() if index % 2 else None)
    client.force_login(officer)
    client.get(_call_url(call))  # warm caches (content types, session) outside the count
    with django_assert_max_num_queries(12):
        response = client.get(_call_url(call))
    assert len(response.context["rows"]) == 30
