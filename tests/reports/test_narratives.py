"""Narratives of the quarterly report: who may write them, saving a section, a save that someone else's save
overtook (refused, with the typed text kept), the length limit, history and the audit entry."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry
from reports.models import Narrative
from reports.periods import fiscal_year_of, quarter_of
from reports.services.narratives import MAX_NARRATIVE_LENGTH, StaleNarrative, narrative_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def edit_url(section="executive_summary", fy=2027, q=1):
    return reverse("staff:narrative_edit", args=[fy, q, section])


def list_url(**params):
    url = reverse("staff:narratives")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def client_for(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [Role.USAID_VIEWER, Role.FINANCE_OFFICER, Role.APPLICANT, Role.REVIEWER])
def test_roles_that_do_not_write_narratives_get_404_on_the_list_and_the_edit_page(client, role):
    client_for(client, role)
    assert client.get(list_url(fy=2027, q=1)).status_code == 404
    assert client.get(edit_url()).status_code == 404
    response = client.post(edit_url(), {"text": "Intruder", "version": 0})
    assert response.status_code == 404
    assert not Narrative.objects.exists()


def test_anonymous_visitor_cannot_open_the_narratives(client):
    response = client.get(list_url())
    assert response.status_code in (302, 404)
    assert not Narrative.objects.exists()


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER])
def test_programme_officer_and_me_officer_write_a_section_and_see_it_listed(client, role):
    user = client_for(client, role)
    response = client.post(edit_url("challenges"), {"text": "Two municipalities delayed the MoU.", "version": 0})
    assert response.status_code == 302
    assert response["Location"] == list_url(fy=2027, q=1)
    narrative = Narrative.objects.get(fiscal_year=2027, quarter=1, section="challenges")
    assert (narrative.text, narrative.updated_by, narrative.version) == ("Two municipalities delayed the MoU.", user, 1)

    page = client.get(list_url(fy=2027, q=1)).content.decode()
    assert "Two municipalities delayed the MoU." in page
    assert page.count("Not written yet.") == 5  # the five other sections
    assert user.get_full_name() in page


def test_list_defaults_to_the_current_quarter(client):
    client_for(client, Role.ME_OFFICER)
    response = client.get(list_url())
    assert response.status_code == 200
    today = response.context["period"].start
    from django.utils import timezone

    now = timezone.localdate()
    assert (response.context["fiscal_year"], response.context["quarter"]) == (fiscal_year_of(now), quarter_of(now))
    assert today <= now <= response.context["period"].end


@pytest.mark.parametrize(
    "url",
    [
        edit_url("not_a_section"),
        edit_url(q=5),
        edit_url(q=0),
        edit_url(fy=1999),
    ],
)
def test_unknown_section_or_quarter_answers_404(client, url):
    client_for(client, Role.ME_OFFICER)
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x", "version": 0}).status_code == 404


def test_list_with_an_impossible_quarter_answers_404(client):
    client_for(client, Role.ME_OFFICER)
    assert client.get(list_url(fy=2027, q=7)).status_code == 404
    assert client.get(list_url(fy="abc")).status_code == 404


def test_concurrent_edit_is_refused_and_the_typed_text_is_kept(client):
    me = client_for(client, Role.ME_OFFICER)
    colleague = UserFactory(role=Role.PROGRAMME_OFFICER, first_name="Blerta", last_name="Hoxha")
    narrative_save(actor=me, fiscal_year=2027, quarter=1, section="executive_summary", text="First draft", version=0)
    # Both open the page at version 1; the colleague saves first.
    form = client.get(edit_url()).context["form"]
    assert form.initial == {"text": "First draft", "version": 1}
    narrative_save(
        actor=colleague, fiscal_year=2027, quarter=1, section="executive_summary", text="Colleague's text", version=1
    )

    response = client.post(edit_url(), {"text": "My long careful paragraph", "version": 1})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this section after you opened it" in page
    assert "My long careful paragraph" in page  # what I typed, still in the box
    assert "Colleague&#x27;s text" in page  # what they saved, shown beside it
    assert "Blerta Hoxha" in page
    narrative = Narrative.objects.get()
    assert (narrative.text, narrative.version, narrative.updated_by) == ("Colleague's text", 2, colleague)
    # The form now carries their version: saving again (after merging) goes through.
    assert response.context["form"]["version"].value() == 2
    response = client.post(edit_url(), {"text": "Merged text", "version": 2})
    assert response.status_code == 302
    assert Narrative.objects.get().text == "Merged text"


def test_first_save_of_a_section_someone_else_just_wrote_is_refused():
    me, other = UserFactory(role=Role.ME_OFFICER), UserFactory(role=Role.MANAGER)
    narrative_save(actor=other, fiscal_year=2027, quarter=2, section="next_quarter", text="Theirs", version=0)
    with pytest.raises(StaleNarrative) as error:
        narrative_save(actor=me, fiscal_year=2027, quarter=2, section="next_quarter", text="Mine", version=0)
    assert error.value.current.text == "Theirs"
    assert Narrative.objects.get().text == "Theirs"


def test_text_over_the_limit_is_refused_with_a_clear_message_and_kept(client):
    client_for(client, Role.PROGRAMME_OFFICER)
    text = "a" * (MAX_NARRATIVE_LENGTH + 1)
    response = client.post(edit_url(), {"text": text, "version": 0})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        f"The text has {MAX_NARRATIVE_LENGTH + 1} characters; a section may hold at most {MAX_NARRATIVE_LENGTH}" in page
    )
    assert text in page
    assert not Narrative.objects.exists()


def test_service_refuses_a_text_over_the_limit_and_a_person_without_the_role():
    with pytest.raises(ApplicationError) as error:
        narrative_save(
            actor=UserFactory(role=Role.ME_OFFICER),
            fiscal_year=2027,
            quarter=1,
            section="challenges",
            text="b" * (MAX_NARRATIVE_LENGTH + 1),
            version=0,
        )
    assert error.value.code == "too_long"
    with pytest.raises(ApplicationError) as error:
        narrative_save(
            actor=UserFactory(role=Role.FINANCE_OFFICER),
            fiscal_year=2027,
            quarter=1,
            section="challenges",
            text="ok",
            version=0,
        )
    assert error.value.code == "denied"
    assert not Narrative.objects.exists()


def test_each_save_writes_an_audit_entry_and_keeps_the_previous_text_in_the_history():
    user = UserFactory(role=Role.ME_OFFICER)
    first = narrative_save(
        actor=user, fiscal_year=2027, quarter=3, section="business_development", text="Version one", version=0
    )
    narrative_save(
        actor=user, fiscal_year=2027, quarter=3, section="business_development", text="Version two", version=1
    )
    # Saving the same text again changes nothing: no new version, no entry.
    narrative_save(
        actor=user, fiscal_year=2027, quarter=3, section="business_development", text="Version two", version=2
    )

    entries = AuditEntry.objects.filter(action="reports.narrative.saved", object_id=str(first.pk)).order_by("pk")
    assert [entry.data["version"] for entry in entries] == [1, 2]
    assert entries[1].actor == user
    assert entries[1].data["section"] == "business_development"
    narrative = Narrative.objects.get()
    assert narrative.version == 2
    assert [h.text for h in narrative.history.order_by("history_id")] == ["Version one", "Version two"]


def test_list_costs_the_same_queries_with_no_section_written_or_all_six(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import NarrativeSection

    client_for(client, Role.MANAGER)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(list_url(fy=2027, q=2)).status_code == 200
        return len(context.captured_queries)

    empty = queries()
    for code in NarrativeSection.values:
        author = UserFactory(role=Role.PROGRAMME_OFFICER)
        narrative_save(actor=author, fiscal_year=2027, quarter=2, section=code, text=f"Text of {code}", version=0)
    assert queries() == empty
