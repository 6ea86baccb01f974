"""Factories for calls for proposals, with traits per lifecycle state.

CallFactory()                              a draft call whose dates are open now (opened yesterday, closes in 30 days)
CallFactory(published=True)                published, open now (same as open=True)
CallFactory(open=True)                     published, opened yesterday, closes in 30 days
CallFactory(upcoming=True)                 published, opens in 7 days
CallFactory(closed=True)                   status closed, deadline 30 days ago
CallFactory(with_form=True)                adds one question, one criterion, one required document and
                                           the 16 partner municipalities (what call_publish asks for)
CallFactory(municipalities=[m1, m2])       sets exactly these eligible municipalities
CallQuestionFactory(call=call, choice=True)  a choice question with three options
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.choices import Component
from grants.models import (
    ApplicantType,
    BudgetCategory,
    Call,
    CallCriterion,
    CallDocument,
    CallQuestion,
    CallStatus,
    DocumentType,
    QuestionKind,
)


def _days_from_now(days):
    return factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=days))


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CE-2027-{n + 1:03d}")
    component = Component.CIVIC_ENGAGEMENT
    status = CallStatus.DRAFT
    title_sq = factory.Sequence(lambda n: f"Thirrje për propozime {n + 1}")
    title_sr = factory.Sequence(lambda n: f"Poziv za predloge {n + 1}")
    title_en = factory.Sequence(lambda n: f"Call for proposals {n + 1}")
    text_sq = "Teksti i plotë i thirrjes."
    text_sr = "Pun tekst poziva."
    text_en = "The full text of the call."
    opens_at = _days_from_now(-1)
    closes_at = _days_from_now(30)
    eligible_applicant_types = factory.LazyFunction(
        lambda: [ApplicantType.CSO.value, ApplicantType.INFORMAL_GROUP.value]
    )
    min_amount = Decimal("1000.00")
    max_amount = Decimal("10000.00")
    min_cost_share_percent = Decimal("10.00")
    budget_categories = factory.LazyFunction(lambda: list(BudgetCategory.values))
    min_reviewers = 2

    class Params:
        published = factory.Trait(status=CallStatus.PUBLISHED)
        open = factory.Trait(status=CallStatus.PUBLISHED, opens_at=_days_from_now(-1), closes_at=_days_from_now(30))
        upcoming = factory.Trait(status=CallStatus.PUBLISHED, opens_at=_days_from_now(7), closes_at=_days_from_now(37))
        closed = factory.Trait(status=CallStatus.CLOSED, opens_at=_days_from_now(-60), closes_at=_days_from_now(-30))

    @factory.post_generation
    def municipalities(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            obj.eligible_municipalities.set(extracted)

    @factory.post_generation
    def with_form(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        from municipalities.selectors import partner_municipalities

        if not obj.eligible_municipalities.exists():
            obj.eligible_municipalities.set(partner_municipalities())
        CallQuestionFactory(call=obj, key="summary", label_sq="Përmbledhja e projektit", label_en="Project summary")
        CallCriterionFactory(call=obj)
        CallDocumentFactory(call=obj)


class CallQuestionFactory(DjangoModelFactory):
    class Meta:
        model = CallQuestion

    call = factory.SubFactory(CallFactory)
    key = factory.Sequence(lambda n: f"question-{n + 1}")
    kind = QuestionKind.LONG_TEXT
    required = True
    label_sq = factory.Sequence(lambda n: f"Pyetja {n + 1}")
    label_sr = factory.Sequence(lambda n: f"Pitanje {n + 1}")
    label_en = factory.Sequence(lambda n: f"Question {n + 1}")
    order = factory.Sequence(lambda n: n)

    class Params:
        choice = factory.Trait(
            kind=QuestionKind.CHOICE,
            choices=factory.LazyFunction(
                lambda: [
                    {"value": "youth", "label_sq": "Të rinjtë", "label_sr": "Mladi", "label_en": "Youth"},
                    {"value": "women", "label_sq": "Gratë", "label_sr": "Žene", "label_en": "Women"},
                    {"value": "all", "label_sq": "Të gjithë", "label_sr": "Svi", "label_en": "Everyone"},
                ]
            ),
        )


class CallCriterionFactory(DjangoModelFactory):
    class Meta:
        model = CallCriterion

    call = factory.SubFactory(CallFactory)
    name_sq = factory.Sequence(lambda n: f"Kriteri {n + 1}")
    name_sr = factory.Sequence(lambda n: f"Kriterijum {n + 1}")
    name_en = factory.Sequence(lambda n: f"Criterion {n + 1}")
    weight = Decimal("1.00")
    max_score = 10
    order = factory.Sequence(lambda n: n)


class CallDocumentFactory(DjangoModelFactory):
    class Meta:
        model = CallDocument

    call = factory.SubFactory(CallFactory)
    name_sq = factory.Sequence(lambda n: f"Dokumenti {n + 1}")
    name_sr = factory.Sequence(lambda n: f"Dokument {n + 1}")
    name_en = factory.Sequence(lambda n: f"Document {n + 1}")
    required = True
    allowed_types = factory.LazyFunction(lambda: [DocumentType.PDF.value])
    order = factory.Sequence(lambda n: n)
