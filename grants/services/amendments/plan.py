"""What an amendment would make of a grant, and what is wrong with that (reads only; the writes are in
`grants.services.amendments`).

The proposed changes are kept as JSON in `GrantAmendment.changes`, in this shape (ids are those of the grant's
own rows, as strings; amounts are EUR with two decimals as strings; dates ISO):

    {
        "budget": {"<line id>": "1234.00"},                    # a budget line's new amount from the grant
        "milestones": {"<id>": {"description": "…", "due_date": "2027-05-31"}},   # either key may be absent
        "tranches": {"<id>": "2500.00"},                        # a planned, requested or approved tranche
        "new_milestones": [{"description": "…", "due_date": "2027-06-30", "evidence": "…"}],
        "new_tranches": [{"amount": "1000.00", "planned_date": "2027-07-15",
                          "milestone": <existing milestone id> or null,
                          "new_milestone": <index in new_milestones> or null}],
    }

The whole plan is checked when it is proposed and again, against the grant as it then is, when it is approved:
the tranches must add up to the new grant amount (what a cancelled tranche counts is what was paid on it), no
tranche may go below what is already paid, paid and cancelled tranches and verified milestones do not change,
the budget's grant column must add up to the new amount, and the end date may not come before the start.
"""

import copy
import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from grants.models import GrantBudgetLine, GrantMilestone, GrantTranche, InstrumentType, TrancheStatus
from grants.services.tranches import delivered_value, money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CLOSED_TRANCHES = (TrancheStatus.PAID, TrancheStatus.CANCELLED)
PAID_SUM = Coalesce(Sum("payments__amount"), Value(ZERO, output_field=DecimalField(max_digits=12, decimal_places=2)))


# --- Reading the grant as JSON ---------------------------------------------------------------------------------
def grant_snapshot(grant):
    """The grant's terms, budget lines, milestones and tranches (with what is paid) as JSON-safe values."""
    lines = GrantBudgetLine.objects.filter(grant=grant).order_by("id")
    milestones = GrantMilestone.objects.filter(grant=grant).order_by("due_date", "id")
    tranches = GrantTranche.objects.filter(grant=grant).annotate(paid=PAID_SUM).order_by("number")
    return {
        "amendment_number": grant.amendment_number,
        "amount": str(grant.amount),
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "budget": [
            {
                "id": line.pk,
                "category": line.category,
                "description": line.description,
                "grant_amount": str(line.grant_amount),
                "cost_share_amount": str(line.cost_share_amount),
            }
            for line in lines
        ],
        "milestones": [
            {
                "id": m.pk,
                "description": m.description,
                "due_date": m.due_date.isoformat(),
                "evidence": m.evidence,
                "verified": m.is_verified,
            }
            for m in milestones
        ],
        "tranches": [
            {
                "id": t.pk,
                "number": t.number,
                "amount": str(t.amount),
                "paid": str(Decimal(t.paid).quantize(CENT)),
                "status": t.status,
                "planned_date": t.planned_date.isoformat(),
                "on_signature": t.on_signature,
                "milestone": t.milestone_id,
            }
            for t in tranches
        ],
    }


# --- Shaping the proposal ----------------------------------------------------------------------------------------
def parse_amount(value):
    try:
        amount = Decimal(str(value).strip().replace(",", ".")).quantize(CENT)
    except (InvalidOperation, ValueError) as error:
        raise ApplicationError(
            _("“%(value)s” is not an amount in EUR. Write it like 1250.00.") % {"value": value}, code="bad_amount"
        ) from error
    return amount


def parse_date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as error:
        raise ApplicationError(
            _("“%(value)s” is not a date. Choose it in the calendar.") % {"value": value}, code="bad_date"
        ) from error


def _optional_id(value):
    return None if value in (None, "") else int(value)


def normalise_changes(changes):
    """The proposal in its stored JSON shape (see the module's docstring); unknown keys are dropped."""
    changes = changes or {}
    milestones = {}
    for pk, values in (changes.get("milestones") or {}).items():
        entry = {}
        if values.get("description") not in (None, ""):
            entry["description"] = str(values["description"]).strip()
        if values.get("due_date") not in (None, ""):
            entry["due_date"] = parse_date(values["due_date"]).isoformat()
        if entry:
            milestones[str(pk)] = entry
    new_milestones = [
        {
            "description": str(m.get("description") or "").strip(),
            "due_date": parse_date(m["due_date"]).isoformat() if m.get("due_date") else "",
            "evidence": str(m.get("evidence") or "").strip(),
        }
        for m in changes.get("new_milestones") or []
    ]
    new_tranches = [
        {
            "amount": str(parse_amount(t.get("amount"))),
            "planned_date": parse_date(t["planned_date"]).isoformat() if t.get("planned_date") else "",
            "milestone": _optional_id(t.get("milestone")),
            "new_milestone": _optional_id(t.get("new_milestone")),
        }
        for t in changes.get("new_tranches") or []
    ]
    return {
        "budget": {str(pk): str(parse_amount(v)) for pk, v in (changes.get("budget") or {}).items()},
        "milestones": milestones,
        "tranches": {str(pk): str(parse_amount(v)) for pk, v in (changes.get("tranches") or {}).items()},
        "new_milestones": new_milestones,
        "new_tranches": new_tranches,
    }


