"""Writes to the indicator catalogue: seeding, editing, targets and adjustments (each with an audit entry).

The editing services check the actor's role themselves (views check it too), so no other caller can skip it.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext

from core.errors import ApplicationError
from core.services import audit_record
from reports.models import Adjustment, Indicator, IndicatorTarget
from reports.permissions import can_adjust_indicator, can_manage_indicators

SEED_MODULES = ("civic", "business", "municipal", "crosscutting")


def seed_entries():
    """The SEED lists of reports/catalogue_seed/, in order."""
    import importlib

    entries = []
    for name in SEED_MODULES:
        entries += getattr(importlib.import_module(f"reports.catalogue_seed.{name}"), "SEED", [])
    return entries


@transaction.atomic
def seed_indicators():
    """Create the indicators whose calculation is not in the catalogue yet; return their codes. An existing code
    (the M&E officer renumbered another indicator to it) gets a suffix rather than failing."""
    existing = set(Indicator.objects.values_list("calculation", flat=True))
    codes = set(Indicator.objects.values_list("code", flat=True))
    created = []
    for entry in seed_entries():
        if entry["calculation"] in existing:
            continue
        entry = dict(entry)
        targets = entry.pop("targets", {})
        code = entry.pop("code")
        while code in codes:
            code += "*"
        if entry.get("baseline_date"):
            entry["baseline_date"] = datetime.date.fromisoformat(entry["baseline_date"])
        for key in ("baseline_value", "lop_target"):
            if entry.get(key) is not None:
                entry[key] = Decimal(str(entry[key]))
        indicator = Indicator(code=code, **entry)
        indicator.full_clean()
        indicator.save()
        for year, value in targets.items():
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=int(year), value=Decimal(str(value)))
        audit_record(actor=None, action="reports.indicator.seeded", target=indicator)
        codes.add(code)
        created.append(code)
    return created


# --- Editing the catalogue ------------------------------------------------------------------------------------
EDITABLE_FIELDS = (
    "code",
    "name_sq",
    "name_sr",
    "name_sr_cyrl",
    "name_en",
    "definition",
    "unit",
    "type",
    "direction",
    "component",
    "disaggregations",
    "baseline_value",
    "baseline_date",
    "lop_target",
    "calculation",
    "is_active",
    "order",
)


def _plain(value):
    """A value as the audit entry stores it (JSON)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _require(actor, rule, message):
    if not rule(actor):
        raise ApplicationError(message, code="not_allowed")


@transaction.atomic
def update_indicator(*, actor, indicator, data, targets=None):
    """Change an indicator's definition (and, when `targets` is given, its targets per fiscal year) in one
    transaction. Codes change because donors renumber indicators, so the audit entry keeps every changed field with
    its old and new value."""
    _require(actor, can_manage_indicators, gettext("Only the M&E officer or a manager may change indicators."))
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    changes = {}
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        old, new = getattr(indicator, name), data[name]
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(indicator, name, new)
    indicator.full_clean()
    indicator.save()
    if changes:
        audit_record(actor=actor, action="reports.indicator.updated", target=indicator, data={"changed": changes})
    if targets is not None:
        set_targets(actor=actor, indicator=indicator, targets=targets)
    return indicator


@transaction.atomic
def set_targets(*, actor, indicator, targets):
    """Make the indicator's targets exactly `targets` ({fiscal year: value}): add, change and remove rows. One
    audit entry lists what changed, so a target that moved after a report was sent can be explained."""
    _require(actor, can_manage_indicators, gettext("Only the M&E officer or a manager may change targets."))
    current = {t.fiscal_year: t for t in IndicatorTarget.objects.select_for_update().filter(indicator=indicator)}
    wanted = {int(year): Decimal(str(value)) for year, value in targets.items()}
    changes = {}
    for year, target in current.items():
        if year not in wanted:
            changes[str(year)] = [_plain(target.value), None]
            target.delete()
    for year, value in sorted(wanted.items()):
        target = current.get(year)
        if target is not None and target.value == value:
            continue
        if target is None:
            target = IndicatorTarget(indicator=indicator, fiscal_year=year)
        changes[str(year)] = [_plain(target.value) if target.pk else None, _plain(value)]
        target.value = value
        target.full_clean()
        target.save()
    if changes:
        audit_record(actor=actor, action="reports.indicator.targets_set", target=indicator, data={"targets": changes})
    return changes


@transaction.atomic
def record_adjustment(*, actor, indicator, fiscal_year, quarter, value, reason):
    """Correct a computed figure by recording an adjustment (never by editing the figure): it is added to the
    quarter's computed value and shown beside it with the reason and the name of who recorded it."""
    _require(actor, can_adjust_indicator, gettext("Only the M&E officer may record adjustments."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            gettext("Say why the computed figure needs this adjustment: the reason is shown beside it."),
            code="no_reason",
        )
    if not value:
        raise ApplicationError(
            gettext("An adjustment of 0 changes nothing. Enter the amount to add, or a negative amount to remove."),
            code="zero_value",
        )
    adjustment = Adjustment(
        indicator=indicator,
        fiscal_year=fiscal_year,
        quarter=quarter,
        value=Decimal(str(value)),
        reason=reason,
        recorded_by=actor,
    )
    adjustment.full_clean()
    adjustment.save()
    audit_record(
        actor=actor,
        action="reports.indicator.adjusted",
        target=indicator,
        comment=reason,
        data={
            "adjustment": adjustment.pk,
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "value": _plain(adjustment.value),
        },
    )
    return adjustment
