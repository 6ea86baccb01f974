"""The budget of an application: its lines, totals and the call's limits."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from grants.models import (
    BudgetLine,
)
from grants.services.drafts import locked_for_writing, record_change


@transaction.atomic
def application_budget_line_save(*, actor, application, data, line=None):
    """Add or change a budget line; the category must be one the call allows."""
    application = locked_for_writing(application, actor=actor, section="budget")
    if data.get("category") not in application.call.budget_categories:
        raise ApplicationError(
            _("This call does not fund that budget category; choose one of the categories listed."),
            code="category_not_allowed",
        )
    line = line or BudgetLine(application=application)
    if line.application_id != application.pk:
        raise ApplicationError(_("This budget line belongs to another application."), code="wrong_application")
    for field in ("category", "description", "unit", "quantity", "unit_cost", "requested_amount"):
        setattr(line, field, data.get(field))
    line.cost_share_amount = data.get("cost_share_amount") or Decimal("0")
    line.cost_share_kind = data.get("cost_share_kind") or line.cost_share_kind
    line.contributor = data.get("contributor") or ""
    line.full_clean()
    line.save()
    record_change(application)
    return line


@transaction.atomic
def application_budget_line_delete(*, actor, application, line):
    application = locked_for_writing(application, actor=actor, section="budget")
    BudgetLine.objects.filter(pk=line.pk, application=application).delete()
    record_change(application)


def budget_totals(application):
    """Total cost, amount requested, cost share and its percentage, from the budget lines."""
    lines = list(application.budget_lines.all())
    total = sum((line.quantity * line.unit_cost for line in lines), Decimal("0")).quantize(Decimal("0.01"))
    requested = sum((line.requested_amount for line in lines), Decimal("0"))
    share = sum((line.cost_share_amount for line in lines), Decimal("0"))
    percent = (share * 100 / total).quantize(Decimal("0.01")) if total else Decimal("0")
    return {"total": total, "requested": requested, "cost_share": share, "cost_share_percent": percent}


def budget_problems(application, totals=None):
    call = application.call
    totals = totals or budget_totals(application)
    problems = []
    if not application.budget_lines.all():
        return [_("Add at least one budget line.")]
    if totals["requested"] < call.min_amount:
        problems.append(
            _("The amount requested (%(amount)s EUR) is below the call's minimum of %(limit)s EUR.")
            % {"amount": totals["requested"], "limit": call.min_amount}
        )
    if totals["requested"] > call.max_amount:
        problems.append(
            _("The amount requested (%(amount)s EUR) is above the call's maximum of %(limit)s EUR.")
            % {"amount": totals["requested"], "limit": call.max_amount}
        )
    if totals["cost_share_percent"] < call.min_cost_share_percent:
        problems.append(
            _("The cost share is %(percent)s%% of the total; the call asks for at least %(limit)s%%.")
            % {"percent": totals["cost_share_percent"], "limit": call.min_cost_share_percent}
        )
    return problems
