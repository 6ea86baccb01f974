"""Business-development calculations: firms assisted, jobs and sales of tracked firms from their snapshots,
cross-community market links and their value, and businesses formalised.

A firm is a `Business` row counted once, however many grants, trainings or snapshots it has. Full-time equivalents
are computed in SQL with the arithmetic of `SnapshotEmployment.fte` (full-time × months/12 + part-time ×
hours/40 × months/12), so the indicator and the business page agree.
"""

import abc
import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.db.models.lookups import IsNull, LessThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from businesses.models import (
    HOURS_PER_FULL_WEEK,
    MONTHS_PER_YEAR,
    Business,
    BusinessOwner,
    Direction,
    MarketLink,
    Snapshot,
    SnapshotEmployment,
    SnapshotKind,
)
from businesses.selectors import formalised_businesses
from core.choices import AgeBand, Sex
from core.models import AuditEntry
from grants.models import Grant, GrantStatus
from reports.calculations import dimensions as dims
from reports.calculations.base import NOT_KNOWN, NOT_KNOWN_LABEL, Calculation, Dimension, Figure, Part
from reports.calculations.registry import register
from reports.records import Column, RecordKind, register_kind
from trainings.models import Attendance, Enrolment

ZERO = Decimal("0")
TEXT = CharField()
MONEY = DecimalField(max_digits=16, decimal_places=2)
AMOUNT = DecimalField(max_digits=20, decimal_places=6)
FOLLOW_UP_KINDS = (SnapshotKind.YEARLY, SnapshotKind.CLOSEOUT)

# --- Market links as drill-down records --------------------------------------------------------------------------


def _communities(link):
    return f"{link.get_business_community_display() or '—'} – {link.get_counterpart_community_display()}"


register_kind(
    RecordKind(
        code="market_link",
        label=_("Market links"),
        prepare=lambda qs: qs.select_related(
            "business__municipality", "counterpart_business", "counterpart_organisation"
        ),
        ordering=("date", "pk"),
        url=lambda link: reverse("staff:business_detail", args=[link.business_id]),
        columns=[
            Column(_("Business"), lambda link: link.business.name),
            Column(_("Municipality"), lambda link: link.business.municipality.name),
            Column(_("Counterpart"), lambda link: link.counterpart_label),
            Column(_("Communities"), _communities),
            Column(_("Direction"), lambda link: link.get_direction_display()),
            Column(_("Product"), lambda link: link.product),
            Column(_("Value (EUR)"), lambda link: link.value),
            Column(_("Date"), lambda link: link.date),
        ],
    )
)

# --- Full-time equivalents in SQL ---------------------------------------------------------------------------------


class _Exact(Func):
    """Exact decimal arithmetic in PostgreSQL. SQLite keeps 12.0 in a decimal column as the integer 12 and divides
    integers (6 × 40 / 480 = 0), so there the operand becomes REAL first."""

    template = "(%(expressions)s)"
    output_field = AMOUNT

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra_context)


def employment_fte():
    """The FTE of one SnapshotEmployment row: (full-time × 40 + part-time × hours) × months / (40 × 12)."""
    hours = ExpressionWrapper(
        F("full_time_count") * Value(HOURS_PER_FULL_WEEK) + F("part_time_count") * F("part_time_weekly_hours"),
        output_field=AMOUNT,
    )
    year_hours = Value(HOURS_PER_FULL_WEEK * MONTHS_PER_YEAR, output_field=AMOUNT)
    return ExpressionWrapper(_Exact(hours * F("months_worked")) / year_hours, output_field=AMOUNT)


def snapshot_fte(snapshot, rows=None):
    """The FTE of the snapshot `snapshot` (an expression giving its id) over its employment rows matching `rows`;
    0 when it has none."""
    employment = (
        SnapshotEmployment.objects.filter(rows or Q(), snapshot=snapshot)
        .order_by()
        .values("snapshot")
        .annotate(total=Sum(employment_fte()))
        .values("total")
    )
    return Coalesce(Subquery(employment[:1], output_field=AMOUNT), Value(ZERO, output_field=AMOUNT))


def latest_snapshot(business, day):
    """The id of the business's newest snapshot (of any kind) dated on or before `day`."""
    snapshots = Snapshot.objects.filter(business=business, date__lte=day).order_by("-date", "-pk")
    return Subquery(snapshots.values("pk")[:1])


# --- Breakdowns of firms ------------------------------------------------------------------------------------------

MICRO, SMALL, MEDIUM, LARGE = "micro", "small", "medium", "large"


