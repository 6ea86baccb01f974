"""Factories for grants, built directly (not through grant_create_from_application) so grant tests stand alone.

GrantFactory()                          awaiting signature, 10,000.00 EUR, for an approved application
GrantFactory(active=True)               signed and active
GrantFactory(with_plan=True)            plus a budget of two lines and two tranches (advance + milestone)
                                        that add up to the grant amount: ready for its agreement
GrantBudgetLineFactory(grant=g, grant_amount=…, cost_share_amount=…)
GrantMilestoneFactory(grant=g) · GrantTrancheFactory(grant=g, number=1, amount=…, on_signature=True)
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from grants.models import (
    ApplicationStatus,
    Grant,
    GrantBudgetLine,
    GrantMilestone,
    GrantStatus,
    GrantTranche,
)
from tests.grants.application_factories import ApplicationFactory


class GrantFactory(DjangoModelFactory):
    class Meta:
        model = Grant
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory, submitted=True, status=ApplicationStatus.APPROVED)
    number = factory.Sequence(lambda n: f"AKT-G-CE-{n + 1:03d}")
    status = GrantStatus.AWAITING_SIGNATURE
    amount = Decimal("10000.00")
    cost_share_committed = Decimal("1000.00")
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=210))

    class Params:
        active = factory.Trait(status=GrantStatus.ACTIVE, signed_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def with_plan(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        half = (obj.amount / 2).quantize(Decimal("0.01"))
        GrantBudgetLineFactory(grant=obj, description="Sound equipment", grant_amount=half)
        GrantBudgetLineFactory(grant=obj, description="Youth workshops", grant_amount=obj.amount - half)
        milestone = GrantMilestoneFactory(grant=obj, description="Workshops held")
        GrantTrancheFactory(grant=obj, number=1, amount=half, on_signature=True)
        GrantTrancheFactory(grant=obj, number=2, amount=obj.amount - half, milestone=milestone)


class GrantBudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = GrantBudgetLine

    grant = factory.SubFactory(GrantFactory)
    category = "equipment"
    description = factory.Sequence(lambda n: f"Budget item {n + 1}")
    unit = "piece"
    quantity = Decimal("1")
    grant_amount = Decimal("5000.00")
    cost_share_amount = Decimal("500.00")
    unit_cost = factory.LazyAttribute(lambda o: o.grant_amount + o.cost_share_amount)


class GrantMilestoneFactory(DjangoModelFactory):
    class Meta:
        model = GrantMilestone

    grant = factory.SubFactory(GrantFactory)
    description = factory.Sequence(lambda n: f"Milestone {n + 1}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    evidence = "Attendance lists and photos"


class GrantTrancheFactory(DjangoModelFactory):
    class Meta:
        model = GrantTranche

    grant = factory.SubFactory(GrantFactory)
    number = factory.Sequence(lambda n: n + 1)
    amount = Decimal("5000.00")
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=35))
    on_signature = False
    milestone = None
