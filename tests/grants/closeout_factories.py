"""Rows the amendment, closeout and infrastructure tests need, created directly (not through other parts' services)
so these tests stand alone.

active_grant(**kwargs)                        an active civic grant of 10,000.00 EUR with the plan of GrantFactory:
                                              lines 5,000 + 5,000, tranche 1 (advance) and 2 (milestone) 5,000 each
pay(tranche, amount=None, actor=…)            a payment (the whole tranche by default); the tranche becomes approved,
                                              or paid when the payments reach its amount
final_report(grant, accepted=True)            a final progress report (accepted unless told otherwise)
contribution(report, value)                   cost share reported in a report
final_visit(grant)                            a monitoring visit marked final
delivery(grant, value)                        an in-kind delivery with a tiny handover file
closeout_done(grant)                          all four closeout items done (report, payments, reconciliation, visit)
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Max, Sum
from django.utils import timezone

from accounts.roles import Role
from core.choices import Component
from grants.models import (
    CostShareContribution,
    InKindDelivery,
    MonitoringVisit,
    ProgressReport,
    ReportKind,
    ReportStatus,
    TranchePayment,
    TrancheStatus,
)
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory

_counter = iter(range(1, 10**6))


def active_grant(component=Component.CIVIC_ENGAGEMENT, **kwargs):
    call = CallFactory(open=True, component=component)
    application = ApplicationFactory(call=call, submitted=True, status="approved")
    kwargs.setdefault("with_plan", True)
    return GrantFactory(application=application, active=True, **kwargs)


def _finance():
    return UserFactory(role=Role.FINANCE_OFFICER)


def pay(tranche, amount=None, actor=None):
    paid = TranchePayment.objects.filter(tranche=tranche).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    amount = tranche.amount - paid if amount is None else Decimal(amount)
    payment = TranchePayment.objects.create(
        tranche=tranche,
        paid_on=timezone.localdate(),
        amount=amount,
        bank_reference=f"BANK-{next(_counter)}",
        recorded_by=actor or _finance(),
    )
    tranche.status = TrancheStatus.PAID if paid + amount == tranche.amount else TrancheStatus.APPROVED
    tranche.save(update_fields=["status"])
    return payment


def final_report(grant, accepted=True, kind=ReportKind.FINAL):
    number = (ProgressReport.objects.filter(grant=grant).aggregate(n=Max("number"))["n"] or 0) + 1
    return ProgressReport.objects.create(
        grant=grant,
        number=number,
        kind=kind,
        period_start=grant.start_date,
        period_end=grant.end_date,
        due_date=grant.end_date + datetime.timedelta(days=30),
        status=ReportStatus.ACCEPTED if accepted else ReportStatus.SUBMITTED,
        narrative="All done.",
    )


def contribution(report, value):
    return CostShareContribution.objects.create(
        report=report, kind="cash", description="Volunteer work", value=Decimal(value)
    )


def final_visit(grant):
    return MonitoringVisit.objects.create(
        grant=grant,
        visit_date=timezone.localdate(),
        visited_by=UserFactory(role=Role.PROGRAMME_OFFICER),
        people_present="The grantee's coordinator",
        progress_percent=100,
        quality="good",
        donor_sign="yes",
        shared_use="yes",
        safety="yes",
        findings="Finished as planned.",
        is_final=True,
    )


def delivery(grant, value="1000.00"):
    return InKindDelivery.objects.create(
        grant=grant,
        item="Laptops",
        supplier="Tech sh.p.k.",
        value=Decimal(value),
        delivered_on=timezone.localdate(),
        handover_file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="handover.pdf"),
        handover_name="handover.pdf",
        recorded_by=_finance(),
    )


def closeout_done(grant):
    """Every closeout item done, without going through the services under test."""
    for tranche in grant.tranches.exclude(status__in=(TrancheStatus.PAID, TrancheStatus.CANCELLED)):
        pay(tranche)
    final_report(grant)
    final_visit(grant)
    grant.cost_share_reconciled_at = timezone.now()
    grant.cost_share_reconciled_by = _finance()
    grant.save(update_fields=["cost_share_reconciled_at", "cost_share_reconciled_by"])
    return grant
