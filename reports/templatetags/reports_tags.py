"""Figures as people read them, the same on every indicator page, the dashboard and the reports' HTML.

`{{ value|figure:unit }}` formats a number by its unit (reports.models.Unit): counts with a thousands separator,
EUR and USD with two decimals, percentages with one decimal and "%", full-time equivalents with one decimal.
`{% figure_context … as f %}` prepares what templates/reports/_figure.html prints.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

EMPTY = "—"


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _grouped(value, places):
    quantum = Decimal(1).scaleb(-places)
    return number_format(value.quantize(quantum, rounding=ROUND_HALF_UP), places, force_grouping=True)


@register.filter
def figure(value, unit="number"):
    """`value` written for its unit; "—" when there is no figure (nothing to divide by, period not started)."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    if unit == "percent":
        return f"{_grouped(number, 1)}%"
    if unit in ("eur", "usd"):
        return f"{_grouped(number, 2)} {unit.upper()}"
    if unit == "fte":
        return _grouped(number, 1)
    places = 0 if number == number.to_integral_value() else 2
    return _grouped(number, places)


@register.simple_tag
def figure_context(cell=None, value=None, url="", adjusted=False, unit="number", may_open=False):
    """What the figure partial prints: from a reports.selectors.Cell, or from a bare value and drill-down URL."""
    if cell:
        pending = cell.figure is None
        value, url, adjusted = cell.value, cell.url, cell.is_adjusted
        computed, adjustment = cell.computed, cell.adjustment
    else:
        pending, computed, adjustment = False, value, None
    text = figure(value, unit or "number")
    note = ""
    if pending:
        note = _("The period has not started yet.")
    elif adjusted and adjustment is not None:
        note = _("Computed %(computed)s, adjusted by %(adjustment)s.") % {
            "computed": figure(computed, unit or "number"),
            "adjustment": ("+" if adjustment > 0 else "") + figure(adjustment, unit or "number"),
        }
    return {
        "text": text,
        "url": url if may_open and url and not pending else "",
        "adjusted": bool(adjusted),
        "pending": pending,
        "note": note,
    }
