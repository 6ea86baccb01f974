"""Factories for a municipality's partnership, built directly (not through the services) so each test stands alone.

MemorandumFactory()                       a draft MoU of Gjilan, 2026-01-15 → 2028-12-31, ceiling 150,000 EUR
MemorandumFactory(signed=True)            signed on 2026-01-10, with a small signed PDF
FocalPersonFactory(municipality=m) · MunicipalityProfileFactory(municipality=m) · PopulationFigureFactory(…)
pdf_upload(name) / png_upload(name)       uploaded files for the sign form (a PNG under any name)
"""

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from PIL import Image

from municipalities.models import (
    FocalPerson,
    Memorandum,
    MouStatus,
    Municipality,
    MunicipalityProfile,
    OfficialLanguage,
    PopulationFigure,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="memorandum.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name="memorandum.pdf"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _gjilan():
    return Municipality.objects.get(code="gjilan")


class MemorandumFactory(DjangoModelFactory):
    class Meta:
        model = Memorandum

    municipality = factory.LazyFunction(_gjilan)
    reference = factory.Sequence(lambda n: f"MoU-{n + 1:03d}")
    starts_on = datetime.date(2026, 1, 15)
    ends_on = datetime.date(2028, 12, 31)
    signatories = "Mayor of the municipality\nChief of Party, AKT-LS"
    programme_commitments = "Technical assistance for a one-stop shop."
    municipality_commitments = "Staff time and premises."
    programme_ceiling = Decimal("150000.00")
    ceiling_purpose = "infrastructure envelope"
    cofunding_pledge = Decimal("37500.00")
    status = MouStatus.DRAFT

    class Params:
        signed = factory.Trait(
            status=MouStatus.SIGNED,
            signed_on=datetime.date(2026, 1, 10),
            signed_file=factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="signed.pdf")),
        )


class FocalPersonFactory(DjangoModelFactory):
    class Meta:
        model = FocalPerson

    municipality = factory.LazyFunction(_gjilan)
    name = factory.Sequence(lambda n: f"Drita Berisha {n + 1}")
    position = "Head of the economic development office"
    department = "Economic development"
    email = factory.Sequence(lambda n: f"focal{n + 1}@gjilan.example.org")
    phone = "+383 44 000 000"


class MunicipalityProfileFactory(DjangoModelFactory):
    class Meta:
        model = MunicipalityProfile

    municipality = factory.LazyFunction(_gjilan)
    mayor = "Alban Hyseni"
    email = "info@gjilan.example.org"
    official_languages = factory.LazyFunction(lambda: [OfficialLanguage.ALBANIAN, OfficialLanguage.SERBIAN])


class PopulationFigureFactory(DjangoModelFactory):
    class Meta:
        model = PopulationFigure

    municipality = factory.LazyFunction(_gjilan)
    year = 2024
    source = "Kosovo Agency of Statistics, census 2024"
    community = ""
    count = 80000
