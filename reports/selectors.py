"""Reads of the indicators: computed figures per period with targets, adjustments and progress, and the links to
the records behind every number.

`indicator_table(fiscal_year, through_quarter)` is what the indicator pages, the dashboard and every report print,
so they cannot disagree. Each figure is computed by its calculation (SQL aggregates); this module only arranges
them, adds the adjustments people recorded, and compares with targets.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from reports.calculations import registry
from reports.calculations.base import Figure
from reports.models import Adjustment, Direction, Indicator, IndicatorTarget, Unit
from reports.periods import Period

# An indicator is "on track" when its share of the FY target is at least this part of the share of the year gone.
ON_TRACK_TOLERANCE = Decimal("0.9")


def drill_url(calculation_key, period, filters=(), *, numerator=False):
    """The staff page listing the records behind a figure (or behind one part of a breakdown)."""
    params = list(period.as_params().items()) + [("f", f"{code}:{part}") for code, part in filters]
    if numerator:
        params.append(("numerator", "1"))
    return reverse("staff:indicator_records", args=[calculation_key]) + "?" + urlencode(params)


def parse_filters(values, calculation):
    """[("sex", "female"), …] from `f=sex:female` parameters; unknown breakdowns raise ValueError."""
    filters = []
    for value in values:
        code, _sep, part = value.partition(":")
        if code not in calculation.dimensions or not part:
            raise ValueError(value)
        filters.append((code, part))
    return filters


@dataclass
class Cell:
    """One figure of one indicator for one period: computed, adjusted, and where to open it."""

    period: Period
    figure: Figure | None  # None: the period has not started yet
    adjustment: Decimal = Decimal(0)
    adjustments: list = field(default_factory=list)
    url: str = ""

    @property
    def computed(self):
        return None if self.figure is None else self.figure.value

    @property
    def value(self):
        """What is reported: the computed figure plus the recorded adjustments."""
        if self.figure is None or self.figure.value is None:
            return None
        if not self.adjustment:
            return self.figure.value
        value = Decimal(self.figure.value) + self.adjustment
        if isinstance(self.figure.value, int) and value == value.to_integral_value():
            return int(value)  # a count stays a whole number, so snapshots print 5, not 5.00
        return value

    @property
    def is_adjusted(self):
        return bool(self.adjustment)


@dataclass
class IndicatorRow:
    indicator: Indicator
    target: Decimal | None
    quarters: list  # four Cells (None for quarters not asked for)
    year: Cell
    cumulative: Cell
    breakdowns: list = field(default_factory=list)  # [(dimension, [(part, url)])] for the FY
    percent_of_target: Decimal | None = None
    on_track: bool | None = None

    @property
    def calculation(self):
        return registry.get(self.indicator.calculation)


def _adjustments_within(adjustments, period):
    """Adjustments recorded for quarters that lie inside `period`."""
    chosen = []
    for adjustment in adjustments:
        quarter = Period.fiscal_quarter(adjustment.fiscal_year, adjustment.quarter)
        if period.start <= quarter.start and quarter.end <= period.end:
            chosen.append(adjustment)
    return chosen


def _cell(indicator, calculation, period, *, dimensions=(), filters=(), today=None):
    today = today or timezone.localdate()
    if period.start > today:
        return Cell(period=period, figure=None)
    figure = calculation.compute(period, dimensions=dimensions, filters=filters)
    adjustments = [] if filters else _adjustments_within(indicator.adjustments.all(), period)
    return Cell(
        period=period,
        figure=figure,
        adjustment=sum((a.value for a in adjustments), Decimal(0)),
        adjustments=adjustments,
        url=drill_url(calculation.key, period, filters),
    )


def indicators_queryset(*, component=None, active_only=True):
    indicators = Indicator.objects.prefetch_related(
        Prefetch("targets", queryset=IndicatorTarget.objects.order_by("fiscal_year")),
        Prefetch("adjustments", queryset=Adjustment.objects.select_related("recorded_by").order_by("recorded_at")),
    )
    if active_only:
        indicators = indicators.filter(is_active=True)
    if component is not None:
        indicators = indicators.filter(component=component)
    return indicators.order_by("order", "code")


def _progress(indicator, target, cell, share_of_year):
    if target in (None, 0) or cell.value is None:
        return None, None
    percent = (Decimal(cell.value) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if indicator.direction == Direction.DECREASE:
        return percent, Decimal(cell.value) <= Decimal(target)
    if indicator.unit == Unit.PERCENT:
        # A share does not build up over the year: it is on track when it is near its target already.
        return percent, percent >= 100 * ON_TRACK_TOLERANCE
    expected = Decimal(share_of_year) * 100 * ON_TRACK_TOLERANCE
    return percent, percent >= expected


def indicator_row(
    indicator, fiscal_year, *, through_quarter=None, with_breakdowns=True, filters=(), today=None, year_only=False
):
    """One indicator for a fiscal year: Q1–Q4 (only up to `through_quarter` when given; quarters not started are
    empty), the FY (up to the end of `through_quarter`), life of programme to the same day, target and progress.
    With `year_only` (lists and the dashboard) only the FY figure is computed: quarters and cumulative are None."""
    calculation = registry.get(indicator.calculation)
    if calculation is None:
        return None
    last_quarter = through_quarter or 4
    quarters = [
        _cell(indicator, calculation, Period.fiscal_quarter(fiscal_year, q), filters=filters, today=today)
        if q <= last_quarter and not year_only
        else None
        for q in (1, 2, 3, 4)
    ]
    year_period = Period.fiscal_year(fiscal_year)
    if through_quarter:
        year_period = Period(year_period.start, Period.fiscal_quarter(fiscal_year, through_quarter).end, fiscal_year)
    dimensions = (
        [code for code in indicator.disaggregations if code in calculation.dimensions] if with_breakdowns else ()
    )
    year = _cell(indicator, calculation, year_period, dimensions=dimensions, filters=filters, today=today)
    cumulative = (
        None
        if year_only
        else _cell(indicator, calculation, Period.life_of_programme(year_period.end), filters=filters, today=today)
    )
    target = next((t.value for t in indicator.targets.all() if t.fiscal_year == fiscal_year), None)
    today = today or timezone.localdate()
    elapsed = sum(1 for q in range(1, last_quarter + 1) if Period.fiscal_quarter(fiscal_year, q).start <= today) / 4
    percent, on_track = _progress(indicator, target, year, elapsed)
    breakdowns = []
    if year.figure is not None:
        for code, parts in year.figure.breakdowns.items():
            dimension = calculation.dimensions[code]
            breakdowns.append(
                (
                    dimension,
                    [(part, drill_url(calculation.key, year_period, [*filters, (code, part.code)])) for part in parts],
                )
            )
    return IndicatorRow(
        indicator=indicator,
        target=target,
        quarters=quarters,
        year=year,
        cumulative=cumulative,
        breakdowns=breakdowns,
        percent_of_target=percent,
        on_track=on_track,
    )


def indicator_table(
    fiscal_year,
    *,
    through_quarter=None,
    component=None,
    with_breakdowns=True,
    filters=(),
    today=None,
    year_only=False,
):
    """Every reported indicator (of `component` when given) for a fiscal year; see `indicator_row`.

    With `filters` (e.g. one municipality), an indicator whose calculation cannot apply them all is left out rather
    than shown with the whole programme's figure.
    """
    rows = []
    for indicator in indicators_queryset(component=component):
        calculation = registry.get(indicator.calculation)
        if calculation is None or any(code not in calculation.dimensions for code, _part in filters):
            continue
        row = indicator_row(
            indicator,
            fiscal_year,
            through_quarter=through_quarter,
            with_breakdowns=with_breakdowns,
            filters=filters,
            today=today,
            year_only=year_only,
        )
        if row is not None:
            rows.append(row)
    return rows


def _plain(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return value


def snapshot_of_rows(rows):
    """The figures of an indicator table as plain data, keyed by indicator code (what a report run stores)."""
    data = {}
    for row in rows:
        cells = {f"Q{i}": cell for i, cell in enumerate(row.quarters, start=1) if cell is not None}
        cells.update({"FY": row.year, "LOP": row.cumulative} if row.cumulative else {"FY": row.year})
        data[row.indicator.code] = {
            "calculation": row.indicator.calculation,
            "target": _plain(row.target),
            "percent_of_target": _plain(row.percent_of_target),
            "values": {
                key: None
                if cell.figure is None
                else {
                    "computed": _plain(cell.computed),
                    "adjustment": _plain(cell.adjustment),
                    "value": _plain(cell.value),
                }
                for key, cell in cells.items()
            },
            "breakdowns": row.year.figure.as_data()["breakdowns"] if row.year.figure else {},
        }
    return data


def snapshot_hash(figures):
    """A SHA-256 of the figures in a canonical JSON form: equal hashes, equal figures."""
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_changes(old, new):
    """What changed between two snapshots' indicator figures: [(code, key, old value, new value)]."""
    changes = []
    old_rows, new_rows = old.get("indicators", {}), new.get("indicators", {})
    for code in sorted(set(old_rows) | set(new_rows)):
        before, after = old_rows.get(code, {}).get("values", {}), new_rows.get(code, {}).get("values", {})
        for key in sorted(set(before) | set(after)):
            a = (before.get(key) or {}).get("value")
            b = (after.get(key) or {}).get("value")
            if a != b:
                changes.append((code, key, a, b))
    return changes
