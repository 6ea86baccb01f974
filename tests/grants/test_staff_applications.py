"""Staff intake: the list of submitted applications (filters, search, sorting, paging), one application, and who
may open them (everyone else gets 404)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from grants.models import ApplicationStatus
from municipalities.models import Municipality
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.grants.application_factories import (
    PDF_BYTES,
    ApplicationFactory,
    BudgetLineFactory,
    DocumentFactory,
    PartnerFactory,
)
from tests.grants.factories import CallFactory, CallQuestionFactory

LIST_URL = "/en/staff/applications/"


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    return client


def _local(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


def _references(response):
    assert response.status_code == 200
    return [application.reference for application in response.context["page_obj"].object_list]


@pytest.fixture
def dataset(db):
    """Three submitted applications that differ in every filter, and a draft that must never show."""
    civic = CallFactory(open=True, code="CE-2027-01")
    business = CallFactory(open=True, code="BD-2027-01", component="business_development")
    gracanica = Municipality.objects.get(code="gracanica")
    gjilan = Municipality.objects.get(code="gjilan")
    novoberde = Municipality.objects.get(code="novoberde")
    youth = ApplicationFactory(
        submitted=True,
        reference="AKT-CE-2027-0001",
        title="Youth centre",
        call=civic,
        municipality=gracanica,
        person=PersonFactory(community="serb"),
        submitted_at=_local(2027, 3, 1),
    )
    bakery = ApplicationFactory(
        submitted=True,
        reference="AKT-BD-2027-0001",
        title="Bakery for Gračanica",
        call=business,
        municipality=gjilan,
        person=PersonFactory(community="albanian"),
        status=ApplicationStatus.CLARIFICATION_REQUESTED,
        submitted_at=_local(2027, 3, 10),
    )
    roads = ApplicationFactory(
        submitted=True,
        reference="AKT-CE-2027-0002",
        title="Safer roads",
        call=civic,
        municipality=novoberde,
        person=PersonFactory(community="roma"),
        status=ApplicationStatus.ELIGIBLE,
        submitted_at=_local(2027, 3, 20),
    )
    BudgetLineFactory(application=youth, requested_amount=Decimal("5000.00"))
    BudgetLineFactory(application=bakery, requested_amount=Decimal("2000.00"))
    BudgetLineFactory(application=roads, requested_amount=Decimal("9000.00"))
    ApplicationFactory(title="Gračanica draft", call=civic, municipality=gracanica)
    return {"civic": civic, "business": business, "gracanica": gracanica}


@pytest.mark.django_db
def test_list_shows_submitted_applications_newest_first_with_their_columns_and_never_drafts(officer_client, dataset):
    response = officer_client.get(LIST_URL)
    assert _references(response) == ["AKT-CE-2027-0002", "AKT-BD-2027-0001", "AKT-CE-2027-0001"]
    html = response.content.decode()
    assert "Gračanica draft" not in html
    assert "Youth centre" in html
    assert "CE-2027-01" in html
    assert "Graçanicë" in html  # the municipality in the page's language (English uses the Albanian name)
    assert "5,000.00" in html
    assert "01.03.2027 10:00" in html  # local (Kosovo) time
    assert "17.05.1995" not in html  # no birth dates in the list


@pytest.mark.django_db
def test_municipality_is_shown_in_the_page_language(client, dataset):
    client.force_login(UserFactory(role=Role.MANAGER))
    assert "Грачаница" in client.get("/sr/staff/applications/").content.decode()
    assert "Gračanica" in client.get("/sr-latn/staff/applications/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"call": "civic"}, {"AKT-CE-2027-0001", "AKT-CE-2027-0002"}),
        ({"component": "business_development"}, {"AKT-BD-2027-0001"}),
        ({"municipality": "gracanica"}, {"AKT-CE-2027-0001"}),
        ({"status": "eligible"}, {"AKT-CE-2027-0002"}),
        ({"status": "clarification_requested"}, {"AKT-BD-2027-0001"}),
        ({"community": "serb"}, {"AKT-CE-2027-0001"}),
        ({"submitted_from": "2027-03-05"}, {"AKT-BD-2027-0001", "AKT-CE-2027-0002"}),
        ({"submitted_to": "2027-03-10"}, {"AKT-CE-2027-0001", "AKT-BD-2027-0001"}),
        ({"submitted_from": "2027-03-05", "submitted_to": "2027-03-15"}, {"AKT-BD-2027-0001"}),
        ({"q": "AKT-BD"}, {"AKT-BD-2027-0001"}),
        ({"q": "roads"}, {"AKT-CE-2027-0002"}),
        ({"call": "civic", "status": "submitted"}, {"AKT-CE-2027-0001"}),
    ],
)
def test_each_filter_narrows_the_list(officer_client, dataset, params, expected):
    if "call" in params:
        params = {**params, "call": dataset["civic"].pk}
    if "municipality" in params:
        params = {**params, "municipality": dataset["gracanica"].pk}
    assert set(_references(officer_client.get(LIST_URL, params))) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Gracanica", "gracanica", "GRAČANICA", "Graçanica", "Грачаница"])
def test_search_ignores_case_accents_and_script(officer_client, dataset, query):
    # One is located in Graçanicë, the other has "Gračanica" in its title; the draft never shows.
    assert set(_references(officer_client.get(LIST_URL, {"q": query}))) == {"AKT-CE-2027-0001", "AKT-BD-2027-0001"}


@pytest.mark.django_db
def test_dates_in_the_wrong_order_are_explained_and_the_list_still_shows(officer_client, dataset):
    response = officer_client.get(LIST_URL, {"submitted_from": "2027-03-15", "submitted_to": "2027-03-05"})
    assert "swap the two dates" in response.content.decode()
    assert set(_references(response)) == {"AKT-CE-2027-0002"}  # "from" still applies


@pytest.mark.django_db
def test_staff_who_may_not_see_community_get_no_community_filter_and_cannot_use_it(client, dataset):
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    response = client.get(LIST_URL, {"community": "serb"})
    assert "community" not in response.context["filter_form"].fields
    assert len(_references(response)) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", ["AKT-BD-2027-0001", "AKT-CE-2027-0001", "AKT-CE-2027-0002"]),
        ("-reference", ["AKT-CE-2027-0002", "AKT-CE-2027-0001", "AKT-BD-2027-0001"]),
        ("submitted", ["AKT-CE-2027-0001", "AKT-BD-2027-0001", "AKT-CE-2027-0002"]),
        ("-requested", ["AKT-CE-2027-0002", "AKT-CE-2027-0001", "AKT-BD-2027-0001"]),
        ("requested", ["AKT-BD-2027-0001", "AKT-CE-2027-0001", "AKT-CE-2027-0002"]),
        # lifecycle order: submitted, clarification requested, eligible
        ("status", ["AKT-CE-2027-0001", "AKT-BD-2027-0001", "AKT-CE-2027-0002"]),
        ("-status", ["AKT-CE-2027-0002", "AKT-BD-2027-0001", "AKT-CE-2027-0001"]),
        # anything not whitelisted falls back to newest first
        ("title", ["AKT-CE-2027-0002", "AKT-BD-2027-0001", "AKT-CE-2027-0001"]),
        ("search_text;drop", ["AKT-CE-2027-0002", "AKT-BD-2027-0001", "AKT-CE-2027-0001"]),
    ],
)
def test_sorting_by_whitelisted_columns(officer_client, dataset, sort, expected):
    assert _references(officer_client.get(LIST_URL, {"sort": sort})) == expected


@pytest.mark.django_db
def test_sort_links_keep_the_filters(officer_client, dataset):
    html = officer_client.get(LIST_URL, {"status": "eligible", "sort": "reference"}).content.decode()
    assert "?status=eligible&amp;sort=-reference" in html


@pytest.mark.django_db
def test_pages_of_25_cost_the_same_number_of_queries_whichever_the_page(officer_client, django_assert_max_num_queries):
    call = CallFactory(open=True)
    organisation = OrganisationFactory()
    for index in range(60):
        application = ApplicationFactory(submitted=True, call=call, organisation=organisation if index % 2 else None)
        BudgetLineFactory(application=application)
        PartnerFactory(application=application)
    officer_client.get(LIST_URL)  # warm caches (content types, sessions) outside the count
    with django_assert_max_num_queries(10):
        first = officer_client.get(LIST_URL)
    with django_assert_max_num_queries(10):
        last = officer_client.get(LIST_URL, {"page": 3, "sort": "-requested"})
    assert len(_references(first)) == 25
    assert len(_references(last)) == 10
    assert first.context["page_obj"].paginator.count == 60
    assert "Page 3 of 3" in last.content.decode()


# --- One application ----------------------------------------------------------------------------------------------


@pytest.fixture
def full_application(db):
    call = CallFactory(open=True)
    CallQuestionFactory(call=call, key="youth", label_en="How many young people take part?")
    application = ApplicationFactory(
        submitted=True,
        call=call,
        title="Community <b>garden</b>",
        summary="First paragraph.\n\nSecond <script>alert(1)</script> paragraph.",
        organisation=OrganisationFactory(name="Shoqata Ura", communities_represented=["albanian"]),
        applicant_type="cso",
        beneficiaries={"albanian": {"female": 10, "male": 5}, "serb": {"female": 4, "male": 6}},
        answers={"youth": "About forty", "partner-kind": "women"},
        frozen_questions=[
            {
                "key": "youth",
                "kind": "long_text",
                "required": True,
                "label": {"sq": "Sa të rinj?", "sr": "Koliko mladih?", "en": "Young people, as asked at submission"},
                "help": {},
                "choices": [],
            },
            {
                "key": "partner-kind",
                "kind": "choice",
                "required": False,
                "label": {"sq": "Kush?", "sr": "Ko?", "en": "Who benefits most?"},
                "help": {},
                "choices": [
                    {"value": "youth", "label_sq": "Të rinjtë", "label_sr": "Mladi", "label_en": "Youth"},
                    {"value": "women", "label_sq": "Gratë", "label_sr": "Žene", "label_en": "Women"},
                ],
            },
        ],
    )
    BudgetLineFactory(application=application, requested_amount=Decimal("1800.00"), cost_share_amount=Decimal("200"))
    BudgetLineFactory(application=application, requested_amount=Decimal("700.00"), cost_share_amount=Decimal("300"))
    PartnerFactory(application=application, name="Udruženje Most", communities=["serb", "roma"])
    document = DocumentFactory(application=application, original_name="statut.pdf")
    return application, document


@pytest.mark.django_db
def test_detail_shows_everything_the_applicant_sent(officer_client, full_application):
    application, document = full_application
    response = officer_client.get(reverse("staff:application_detail", kwargs={"pk": application.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shoqata Ura" in html and "Udruženje Most" in html
    assert "Albanian, Serb, Roma" in html  # community mix of organisation and partners
    assert "Young people, as asked at submission" in html  # the frozen question, not the call's current one
    assert "How many young people take part?" not in html
    assert "About forty" in html and "Women" in html  # the choice shown by its label
    assert 'data-total="total">3,000.00' in html
    assert 'data-total="requested">2,500.00' in html
    assert 'data-total="cost-share">500.00' in html
    assert "16.67%" in html
    assert reverse("staff:application_document", kwargs={"pk": application.pk, "document_pk": document.pk}) in html
    assert "statut.pdf" in html
    assert "17.05.1995" in html  # a programme officer may see the birth date


@pytest.mark.django_db
def test_detail_escapes_applicant_text_and_keeps_paragraphs(officer_client, full_application):
    application, _document = full_application
    html = officer_client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Community &lt;b&gt;garden&lt;/b&gt;" in html
    assert "<p>First paragraph.</p>" in html


@pytest.mark.django_db
def test_staff_without_personal_data_rights_see_no_birth_date_or_community(client, full_application):
    application, _document = full_application
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    html = client.get(reverse("staff:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert "Udruženje Most" in html
    assert "17.05.1995" not in html
    assert 'data-personal="community"' not in html


@pytest.mark.django_db
def test_drafts_are_not_shown_to_staff(officer_client):
    draft = ApplicationFactory()
    document = DocumentFactory(application=draft)
    assert officer_client.get(reverse("staff:application_detail", kwargs={"pk": draft.pk})).status_code == 404
    url = reverse("staff:application_document", kwargs={"pk": draft.pk, "document_pk": document.pk})
    assert officer_client.get(url).status_code == 404


@pytest.mark.django_db
def test_staff_download_a_document_through_the_permission_checked_view(officer_client, full_application):
    application, document = full_application
    url = reverse("staff:application_document", kwargs={"pk": application.pk, "document_pk": document.pk})
    response = officer_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "statut.pdf" in response["Content-Disposition"]


# --- Who may not -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.USAID_VIEWER, None])
def test_everyone_but_staff_who_read_applications_gets_404(client, full_application, role):
    application, document = full_application
    if role:
        client.force_login(UserFactory(role=role))
    urls = [
        LIST_URL,
        reverse("staff:application_detail", kwargs={"pk": application.pk}),
        reverse("staff:application_document", kwargs={"pk": application.pk, "document_pk": document.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_another_applicant_gets_404_for_a_document_under_both_prefixes(client, full_application):
    application, document = full_application
    kwargs = {"pk": application.pk, "document_pk": document.pk}
    staff_url = reverse("staff:application_document", kwargs=kwargs)
    applicant_url = reverse("application_document", kwargs=kwargs)
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert client.get(staff_url).status_code == 404
    assert client.get(applicant_url).status_code == 404
    client.force_login(application.applicant)  # the owner downloads from their own space, not the staff one
    assert client.get(applicant_url).status_code == 200
    assert client.get(staff_url).status_code == 404


@pytest.mark.django_db
def test_a_document_of_another_application_is_404_under_this_applications_url(officer_client, full_application):
    application, _document = full_application
    other = DocumentFactory(application=ApplicationFactory(submitted=True))
    url = reverse("staff:application_document", kwargs={"pk": application.pk, "document_pk": other.pk})
    assert officer_client.get(url).status_code == 404


@pytest.mark.django_db
def test_detail_page_queries_do_not_grow_with_partners_lines_and_documents(
    officer_client, full_application, django_assert_max_num_queries
):
    application, _document = full_application
    for _index in range(6):
        PartnerFactory(application=application)
        BudgetLineFactory(application=application)
        DocumentFactory(application=application)
    url = reverse("staff:application_detail", kwargs={"pk": application.pk})
    officer_client.get(url)
    # The application, its rows, and the screening, review and decision panels: a fixed number, whatever the rows.
    with django_assert_max_num_queries(15):
        response = officer_client.get(url)
    assert len(re.findall(r'/documents/\d+/"', response.content.decode())) == 7
