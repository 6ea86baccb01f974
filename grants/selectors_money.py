"""Money at a glance: what a grant (or a group of grants) was approved, paid, still owes, what the grantee
contributed of their cost share, and what they spent per budget line, in EUR with USD beside.

Every figure is an SQL aggregate (Sum, Count, subqueries), so the cost of a page does not grow with the number of
grants or payments: `grant_money` uses four queries, `portfolio_money` about ten whatever the portfolio holds.

USD: each payment (or in-kind delivery) is converted at the rate of the month it was paid in (`ExchangeRate`);
approved and remaining amounts at the most recent rate. A month without a rate leaves its USD empty ("—") and is
named, so that finance can add it.
"""

import datetime
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core.choices import Component
from grants.models import (
    Call,
    CostShareContribution,
    ExchangeRate,
    Grant,
    GrantBudgetLine,
    GrantStatus,
    InKindDelivery,
    InstrumentType,
    ReportExpenditure,
    ReportStatus,
    TranchePayment,
)
from municipalities.models import Municipality

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# A budget line is overspent when the accepted spending is more than this many percent above its approved amount.
OVERSPEND_PERCENT = Decimal("10")
_OVERSPEND_FACTOR = 1 + OVERSPEND_PERCENT / 100
MONEY = DecimalField(max_digits=20, decimal_places=2)
PRODUCT = DecimalField(max_digits=24, decimal_places=8)


# --- Small helpers -----------------------------------------------------------------------------------------------
def cents(value):
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part, whole):
    """`part` as a percentage of `whole` (one decimal), or None when there is nothing to compare with."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def in_usd(amount, rate):
    return None if amount is None or rate is None else cents(Decimal(amount) * rate.usd_per_eur)


def month_start(day):
    return day.replace(day=1)


def _sum(queryset, value_field):
    """A correlated subquery: the sum of `value_field` over `queryset` (already filtered on OuterRef), or 0."""
    total = queryset.order_by().annotate(one=Value(1)).values("one").annotate(total=Sum(value_field)).values("total")
    return Coalesce(Subquery(total[:1]), Value(ZERO), output_field=MONEY)


def rate_of_month_of(date_field):
    """The USD-per-EUR rate of the month that `date_field` (of the outer row) falls in; NULL when not recorded."""
    day = ExpressionWrapper(OuterRef(date_field), output_field=DateField())
    return Subquery(ExchangeRate.objects.filter(month=TruncMonth(day)).values("usd_per_eur")[:1])


def _converted(amount_field, date_field):
    """Aggregates of money going out: EUR, USD at the rate of each row's month, how many rows have a rate."""
    rate = rate_of_month_of(date_field)
    return {
        "eur": Coalesce(Sum(amount_field), Value(ZERO), output_field=MONEY),
        "usd": Sum(ExpressionWrapper(F(amount_field) * rate, output_field=PRODUCT)),
        "rated": Count(rate),
        "rows": Count("pk"),
    }


def latest_exchange_rate():
    """The most recent monthly rate up to the current month (None when finance has recorded none)."""
    current = month_start(timezone.localdate())
    return ExchangeRate.objects.filter(month__lte=current).order_by("-month").first()


def _payments_of(grants):
    """Money that went out for cash grants (in-kind grants are paid by deliveries), with its date field."""
    payments = TranchePayment.objects.filter(tranche__grant__in=grants).exclude(
        tranche__grant__instrument=InstrumentType.IN_KIND
    )
    deliveries = InKindDelivery.objects.filter(grant__in=grants, grant__instrument=InstrumentType.IN_KIND)
    return (payments, "tranche__grant__", "amount", "paid_on"), (deliveries, "grant__", "value", "delivered_on")


def months_without_rate(grants):
    """The months (1st of the month) in which money went out to `grants` and that have no exchange rate."""
    has_rate = Exists(ExchangeRate.objects.filter(month=OuterRef("month")))
    months = set()
    for queryset, _prefix, _amount, date_field in _payments_of(grants):
        rows = queryset.annotate(month=TruncMonth(date_field)).filter(~has_rate).values_list("month", flat=True)
        months.update(rows.distinct().order_by())
    return sorted(months)


