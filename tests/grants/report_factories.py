"""Factories and uploads for progress reports, built directly (not through the services) so tests stand alone.

ProgressReportFactory()                  a draft quarterly report of an active grant with a plan (two budget lines,
                                         a milestone "Workshops held" and its tranche); period = the grant's first
                                         90 days, due 15 days after
ProgressReportFactory(complete=True)     plus narrative, % complete and one row of people reached: ready to submit
ProgressReportFactory(submitted=True)    complete and submitted (status and submitted_at; no thread message)
ReportBeneficiaryFactory(report=r, community=…, sex=…, age_band=…, count=…)
ReportExpenditureFactory(report=r)       on the grant's first budget line, dated the period's first day, no receipt
ReportFileFactory(expenditure=e)         a receipt (a tiny real PDF) of that expenditure

pdf_upload(), png_upload(), fake_pdf_upload(): files as a browser sends them.
"""

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from core.choices import AgeBand, Community, Sex
from grants.models import (
    ProgressReport,
    ReportBeneficiary,
    ReportExpenditure,
    ReportFile,
    ReportFileKind,
    ReportKind,
    ReportStatus,
)
from tests.grants.application_factories import PDF_BYTES
from tests.grants.grant_factories import GrantFactory


def pdf_upload(name="receipt.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_bytes(size=(640, 480), colour=(20, 120, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fake_pdf_upload(name="receipt.pdf"):
    """A Word-like document renamed to .pdf: the name and the declared type lie, the content does not."""
    return SimpleUploadedFile(name, b"PK\x03\x04 this is a zip, not a pdf" * 10, content_type="application/pdf")


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    grant = factory.SubFactory(
        GrantFactory,
        active=True,
        with_plan=True,
        start_date=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60)),
        end_date=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=300)),
    )
    number = factory.Sequence(lambda n: n + 1)
    kind = ReportKind.PERIODIC
    period_start = factory.LazyAttribute(lambda o: o.grant.start_date)
    period_end = factory.LazyAttribute(lambda o: o.grant.start_date + datetime.timedelta(days=89))
    due_date = factory.LazyAttribute(lambda o: o.period_end + datetime.timedelta(days=15))
    status = ReportStatus.DRAFT

    class Params:
        complete = factory.Trait(
            narrative="Three workshops held with 45 young people.",
            percent_complete=40,
            people=factory.RelatedFactory(
                "tests.grants.report_factories.ReportBeneficiaryFactory", factory_related_name="report"
            ),
        )
        submitted = factory.Trait(
            complete=True, status=ReportStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )


class ReportBeneficiaryFactory(DjangoModelFactory):
    class Meta:
        model = ReportBeneficiary

    report = factory.SubFactory(ProgressReportFactory)
    community = Community.ALBANIAN
    sex = Sex.FEMALE
    age_band = AgeBand.YOUTH
    count = 25


class ReportExpenditureFactory(DjangoModelFactory):
    class Meta:
        model = ReportExpenditure

    report = factory.SubFactory(ProgressReportFactory)
    budget_line = factory.LazyAttribute(lambda o: o.report.grant.budget_lines.first())
    description = factory.Sequence(lambda n: f"Invoice {n + 1}")
    amount = Decimal("120.00")
    spent_on = factory.LazyAttribute(lambda o: o.report.period_start)


class ReportFileFactory(DjangoModelFactory):
    class Meta:
        model = ReportFile

    expenditure = factory.SubFactory(ReportExpenditureFactory)
    report = factory.LazyAttribute(lambda o: o.expenditure.report)
    kind = ReportFileKind.RECEIPT
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="receipt.pdf"))
    original_name = "receipt.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
