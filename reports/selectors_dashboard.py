"""The managers' dashboard on /staff/: headline figures, progress against targets, charts and the municipality grid
for one fiscal year (and, when chosen, one component).

Every figure comes from a registered calculation (reports.calculations.registry), so the dashboard, the indicator
pages and the reports cannot disagree; a calculation that is not registered yet gives "not available" (None), never
an error. Each figure carries the link to the records behind it when the reader may open that kind of record; the
links are left out for USAID's viewer, who sees the same aggregates. The number of queries does not depend on the
number of records: one aggregate per figure and one GROUP BY per breakdown.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.choices import Component, Sex
from municipal.models import ActivityStatus, TAActivity
from municipalities.selectors import partner_municipalities_by_group
from reports.calculations import registry
from reports.calculations.base import NOT_KNOWN, NOT_KNOWN_LABEL
from reports.calculations.dimensions import YOUTH_PART
from reports.periods import Period
from reports.permissions import can_open_records
from reports.records import RECORD_KINDS
from reports.selectors import drill_url, indicator_table

CROSS_CUTTING = None


@dataclass(frozen=True)
class HeadlineSpec:
    """One headline figure: its calculation key, what it is called, the component it belongs to (None: every
    component, narrowed by the calculation's own `component` breakdown when a component is chosen) and whether it
    is an amount of money."""

    key: str
    label: str
    component: str | None = CROSS_CUTTING
    money: bool = False


HEADLINES = [
    HeadlineSpec("grants_awarded", _("Grants awarded")),
    HeadlineSpec("eur_committed", _("EUR committed"), money=True),
    HeadlineSpec("eur_disbursed", _("EUR paid"), money=True),
    HeadlineSpec("people_reached", _("People reached (unique)")),
    HeadlineSpec("firms_assisted", _("Firms assisted"), component=Component.BUSINESS_DEVELOPMENT),
    HeadlineSpec("training_events_held", _("Trainings held")),
    HeadlineSpec(
        "municipalities_assisted",
        _("Municipalities with technical assistance"),
        component=Component.MUNICIPAL_DEVELOPMENT,
    ),
]
PEOPLE_KEY = "people_reached"
MONEY_KEYS = ("eur_committed", "eur_disbursed")
QUARTER_KEYS = (("grants_awarded", _("Grants awarded")), ("persons_trained", _("People trained")))
# The activity grid counts, per municipality, the grants awarded, the trainings held and the TA activities.
ACTIVITY_SHADES = 4


class Dashboard:
    """Computes the figures of one dashboard: the same calculation with the same breakdowns and filters is computed
    once per page (the headline and the charts share it)."""

    def __init__(self, user, fiscal_year, component=None, *, today=None):
        self.user = user
        self.fiscal_year = fiscal_year
        self.component = component or None
        self.period = Period.fiscal_year(fiscal_year)
        self.today = today
        self._figures = {}

    # --- Shared machinery ---------------------------------------------------------------------------------------
    def applies(self, key, component=CROSS_CUTTING):
        """The filters a figure is computed with for the chosen component, or None when it does not belong on the
        page: a figure of another component, or a cross-cutting one its calculation cannot split by component."""
        if self.component is None:
            return []
        if component is not None:
            return [] if component == self.component else None
        calculation = registry.get(key)
        if calculation is not None and "component" in calculation.dimensions:
            return [("component", self.component)]
        return None

    def figure(self, key, period=None, *, dimensions=(), filters=()):
        calculation = registry.get(key)
        if calculation is None:
            return None
        period = period or self.period
        if period.start > (self.today or _today()):
            return None
        dimensions = tuple(code for code in dimensions if code in calculation.dimensions)
        cache_key = (key, period, dimensions, tuple(filters))
        if cache_key not in self._figures:
            self._figures[cache_key] = calculation.compute(period, dimensions=dimensions, filters=list(filters))
        return self._figures[cache_key]

    def link(self, key, period=None, filters=()):
        """The drill-down link for a figure, or "" when this reader may not open that kind of record."""
        calculation = registry.get(key)
        if calculation is None or not self.may_open(key):
            return ""
        return drill_url(key, period or self.period, list(filters))

    def may_open(self, key):
        calculation = registry.get(key)
        if calculation is None:
            return False
        kind = RECORD_KINDS.get(calculation.record_kind)
        return kind is not None and can_open_records(self.user, kind)

    # --- Headline figures ---------------------------------------------------------------------------------------
    def headlines(self):
        figures = []
        for spec in HEADLINES:
            filters = self.applies(spec.key, spec.component)
            if filters is None:
                continue  # belongs to another component, or cannot be split by the chosen one
            dimensions = ("sex", "age_band", "community") if spec.key == PEOPLE_KEY else ()
            figure = self.figure(spec.key, dimensions=dimensions, filters=filters)
            headline = Headline(
                key=spec.key,
                label=spec.label,
                money=spec.money,
                value=None if figure is None else figure.value,
                url="" if figure is None else self.link(spec.key, filters=filters),
            )
            if spec.key == PEOPLE_KEY and figure is not None:
                self._people_shares(headline, figure, filters)
            figures.append(headline)
        return figures

    def _people_shares(self, headline, figure, filters):
        total = figure.value or 0
        sexes = {part.code: part for part in figure.breakdowns.get("sex", [])}
        ages = {part.code: part for part in figure.breakdowns.get("age_band", [])}
        if Sex.FEMALE in sexes:
            headline.women = Share(
                percent(sexes[Sex.FEMALE].value, total),
                sexes[Sex.FEMALE].value,
                self.link(PEOPLE_KEY, filters=[*filters, ("sex", Sex.FEMALE)]),
            )
        if YOUTH_PART in ages:
            headline.youth = Share(
                percent(ages[YOUTH_PART].value, total),
                ages[YOUTH_PART].value,
                self.link(PEOPLE_KEY, filters=[*filters, ("age_band", YOUTH_PART)]),
            )
        headline.communities = [
            CommunityShare(
                part.code,
                part.label,
                part.value,
                percent(part.value, total),
                self.link(PEOPLE_KEY, filters=[*filters, ("community", part.code)]),
            )
            for part in figure.breakdowns.get("community", [])
            if part.value
        ]

    # --- Progress against targets -------------------------------------------------------------------------------
    def progress(self):
        rows = indicator_table(
            self.fiscal_year, component=self.component, with_breakdowns=False, today=self.today, year_only=True
        )
        progress = []
        for row in rows:
            calculation = row.calculation
            progress.append(
                ProgressRow(
                    row=row,
                    url=row.year.url if row.year.figure is not None and self.may_open(calculation.key) else "",
                    bar=min(max(row.percent_of_target or Decimal(0), Decimal(0)), Decimal(100)),
                )
            )
        return progress

    # --- Charts -------------------------------------------------------------------------------------------------
    def money_chart(self, dimension):
        """EUR committed and paid by `dimension` (component or municipality); None when neither is computed."""
        series = []
        for key in MONEY_KEYS:
            filters = self.applies(key)
            figure = (
                None if filters is None else self.figure(key, dimensions=("component", "municipality"), filters=filters)
            )
            if figure is None or dimension not in figure.breakdowns:
                continue
            series.append((key, dict(HEADLINE_LABELS)[key], figure.breakdowns[dimension], filters))
        if not series:
            return None
        labels = [(part.code, part.label) for part in series[0][2]]
        rows = []
        for code, label in labels:
            cells = []
            for key, _label, parts, filters in series:
                value = next((p.value for p in parts if p.code == code), Decimal(0))
                cells.append(ChartCell(value, self.link(key, filters=[*filters, (dimension, code)])))
            if code == NOT_KNOWN and not any(cell.value for cell in cells):
                continue  # an empty "not known" row says nothing
            rows.append(ChartRow(code, label, cells))
        return Chart(
            id=f"dashboard-money-{dimension}",
            kind="bar",
            money=True,
            series=[str(label) for _key, label, _parts, _filters in series],
            rows=rows,
        )

    def people_chart(self):
        """People reached by community (rows) and sex (stacked series): one breakdown by community per sex."""
        filters = self.applies(PEOPLE_KEY)
        calculation = registry.get(PEOPLE_KEY)
        if filters is None or calculation is None:
            return None
        if "sex" not in calculation.dimensions or "community" not in calculation.dimensions:
            return None
        sexes = [(Sex.FEMALE, Sex.FEMALE.label), (Sex.MALE, Sex.MALE.label), (NOT_KNOWN, NOT_KNOWN_LABEL)]
        by_sex = []
        for code, _label in sexes:
            figure = self.figure(PEOPLE_KEY, dimensions=("community",), filters=[*filters, ("sex", code)])
            if figure is None:
                return None
            by_sex.append({part.code: part for part in figure.breakdowns["community"]})
        communities = calculation.dimensions["community"].parts()
        rows = []
        for code, label in communities:
            cells = [
                ChartCell(
                    parts[code].value if code in parts else 0,
                    self.link(PEOPLE_KEY, filters=[*filters, ("community", code), ("sex", sex_code)]),
                )
                for parts, (sex_code, _sex_label) in zip(by_sex, sexes, strict=True)
            ]
            if any(cell.value for cell in cells):
                rows.append(ChartRow(code, label, cells))
        return Chart(
            id="dashboard-people",
            kind="bar",
            stacked=True,
            series=[str(label) for _code, label in sexes],
            rows=rows,
        )

    def quarter_chart(self):
        """Grants awarded and people trained in each quarter of the FY (quarters not started yet are left empty)."""
        series = []
        for key, label in QUARTER_KEYS:
            filters = self.applies(key)
            if filters is not None:
                series.append((key, label, filters))
        if not series:
            return None
        rows = []
        for quarter in self.period.quarters:
            cells = []
            for key, _label, filters in series:
                figure = self.figure(key, quarter, filters=filters)
                cells.append(
                    ChartCell(
                        None if figure is None else figure.value,
                        "" if figure is None else self.link(key, quarter, filters),
                    )
                )
            rows.append(ChartRow(f"q{quarter.quarter}", quarter.label, cells))
        return Chart(id="dashboard-quarters", kind="bar", series=[str(label) for _key, label, _f in series], rows=rows)

    def charts(self):
        charts = [
            (_("Money committed and paid, by component"), self.money_chart("component")),
            (_("Money committed and paid, by municipality"), self.money_chart("municipality")),
            (_("People reached, by community and sex"), self.people_chart()),
            (_("Grants awarded and people trained, by quarter"), self.quarter_chart()),
        ]
        result = []
        for title, chart in charts:
            if chart is not None:
                chart.title = str(title)
                result.append(chart)
        return result

    # --- The municipality grid ----------------------------------------------------------------------------------
    def municipality_grid(self):
        """[(group label, [GridCell])] of the 16 partner municipalities with their activity in the FY."""
        counts = {}
        for key, attribute in (("grants_awarded", "grants"), ("training_events_held", "trainings")):
            filters = self.applies(key)
            figure = None if filters is None else self.figure(key, dimensions=("municipality",), filters=filters)
            if figure is not None and "municipality" in figure.breakdowns:
                counts[attribute] = (
                    {part.code: part.value for part in figure.breakdowns["municipality"]},
                    key,
                    filters,
                )
        if self.component in (None, Component.MUNICIPAL_DEVELOPMENT):
            counts["activities"] = (ta_activities_by_municipality(self.period), "", [])
        groups = []
        cells = []
        for label, municipalities in partner_municipalities_by_group():
            row = []
            for municipality in municipalities:
                cell = GridCell(municipality=municipality)
                for attribute, (values, key, filters) in counts.items():
                    value = values.get(municipality.code, 0)
                    setattr(cell, attribute, value)
                    if key:
                        setattr(
                            cell,
                            f"{attribute}_url",
                            self.link(key, filters=[*filters, ("municipality", municipality.code)]),
                        )
                cell.activity = sum(getattr(cell, attribute) or 0 for attribute in counts)
                row.append(cell)
                cells.append(cell)
            groups.append((label, row))
        highest = max((cell.activity for cell in cells), default=0)
        for cell in cells:
            cell.shade = shade_of(cell.activity, highest)
        return GridResult(groups=groups, legend=legend(highest), counted=list(counts))


# The TA activities that count as assistance given (as municipalities_assisted counts them): not planned or cancelled.
TA_ACTIVE_STATUSES = (ActivityStatus.IN_PROGRESS, ActivityStatus.DELIVERED, ActivityStatus.ACCEPTED)


def ta_activities_by_municipality(period):
    """{municipality code: TA activities in progress, delivered or accepted whose dates overlap `period`}: one
    GROUP BY."""
    rows = (
        TAActivity.objects.filter(starts_on__lte=period.end, ends_on__gte=period.start, status__in=TA_ACTIVE_STATUSES)
        .values("package__municipality__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["package__municipality__code"]: row["n"] for row in rows}


def shade_of(activity, highest):
    """0 for no activity; 1–3 for the thirds of the busiest municipality's activity."""
    if not activity or not highest:
        return 0
    return min(ACTIVITY_SHADES - 1, -(-activity * (ACTIVITY_SHADES - 1) // highest))


def legend(highest):
    """[(shade, text)] for the grid's legend: the range of activities each shade stands for."""
    items = [(0, "0")]
    if not highest:
        return items
    low = 1
    for shade in range(1, ACTIVITY_SHADES):
        high = highest * shade // (ACTIVITY_SHADES - 1)
        if high >= low:
            items.append((shade, f"{low}" if high == low else f"{low}–{high}"))
            low = high + 1
    return items


def percent(part, whole):
    if not whole or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _today():
    from django.utils import timezone

    return timezone.localdate()


HEADLINE_LABELS = [(spec.key, spec.label) for spec in HEADLINES]


@dataclass
class Share:
    percent: Decimal | None
    count: int
    url: str = ""


@dataclass
class CommunityShare:
    code: str
    label: str
    count: int
    percent: Decimal | None
    url: str = ""


@dataclass
class Headline:
    key: str
    label: str
    value: object  # None: the calculation is not available
    url: str = ""
    money: bool = False
    women: Share | None = None
    youth: Share | None = None
    communities: list = field(default_factory=list)


@dataclass
class ProgressRow:
    row: object  # reports.selectors.IndicatorRow
    url: str
    bar: Decimal


@dataclass
class ChartCell:
    value: object
    url: str = ""


@dataclass
class ChartRow:
    code: str
    label: str
    cells: list


@dataclass
class Chart:
    id: str
    kind: str
    series: list
    rows: list
    stacked: bool = False
    money: bool = False
    title: str = ""

    def data(self):
        """What dashboard.js draws (json_script): labels, one dataset per series, numbers as strings."""
        return {
            "title": self.title,
            "stacked": self.stacked,
            "money": self.money,
            "labels": [str(row.label) for row in self.rows],
            "datasets": [
                {"label": series, "values": [_number(row.cells[i].value) for row in self.rows]}
                for i, series in enumerate(self.series)
            ],
        }


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return value


@dataclass
class GridCell:
    municipality: object
    grants: int | None = None
    trainings: int | None = None
    activities: int | None = None
    grants_url: str = ""
    trainings_url: str = ""
    activity: int = 0
    shade: int = 0


@dataclass
class GridResult:
    groups: list
    legend: list
    counted: list  # which of grants / trainings / activities are counted
