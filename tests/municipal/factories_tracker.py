"""Factories for the municipal services tracker, built directly (not through the services) so each test stands alone.

TrackerPackageFactory(municipality=m) · TrackerActivityFactory(package=p)   the TA work a service can be linked to
MunicipalServiceFactory(municipality=m)                                      a service of Gjilan by default
ServiceMeasureFactory(service=s, kind=…, measured_on=…, value=…)             a follow-up without evidence
ServiceMeasureFactory(baseline=True) · ServiceMeasureFactory(with_evidence=True)
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from municipal.models import (
    ActivityType,
    MeasureKind,
    MunicipalService,
    ServiceCategory,
    ServiceMeasure,
    TAActivity,
    TAPackage,
)
from municipalities.models import Municipality
from tests.factories import UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def municipality(code="gjilan"):
    return Municipality.objects.get(code=code)


class TrackerPackageFactory(DjangoModelFactory):
    class Meta:
        model = TAPackage

    municipality = factory.LazyFunction(municipality)
    title = factory.Sequence(lambda n: f"Technical assistance {n + 1}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2027, 12, 31)
    objectives = "Faster and more varied services for businesses."
    budget = Decimal("40000.00")


class TrackerActivityFactory(DjangoModelFactory):
    class Meta:
        model = TAActivity

    package = factory.SubFactory(TrackerPackageFactory)
    type = ActivityType.PROCESS_IMPROVEMENT
    title = factory.Sequence(lambda n: f"One-stop shop redesign {n + 1}")
    department = "Economic development"
    starts_on = datetime.date(2026, 2, 1)
    ends_on = datetime.date(2026, 5, 31)


class MunicipalServiceFactory(DjangoModelFactory):
    class Meta:
        model = MunicipalService

    municipality = factory.LazyFunction(municipality)
    category = ServiceCategory.BUSINESS_REGISTRATION
    name = factory.Sequence(lambda n: f"Business registration help desk {n + 1}")


class ServiceMeasureFactory(DjangoModelFactory):
    class Meta:
        model = ServiceMeasure

    service = factory.SubFactory(MunicipalServiceFactory)
    kind = MeasureKind.PROCESSING_DAYS
    measured_on = datetime.date(2026, 6, 30)
    value = Decimal("12")
    is_baseline = False
    source = "Municipal register"
    recorded_by = factory.SubFactory(UserFactory)

    class Params:
        baseline = factory.Trait(is_baseline=True, measured_on=datetime.date(2026, 1, 31), value=Decimal("30"))
        with_evidence = factory.Trait(
            evidence=factory.django.FileField(data=PDF_BYTES, filename="survey.pdf"),
            evidence_name="survey.pdf",
        )