# --- The plan: the grant as it would become, and what is wrong with it ----------------------------------------
def _by_id(rows, ids, problems, message):
    found = {str(row["id"]): row for row in rows}
    for pk in ids:
        if pk not in found:
            problems.append(("unknown_row", message))
    return found


def _project_budget(after, changes, problems):
    lines = _by_id(after["budget"], changes["budget"], problems, _("A budget line of this amendment is gone."))
    for pk, amount in changes["budget"].items():
        if pk in lines:
            if Decimal(amount) < 0:
                problems.append(("negative", _("A budget line cannot ask a negative amount of the grant.")))
            lines[pk]["grant_amount"] = amount
    total = sum((Decimal(line["grant_amount"]) for line in after["budget"]), ZERO)
    if total != Decimal(after["amount"]):
        problems.append(
            (
                "budget_mismatch",
                _(
                    "With this amendment the budget would ask %(total)s EUR of the grant, but the grant would be "
                    "%(amount)s EUR. Change the budget lines' amounts from the grant until they add up to the grant "
                    "amount."
                )
                % {"total": money(total), "amount": money(Decimal(after["amount"]))},
            )
        )


def _project_milestones(after, changes, problems):
    milestones = _by_id(
        after["milestones"], changes["milestones"], problems, _("A milestone of this amendment is gone.")
    )
    for pk, values in changes["milestones"].items():
        milestone = milestones.get(pk)
        if milestone is None:
            continue
        if milestone["verified"]:
            problems.append(
                (
                    "milestone_verified",
                    _("The milestone “%(milestone)s” is already verified; it cannot change.")
                    % {"milestone": milestone["description"]},
                )
            )
        milestone.update(values)
    for index, new in enumerate(changes["new_milestones"]):
        if not new["description"] or not new["due_date"]:
            problems.append(("new_milestone", _("A new milestone needs a description and a due date.")))
        after["milestones"].append({"id": None, "new": index, "verified": False, **new})


def _project_tranches(after, changes, problems):
    tranches = _by_id(after["tranches"], changes["tranches"], problems, _("A tranche of this amendment is gone."))
    for pk, amount in changes["tranches"].items():
        tranche = tranches.get(pk)
        if tranche is None or Decimal(amount) == Decimal(tranche["amount"]):
            continue
        _check_tranche_change(tranche, Decimal(amount), problems)
        tranche["amount"] = amount
    number = max((t["number"] for t in after["tranches"]), default=0)
    milestone_ids = {m["id"] for m in after["milestones"] if m["id"] is not None}
    for new in changes["new_tranches"]:
        number += 1
        _check_new_tranche(new, milestone_ids, len(changes["new_milestones"]), problems)
        after["tranches"].append(
            {**new, "id": None, "number": number, "paid": "0.00", "status": TrancheStatus.PLANNED.value}
        )


def _check_tranche_change(tranche, amount, problems):
    values = {"number": tranche["number"], "amount": money(amount), "paid": money(Decimal(tranche["paid"]))}
    if tranche["status"] in CLOSED_TRANCHES:
        values["status"] = str(TrancheStatus(tranche["status"]).label)
        problems.append(
            (
                "tranche_closed",
                _("Tranche %(number)s is “%(status)s”: a paid or cancelled tranche cannot change.") % values,
            )
        )
    elif amount < Decimal(tranche["paid"]):
        problems.append(
            (
                "tranche_below_paid",
                _(
                    "Tranche %(number)s would be %(amount)s EUR, but %(paid)s EUR of it is already paid. A tranche "
                    "cannot be less than what was paid on it."
                )
                % values,
            )
        )
    elif amount <= 0:
        problems.append(
            ("tranche_zero", _("Tranche %(number)s would be 0 EUR. Ask finance to cancel it instead.") % values)
        )


def _check_new_tranche(new, milestone_ids, new_milestones, problems):
    if Decimal(new["amount"]) <= 0 or not new["planned_date"]:
        problems.append(("new_tranche", _("A new tranche needs an amount greater than zero and a planned date.")))
    linked = new["milestone"] in milestone_ids or (
        new["new_milestone"] is not None and 0 <= new["new_milestone"] < new_milestones
    )
    if not linked:
        problems.append(("new_tranche_milestone", _("Choose the milestone the new tranche is paid on.")))


