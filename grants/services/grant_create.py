"""An approved application becomes a Grant, numbered `AKT-G-CE-001` without gaps per component prefix."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from grants.models import (
    Application,
    ApplicationStatus,
    Grant,
    GrantBudgetLine,
    GrantSequence,
    GrantStatus,
    InstrumentType,
)


def _next_grant_number(prefix):
    """The next grant number for `prefix`; the sequence row is locked, so concurrent awards never share one."""
    GrantSequence.objects.get_or_create(prefix=prefix)
    sequence = GrantSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"AKT-G-{prefix}-{sequence.last_number:03d}"


@transaction.atomic
def grant_create_from_application(*, actor, application, amount, conditions):
    """Create the grant of an approved application, its budget copied from the application's lines.

    The budget is copied as requested (finance adjusts it to the approved amount before signature); the cost
    share committed is the application's cost share total.
    """
    application = (
        Application.objects.select_for_update()
        .select_related("call")
        .prefetch_related("budget_lines")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.APPROVED:
        raise ApplicationError(_("Only an approved application becomes a grant."), code="not_approved")
    if Grant.objects.filter(application=application).exists():
        raise ApplicationError(_("This application already has a grant."), code="grant_exists")
    lines = list(application.budget_lines.all())
    grant = Grant(
        application=application,
        number=_next_grant_number(application.call.reference_prefix),
        status=GrantStatus.AWAITING_SIGNATURE,
        instrument=InstrumentType.STANDARD,
        amount=amount,
        cost_share_committed=sum((line.cost_share_amount for line in lines), Decimal("0")),
        start_date=application.start_date,
        end_date=application.end_date,
        special_conditions=conditions or "",
    )
    grant.full_clean()
    grant.save()
    GrantBudgetLine.objects.bulk_create(
        GrantBudgetLine(
            grant=grant,
            category=line.category,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            grant_amount=line.requested_amount,
            cost_share_amount=line.cost_share_amount,
            cost_share_kind=line.cost_share_kind,
        )
        for line in lines
    )
    audit_record(
        actor=actor,
        action="grants.grant.created",
        target=grant,
        to_status=grant.status,
        data={"number": grant.number, "application": application.reference, "amount": str(grant.amount)},
    )
    return grant
