import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from accounts.roles import Role
from grants.models import CallStatus, DocumentType
from municipalities.models import Municipality
from tests.factories import UserFactory
from tests.grants.factories import CallCriterionFactory, CallDocumentFactory, CallFactory

pytestmark = pytest.mark.django_db


def _codes_in_order(html):
    return re.findall(r'class="card h-100 call-card" data-code="([^"]+)"', html)


def _municipality(code):
    return Municipality.objects.get(code=code)


def test_the_list_shows_open_calls_first_then_upcoming_then_closed(client):
    closed = CallFactory(closed=True, code="CE-2026-01")
    upcoming = CallFactory(upcoming=True, code="BD-2027-02")
    open_call = CallFactory(open=True, code="MD-2027-03")
    response = client.get("/en/calls/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _codes_in_order(html) == [open_call.code, upcoming.code, closed.code]
    assert html.index("Open calls") < html.index("Upcoming calls") < html.index("Closed calls")


def test_a_draft_call_is_neither_listed_nor_shown(client):
    draft = CallFactory(code="CE-2027-99", title_en="A secret draft")
    CallFactory(open=True)
    html = client.get("/en/calls/").content.decode()
    assert draft.code not in html
    assert "A secret draft" not in html
    assert client.get(f"/en/calls/{draft.code}/").status_code == 404
    assert client.get("/en/calls/NO-SUCH-CALL/").status_code == 404


def test_a_card_shows_code_component_amounts_and_municipalities_in_the_page_language(client):
    CallFactory(
        open=True,
        code="BD-2027-07",
        min_amount="1500.00",
        max_amount="25000.00",
        municipalities=[_municipality("gracanica"), _municipality("leposaviq")],
    )
    html = client.get("/en/calls/").content.decode()
    assert "BD-2027-07" in html
    assert "Civic Engagement" in html
    assert "1,500.00 – 25,000.00 EUR" in html
    assert "Graçanicë, Leposaviq" in html

    html = client.get("/sr/calls/").content.decode()
    assert "1.500,00 – 25.000,00 EUR" in html
    assert "Грачаница" in html and "Лепосавић" in html


def test_amounts_on_the_albanian_site_are_grouped_in_thousands(client):
    CallFactory(open=True, min_amount="1500.00", max_amount="25000.00")
    assert "1.500,00 – 25.000,00 EUR" in client.get("/sq/calls/").content.decode()


def test_the_deadline_is_written_in_local_time(client):
    deadline = datetime.datetime(2027, 3, 15, 15, 0, tzinfo=datetime.UTC)
    call = CallFactory(published=True, opens_at=deadline - datetime.timedelta(days=400), closes_at=deadline)
    for url in ["/en/calls/", f"/en/calls/{call.code}/", f"/sq/calls/{call.code}/"]:
        html = client.get(url).content.decode()
        assert "15.03.2027 16:00" in html, url
        assert "15.03.2027 15:00" not in html, url


def test_an_open_call_has_a_countdown_that_works_without_javascript(client):
    call = CallFactory(open=True, closes_at=timezone.now() + datetime.timedelta(days=3, hours=5, minutes=1))
    for url in ["/en/calls/", f"/en/calls/{call.code}/"]:
        html = client.get(url).content.decode()
        match = re.search(r'<span class="call-countdown[^>]*data-deadline="([^"]+)"[^>]*>([^<]+)</span>', html)
        assert match, url
        deadline = datetime.datetime.fromisoformat(match.group(1))
        assert abs(deadline - call.closes_at) < datetime.timedelta(seconds=1)
        assert match.group(2).strip() == "3 days, 5 hours"
        assert 'data-days-one="1 day"' in html and 'data-days-other="5 days"' in html
        assert re.search(r'<script src="/static/js/countdown.js" defer>', html)


def test_upcoming_and_closed_calls_have_no_countdown(client):
    CallFactory(upcoming=True)
    CallFactory(closed=True)
    html = client.get("/en/calls/").content.decode()
    assert "data-deadline" not in html


def test_the_cyrillic_site_shows_a_latin_only_title_transliterated(client):
    call = CallFactory(open=True, title_sr="Poziv za lokalne inicijative Gračanica", title_sr_cyrl="")
    for url in ["/sr/calls/", f"/sr/calls/{call.code}/"]:
        html = client.get(url).content.decode()
        assert "Позив за локалне иницијативе Грачаница" in html, url
        assert "Poziv za lokalne" not in html, url
    assert "Poziv za lokalne inicijative Gračanica" in client.get(f"/sr-latn/calls/{call.code}/").content.decode()


def test_the_detail_page_shows_everything_an_applicant_needs(client):
    call = CallFactory(
        open=True,
        text_en="First paragraph.\n\nSecond <b>paragraph</b> & more.",
        eligible_applicant_types=["cso", "startup"],
        budget_categories=["works", "equipment"],
        min_cost_share_percent="15.00",
        municipalities=[_municipality("gjilan")],
    )
    CallDocumentFactory(call=call, name_en="Budget table", required=True, allowed_types=["xlsx"])
    CallDocumentFactory(call=call, name_en="Photos of the site", required=False, allowed_types=["image", "pdf"])
    CallCriterionFactory(call=call, name_en="Benefit to several communities", weight="2.50", max_score=20)
    html = client.get(f"/en/calls/{call.code}/").content.decode()

    assert "<p>First paragraph.</p>" in html
    assert "<p>Second &lt;b&gt;paragraph&lt;/b&gt; &amp; more.</p>" in html
    for text in [
        "Civil-society organisation",
        "Start-up",
        "Gjilan",
        "1,000.00 – 10,000.00 EUR",
        "15 %",
        "Works and construction",
        "Equipment",
        "Budget table",
        "Photos of the site",
        "Excel (XLSX)",
        "Image (JPEG, PNG)",
        "Optional",
        "Benefit to several communities",
        "2.50",
        ">20<",
        f"/en/calls/{call.code}/pdf/",
    ]:
        assert text in html, text
    assert "Materials and supplies" not in html
    assert "Existing business" not in html


def test_every_document_type_is_named_on_the_detail_page(client):
    call = CallFactory(open=True)
    CallDocumentFactory(call=call, allowed_types=list(DocumentType.values))
    html = client.get(f"/en/calls/{call.code}/").content.decode()
    for _code, label in DocumentType.choices:
        assert str(label) in html, label


@pytest.mark.parametrize(("trait", "apply_shown"), [("open", True), ("upcoming", False), ("closed", False)])
def test_only_an_open_call_can_be_applied_for(client, trait, apply_shown):
    call = CallFactory(**{trait: True})
    client.force_login(UserFactory(role=Role.APPLICANT))
    html = client.get(f"/en/calls/{call.code}/").content.decode()
    apply_url = f'href="/en/my/applications/start/{call.code}/"'
    assert (apply_url in html) is apply_shown
    assert ("data-apply" in html) is apply_shown
    if trait == "upcoming":
        assert "Applications open on" in html
    if trait == "closed":
        assert "This call is closed." in html


def test_a_visitor_is_asked_to_sign_in_or_create_an_account_to_apply(client):
    call = CallFactory(open=True)
    html = client.get(f"/en/calls/{call.code}/").content.decode()
    assert "Sign in or create an account to apply." in html
    assert "data-apply" not in html
    next_url = f"/en/my/applications/start/{call.code}/"
    assert f'href="/en/accounts/login/?next={next_url}"' in html
    assert f'href="/en/accounts/signup/?next={next_url}"' in html


def test_a_staff_member_is_told_that_only_applicants_apply(client):
    call = CallFactory(open=True)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    response = client.get(f"/en/calls/{call.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-apply" not in html
    assert "Only applicant accounts can apply" in html


@pytest.mark.parametrize("phase", [None, "open"])
def test_the_detail_template_renders_a_draft_as_a_preview_without_a_way_to_apply(phase):
    call = CallFactory(with_form=True, title_en="Draft to check")
    request = RequestFactory().get("/en/staff/calls/1/preview/")
    request.user = UserFactory(role=Role.APPLICANT)
    context = {"call": call, "preview": True, "phase": phase, "user_can_apply": True}
    with translation.override("en"):
        html = render_to_string("grants/public/call_detail.html", context, request=request)
    assert call.status == CallStatus.DRAFT
    assert "Preview — this call is not published yet" in html
    assert "Draft to check" in html
    assert call.criteria.get().name_en in html
    assert "data-apply" not in html
    assert "/pdf/" not in html
    assert "Sign in or create an account" not in html
    assert ("data-deadline" in html) is (phase == "open")  # the preview shows the phase the draft would have


def test_the_home_page_lists_the_open_calls_with_their_deadline_and_link(client):
    deadline = datetime.datetime(2099, 3, 15, 15, 0, tzinfo=datetime.UTC)
    call = CallFactory(open=True, title_sq="Thirrja për iniciativa lokale", closes_at=deadline)
    CallFactory(upcoming=True, title_sq="Thirrja që vjen")
    CallFactory(title_sq="Thirrja draft")
    html = client.get("/sq/").content.decode()
    assert "Thirrja për iniciativa lokale" in html
    assert f'href="/sq/calls/{call.code}/"' in html
    assert "15.03.2099 16:00" in html
    assert "Thirrja që vjen" not in html
    assert "Thirrja draft" not in html
    assert "There are no open calls" not in client.get("/en/").content.decode()


def test_the_list_of_calls_loads_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    municipalities = list(Municipality.objects.all()[:5])
    for index in range(20):
        trait = ["open", "upcoming", "closed"][index % 3]
        CallFactory(**{trait: True}, municipalities=municipalities)
    with django_assert_max_num_queries(2):
        response = client.get("/sr/calls/")
    assert len(_codes_in_order(response.content.decode())) == 20


def test_the_home_page_with_open_calls_loads_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(10):
        CallFactory(open=True, with_form=True)
    with django_assert_max_num_queries(3):
        response = client.get("/sq/")
    assert response.content.decode().count('class="card h-100 call-card"') == 10