def firm_size():
    """By the FTE of the firm's latest snapshot on or before the period's last day: micro under 10, small 10–49,
    medium 50–249, large 250 and more; not known without a snapshot."""

    def expression(period):
        latest = latest_snapshot(OuterRef(OuterRef("pk")), period.end)
        fte = snapshot_fte(latest)
        return Case(
            When(IsNull(latest_snapshot(OuterRef("pk"), period.end), True), then=Value(NOT_KNOWN)),
            When(LessThan(fte, Value(Decimal(10), output_field=AMOUNT)), then=Value(MICRO)),
            When(LessThan(fte, Value(Decimal(50), output_field=AMOUNT)), then=Value(SMALL)),
            When(LessThan(fte, Value(Decimal(250), output_field=AMOUNT)), then=Value(MEDIUM)),
            default=Value(LARGE),
            output_field=TEXT,
        )

    return Dimension(
        code="firm_size",
        label=_("Firm size"),
        expression=expression,
        parts=lambda: [
            (MICRO, _("Micro (1–9 FTE)")),
            (SMALL, _("Small (10–49 FTE)")),
            (MEDIUM, _("Medium (50–249 FTE)")),
            (LARGE, _("Large (250+ FTE)")),
            (NOT_KNOWN, NOT_KNOWN_LABEL),
        ],
    )


WOMEN_OWNED, MEN_OWNED, MIXED = "women_owned", "men_owned", "mixed"


def owner_sex(path=""):
    """Women-owned (every owner a woman), men-owned (every owner a man), mixed (women and men among the owners);
    not known when the firm has no recorded owner or an owner's sex is not recorded and the rest are one sex."""

    def owners(condition=None):
        return Exists(BusinessOwner.objects.filter(condition or Q(), business=OuterRef(f"{path}pk")))

    women, men = Q(person__sex=Sex.FEMALE), Q(person__sex=Sex.MALE)
    return Dimension(
        code="owner_sex",
        label=_("Owners' sex"),
        expression=lambda period: Case(
            When(owners(women) & owners(men), then=Value(MIXED)),
            When(~owners() | owners(~(women | men)), then=Value(NOT_KNOWN)),
            When(owners(women), then=Value(WOMEN_OWNED)),
            default=Value(MEN_OWNED),
            output_field=TEXT,
        ),
        parts=lambda: [
            (WOMEN_OWNED, _("Women-owned")),
            (MEN_OWNED, _("Men-owned")),
            (MIXED, _("Owned by women and men")),
            (NOT_KNOWN, NOT_KNOWN_LABEL),
        ],
    )


# --- Assistance: grants and trainings of the firm's people -------------------------------------------------------