# --- One grant ---------------------------------------------------------------------------------------------------
@dataclass
class LineMoney:
    line: GrantBudgetLine
    approved: Decimal
    spent: Decimal

    @property
    def variance(self):
        return self.spent - self.approved

    @property
    def variance_percent(self):
        return percent(self.variance, self.approved)

    @property
    def overspent(self):
        """More than 10 % above the approved amount (any spending on a line approved at 0 counts)."""
        return self.spent > self.approved * _OVERSPEND_FACTOR


@dataclass
class MonthMoney:
    month: datetime.date
    eur: Decimal
    usd: Decimal | None
    rate: Decimal | None


@dataclass
class GrantMoney:
    grant: Grant
    approved: Decimal
    paid: Decimal
    cost_share_committed: Decimal
    cost_share_contributed: Decimal
    cost_share_pending: Decimal
    lines: list = field(default_factory=list)
    months: list = field(default_factory=list)
    latest_rate: ExchangeRate | None = None
    with_usd: bool = True

    in_kind = property(lambda self: self.grant.instrument == InstrumentType.IN_KIND)
    remaining = property(lambda self: self.approved - self.paid)
    paid_percent = property(lambda self: percent(self.paid, self.approved))
    cost_share_percent = property(lambda self: percent(self.cost_share_contributed, self.cost_share_committed))
    budget_approved = property(lambda self: sum((line.approved for line in self.lines), ZERO))
    budget_spent = property(lambda self: sum((line.spent for line in self.lines), ZERO))
    budget_variance = property(lambda self: self.budget_spent - self.budget_approved)
    budget_variance_percent = property(lambda self: percent(self.budget_variance, self.budget_approved))
    overspent_lines = property(lambda self: [line for line in self.lines if line.overspent])
    missing_months = property(lambda self: [month.month for month in self.months if month.rate is None])
    approved_usd = property(lambda self: in_usd(self.approved, self.latest_rate))
    remaining_usd = property(lambda self: in_usd(self.remaining, self.latest_rate))

    @property
    def paid_usd(self):
        """USD of everything paid, each at its month's rate; None while a month lacks its rate."""
        if not self.with_usd or self.missing_months:
            return None
        return sum((month.usd for month in self.months), ZERO)


def _grant_totals(grant):
    accepted, submitted = ReportStatus.ACCEPTED, ReportStatus.SUBMITTED
    contributions = CostShareContribution.objects.filter(report__grant=OuterRef("pk"))
    return (
        Grant.objects.filter(pk=grant.pk)
        .annotate(
            payments=_sum(TranchePayment.objects.filter(tranche__grant=OuterRef("pk")), "amount"),
            delivered=_sum(InKindDelivery.objects.filter(grant=OuterRef("pk")), "value"),
            cs_accepted=_sum(contributions.filter(report__status=accepted), "value"),
            cs_pending=_sum(contributions.filter(report__status=submitted), "value"),
        )
        .values("amount", "cost_share_committed", "payments", "delivered", "cs_accepted", "cs_pending")
        .get()
    )


def _line_spending():
    """Per budget line: what accepted reports say was spent on it."""
    expenditures = ReportExpenditure.objects.filter(budget_line=OuterRef("pk"), report__status=ReportStatus.ACCEPTED)
    return _sum(expenditures, "amount")


def _grant_months(grant):
    (payments, _p, amount, paid_on), (deliveries, _d, value, delivered_on) = _payments_of([grant.pk])
    queryset, amount_field, date_field = (
        (deliveries, value, delivered_on) if grant.instrument == InstrumentType.IN_KIND else (payments, amount, paid_on)
    )
    rows = (
        queryset.annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(**_converted(amount_field, date_field), rate=Max(rate_of_month_of(date_field)))
        .order_by("month")
    )
    return [
        MonthMoney(month=row["month"], eur=row["eur"], usd=cents(row["usd"]) if row["rate"] else None, rate=row["rate"])
        for row in rows
    ]


