"""A business-development grant can be linked to a business already in the list, found from the grant's page."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from businesses.models import Business
from core.choices import Component
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import ApplicantType, ApplicationStatus
from grants.services.business_link import business_link_existing
from tests.businesses.factories import BusinessFactory
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.grant_factories import GrantFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _business_grant():
    application = ApplicationFactory(
        submitted=True,
        status=ApplicationStatus.APPROVED,
        call__component=Component.BUSINESS_DEVELOPMENT,
        applicant_type=ApplicantType.EXISTING_BUSINESS,
    )
    return GrantFactory(application=application, active=True)


def _links(grant):
    return [e for e in audit_entries_for(target=grant) if e.action == "grants.grant.business_linked"]


def test_linking_an_existing_business_sets_it_and_writes_one_audit_entry():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    grant, business = _business_grant(), BusinessFactory(name="Mjalta e Kamenicës")
    assert business_link_existing(actor=officer, grant=grant, business=business) == business
    grant.refresh_from_db()
    assert grant.business == business and list(business.grants.all()) == [grant]
    entries = _links(grant)
    assert len(entries) == 1 and entries[0].data["business"] == business.pk


def test_a_second_link_is_refused_and_names_the_business_already_linked():
    officer = UserFactory(role=Role.MANAGER)
    grant, first, second = _business_grant(), BusinessFactory(name="Pekara Dardania"), BusinessFactory()
    business_link_existing(actor=officer, grant=grant, business=first)
    with pytest.raises(ApplicationError) as refused:
        business_link_existing(actor=officer, grant=grant, business=second)
    assert refused.value.code == "already_linked" and "Pekara Dardania" in refused.value.message
    with pytest.raises(ApplicationError) as again:
        business_link_existing(actor=officer, grant=grant, business=first)
    assert again.value.code == "already_linked_same" and "Pekara Dardania" in again.value.message
    grant.refresh_from_db()
    assert grant.business == first and len(_links(grant)) == 1


def test_a_grant_of_another_component_and_a_role_without_businesses_are_refused():
    business = BusinessFactory()
    civic = GrantFactory()
    with pytest.raises(ApplicationError) as not_business:
        business_link_existing(actor=UserFactory(role=Role.PROGRAMME_OFFICER), grant=civic, business=business)
    assert not_business.value.code == "not_business"
    grant = _business_grant()
    with pytest.raises(ApplicationError) as not_allowed:
        business_link_existing(actor=UserFactory(role=Role.FINANCE_OFFICER), grant=grant, business=business)
    assert not_allowed.value.code == "not_allowed"
    civic.refresh_from_db()
    grant.refresh_from_db()
    assert civic.business_id is None and grant.business_id is None


def test_the_panel_searches_by_name_or_nui_and_links_with_one_button_even_when_clicked_twice(client):
    grant = _business_grant()
    wanted = BusinessFactory(name="Qumështorja Ranilug", registered=True)
    BusinessFactory(name="Furra Prizren")
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    page = reverse("staff:grant_detail", args=[grant.pk])
    html = client.get(page).content.decode()
    assert "data-grant-business-search" in html and "data-business-match=" not in html
    html = client.get(page, {"business_q": "qumësht"}).content.decode()
    assert f'data-business-match="{wanted.pk}"' in html and html.count("data-business-match=") == 1
    assert not nested_forms(html)
    by_nui = client.get(page, {"business_q": wanted.nui}).content.decode()
    assert f'data-business-match="{wanted.pk}"' in by_nui
    fragment = client.get(
        reverse("staff:grant_business_search", args=[grant.pk]), {"business_q": "RANILUG"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'data-business-match="{wanted.pk}"' in fragment and "<html" not in fragment
    link = reverse("staff:grant_business_link", args=[grant.pk])
    assert client.post(link, {"business": wanted.pk}).status_code == 302
    response = client.post(link, {"business": wanted.pk}, follow=True)  # the double click
    grant.refresh_from_db()
    assert grant.business == wanted and len(_links(grant)) == 1
    assert "already linked to Qumështorja Ranilug" in response.content.decode()
    html = client.get(page, {"business_q": "furra"}).content.decode()
    assert f'data-grant-business="{wanted.pk}"' in html and "data-grant-business-search" not in html


def test_linking_another_business_through_the_page_is_refused_with_the_message(client):
    grant = _business_grant()
    first, other = BusinessFactory(name="Bletaria Artana"), BusinessFactory()
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    link = reverse("staff:grant_business_link", args=[grant.pk])
    client.post(link, {"business": first.pk})
    response = client.post(link, {"business": other.pk}, follow=True)
    assert "already linked to Bletaria Artana" in response.content.decode()
    grant.refresh_from_db()
    assert grant.business == first


def test_a_role_without_businesses_gets_404_and_links_nothing(client):
    grant, business = _business_grant(), BusinessFactory()
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert (
        client.post(reverse("staff:grant_business_link", args=[grant.pk]), {"business": business.pk}).status_code == 404
    )
    search = reverse("staff:grant_business_search", args=[grant.pk])
    assert client.get(search, {"business_q": business.name}).status_code == 404
    grant.refresh_from_db()
    assert grant.business_id is None


def test_an_unknown_business_or_grant_answers_404(client):
    grant = _business_grant()
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    link = reverse("staff:grant_business_link", args=[grant.pk])
    assert client.post(link, {"business": "999999"}).status_code == 404
    assert client.post(link, {"business": "x"}).status_code == 404
    missing = reverse("staff:grant_business_link", args=[grant.pk + 1000])
    assert client.post(missing, {"business": BusinessFactory().pk}).status_code == 404
    assert not Business.objects.filter(grants=grant).exists()
