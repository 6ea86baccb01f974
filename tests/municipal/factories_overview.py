"""Factories for the municipality page's tests, built directly (not through the services) so each test stands alone.

OverviewMemorandumFactory(municipality=m)        a signed MoU 2026-01-15 → 2028-12-31, ceiling 150,000, pledge 37,500
PackageFactory(municipality=m)                   a TA package of 2026–2027
ActivityFactory(package=p, status=…)             a TA activity (needs assessment) inside the package's period
HearingFactory(package=p)                        a public hearing; add HearingAttendanceFactory(activity=h, …)
ServiceFactory(municipality=m)                   a tracked municipal service
grant_in(municipality, component, status=…, amount=…)   a grant of an application located in `municipality`
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from core.choices import Community, Component, Sex
from grants.models import GrantStatus
from municipal.models import (
    ActivityStatus,
    ActivityType,
    HearingAttendance,
    MunicipalService,
    ServiceCategory,
    TAActivity,
    TAPackage,
)
from municipalities.models import Memorandum, MouStatus, Municipality
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory


def _gjilan():
    return Municipality.objects.get(code="gjilan")


class OverviewMemorandumFactory(DjangoModelFactory):
    class Meta:
        model = Memorandum

    municipality = factory.LazyFunction(_gjilan)
    reference = factory.Sequence(lambda n: f"MoU-O-{n + 1:03d}")
    signed_on = datetime.date(2026, 1, 15)
    starts_on = datetime.date(2026, 1, 15)
    ends_on = datetime.date(2028, 12, 31)
    signatories = "Mayor\nChief of Party"
    programme_commitments = "Technical assistance."
    municipality_commitments = "Staff time."
    programme_ceiling = Decimal("150000.00")
    ceiling_purpose = "infrastructure envelope"
    cofunding_pledge = Decimal("37500.00")
    status = MouStatus.SIGNED


class PackageFactory(DjangoModelFactory):
    class Meta:
        model = TAPackage

    municipality = factory.LazyFunction(_gjilan)
    title = factory.Sequence(lambda n: f"TA package {n + 1}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2027, 12, 31)
    objectives = "Better services for businesses."
    budget = Decimal("40000.00")


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = TAActivity

    package = factory.SubFactory(PackageFactory)
    type = ActivityType.NEEDS_ASSESSMENT
    title = factory.Sequence(lambda n: f"Activity {n + 1}")
    department = "Economic development"
    starts_on = datetime.date(2026, 3, 1)
    ends_on = datetime.date(2026, 4, 30)
    status = ActivityStatus.PLANNED
    cost = Decimal("2500.00")


class HearingFactory(ActivityFactory):
    type = ActivityType.PUBLIC_HEARING
    title = factory.Sequence(lambda n: f"Public hearing {n + 1}")
    status = ActivityStatus.DELIVERED


class HearingAttendanceFactory(DjangoModelFactory):
    class Meta:
        model = HearingAttendance

    activity = factory.SubFactory(HearingFactory)
    community = Community.ALBANIAN
    sex = Sex.FEMALE
    count = 10


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = MunicipalService

    municipality = factory.LazyFunction(_gjilan)
    category = ServiceCategory.BUSINESS_REGISTRATION
    name = factory.Sequence(lambda n: f"Service {n + 1}")


def grant_in(municipality, component=Component.CIVIC_ENGAGEMENT, *, status=GrantStatus.ACTIVE, **fields):
    """A grant of an application located in `municipality`, under a call of `component`."""
    call = CallFactory(open=True, component=component)
    application = ApplicationFactory(call=call, municipality=municipality, submitted=True, status="approved")
    return GrantFactory(application=application, status=status, **fields)