def _terminated_at():
    """When a grant was terminated: its audit entry (the model keeps no date); its last change if that is missing."""
    entry = (
        AuditEntry.objects.filter(
            action="grants.grant.terminated",
            content_type__app_label="grants",
            content_type__model="grant",
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(entry), F("updated_at"))


def firm_grants(period):
    """The firm's (OuterRef "pk") grants active at some time in the period: signed on or before its last day, and
    neither completed (closed grants were completed first) nor terminated before its first day."""
    first, after = period.datetime_bounds()
    return (
        Grant.objects.filter(business=OuterRef("pk"), signed_at__lt=after)
        .exclude(completed_at__lt=first)
        .annotate(_ended=_terminated_at())
        .exclude(Q(status=GrantStatus.TERMINATED) & Q(_ended__lt=first))
    )


def firm_enrolments(until):
    """Per role (owner, manager, named employee employed on the event's first day), the enrolments of the firm's
    (OuterRef "pk") people in events that started on or before `until`, present at one session at least. Each is a
    join from the firm's role rows, so the database walks the firm's few people rather than every enrolment."""
    attended = Enrolment.objects.filter(
        Exists(Attendance.objects.filter(enrolment=OuterRef("pk"), present=True)), event__start_date__lte=until
    )
    employed = Q(
        person__employments__business=OuterRef("pk"), person__employments__started_on__lte=F("event__start_date")
    )
    still_employed = Q(person__employments__ended_on__isnull=True) | Q(
        person__employments__ended_on__gte=F("event__start_date")
    )
    return [
        attended.filter(person__business_ownerships__business=OuterRef("pk")),
        attended.filter(person__business_roles__business=OuterRef("pk")),
        attended.filter(employed & still_employed),
    ]


def _first_assisted(period):
    """Whether the firm's first assistance came before the period: a grant signed, or a training of its people
    that started, before the period's first day."""
    earlier = Exists(
        Grant.objects.annotate(day=TruncDate("signed_at")).filter(business=OuterRef("pk"), day__lt=period.start)
    )
    for enrolments in firm_enrolments(period.start - datetime.timedelta(days=1)):
        earlier |= Exists(enrolments)
    return Case(When(earlier, then=Value(dims.CONTINUING_PART)), default=Value(dims.NEW_PART), output_field=TEXT)


def new_continuing():
    return Dimension(
        code="new_continuing",
        label=_("New or continuing"),
        expression=_first_assisted,
        parts=lambda: [*dims.NEW_CONTINUING_PARTS, (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


def _firm_dimensions():
    return {
        "municipality": dims.municipality(),
        "firm_size": firm_size(),
        "owner_sex": owner_sex(),
        "new_continuing": new_continuing(),
    }


@register
class FirmsAssisted(Calculation):
    key = "firms_assisted"
    label = _("Firms receiving assistance to improve business performance")
    description = _(
        "Unique firms with a grant signed by the period's end and still active in it, or whose owner, manager or named "
        "employee attended a training that started in the period."
    )
    record_kind = "business"
    dimensions = _firm_dimensions()

    def records(self, period):
        assisted = Exists(firm_grants(period))
        for enrolments in firm_enrolments(period.end):
            assisted |= Exists(enrolments.filter(event__start_date__gte=period.start))
        return Business.objects.filter(assisted)


# --- Change from baseline: jobs (FTE) and sales ------------------------------------------------------------------

AGE_ROWS = {
    dims.YOUTH_PART: [AgeBand.YOUTH],
    dims.ADULT_PART: [AgeBand.ADULT, AgeBand.SENIOR],
    dims.UNDER_15_PART: [AgeBand.UNDER_15],
}
SEX_ROWS = {Sex.FEMALE: [Sex.FEMALE], Sex.MALE: [Sex.MALE]}


class EmploymentSplit(Dimension):
    """A breakdown of each firm's FTE over its employment rows (sex, age band): a firm's change is shared among the
    parts, so it is computed per part rather than by placing the firm in one part."""

    def __init__(self, base, field, rows):
        super().__init__(base.code, base.label, self._no_expression, base.parts)
        self.field, self.rows = field, rows

    def _no_expression(self, period):
        raise TypeError(f"{self.code} splits each firm's employment; use the calculation's compute or records_for.")

    def rows_q(self, part):
        if part == NOT_KNOWN:
            return ~Q(**{f"{self.field}__in": [v for values in self.rows.values() for v in values]})
        if part not in self.rows:
            return Q(pk__in=[])  # a part this breakdown does not have: nothing, as for any other breakdown
        return Q(**{f"{self.field}__in": self.rows[part]})


class ChangeFromBaseline(Calculation):
    """For each firm with a baseline snapshot, the value of its latest follow-up (yearly or closeout) snapshot
    dated after the baseline and on or before the period's last day, minus the baseline's; summed in SQL."""

    record_kind = "business"

    @abc.abstractmethod
    def snapshot_value(self, snapshot, rows):
        """An expression: the value of the snapshot whose id `snapshot` gives (only `rows` of its employment)."""

    def records(self, period):
        return self._firms(period, Q())

    def aggregate(self):
        return Sum("change", output_field=AMOUNT)

    def empty_value(self):
        return ZERO

    def _firms(self, period, rows):
        baseline = Snapshot.objects.filter(
            business=OuterRef("pk"), kind=SnapshotKind.BASELINE, date__lte=period.end
        ).order_by("date", "pk")
        follow_up = Snapshot.objects.filter(
            business=OuterRef("pk"), kind__in=FOLLOW_UP_KINDS, date__lte=period.end, date__gt=OuterRef("_baseline_on")
        ).order_by("-date", "-pk")
        return (
            Business.objects.alias(
                _baseline=Subquery(baseline.values("pk")[:1]), _baseline_on=Subquery(baseline.values("date")[:1])
            )
            .alias(_follow_up=Subquery(follow_up.values("pk")[:1]))
            .filter(_baseline__isnull=False, _follow_up__isnull=False)
            .annotate(change=self._change(rows))
        )

    def _change(self, rows):
        return ExpressionWrapper(
            self.snapshot_value(OuterRef("_follow_up"), rows) - self.snapshot_value(OuterRef("_baseline"), rows),
            output_field=AMOUNT,
        )

    def _splits(self, filters):
        splits = [(code, part) for code, part in filters if isinstance(self.dimensions.get(code), EmploymentSplit)]
        rows = Q()
        for code, part in splits:
            rows &= self.dimensions[code].rows_q(part)
        return splits, rows

    def filtered(self, period, filters=()):
        splits, rows = self._splits(filters)
        records = self._firms(period, rows)
        for code, part in filters:
            if (code, part) in splits:
                continue
            dimension = self.dimensions.get(code)
            if dimension is None:
                raise ValueError(f"{self.key} cannot be filtered by {code}")
            records = records.alias(**{f"_f_{code}": dimension.expression(period)}).filter(**{f"_f_{code}": part})
        if splits:
            # The firms whose baseline or follow-up employs someone in the part: their change is the part's change.
            employs = Q(snapshot=OuterRef("_baseline")) | Q(snapshot=OuterRef("_follow_up"))
            records = records.filter(Exists(SnapshotEmployment.objects.filter(rows, employs)))
        return records

    def compute(self, period, *, dimensions=(), filters=()):
        records = self.filtered(period, filters)
        value = records.order_by().aggregate(v=self.aggregate())["v"]
        _splits, rows = self._splits(filters)
        breakdowns = {}
        for code in dimensions:
            dimension = self.dimensions.get(code)
            if isinstance(dimension, EmploymentSplit):
                breakdowns[code] = self._split_breakdown(records, dimension, rows)
            elif dimension is not None:
                breakdowns[code] = self.breakdown(period, code, records)
        return Figure(value=ZERO if value is None else value, breakdowns=breakdowns)

    def _split_breakdown(self, records, dimension, rows):
        """Each part's change over the same firms, in one query: the parts add up to the total."""
        parts = dimension.parts()
        changes = {
            f"_p{index}": self._change(rows & dimension.rows_q(part)) for index, (part, _label) in enumerate(parts)
        }
        sums = {f"p{index}": Sum(f"_p{index}", output_field=AMOUNT) for index in range(len(parts))}
        values = records.annotate(**changes).order_by().aggregate(**sums)
        return [Part(part, label, values[f"p{index}"] or ZERO) for index, (part, label) in enumerate(parts)]


@register
class FteJobsCreated(ChangeFromBaseline):
    key = "fte_jobs_created"
    label = _("Full-time-equivalent jobs created by assisted firms")
    description = _(
        "For each firm with a baseline snapshot: FTE of its latest follow-up snapshot dated on or before the "
        "period's last day, minus the baseline FTE."
    )
    unit = "fte"
    dimensions = {
        "municipality": dims.municipality(),
        "sex": EmploymentSplit(dims.sex(), "sex", SEX_ROWS),
        "age_band": EmploymentSplit(dims.age_band(), "age_band", AGE_ROWS),
    }

    def snapshot_value(self, snapshot, rows):
        return snapshot_fte(snapshot, rows)


@register
class SalesChange(ChangeFromBaseline):
    key = "sales_change"
    label = _("Annual sales of assisted firms, change from baseline (EUR)")
    description = _(
        "For each firm with a baseline snapshot: annual sales in its latest follow-up snapshot dated on or before "
        "the period's last day, minus the baseline's annual sales."
    )
    unit = "eur"
    dimensions = {"municipality": dims.municipality()}

    def snapshot_value(self, snapshot, rows):
        return Subquery(Snapshot.objects.filter(pk=snapshot).values("annual_sales")[:1], output_field=AMOUNT)


# --- Market links and formalisation -------------------------------------------------------------------------------


def _link_dimensions():
    return {
        "municipality": dims.municipality("business__municipality__"),
        "direction": dims.choice("direction", pgettext_lazy("market link", "Direction"), "direction", Direction),
    }


@register
class MarketLinksCrossCommunity(Calculation):
    key = "market_links_cross_community"
    label = _("Market links across communities")
    description = _(
        "Sale or supply agreements dated in the period between a business and a counterpart of another community."
    )
    record_kind = "market_link"
    dimensions = _link_dimensions()

    def records(self, period):
        return MarketLink.objects.filter(crosses_communities=True, date__gte=period.start, date__lte=period.end)


@register
class MarketLinkValue(MarketLinksCrossCommunity):
    key = "market_link_value"
    label = _("Value of market links across communities (EUR)")
    description = _("The value of the cross-community sale or supply agreements dated in the period.")
    unit = "eur"

    def aggregate(self):
        return Sum("value", output_field=MONEY)

    def empty_value(self):
        return ZERO


@register
class BusinessesFormalised(Calculation):
    key = "businesses_formalised"
    label = _("Businesses formalised")
    description = _("Businesses that registered in the period while the programme supported them.")
    record_kind = "business"
    dimensions = {"municipality": dims.municipality(), "owner_sex": owner_sex()}

    def records(self, period):
        return formalised_businesses(start=period.start, end=period.end)
