"""Factories for businesses, built directly (not through the services) so each test stands alone.

BusinessFactory()                          a start-up, not registered, in Gjilan
BusinessFactory(registered=True)           registered with a 9-digit NUI and a registration date
BusinessOwnerFactory(business=b, person=p, share_percent=…)
SnapshotFactory(business=b) · SnapshotEmploymentFactory(snapshot=s, …)
MarketLinkFactory(business=b, counterpart_name="…", counterpart_community="serb")
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from businesses.models import (
    Business,
    BusinessOwner,
    Direction,
    LegalForm,
    MarketLink,
    RegistrationStatus,
    Sector,
    Snapshot,
    SnapshotEmployment,
    SnapshotKind,
    Stage,
)
from core.choices import AgeBand, Community, Sex
from municipalities.models import Municipality
from tests.factories import PersonFactory


class BusinessFactory(DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Biznesi {n + 1}")
    legal_form = LegalForm.NOT_REGISTERED
    registration_status = RegistrationStatus.NOT_REGISTERED
    sector = Sector.FOOD_PROCESSING
    stage = Stage.STARTUP
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gjilan"))

    class Params:
        registered = factory.Trait(
            legal_form=LegalForm.LLC,
            registration_status=RegistrationStatus.REGISTERED,
            nui=factory.Sequence(lambda n: f"{810000000 + n}"),
            registration_date=datetime.date(2024, 3, 1),
            stage=Stage.EXISTING,
        )


class BusinessOwnerFactory(DjangoModelFactory):
    class Meta:
        model = BusinessOwner

    business = factory.SubFactory(BusinessFactory)
    person = factory.SubFactory(PersonFactory)
    share_percent = Decimal("100")


class SnapshotFactory(DjangoModelFactory):
    class Meta:
        model = Snapshot

    business = factory.SubFactory(BusinessFactory)
    date = datetime.date(2026, 1, 15)
    kind = SnapshotKind.BASELINE
    annual_sales = Decimal("20000.00")


class SnapshotEmploymentFactory(DjangoModelFactory):
    class Meta:
        model = SnapshotEmployment

    snapshot = factory.SubFactory(SnapshotFactory)
    sex = Sex.FEMALE
    age_band = AgeBand.YOUTH
    full_time_count = 1


class MarketLinkFactory(DjangoModelFactory):
    class Meta:
        model = MarketLink

    business = factory.SubFactory(BusinessFactory)
    counterpart_name = factory.Sequence(lambda n: f"Buyer {n + 1}")
    counterpart_community = Community.SERB
    direction = Direction.SALE
    product = "Ajvar"
    value = Decimal("1500.00")
    date = datetime.date(2026, 5, 1)
