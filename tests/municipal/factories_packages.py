"""Factories for technical-assistance packages, built directly (not through the services) so each test stands alone.

TAPackageFactory()                                  a package of Gjilan for 2026-01-01 – 2027-12-31, budget 50,000
TAActivityFactory(package=p)                        a planned needs assessment 2026-02-01 – 2026-03-31, cost 4,000
TAActivityFactory(package=p, delivered=True)        …delivered; in_progress=True / accepted=True also exist
TAActivityFactory(package=p, hearing=True)          a public hearing (one day)
DeliverableFactory(activity=a) · DeliverableVersionFactory(deliverable=d, number=…)   a PDF version
pdf_upload(name) · png_upload(name) · text_upload(name)   files as a browser would upload them
"""

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from PIL import Image

from municipal.models import (
    ActivityStatus,
    ActivityType,
    Deliverable,
    DeliverableVersion,
    TAActivity,
    TAPackage,
)
from municipalities.models import Municipality
from tests.factories import UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name="report.pdf", marker=b""):
    return SimpleUploadedFile(name, PDF_BYTES + marker, content_type="application/pdf")


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_upload(name="report.pdf"):
    """A file named like a PDF whose content is plain text (or a script)."""
    return SimpleUploadedFile(name, b"<script>alert(1)</script> not a document\n" * 20, content_type="application/pdf")


class TAPackageFactory(DjangoModelFactory):
    class Meta:
        model = TAPackage

    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gjilan"))
    title = factory.Sequence(lambda n: f"Paketa e asistencës {n + 1}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2027, 12, 31)
    objectives = "Faster business registration and a one-stop shop."
    budget = Decimal("50000.00")


class TAActivityFactory(DjangoModelFactory):
    class Meta:
        model = TAActivity

    package = factory.SubFactory(TAPackageFactory)
    type = ActivityType.NEEDS_ASSESSMENT
    title = factory.Sequence(lambda n: f"Activity {n + 1}")
    department = "Economic development"
    starts_on = datetime.date(2026, 2, 1)
    ends_on = datetime.date(2026, 3, 31)
    cost = Decimal("4000.00")
    status = ActivityStatus.PLANNED

    class Params:
        in_progress = factory.Trait(status=ActivityStatus.IN_PROGRESS)
        delivered = factory.Trait(status=ActivityStatus.DELIVERED)
        accepted = factory.Trait(
            status=ActivityStatus.ACCEPTED, accepted_on=datetime.date(2026, 4, 10), accepted_by="Drejtori"
        )
        cancelled = factory.Trait(status=ActivityStatus.CANCELLED)
        hearing = factory.Trait(
            type=ActivityType.PUBLIC_HEARING,
            title=factory.Sequence(lambda n: f"Public hearing {n + 1}"),
            starts_on=datetime.date(2026, 5, 12),
            ends_on=datetime.date(2026, 5, 12),
        )


class DeliverableFactory(DjangoModelFactory):
    class Meta:
        model = Deliverable

    activity = factory.SubFactory(TAActivityFactory)
    title = factory.Sequence(lambda n: f"Deliverable {n + 1}")


class DeliverableVersionFactory(DjangoModelFactory):
    class Meta:
        model = DeliverableVersion

    deliverable = factory.SubFactory(DeliverableFactory)
    number = 1
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="deliverable.pdf"))
    original_name = "deliverable.pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)