def _check_tranche_total(after, *, in_kind, delivered, problems):
    amount = Decimal(after["amount"])
    if in_kind and not after["tranches"]:
        if amount < delivered:
            problems.append(
                (
                    "below_delivered",
                    _("Goods worth %(delivered)s EUR are already delivered; the grant cannot be less than that.")
                    % {"delivered": money(delivered)},
                )
            )
        return
    total = sum(
        (Decimal(t["paid"] if t["status"] == TrancheStatus.CANCELLED else t["amount"]) for t in after["tranches"]),
        ZERO,
    )
    values = {"total": money(total), "amount": money(amount), "difference": money(abs(total - amount))}
    if total > amount:
        message = _(
            "With this amendment the tranches would add up to %(total)s EUR, more than the grant of %(amount)s EUR "
            "(%(difference)s EUR too much). Lower the tranche amounts or raise the grant amount until they add up."
        )
        problems.append(("tranches_exceed_grant", message % values))
    elif total < amount:
        message = _(
            "With this amendment the tranches would add up to %(total)s EUR, less than the grant of %(amount)s EUR "
            "(%(difference)s EUR missing). Raise a tranche, add one, or lower the grant amount until they add up."
        )
        problems.append(("tranches_short", message % values))


def amendment_plan(grant, *, before, new_amount, new_end_date, changes):
    """The grant as the amendment would make it (JSON like `before`) and the list of (code, message) problems."""
    after = copy.deepcopy(before)
    problems = []
    if new_amount is not None:
        if Decimal(new_amount) <= 0:
            problems.append(("amount", _("The grant amount must be greater than zero.")))
        after["amount"] = str(Decimal(new_amount).quantize(CENT))
    if new_end_date is not None:
        after["end_date"] = new_end_date.isoformat()
        if new_end_date < grant.start_date:
            values = {
                "end": formats.date_format(new_end_date, "d.m.Y"),
                "start": formats.date_format(grant.start_date, "d.m.Y"),
            }
            problems.append(
                (
                    "end_before_start",
                    _("The new end date %(end)s comes before the grant's start date %(start)s. Choose a later date.")
                    % values,
                )
            )
    _project_budget(after, changes, problems)
    _project_milestones(after, changes, problems)
    _project_tranches(after, changes, problems)
    in_kind = grant.instrument == InstrumentType.IN_KIND
    _check_tranche_total(
        after, in_kind=in_kind, delivered=delivered_value(grant) if in_kind else ZERO, problems=problems
    )
    after["amendment_number"] = before["amendment_number"] + 1
    if _same(before, after):
        problems.insert(0, ("nothing", _("This amendment changes nothing. Enter at least one new value.")))
    return after, problems


def _same(before, after):
    return {**before, "amendment_number": 0} == {**after, "amendment_number": 0}


def refuse(problems):
    if problems:
        raise ApplicationError(
            " ".join(message for _code, message in problems),
            code=problems[0][0],
            extra={"problems": [message for _code, message in problems], "codes": [code for code, _m in problems]},
        )


def prune_changes(changes, before):
    """Leave out values that equal what the grant already has (an input typed with the same value)."""
    lines = {str(line["id"]): line for line in before["budget"]}
    tranches = {str(t["id"]): t for t in before["tranches"]}
    milestones = {str(m["id"]): m for m in before["milestones"]}
    changes["budget"] = {
        pk: v
        for pk, v in changes["budget"].items()
        if pk not in lines or Decimal(v) != Decimal(lines[pk]["grant_amount"])
    }
    changes["tranches"] = {
        pk: v
        for pk, v in changes["tranches"].items()
        if pk not in tranches or Decimal(v) != Decimal(tranches[pk]["amount"])
    }
    for pk, values in list(changes["milestones"].items()):
        current = milestones.get(pk, {})
        kept = {key: value for key, value in values.items() if current.get(key) != value}
        if kept:
            changes["milestones"][pk] = kept
        else:
            del changes["milestones"][pk]
    return changes


def amendment_summary(before, after):
    """What an amendment changes, in a few JSON values for its audit entry."""
    summary = {}
    for key in ("amount", "end_date"):
        if before[key] != after[key]:
            summary[key] = [before[key], after[key]]
    for key in ("budget", "milestones", "tranches"):
        old = {row["id"]: row for row in before[key]}
        changed = [row for row in after[key] if row.get("id") is None or old.get(row["id"]) != row]
        if changed:
            summary[key] = len(changed)
    return summary
