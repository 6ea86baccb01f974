"""Staff pages of calls for proposals: list, create and edit with their rows, preview, publish and close."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry
from grants.forms.calls import choices_to_text, parse_choices
from grants.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Call,
    CallCriterion,
    CallDocument,
    CallQuestion,
    CallStatus,
)
from tests.factories import PersonFactory, UserFactory
from tests.grants.factories import CallFactory, CallQuestionFactory

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs=kwargs)


def _management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def call_form_data(**overrides):
    """What an officer types into the call form for a new call with one document, question and criterion."""
    data = {
        "code": "ce-2027-07",
        "component": "civic_engagement",
        "title_sq": "Thirrje për rininë",
        "text_sq": "Teksti i plotë.",
        "title_sr": "Poziv za mlade",
        "text_sr": "Pun tekst.",
        "title_en": "Call for youth",
        "text_en": "Full text.",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-07-01T17:00",
        "eligible_applicant_types": ["cso", "informal_group"],
        "all_municipalities": "on",
        "min_amount": "1000",
        "max_amount": "15000",
        "min_cost_share_percent": "10",
        "budget_categories": ["equipment", "services"],
        "min_reviewers": "2",
        **_management("documents", total=1),
        "documents-0-name_sq": "Statuti",
        "documents-0-name_en": "Statute",
        "documents-0-required": "on",
        "documents-0-allowed_types": ["pdf", "image"],
        "documents-0-order": "1",
        **_management("questions", total=1),
        "questions-0-key": "target-group",
        "questions-0-kind": "choice",
        "questions-0-required": "on",
        "questions-0-label_sq": "Grupi i synuar",
        "questions-0-label_en": "Target group",
        "questions-0-choices": "youth | Të rinjtë | Mladi | Youth\nwomen | Gratë | Žene | Women",
        "questions-0-order": "1",
        **_management("criteria", total=1),
        "criteria-0-name_sq": "Ndikimi",
        "criteria-0-name_en": "Impact",
        "criteria-0-weight": "2",
        "criteria-0-max_score": "10",
        "criteria-0-order": "1",
    }
    data.update(overrides)
    return data


def edit_form_data(call, **overrides):
    """The edit form of `call` as it is shown (its rows as initial forms, no new rows), with `overrides` typed in."""
    local = timezone.localtime
    data = {
        "code": call.code,
        "component": call.component,
        "title_sq": call.title_sq,
        "text_sq": call.text_sq,
        "title_en": call.title_en,
        "text_en": call.text_en,
        "opens_at": local(call.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": local(call.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "eligible_applicant_types": call.eligible_applicant_types,
        "eligible_municipalities": [m.pk for m in call.eligible_municipalities.all()],
        "min_amount": str(call.min_amount),
        "max_amount": str(call.max_amount),
        "min_cost_share_percent": str(call.min_cost_share_percent),
        "budget_categories": call.budget_categories,
        "min_reviewers": str(call.min_reviewers),
    }
    for prefix, rows, fields in (
        ("documents", call.documents.all(), ["name_sq", "name_sr", "name_en", "order"]),
        ("questions", call.questions.all(), ["key", "kind", "label_sq", "label_sr", "label_en", "order"]),
        ("criteria", call.criteria.all(), ["name_sq", "name_sr", "name_en", "weight", "max_score", "order"]),
    ):
        data.update(_management(prefix, total=len(rows), initial=len(rows)))
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            data.update({f"{prefix}-{index}-{field}": str(getattr(row, field)) for field in fields})
            if getattr(row, "required", False):
                data[f"{prefix}-{index}-required"] = "on"
            if prefix == "documents":
                data[f"{prefix}-{index}-allowed_types"] = row.allowed_types
            if prefix == "questions":
                data[f"{prefix}-{index}-choices"] = choices_to_text(row.choices)
    data.update(overrides)
    return data


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Creating and editing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_creates_a_draft_call_with_its_document_question_and_criterion(officer_client, officer):
    response = officer_client.post(url("call_create"), call_form_data())

    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("call_detail", code="CE-2027-07")
    assert call.code == "CE-2027-07"  # typed in lower case, stored the way codes are written
    assert call.status == CallStatus.DRAFT
    assert call.title_en == "Call for youth"
    assert call.eligible_applicant_types == ["cso", "informal_group"]
    assert call.budget_categories == ["equipment", "services"]
    assert call.max_amount == Decimal("15000")
    assert call.eligible_municipalities.count() == 16
    document = call.documents.get()
    assert (document.name_sq, document.required, document.allowed_types) == ("Statuti", True, ["pdf", "image"])
    question = call.questions.get()
    assert question.kind == "choice"
    assert question.choices == [
        {"value": "youth", "label_sq": "Të rinjtë", "label_sr": "Mladi", "label_en": "Youth"},
        {"value": "women", "label_sq": "Gratë", "label_sr": "Žene", "label_en": "Women"},
    ]
    assert call.criteria.get().weight == Decimal("2")
    actions = set(AuditEntry.objects.filter(object_id=str(call.pk)).values_list("action", "actor"))
    assert ("grants.call.created", officer.pk) in actions
    assert ("grants.call.question.created", officer.pk) in actions


@pytest.mark.django_db
def test_the_create_page_opens_with_empty_rows_to_fill_in(officer_client):
    response = officer_client.get(url("call_create"))

    assert response.status_code == 200
    assert all(len(formset.forms) == 3 for formset in response.context["formsets"].values())
    assert 'type="datetime-local"' in response.content.decode()


@pytest.mark.django_db
def test_dates_typed_in_local_time_are_stored_as_the_right_utc_moment(officer_client):
    officer_client.post(url("call_create"), call_form_data())

    call = Call.objects.get()
    # Kosovo is UTC+1 in winter and UTC+2 in summer.
    assert call.opens_at == datetime.datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert call.closes_at == datetime.datetime(2027, 7, 1, 15, 0, tzinfo=UTC)
    page = officer_client.get(url("call_edit", code=call.code)).content.decode()
    assert 'value="2027-03-01T09:00"' in page
    assert 'value="2027-07-01T17:00"' in page


@pytest.mark.django_db
def test_officer_edits_a_call_changing_fields_adding_and_removing_rows(officer_client):
    call = CallFactory(with_form=True)
    old_question = call.questions.get()
    data = edit_form_data(
        call,
        title_en="Renamed call",
        closes_at="2027-12-31T23:59",
        **{
            "questions-0-DELETE": "on",
            "questions-TOTAL_FORMS": "2",
            "questions-1-key": "budget-plan",
            "questions-1-kind": "long_text",
            "questions-1-label_sq": "Plani i buxhetit",
            "questions-1-order": "2",
        },
    )

    response = officer_client.post(url("call_edit", code=call.code), data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    call.refresh_from_db()
    assert call.title_en == "Renamed call"
    assert call.closes_at == datetime.datetime(2027, 12, 31, 22, 59, tzinfo=UTC)
    assert list(call.questions.values_list("key", flat=True)) == ["budget-plan"]
    assert not CallQuestion.objects.filter(pk=old_question.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(call.pk), action="grants.call.question.deleted").exists()


@pytest.mark.django_db
def test_save_and_continue_returns_to_the_edit_page(officer_client):
    response = officer_client.post(url("call_create"), call_form_data(**{"continue": "1"}))

    assert response["Location"] == url("call_edit", code="CE-2027-07")


@pytest.mark.django_db
def test_a_published_call_keeps_its_code_but_its_deadline_can_be_extended(officer_client):
    call = CallFactory(open=True, with_form=True, code="CE-2027-01")
    new_deadline = timezone.localtime(call.closes_at + datetime.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")

    response = officer_client.post(
        url("call_edit", code="CE-2027-01"), edit_form_data(call, code="CE-2099-99", closes_at=new_deadline)
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.code == "CE-2027-01"
    assert call.status == CallStatus.PUBLISHED
    assert timezone.localtime(call.closes_at).strftime("%Y-%m-%dT%H:%M") == new_deadline
    assert "disabled" in officer_client.get(url("call_edit", code="CE-2027-01")).context["form"]["code"].as_widget()


@pytest.mark.django_db
def test_a_wrong_form_says_what_is_wrong_and_keeps_what_was_typed(officer_client):
    data = call_form_data(
        title_en="My typed title", opens_at="2027-07-01T09:00", closes_at="2027-03-01T09:00", max_amount="500"
    )

    response = officer_client.post(url("call_create"), data)

    assert response.status_code == 200
    assert not Call.objects.exists()
    form = response.context["form"]
    assert form.errors["closes_at"] == ["The deadline must come after the opening; check both dates."]
    assert form.errors["max_amount"] == ["The maximum grant must be at least the minimum grant."]
    page = response.content.decode()
    assert "My typed title" in page
    assert 'value="2027-07-01T09:00"' in page
    assert 'value="500"' in page
    assert "youth | Të rinjtë | Mladi | Youth" in page  # the rows keep what was typed too
    assert any("not saved" in message for message in messages_of(response))


@pytest.mark.django_db
def test_row_errors_are_shown_on_the_row_and_nothing_is_saved(officer_client):
    data = call_form_data(**{"questions-0-choices": "only-one", "documents-0-allowed_types": []})

    response = officer_client.post(url("call_create"), data)

    assert response.status_code == 200
    assert not Call.objects.exists()
    questions = response.context["formsets"]["questions"]
    assert questions.forms[0].errors["choices"] == ["A choice question needs at least two options, each with a value."]
    documents = response.context["formsets"]["documents"]
    assert documents.forms[0].errors["allowed_types"] == ["Choose at least one file type."]


@pytest.mark.django_db
def test_a_code_already_used_by_another_call_is_refused_with_advice(officer_client):
    CallFactory(code="CE-2027-07")

    response = officer_client.post(url("call_create"), call_form_data())

    assert response.context["form"].errors["code"] == ["Another call already uses this code; choose a different one."]
    assert Call.objects.count() == 1


@pytest.mark.django_db
def test_a_closed_call_cannot_be_edited(officer_client):
    call = CallFactory(closed=True, with_form=True)

    get_response = officer_client.get(url("call_edit", code=call.code))
    post_response = officer_client.post(url("call_edit", code=call.code), edit_form_data(call, title_en="Changed"))

    assert get_response["Location"] == url("call_detail", code=call.code)
    assert "This call is closed and can no longer be changed." in messages_of(post_response)
    call.refresh_from_db()
    assert call.title_en != "Changed"


@pytest.mark.django_db
def test_a_document_applicants_already_uploaded_cannot_be_removed_and_nothing_else_is_saved(officer_client):
    call = CallFactory(open=True, with_form=True)
    document = call.documents.get()
    _submit(call, 1)
    ApplicationDocument.objects.create(
        application=Application.objects.get(),
        call_document=document,
        file="applications/x/statute",
        original_name="statute.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=Application.objects.get().applicant,
    )

    response = officer_client.post(
        url("call_edit", code=call.code), edit_form_data(call, title_en="Changed", **{"documents-0-DELETE": "on"})
    )

    assert response.status_code == 200
    assert [
        f"“{document.name}” cannot be removed because applicants have already used it" in m
        for m in messages_of(response)
    ] == [True]
    assert CallDocument.objects.filter(pk=document.pk).exists()
    call.refresh_from_db()
    assert call.title_en != "Changed"  # the whole page is saved, or nothing


def test_choice_lines_are_read_into_options_and_wrong_lines_are_named():
    assert parse_choices("a | A\n\nb") == [
        {"value": "a", "label_sq": "A", "label_sr": "", "label_en": ""},
        {"value": "b", "label_sq": "b", "label_sr": "", "label_en": ""},
    ]
    with pytest.raises(Exception) as error:
        parse_choices("a\n | x\na")
    assert "Line 2" in str(error.value) and "Line 3" in str(error.value)


# --- Publishing and closing ----------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_without_questions_or_criteria_is_refused_and_the_call_stays_draft(officer_client):
    call = CallFactory()

    response = officer_client.post(url("call_publish", code=call.code))

    assert response["Location"] == url("call_detail", code=call.code)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    [message] = messages_of(response)
    assert message.startswith("The call cannot be published yet")
    assert "question" in message and "scoring criterion" in message and "municipalities" in message
    assert not AuditEntry.objects.filter(action="grants.call.published").exists()


@pytest.mark.django_db
def test_publishing_a_complete_call_publishes_it_and_records_who_did_it(officer_client, officer):
    call = CallFactory(with_form=True)

    response = officer_client.post(url("call_publish", code=call.code), follow=True)

    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    entry = AuditEntry.objects.get(action="grants.call.published", object_id=str(call.pk))
    assert (entry.actor, entry.from_status, entry.to_status) == (officer, "draft", "published")
    assert f"The call {call.code} is published." in response.content.decode()


@pytest.mark.django_db
def test_a_second_click_on_publish_changes_nothing_and_says_so(officer_client):
    call = CallFactory(with_form=True)

    officer_client.post(url("call_publish", code=call.code), follow=True)
    second = officer_client.post(url("call_publish", code=call.code))

    assert second.status_code == 302
    assert messages_of(second) == ["This call is already published; nothing was changed."]
    assert AuditEntry.objects.filter(action="grants.call.published", object_id=str(call.pk)).count() == 1


@pytest.mark.django_db
def test_closing_a_published_call_closes_it_with_the_reason(officer_client, officer):
    call = CallFactory(open=True, with_form=True)

    response = officer_client.post(url("call_close", code=call.code), {"comment": "Budget used up"}, follow=True)

    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED
    entry = AuditEntry.objects.get(action="grants.call.closed", object_id=str(call.pk))
    assert (entry.actor, entry.comment) == (officer, "Budget used up")
    assert "is closed: no more applications can be submitted" in response.content.decode()
    second = officer_client.post(url("call_close", code=call.code))
    assert messages_of(second) == ["This call is already closed; nothing was changed."]


@pytest.mark.django_db
def test_a_draft_cannot_be_closed(officer_client):
    call = CallFactory()

    response = officer_client.post(url("call_close", code=call.code))

    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert messages_of(response)[0].startswith("This cannot be done now")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["call_publish", "call_close"])
def test_publish_and_close_do_nothing_on_get(officer_client, name):
    call = CallFactory(open=True, with_form=True) if name == "call_close" else CallFactory(with_form=True)
    status = call.status

    response = officer_client.get(url(name, code=call.code))

    assert response.status_code == 405
    call.refresh_from_db()
    assert call.status == status


# --- Detail and preview --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_shows_the_rows_and_the_timeline(officer_client):
    call = CallFactory(with_form=True)
    officer_client.post(url("call_publish", code=call.code))

    page = officer_client.get(url("call_detail", code=call.code)).content.decode()

    assert call.questions.get().label_en in page
    assert "grants.call.published" in page
    assert url("call_close", code=call.code) in page
    assert url("call_publish", code=call.code) not in page


@pytest.mark.django_db
def test_the_preview_shows_a_draft_with_the_public_template_and_a_banner(officer_client):
    call = CallFactory(with_form=True, title_en="Draft for youth")

    response = officer_client.get(url("call_preview", code=call.code))

    assert response.status_code == 200
    assert "grants/public/call_detail.html" in [template.name for template in response.templates]
    assert response.context["preview"] is True
    assert response.context["phase"] == "open"  # what applicants will see if it is published now
    page = response.content.decode()
    assert "Draft for youth" in page
    assert "data-preview" in page  # the public template's "not published yet" banner
    assert "data-apply" not in page  # no way to apply from a preview
    assert call.criteria.get().name_en in page


@pytest.mark.django_db
def test_the_preview_of_a_published_call_leads_to_its_public_page(officer_client):
    call = CallFactory(open=True, with_form=True)

    response = officer_client.get(url("call_preview", code=call.code))

    assert response["Location"] == reverse("call_detail", kwargs={"code": call.code})


# --- The list ------------------------------------------------------------------------------------


def _submit(call, number):
    Application.objects.create(
        call=call,
        applicant=UserFactory(role=Role.APPLICANT),
        person=PersonFactory(),
        applicant_type="cso",
        status=ApplicationStatus.SUBMITTED,
        reference=f"AKT-CE-2027-{number:04d}",
    )


@pytest.mark.django_db
def test_the_list_shows_every_call_with_its_status_phase_and_submitted_applications(officer_client):
    draft = CallFactory(title_en="A draft")
    upcoming = CallFactory(upcoming=True)
    open_call = CallFactory(open=True, with_form=True)
    _submit(open_call, 1)
    _submit(open_call, 2)
    Application.objects.create(
        call=open_call, applicant=UserFactory(), person=PersonFactory(), applicant_type="cso"
    )  # a draft application is not counted

    response = officer_client.get(url("calls_list"))

    rows = {call.code: call for call in response.context["calls"]}
    assert set(rows) == {draft.code, upcoming.code, open_call.code}
    assert rows[open_call.code].application_count == 2
    assert rows[upcoming.code].phase_label == "Upcoming"
    assert rows[draft.code].phase_label == ""
    page = response.content.decode()
    assert "A draft" in page
    local_deadline = timezone.localtime(open_call.closes_at).strftime("%d.%m.%Y %H:%M")
    assert local_deadline in page


@pytest.mark.django_db
def test_the_list_shows_titles_in_the_page_language(client, officer):
    CallFactory(title_sq="Thirrja shqip", title_en="English call")
    client.force_login(officer)

    assert "Thirrja shqip" in client.get("/sq/staff/calls/").content.decode()
    assert "English call" in client.get("/en/staff/calls/").content.decode()


@pytest.mark.django_db
def test_the_list_is_paged_and_costs_the_same_queries_for_thirty_calls(officer_client, django_assert_max_num_queries):
    for call in CallFactory.create_batch(30):
        CallQuestionFactory(call=call)
    _submit(Call.objects.first(), 1)

    with django_assert_max_num_queries(6):
        first = officer_client.get(url("calls_list"))
    with django_assert_max_num_queries(6):
        second = officer_client.get(url("calls_list") + "?page=2")

    assert len(first.context["calls"]) == 25
    assert len(second.context["calls"]) == 5


# --- Who may see the pages -----------------------------------------------------------------------

NOT_ALLOWED = [Role.APPLICANT, Role.REVIEWER, Role.ME_OFFICER, Role.FINANCE_OFFICER, Role.USAID_VIEWER, None]


def _pages(call):
    return [
        ("get", url("calls_list")),
        ("get", url("call_create")),
        ("post", url("call_create")),
        ("get", url("call_detail", code=call.code)),
        ("get", url("call_edit", code=call.code)),
        ("post", url("call_edit", code=call.code)),
        ("get", url("call_preview", code=call.code)),
        ("post", url("call_publish", code=call.code)),
        ("post", url("call_close", code=call.code)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_ALLOWED, ids=lambda role: role or "visitor")
def test_everyone_but_programme_staff_gets_404_on_every_staff_calls_page(client, role):
    if role is not None:
        client.force_login(UserFactory(role=role))
    call = CallFactory(with_form=True)

    statuses = [getattr(client, method)(page).status_code for method, page in _pages(call)]

    assert statuses == [404] * len(statuses)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert Call.objects.count() == 1


@pytest.mark.django_db
def test_pages_of_a_call_that_does_not_exist_are_404(officer_client):
    assert officer_client.get(url("call_detail", code="NO-SUCH")).status_code == 404
    assert officer_client.post(url("call_publish", code="NO-SUCH")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.MANAGER, Role.ADMIN])
def test_programme_officers_managers_and_admins_open_every_page(client, role):
    client.force_login(UserFactory(role=role))
    call = CallFactory(with_form=True)

    statuses = [client.get(page).status_code for method, page in _pages(call) if method == "get"]

    assert statuses == [200] * len(statuses)


@pytest.mark.django_db
def test_the_staff_start_page_links_to_the_calls(officer_client):
    assert url("calls_list") in officer_client.get(url("home")).content.decode()


@pytest.mark.django_db
def test_criteria_rows_are_saved_through_the_service_with_an_audit_entry(officer_client):
    officer_client.post(url("call_create"), call_form_data())

    criterion = CallCriterion.objects.get()
    entry = AuditEntry.objects.get(action="grants.call.criterion.created")
    assert entry.object_id == str(criterion.call_id)
    assert entry.data["id"] == criterion.pk
