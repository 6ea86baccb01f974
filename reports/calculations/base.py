"""What a calculation is: records for a period, one SQL aggregate over them, and breakdowns whose parts add up.

A calculation never loops over rows in Python. `records(period)` returns a queryset with each counted thing once
(a person, a firm, a grant, a payment); the figure is one aggregate over it, and each breakdown one GROUP BY over
an expression that gives every record exactly one part — "not known" included — so the parts add up to the total.
Filters (`[("municipality", "gjilan"), ("sex", "female")]`) narrow the same records, which is how the municipality
chapter, the dashboard and the drill-down lists all reuse one calculation.
"""

import abc
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext_lazy

NOT_KNOWN = "not_known"
NOT_KNOWN_LABEL = pgettext_lazy("disaggregation", "Not known")
PART = "_part"


@dataclass
class Dimension:
    """A way to break a figure down. `expression(period)` gives each record its part code (never NULL: use
    `NOT_KNOWN`); `parts()` lists (code, label) in display order, `NOT_KNOWN` last."""

    code: str
    label: str
    expression: object  # callable(period) -> Expression over the calculation's records
    parts: object  # callable() -> list[(code, label)]

    def part_labels(self):
        return dict(self.parts())


@dataclass
class Part:
    code: str
    label: str
    value: object


@dataclass
class Figure:
    """A computed figure for one period: the total and the breakdowns asked for. For a share (percent), also the
    numerator and the denominator it came from."""

    value: object
    breakdowns: dict = field(default_factory=dict)  # dimension code -> [Part]
    numerator: object = None
    denominator: object = None

    def as_data(self):
        """Plain JSON-able data (for snapshots)."""
        return {
            "value": _plain(self.value),
            "numerator": _plain(self.numerator),
            "denominator": _plain(self.denominator),
            "breakdowns": {code: {p.code: _plain(p.value) for p in parts} for code, parts in self.breakdowns.items()},
        }


def _plain(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return value


class Calculation(abc.ABC):
    """Subclass, set the attributes, implement `records`, and decorate with `@register`.

    key          stable code stored on Indicator.calculation (never rename: indicators point to it)
    label        what the M&E officer picks in the catalogue
    record_kind  a key of reports.records.RECORD_KINDS: what the drill-down list shows
    unit         the unit the figure is in (reports.models.Unit)
    dimensions   {code: Dimension} this calculation can break its figure down by
    """

    key = ""
    label = ""
    description = ""
    record_kind = ""
    unit = "number"
    dimensions = {}

    @abc.abstractmethod
    def records(self, period):
        """The records that make up the figure for `period`, each once."""

    def aggregate(self):
        """The SQL aggregate over `records` that gives the figure (a count of records by default)."""
        return Count("pk")

    def empty_value(self):
        return 0

    # --- Shared machinery -------------------------------------------------------------------------------------
    def filtered(self, period, filters=()):
        records = self.records(period)
        for code, part in filters:
            dimension = self.dimensions.get(code)
            if dimension is None:
                raise ValueError(f"{self.key} cannot be filtered by {code}")
            records = records.alias(**{f"_f_{code}": dimension.expression(period)}).filter(**{f"_f_{code}": part})
        return records

    def compute(self, period, *, dimensions=(), filters=()):
        records = self.filtered(period, filters)
        value = records.order_by().aggregate(v=self.aggregate())["v"]
        value = self.empty_value() if value is None else value
        breakdowns = {code: self.breakdown(period, code, records) for code in dimensions if code in self.dimensions}
        return Figure(value=value, breakdowns=breakdowns)

    def breakdown(self, period, code, records):
        dimension = self.dimensions[code]
        rows = (
            records.annotate(**{PART: dimension.expression(period)})
            .values(PART)
            .annotate(v=self.aggregate())
            .order_by()
        )
        found = {row[PART]: row["v"] for row in rows}
        parts = []
        for part_code, label in dimension.parts():
            parts.append(Part(part_code, label, found.pop(part_code, None) or self.empty_value()))
        for part_code, value in found.items():  # a code the list does not name: shown, never dropped
            parts.append(Part(part_code, str(part_code), value or self.empty_value()))
        return parts

    def records_for(self, period, filters=()):
        """The drill-down: the records behind the figure (or behind one part of a breakdown)."""
        return self.filtered(period, filters)


class ShareCalculation(Calculation):
    """A percentage: the records matching `numerator_q` among all `records`. Its breakdowns give the percentage
    within each part (they do not add up, so a share indicator usually reports none)."""

    unit = "percent"
    numerator_label = ""

    @abc.abstractmethod
    def numerator_q(self, period):
        """The condition (a Q) that the records of the numerator meet."""

    def compute(self, period, *, dimensions=(), filters=()):
        records = self.filtered(period, filters)
        counts = records.order_by().aggregate(
            all=Count("pk"),
            part=Coalesce(Count("pk", filter=self.numerator_q(period)), Value(0), output_field=IntegerField()),
        )
        value = share(counts["part"], counts["all"])
        breakdowns = {}
        for code in dimensions:
            if code not in self.dimensions:
                continue
            rows = (
                records.annotate(**{PART: self.dimensions[code].expression(period)})
                .values(PART)
                .annotate(all=Count("pk"), part=Count("pk", filter=self.numerator_q(period)))
                .order_by()
            )
            found = {row[PART]: share(row["part"], row["all"]) for row in rows}
            breakdowns[code] = [Part(c, label, found.get(c)) for c, label in self.dimensions[code].parts()]
        return Figure(value=value, breakdowns=breakdowns, numerator=counts["part"], denominator=counts["all"])

    def numerator_records(self, period, filters=()):
        return self.filtered(period, filters).filter(self.numerator_q(period))


def share(part, whole):
    """`part` as a percentage of `whole`, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def none_q():
    return Q(pk__in=[])
