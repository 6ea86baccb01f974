"""A business-development grant's business is created from its application without retyping."""

import pytest
from django.urls import reverse

from accounts.models import OrganisationType
from accounts.roles import Role
from businesses.models import Business, RegistrationStatus, Stage
from core.choices import Component
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import ApplicantType, ApplicationStatus
from grants.services.business_link import business_create_from_grant
from municipalities.models import Municipality
from tests.factories import OrganisationFactory, UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _business_grant(**organisation):
    application = ApplicationFactory(
        submitted=True,
        status=ApplicationStatus.APPROVED,
        call__component=Component.BUSINESS_DEVELOPMENT,
        applicant_type=ApplicantType.EXISTING_BUSINESS,
        organisation=OrganisationFactory(
            **{
                "type": OrganisationType.BUSINESS,
                "name": "Bletaria Ranilug",
                "registration_number": "812000111",
                "fiscal_number": "600111222",
                "municipality": Municipality.objects.get(code="ranillug"),
            }
            | organisation
        ),
    )
    return GrantFactory(application=application, active=True)


def test_creating_the_business_copies_name_numbers_municipality_and_owner_and_is_idempotent():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    grant = _business_grant()
    business = business_create_from_grant(actor=officer, grant=grant, sector="agriculture")
    assert (business.name, business.nui, business.fiscal_number) == ("Bletaria Ranilug", "812000111", "600111222")
    assert business.municipality.code == "ranillug" and business.sector == "agriculture"
    assert business.registration_status == RegistrationStatus.REGISTERED and business.stage == Stage.EXISTING
    owner = business.owners.get()
    assert owner.person == grant.application.person and owner.share_percent == 100
    grant.refresh_from_db()
    assert grant.business == business and list(business.grants.all()) == [grant]
    assert "grants.grant.business_linked" in [e.action for e in audit_entries_for(target=grant)]
    assert business_create_from_grant(actor=officer, grant=grant) == business
    assert Business.objects.count() == 1


def test_an_invalid_registration_number_makes_an_unregistered_business():
    grant = _business_grant(registration_number="70/2019")
    business = business_create_from_grant(actor=UserFactory(role=Role.MANAGER), grant=grant)
    assert business.nui == "" and business.registration_status == RegistrationStatus.NOT_REGISTERED


def test_a_civic_grant_has_no_business_and_finance_cannot_create_one():
    civic = GrantFactory()
    with pytest.raises(ApplicationError):
        business_create_from_grant(actor=UserFactory(role=Role.PROGRAMME_OFFICER), grant=civic)
    with pytest.raises(ApplicationError):
        business_create_from_grant(actor=UserFactory(role=Role.FINANCE_OFFICER), grant=_business_grant())
    assert not Business.objects.exists()


def test_the_grant_page_offers_the_button_and_then_links_the_business(client):
    grant = _business_grant()
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    page = reverse("staff:grant_detail", args=[grant.pk])
    assert "data-grant-business-create" in client.get(page).content.decode()
    response = client.post(reverse("staff:grant_business_create", args=[grant.pk]), {"sector": "crafts"})
    business = Business.objects.get()
    assert response.status_code == 302 and business.sector == "crafts"
    html = client.get(page).content.decode()
    assert f'data-grant-business="{business.pk}"' in html and "data-grant-business-create" not in html
    assert grant.number in client.get(reverse("staff:business_detail", args=[business.pk])).content.decode()


def test_the_grant_page_of_finance_shows_no_business_panel_and_its_post_is_404(client):
    grant = _business_grant()
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert "section-business" not in client.get(reverse("staff:grant_detail", args=[grant.pk])).content.decode()
    assert client.post(reverse("staff:grant_business_create", args=[grant.pk])).status_code == 404
    assert not Business.objects.exists()