def grant_money(grant, *, with_usd=True):
    """The money of one grant (see the module's docstring); four queries, or two without USD."""
    totals = _grant_totals(grant)
    paid = totals["delivered"] if grant.instrument == InstrumentType.IN_KIND else totals["payments"]
    lines = GrantBudgetLine.objects.filter(grant=grant).annotate(spent=_line_spending()).order_by("id")
    return GrantMoney(
        grant=grant,
        approved=totals["amount"],
        paid=paid,
        cost_share_committed=totals["cost_share_committed"],
        cost_share_contributed=totals["cs_accepted"],
        cost_share_pending=totals["cs_pending"],
        lines=[LineMoney(line=line, approved=line.grant_amount, spent=line.spent) for line in lines],
        months=_grant_months(grant) if with_usd else [],
        latest_rate=latest_exchange_rate() if with_usd else None,
        with_usd=with_usd,
    )


# --- The portfolio -----------------------------------------------------------------------------------------------
GROUPINGS = {
    "call": "application__call_id",
    "component": "application__call__component",
    "municipality": "application__municipality_id",
}


def fiscal_year_of(day):
    """USAID's fiscal year: FY 2026 runs from 1 October 2025 to 30 September 2026."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_bounds(year):
    """The first day of the fiscal year and the first day after it."""
    return datetime.date(year - 1, 10, 1), datetime.date(year, 10, 1)


def fiscal_years():
    """The fiscal years in which grants were signed, newest first (at least the current one)."""
    span = Grant.objects.filter(signed_at__isnull=False).aggregate(first=Min("signed_at"), last=Max("signed_at"))
    today = fiscal_year_of(timezone.localdate())
    first = fiscal_year_of(timezone.localtime(span["first"]).date()) if span["first"] else today
    last = max(today, fiscal_year_of(timezone.localtime(span["last"]).date())) if span["last"] else today
    return list(range(last, first - 1, -1))


def portfolio_grants(*, status="", fiscal_year=None):
    """The grants the portfolio counts: signed ones by default, or those of one status; optionally only those
    signed in one fiscal year."""
    grants = (
        Grant.objects.filter(status=status) if status else Grant.objects.exclude(status=GrantStatus.AWAITING_SIGNATURE)
    )
    if fiscal_year:
        start, end = fiscal_year_bounds(fiscal_year)
        zone = timezone.get_current_timezone()
        grants = grants.filter(
            signed_at__gte=datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
            signed_at__lt=datetime.datetime.combine(end, datetime.time(), tzinfo=zone),
        )
    return grants


@dataclass
class PortfolioRow:
    key: object = None
    label: str = ""
    grants: int = 0
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    paid_usd_sum: Decimal = ZERO
    unrated_payments: int = 0
    cost_share_committed: Decimal = ZERO
    cost_share_contributed: Decimal = ZERO
    cost_share_pending: Decimal = ZERO
    budget_approved: Decimal = ZERO
    budget_spent: Decimal = ZERO
    overspent_lines: int = 0
    overspent_grants: int = 0
    latest_rate: ExchangeRate | None = None
    link_filter: dict = field(default_factory=dict)

    remaining = property(lambda self: self.approved - self.paid)
    paid_percent = property(lambda self: percent(self.paid, self.approved))
    cost_share_percent = property(lambda self: percent(self.cost_share_contributed, self.cost_share_committed))
    budget_variance = property(lambda self: self.budget_spent - self.budget_approved)
    approved_usd = property(lambda self: in_usd(self.approved, self.latest_rate))
    remaining_usd = property(lambda self: in_usd(self.remaining, self.latest_rate))
    paid_usd = property(lambda self: None if self.unrated_payments else cents(self.paid_usd_sum))

    def add(self, **figures):
        for name, value in figures.items():
            setattr(self, name, getattr(self, name) + (value or 0))


# The figures of a row that add up over rows (everything but its name, link and rate).
PORTFOLIO_FIGURES = tuple(
    item.name for item in fields(PortfolioRow) if item.name not in ("key", "label", "latest_rate", "link_filter")
)


@dataclass
class Portfolio:
    group: str
    rows: list
    total: PortfolioRow
    missing_months: list
    latest_rate: ExchangeRate | None


def _grouped(queryset, key_path, **aggregates):
    return queryset.values(key=F(key_path)).annotate(**aggregates).order_by()


def _portfolio_figures(grants, key):
    """(row figures, key) pairs from one GROUP BY query per kind of record; a constant number of queries."""
    ids = grants.values("pk")
    yield from (
        ({"grants": r["n"], "approved": r["a"], "cost_share_committed": r["c"]}, r["key"])
        for r in _grouped(grants, key, n=Count("pk"), a=Sum("amount"), c=Sum("cost_share_committed"))
    )
    for queryset, prefix, amount_field, date_field in _payments_of(ids):
        for r in _grouped(queryset, prefix + key, **_converted(amount_field, date_field)):
            yield {"paid": r["eur"], "paid_usd_sum": r["usd"], "unrated_payments": r["rows"] - r["rated"]}, r["key"]
    accepted, submitted = Q(report__status=ReportStatus.ACCEPTED), Q(report__status=ReportStatus.SUBMITTED)
    contributions = CostShareContribution.objects.filter(report__grant__in=ids)
    for r in _grouped(
        contributions, "report__grant__" + key, a=Sum("value", filter=accepted), s=Sum("value", filter=submitted)
    ):
        yield {"cost_share_contributed": r["a"], "cost_share_pending": r["s"]}, r["key"]
    lines = GrantBudgetLine.objects.filter(grant__in=ids).annotate(spent=_line_spending())
    over = Q(spent__gt=F("grant_amount") * _OVERSPEND_FACTOR)
    aggregates = {
        "b": Sum("grant_amount"),
        "s": Sum("spent"),
        "o": Count("pk", filter=over),
        "g": Count("grant", filter=over, distinct=True),
    }
    for r in _grouped(lines, "grant__" + key, **aggregates):
        yield (
            {"budget_approved": r["b"], "budget_spent": r["s"], "overspent_lines": r["o"], "overspent_grants": r["g"]},
            r["key"],
        )


def _label_rows(group, rows):
    """Name each group (one query for calls or municipalities), order the groups, and say how to filter the grant
    list by each."""
    keys = [key for key in rows if key is not None]
    if group == "call":
        calls = Call.objects.filter(pk__in=keys).order_by("code")
        names = {call.pk: (call.code, f"{call.code} · {call.title}", call.code) for call in calls}
    elif group == "municipality":
        places = Municipality.objects.filter(pk__in=keys)
        names = {place.pk: (place.code, place.name, place.sort_order) for place in places}
    else:
        names = {code: (code, label, index) for index, (code, label) in enumerate(Component.choices)}
    order = {}
    for key, row in rows.items():
        code, row.label, order[key] = names.get(key, (None, "", 0))
        row.link_filter = {group: code} if code else {}
    return sorted(rows.values(), key=lambda row: (row.key is None, order[row.key], row.label))


def portfolio_money(*, group="call", status="", fiscal_year=None):
    """The money of the grants (see `portfolio_grants`) per call, component or municipality, with a total."""
    if group not in GROUPINGS:
        raise ValueError(group)
    grants = portfolio_grants(status=status, fiscal_year=fiscal_year)
    latest = latest_exchange_rate()
    rows = {}
    for figures, key in _portfolio_figures(grants, GROUPINGS[group]):
        rows.setdefault(key, PortfolioRow(key=key, latest_rate=latest)).add(**figures)
    rows = _label_rows(group, rows)
    total = PortfolioRow(latest_rate=latest)
    for row in rows:
        total.add(**{name: getattr(row, name) for name in PORTFOLIO_FIGURES})
    return Portfolio(
        group=group, rows=rows, total=total, missing_months=months_without_rate(grants.values("pk")), latest_rate=latest
    )


# --- Exchange rates ----------------------------------------------------------------------------------------------
def exchange_rates_list():
    return ExchangeRate.objects.select_related("recorded_by").order_by("-month")


def exchange_rate_gaps(*, until=None):
    """Every month from the earliest payment (or delivery) to `until` (default: this month) without a rate."""
    first_payment = TranchePayment.objects.aggregate(first=Min("paid_on"))["first"]
    first_delivery = InKindDelivery.objects.aggregate(first=Min("delivered_on"))["first"]
    firsts = [day for day in (first_payment, first_delivery) if day]
    if not firsts:
        return []
    month, last = month_start(min(firsts)), month_start(until or timezone.localdate())
    recorded = set(ExchangeRate.objects.filter(month__gte=month, month__lte=last).values_list("month", flat=True))
    gaps = []
    while month <= last:
        if month not in recorded:
            gaps.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return gaps
