import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.models import Application, ApplicationStatus
from tests.factories import PASSWORD, UserFactory
from tests.grants.applying import PDF_BYTES, complete_application, draft_application, make_applicant, open_call


def _step(application, step, language="en"):
    return f"/{language}/my/applications/{application.pk}/edit/{step}/"


@pytest.mark.django_db
def test_an_applicant_without_a_profile_is_sent_to_complete_it_first(client):
    call = open_call()
    client.force_login(UserFactory(role="applicant"))
    response = client.get(f"/en/my/applications/start/{call.code}/")
    assert response.status_code == 302
    assert response.url == f"/en/my/profile/?next=/en/my/applications/start/{call.code}/"


@pytest.mark.django_db
def test_the_profile_form_explains_consent_and_keeps_what_was_typed_on_error(client):
    client.force_login(UserFactory(role="applicant"))
    response = client.post(
        "/en/my/profile/",
        {
            "first_name": "Milica",
            "last_name": "Stojanović",
            "sex": "female",
            "birth_date": "2031-01-01",
            "municipality": "",
            "email": "milica@example.org",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "How we use your personal data" in html
    assert "Enter your real date of birth" in html
    assert "Without your consent we cannot register your application" in html
    assert 'value="Stojanović"' in html


@pytest.mark.django_db
def test_an_applicant_goes_through_the_steps_and_submits(client, mailoutbox, django_capture_on_commit_callbacks):
    user = make_applicant()
    call = open_call()
    client.force_login(user)
    response = client.post(f"/en/my/applications/start/{call.code}/", {"applicant_type": "informal_group"})
    application = Application.objects.get(applicant=user)
    assert response.url == _step(application, "applicant")
    # A double click on "Start" opens the same draft, not a second one.
    client.post(f"/en/my/applications/start/{call.code}/", {"applicant_type": "informal_group"})
    assert Application.objects.filter(applicant=user).count() == 1

    gracanica = call.eligible_municipalities.get(code="gracanica")
    response = client.post(
        _step(application, "project"),
        {
            "version": application.version,
            "title": "Këndi i lojërave",
            "summary": "S",
            "problem": "P",
            "solution": "S",
            "municipality": gracanica.pk,
            "start_date": "2027-04-01",
            "end_date": "2027-09-30",
            "communities_involved": ["albanian", "serb"],
            "inter_ethnic_description": "Together",
            "beneficiaries_serb_female": "12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.beneficiaries == {"serb": {"female": 12}}

    question = call.questions.get()
    client.post(_step(application, "questions"), {"version": application.version, f"q_{question.key}": "Answer"})
    response = client.post(
        _step(application, "budget"),
        {
            "category": "works",
            "description": "Slide",
            "unit": "pc",
            "quantity": "2",
            "unit_cost": "2500",
            "requested_amount": "4500",
            "cost_share_amount": "500",
            "cost_share_kind": "cash",
            "contributor": "Us",
        },
    )
    assert response.status_code == 302
    document = call.documents.get()
    response = client.post(
        _step(application, "documents"),
        {"call_document": document.pk, "file": SimpleUploadedFile("statut.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_step(application, "review"), {"declaration": "on"}, follow=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert response.request["PATH_INFO"] == f"/en/my/applications/{application.pk}/"
    assert application.reference in response.content.decode()
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_review_step_lists_what_is_missing_with_links_to_the_steps(client):
    application = draft_application()
    client.force_login(application.applicant)
    response = client.post(_step(application, "review"), {"declaration": "on"})
    html = response.content.decode()
    assert "The application is not complete yet" in html
    assert f'href="{_step(application, "budget")}">Add at least one budget line.' in html
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["visitor", "other_applicant", "reviewer"])
def test_nobody_else_can_see_an_application_or_its_documents(client, who):
    application = complete_application()
    document = application.documents.get()
    if who == "other_applicant":
        client.force_login(make_applicant())
    elif who == "reviewer":
        client.force_login(UserFactory(role="reviewer"))
    urls = [
        f"/en/my/applications/{application.pk}/",
        _step(application, "project"),
        f"/en/my/applications/{application.pk}/documents/{document.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_owner_downloads_their_document_as_an_attachment(client):
    application = complete_application()
    document = application.documents.get()
    client.force_login(application.applicant)
    response = client.get(f"/en/my/applications/{application.pk}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "not of an allowed type"),
        ("empty.pdf", b"", "The file is empty"),
        ("../../etc/passwd.pdf", b"plain text pretending", "not of an allowed type"),
    ],
)
def test_uploads_are_checked_by_content_and_refused_with_a_clear_message(client, name, content, message):
    application = draft_application()
    document = application.call.documents.get()
    client.force_login(application.applicant)
    response = client.post(
        _step(application, "documents"), {"call_document": document.pk, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not application.documents.exists()


@pytest.mark.django_db
def test_a_file_name_with_a_path_is_stored_under_a_random_name(client):
    application = draft_application()
    document = application.call.documents.get()
    client.force_login(application.applicant)
    client.post(
        _step(application, "documents"),
        {"call_document": document.pk, "file": SimpleUploadedFile("../../evil.pdf", PDF_BYTES)},
    )
    upload = application.documents.get()
    assert ".." not in upload.file.name
    assert "evil" not in upload.file.name
    assert upload.original_name == "evil.pdf"


@pytest.mark.django_db
def test_an_oversized_file_is_refused():
    from core.errors import ApplicationError
    from grants import services

    application = draft_application()
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ApplicationError, match="larger than 10 MB"):
        services.application_document_upload(
            actor=application.applicant,
            application=application,
            call_document=application.call.documents.get(),
            uploaded_file=big,
        )


@pytest.mark.django_db
def test_a_second_tab_cannot_silently_overwrite_the_first(client):
    application = draft_application()
    client.force_login(application.applicant)
    stale_version = application.version
    first = {"version": stale_version, "title": "From the first tab"}
    assert client.post(_step(application, "project"), first).status_code == 302
    response = client.post(_step(application, "project"), {"version": stale_version, "title": "From the second tab"})
    html = response.content.decode()
    assert "changed in another tab" in html
    assert 'value="From the second tab"' in html
    application.refresh_from_db()
    assert application.title == "From the first tab"


@pytest.mark.django_db
def test_text_typed_when_the_session_expired_survives_logging_in_again(client):
    application = draft_application()
    response = client.post(_step(application, "project"), {"version": application.version, "title": "Typed text"})
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    client.post("/en/accounts/login/", {"login": application.applicant.email, "password": PASSWORD})
    html = client.get(_step(application, "project")).content.decode()
    assert 'value="Typed text"' in html
    assert "We kept what you typed" in html


@pytest.mark.django_db
def test_html_typed_by_an_applicant_is_shown_as_text(client):
    application = draft_application()
    client.force_login(application.applicant)
    client.post(_step(application, "project"), {"version": application.version, "title": "<script>alert(1)</script>"})
    html = client.get("/en/my/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_dates_in_the_wrong_order_and_a_municipality_outside_the_call_are_refused(client):
    call = open_call()
    call.eligible_municipalities.remove(call.eligible_municipalities.get(code="peje"))
    application = draft_application(call=call)
    client.force_login(application.applicant)
    from municipalities.models import Municipality

    response = client.post(
        _step(application, "project"),
        {
            "version": application.version,
            "title": "T",
            "start_date": "2027-05-01",
            "end_date": "2027-04-01",
            "municipality": Municipality.objects.get(code="peje").pk,
        },
    )
    html = response.content.decode()
    assert "The end date must come after the start date." in html
    assert "Select a valid choice" in html


@pytest.mark.django_db
def test_budget_lines_that_do_not_add_up_or_exceed_the_limits_get_messages_that_name_the_limit(client):
    application = draft_application()
    client.force_login(application.applicant)
    response = client.post(
        _step(application, "budget"),
        {
            "category": "works",
            "description": "Slide",
            "unit": "pc",
            "quantity": "1",
            "unit_cost": "100",
            "requested_amount": "-5",
            "cost_share_amount": "0",
            "cost_share_kind": "cash",
        },
    )
    assert "greater than or equal to 0" in response.content.decode()
    client.post(
        _step(application, "budget"),
        {
            "category": "works",
            "description": "Big",
            "unit": "pc",
            "quantity": "1",
            "unit_cost": "20000",
            "requested_amount": "20000",
            "cost_share_amount": "0",
            "cost_share_kind": "cash",
        },
    )
    html = client.get(_step(application, "budget")).content.decode()
    assert "above the call&#x27;s maximum of 10000.00 EUR" in html
    assert "the call asks for at least 10.00%" in html


@pytest.mark.django_db
def test_live_budget_totals_include_the_line_being_typed(client):
    application = draft_application()
    client.force_login(application.applicant)
    response = client.post(
        f"/en/my/applications/{application.pk}/budget/preview/",
        {"quantity": "3", "unit_cost": "1000", "requested_amount": "2500", "cost_share_amount": "500"},
        HTTP_HX_REQUEST="true",
    )
    assert response.context["totals"]["total"] == 3000
    assert float(response.context["totals"]["cost_share_percent"]) == pytest.approx(16.67)
    assert response.context["totals"]["line_balanced"] is True


@pytest.mark.django_db
def test_my_space_lists_drafts_and_submissions_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    user = make_applicant()
    for _ in range(2):
        draft_application(user=user, call=open_call())
    client.force_login(user)
    with django_assert_max_num_queries(20) as captured:
        client.get("/en/my/")
    few = len(captured)
    for _ in range(6):
        complete_application(user=user, call=open_call())
    with django_assert_max_num_queries(few) as captured:
        response = client.get("/en/my/")
    assert len(response.context["applications"]) == 8
    assert response.context["applications"][0].missing == []


@pytest.mark.django_db
def test_the_dashboard_says_what_is_missing_for_a_draft(client):
    application = draft_application()
    client.force_login(application.applicant)
    html = client.get("/en/my/").content.decode()
    assert "things still missing" in html
    assert timezone.localtime(application.call.closes_at).strftime("%d.%m.%Y %H:%M") in html


@pytest.mark.django_db
def test_a_pdf_can_be_previewed_inline_but_other_types_always_download(client):
    application = complete_application()
    document = application.documents.get()
    client.force_login(application.applicant)
    url = f"/en/my/applications/{application.pk}/documents/{document.pk}/"
    response = client.get(url + "?inline=1")
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    type(document).objects.filter(pk=document.pk).update(
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert client.get(url + "?inline=1")["Content-Disposition"].startswith("attachment")
