"""Business numbers, owners' shares, formalisation and market links across communities."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from businesses.models import Business, LegalForm, RegistrationStatus, Sector, Stage
from businesses.selectors import formalised_businesses, market_link_counts
from businesses.services import business_create, business_formalise, business_owner_add, market_link_record
from core.choices import Community
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from municipalities.models import Municipality
from tests.businesses.factories import BusinessFactory, BusinessOwnerFactory
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _data(**changes):
    data = {
        "name": "Mishtëria",
        "legal_form": LegalForm.LLC,
        "registration_status": RegistrationStatus.REGISTERED,
        "nui": "811234567",
        "registration_date": datetime.date(2023, 6, 1),
        "sector": Sector.FOOD_PROCESSING,
        "stage": Stage.EXISTING,
        "municipality": Municipality.objects.get(code="gjilan"),
    }
    return data | changes


def test_an_nui_of_8_digits_is_refused_and_nothing_saved(officer):
    with pytest.raises(ValidationError) as refused:
        business_create(actor=officer, data=_data(nui="81123456"))
    assert "nui" in refused.value.message_dict
    assert not Business.objects.exists()


def test_a_fiscal_number_with_letters_and_a_second_business_with_the_same_nui_are_refused(officer):
    with pytest.raises(ValidationError) as refused:
        business_create(actor=officer, data=_data(fiscal_number="60012345A"))
    assert "fiscal_number" in refused.value.message_dict
    business_create(actor=officer, data=_data())
    with pytest.raises(ValidationError):
        business_create(actor=officer, data=_data(name="Another"))
    assert Business.objects.count() == 1


def test_owners_shares_above_100_percent_are_refused_and_the_first_owners_kept(officer):
    business = BusinessFactory()
    business_owner_add(actor=officer, business=business, person=PersonFactory(), share_percent=Decimal("60"))
    with pytest.raises(ApplicationError) as refused:
        business_owner_add(actor=officer, business=business, person=PersonFactory(), share_percent=Decimal("40.01"))
    assert refused.value.code == "shares_over_100"
    business_owner_add(actor=officer, business=business, person=PersonFactory(), share_percent=Decimal("40"))
    assert sorted(o.share_percent for o in business.owners.all()) == [Decimal("40"), Decimal("60")]


def test_formalisation_registers_audits_and_is_counted(officer):
    business = BusinessFactory()
    assert formalised_businesses().count() == 0
    business_formalise(
        actor=officer,
        business=business,
        nui="812345678",
        registration_date=datetime.date(2026, 4, 2),
        legal_form=LegalForm.INDIVIDUAL,
    )
    business.refresh_from_db()
    assert business.registration_status == RegistrationStatus.REGISTERED
    assert (business.nui, business.formalised_on) == ("812345678", datetime.date(2026, 4, 2))
    entry = [e for e in audit_entries_for(target=business) if e.action == "businesses.business.formalised"][0]
    assert (entry.from_status, entry.to_status, entry.actor) == ("not_registered", "registered", officer)
    assert list(formalised_businesses(start=datetime.date(2026, 1, 1))) == [business]
    assert formalised_businesses(end=datetime.date(2025, 12, 31)).count() == 0


def test_formalising_with_a_bad_nui_or_twice_is_refused(officer):
    business = BusinessFactory()
    with pytest.raises(ValidationError):
        business_formalise(
            actor=officer, business=business, nui="1234", registration_date=datetime.date(2026, 4, 2), legal_form="llc"
        )
    business.refresh_from_db()
    assert business.registration_status == RegistrationStatus.NOT_REGISTERED
    registered = BusinessFactory(registered=True)
    with pytest.raises(ApplicationError):
        business_formalise(
            actor=officer,
            business=registered,
            nui="899999999",
            registration_date=datetime.date(2026, 4, 2),
            legal_form="llc",
        )


def _owned_by(community, share=Decimal("100")):
    owner = BusinessOwnerFactory(person=PersonFactory(community=community), share_percent=share)
    return owner.business


def test_links_across_communities_are_marked_and_counted(officer):
    serb_owned = _owned_by(Community.SERB)
    albanian_owned = _owned_by(Community.ALBANIAN)
    data = {"direction": "sale", "product": "Honey", "value": Decimal("1000"), "date": datetime.date(2026, 5, 1)}
    across = market_link_record(
        actor=officer, business=serb_owned, data=data | {"counterpart_business": albanian_owned}
    )
    same = market_link_record(
        actor=officer,
        business=serb_owned,
        data=data
        | {"counterpart_name": "Market Gračanica", "counterpart_community": Community.SERB, "value": Decimal("300")},
    )
    unknown = market_link_record(
        actor=officer,
        business=serb_owned,
        data=data | {"counterpart_organisation": OrganisationFactory(), "counterpart_community": Community.NOT_STATED},
    )
    assert across.crosses_communities and across.counterpart_community == Community.ALBANIAN
    assert across.counterpart_municipality == albanian_owned.municipality
    assert not same.crosses_communities and not unknown.crosses_communities
    assert unknown.counterpart_municipality is not None  # taken from the organisation
    counts = market_link_counts()
    assert (counts["count"], counts["crossing_count"], counts["crossing_value"]) == (3, 1, Decimal("1000"))


def test_the_majority_owners_community_decides_and_a_tie_never_counts_as_crossing(officer):
    business = _owned_by(Community.SERB, Decimal("60"))
    BusinessOwnerFactory(business=business, person=PersonFactory(community=Community.ALBANIAN), share_percent=40)
    data = {"direction": "supply", "product": "Milk", "value": Decimal("50"), "date": datetime.date(2026, 5, 1)}
    link = market_link_record(
        actor=officer, business=business, data=data | {"counterpart_name": "Farm", "counterpart_community": "albanian"}
    )
    assert link.business_community == Community.SERB and link.crosses_communities
    tied = _owned_by(Community.SERB, Decimal("50"))
    BusinessOwnerFactory(business=tied, person=PersonFactory(community=Community.ALBANIAN), share_percent=50)
    link = market_link_record(
        actor=officer, business=tied, data=data | {"counterpart_name": "Farm", "counterpart_community": "albanian"}
    )
    assert link.business_community == "" and not link.crosses_communities


def test_a_finance_officer_cannot_create_a_business():
    with pytest.raises(ApplicationError):
        business_create(actor=UserFactory(role=Role.FINANCE_OFFICER), data=_data())
    assert not Business.objects.exists()
