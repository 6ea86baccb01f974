"""Factories for applications, built directly (not through the services) so staff-side tests stand alone.

    ApplicationFactory()                      a draft of an open call, by an applicant, located in Gjilan
    ApplicationFactory(submitted=True)        submitted: reference AKT-CE-2027-0001…, submitted_at now, declaration
    ApplicationFactory(submitted=True, municipality=m, title="…", submitted_at=…)
    BudgetLineFactory(application=a, requested_amount=…, cost_share_amount=…)   quantity 1, unit cost = their sum
    PartnerFactory(application=a, communities=["serb"])
    DocumentFactory(application=a)            a tiny real PDF stored through the model's FileField

search_text is filled after creation the way grants.services.applications does it (folded reference, title,
applicant, organisation and every name of the municipality).
"""

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.text import fold
from grants.models import (
    ApplicantType,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    BudgetCategory,
    BudgetLine,
    Partner,
)
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.grants.factories import CallFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def search_text_of(application):
    parts = [application.reference or "", application.title, str(application.person)]
    if application.organisation_id:
        parts.append(application.organisation.name)
    if application.municipality_id:
        m = application.municipality
        parts += [m.name_sq, m.name_sr_latn, m.name_sr_cyrl, m.name_en]
    return fold(" ".join(parts))


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory, open=True)
    applicant = factory.SubFactory(UserFactory, role="applicant")
    person = factory.SubFactory(PersonFactory, user=factory.SelfAttribute("..applicant"))
    organisation = None
    applicant_type = ApplicantType.INFORMAL_GROUP
    status = ApplicationStatus.DRAFT
    title = factory.Sequence(lambda n: f"Project {n + 1}")
    summary = "A short summary."
    problem = "The problem."
    solution = "The solution."
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gjilan"))
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=240))
    communities_involved = factory.LazyFunction(lambda: ["albanian", "serb"])
    inter_ethnic_description = "Both communities run the project together."

    class Params:
        submitted = factory.Trait(
            status=ApplicationStatus.SUBMITTED,
            reference=factory.Sequence(lambda n: f"AKT-CE-2027-{n + 1:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
            declaration_accepted=True,
        )

    @factory.post_generation
    def index_for_search(obj, create, extracted, **kwargs):
        if create:
            Application.objects.filter(pk=obj.pk).update(search_text=search_text_of(obj))
            obj.search_text = search_text_of(obj)


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    category = BudgetCategory.EQUIPMENT
    description = factory.Sequence(lambda n: f"Item {n + 1}")
    unit = "piece"
    quantity = Decimal("1")
    requested_amount = Decimal("900.00")
    cost_share_amount = Decimal("100.00")
    unit_cost = factory.LazyAttribute(lambda o: o.requested_amount + o.cost_share_amount)
    contributor = factory.LazyAttribute(lambda o: "The municipality" if o.cost_share_amount else "")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"Partner {n + 1}")
    type = ApplicantType.CSO
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="gracanica"))
    communities = factory.LazyFunction(lambda: ["serb"])
    role = "Co-organises the events."


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = ApplicationDocument

    application = factory.SubFactory(ApplicationFactory)
    call_document = None
    original_name = "statute.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SelfAttribute("application.applicant")
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="statute.pdf"))
