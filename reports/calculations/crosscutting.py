"""Cross-cutting calculations: grants awarded, money committed, disbursed and contributed as cost share, people
trained (with the shares of women and youth among them), people reached, and training events held.

Decisions that change what a figure means (each is also in the indicator's definition in reports/catalogue_seed/):

- EUR disbursed is counted per grant, exactly as `grants.selectors_money` counts "paid": tranche payments for cash
  grants, in-kind deliveries for in-kind grants (a payment recorded against an in-kind grant, or a delivery
  against a cash grant, is not money out under either). Payments and deliveries are two kinds of rows, and a
  calculation lists one kind of record, so the records behind the figure are the grants that received money in
  the period, each annotated with what it received then (`disbursed`): the drill-down list adds up to the figure.
- Persons trained counts people who completed (USAID counts a person trained once they completed the training),
  in events that started in the period; someone who completed three trainings is one person. Their `topic` part
  is the topic of their first completed training in the period, so the topic parts add up to the total.
- The youth share counts people aged 15–29 on the last day of the period (by year of birth, as the age band does);
  people whose year of birth is not known stay in the denominator (they were trained; not knowing their age does
  not remove them).
- People reached is one set of people (never a sum of lists): participants of training events and of municipal
  technical-assistance activities that started in the period (enrolled, whether or not they completed), owners
  of businesses whose grant was signed by the end of the period and ran during it, and individual grantees (the
  person of an application without an organisation) whose grant was signed in the period.
- Training events held are events that started in the period and were held (attendance and completion recorded:
  status held or closed). Events never held stay planned or open and do not count.
"""

from decimal import Decimal

from django.db.models import Case, CharField, DecimalField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from businesses.models import BusinessOwner
from core.choices import Sex
from grants.models import (
    CostShareContribution,
    CostShareKind,
    Grant,
    InKindDelivery,
    InstrumentType,
    ReportStatus,
    TranchePayment,
)
from municipal.models import ActivityStatus, TAActivity
from reports.calculations import dimensions as dims
from reports.calculations.base import NOT_KNOWN, NOT_KNOWN_LABEL, Calculation, Dimension, ShareCalculation
from reports.calculations.registry import register
from reports.records import Column, RecordKind, register_kind
from trainings.models import Enrolment, EventStatus, Topic, TrainingEvent
from trainings.selectors_counts import trained_people

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=2)
TEXT = CharField()
HELD_STATUSES = (EventStatus.HELD, EventStatus.CLOSED)


def _grant_dimensions(path=""):
    return {
        "component": dims.component(f"{path}application__call__component"),
        "municipality": dims.municipality(f"{path}application__municipality__"),
        "instrument": dims.choice("instrument", _("Instrument"), f"{path}instrument", InstrumentType),
    }


def _signed_in(period, path=""):
    first, after = period.datetime_bounds()
    return Q(**{f"{path}signed_at__gte": first, f"{path}signed_at__lt": after})


def _money_sum(queryset, value_field):
    """A correlated subquery: the sum of `value_field` over `queryset` (filtered on OuterRef), 0 when none."""
    total = queryset.order_by().annotate(one=Value(1)).values("one").annotate(total=Sum(value_field)).values("total")
    return Coalesce(Subquery(total[:1]), Value(ZERO), output_field=MONEY)


class MoneyCalculation(Calculation):
    """A sum of EUR over the records (`amount_field`), 0.00 when there are none."""

    unit = "eur"
    amount_field = "amount"

    def aggregate(self):
        return Coalesce(Sum(self.amount_field), Value(ZERO), output_field=MONEY)

    def empty_value(self):
        return ZERO


# --- Record kinds only these calculations list ------------------------------------------------------------------
def _grantee(grant):
    application = grant.application
    if application.organisation_id:
        return application.organisation.name
    return str(application.person)


def _municipality_name(municipality):
    return municipality.name if municipality is not None else ""


register_kind(
    RecordKind(
        code="disbursement",
        label=_("Money disbursed, by grant"),
        prepare=lambda qs: qs.select_related(
            "application__call", "application__municipality", "application__organisation", "application__person"
        ),
        ordering=("number", "pk"),
        url=lambda g: reverse("staff:grant_detail", args=[g.pk]),
        columns=[
            Column(_("Grant"), lambda g: g.number),
            Column(_("Grantee"), _grantee),
            Column(_("Component"), lambda g: g.application.call.get_component_display()),
            Column(_("Municipality"), lambda g: _municipality_name(g.application.municipality)),
            Column(_("Instrument"), lambda g: g.get_instrument_display()),
            Column(_("Disbursed in the period (EUR)"), lambda g: getattr(g, "disbursed", None)),
        ],
    )
)

register_kind(
    RecordKind(
        code="cost_share",
        label=_("Cost-share contributions"),
        prepare=lambda qs: qs.select_related(
            "report__grant__application__organisation", "report__grant__application__person"
        ),
        ordering=("report__grant__number", "report__number", "pk"),
        url=lambda c: reverse("staff:grant_report", args=[c.report.grant_id, c.report_id]),
        columns=[
            Column(_("Grant"), lambda c: c.report.grant.number),
            Column(_("Grantee"), lambda c: _grantee(c.report.grant)),
            Column(_("Report"), lambda c: c.report.number),
            Column(_("Accepted"), lambda c: c.report.accepted_at.date() if c.report.accepted_at else ""),
            Column(_("Kind"), lambda c: c.get_kind_display()),
            Column(_("What was contributed"), lambda c: c.description),
            Column(_("Value (EUR)"), lambda c: c.value),
        ],
    )
)


# --- Grants and money ---------------------------------------------------------------------------------------------
@register
class GrantsAwarded(Calculation):
    key = "grants_awarded"
    label = _("Grants awarded (agreement signed in the period)")
    description = _("Grants whose agreement was signed in the period, each once, whatever happened to it later.")
    record_kind = "grant"
    dimensions = _grant_dimensions()

    def records(self, period):
        return Grant.objects.filter(_signed_in(period))


@register
class EurCommitted(MoneyCalculation):
    key = "eur_committed"
    label = _("EUR committed (amount of the grants signed in the period)")
    description = _("The sum of the amounts of the grants whose agreement was signed in the period.")
    record_kind = "grant"
    dimensions = _grant_dimensions()

    def records(self, period):
        return Grant.objects.filter(_signed_in(period))


def disbursed_in(period):
    """What a grant received in `period`: its tranche payments, or for an in-kind grant its deliveries (the way
    grants.selectors_money counts "paid")."""
    payments = TranchePayment.objects.filter(
        tranche__grant=OuterRef("pk"), paid_on__gte=period.start, paid_on__lte=period.end
    )
    deliveries = InKindDelivery.objects.filter(
        grant=OuterRef("pk"), delivered_on__gte=period.start, delivered_on__lte=period.end
    )
    return Case(
        When(instrument=InstrumentType.IN_KIND, then=_money_sum(deliveries, "value")),
        default=_money_sum(payments, "amount"),
        output_field=MONEY,
    )


@register
class EurDisbursed(MoneyCalculation):
    key = "eur_disbursed"
    label = _("EUR disbursed (payments and in-kind deliveries in the period)")
    description = _(
        "Tranche payments made to cash grants and goods delivered to in-kind grants in the period. The records are "
        "the grants that received money, each with what it received in the period."
    )
    record_kind = "disbursement"
    amount_field = "disbursed"
    dimensions = {key: value for key, value in _grant_dimensions().items() if key != "instrument"}

    def records(self, period):
        return Grant.objects.annotate(disbursed=disbursed_in(period)).filter(disbursed__gt=0)


@register
class CostShareContributed(MoneyCalculation):
    key = "cost_share_contributed"
    label = _("Cost share contributed (EUR, in progress reports accepted in the period)")
    description = _(
        "Cash and in-kind contributions grantees reported in progress reports that were accepted in the period."
    )
    record_kind = "cost_share"
    amount_field = "value"
    dimensions = {
        "component": dims.component("report__grant__application__call__component"),
        "municipality": dims.municipality("report__grant__application__municipality__"),
        "kind": dims.choice("kind", _("Kind of contribution"), "kind", CostShareKind),
    }

    def records(self, period):
        first, after = period.datetime_bounds()
        return CostShareContribution.objects.filter(
            report__status=ReportStatus.ACCEPTED, report__accepted_at__gte=first, report__accepted_at__lt=after
        )


# --- People trained -------------------------------------------------------------------------------------------
def _completed_enrolments(period):
    return Enrolment.objects.filter(
        completed=True, event__start_date__gte=period.start, event__start_date__lte=period.end
    )


def _first_topic(period):
    """The topic of each person's first completed training in the period: one part per person."""
    first = (
        _completed_enrolments(period)
        .filter(person=OuterRef("pk"))
        .order_by("event__start_date", "event_id")
        .values("event__course__topic")[:1]
    )
    return Coalesce(Subquery(first), Value(NOT_KNOWN), output_field=TEXT)


def _topic_dimension():
    return Dimension(
        code="topic",
        label=_("Topic"),
        expression=_first_topic,
        parts=lambda: [*Topic.choices, (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


def _trained_dimensions():
    return {**dims.person_dimensions(), "topic": _topic_dimension()}


def persons_trained_in(period):
    """Unique people who completed a training event that started in the period."""
    return trained_people(start=period.start, end=period.end, completed_only=True)


@register
class PersonsTrained(Calculation):
    key = "persons_trained"
    label = _("Persons trained (completed a training that started in the period)")
    description = _(
        "Unique people who completed a training event that started in the period; by topic of their first "
        "completed training in the period."
    )
    record_kind = "person"
    dimensions = _trained_dimensions()

    def records(self, period):
        return persons_trained_in(period)


@register
class FemaleParticipantsShare(ShareCalculation):
    key = "female_participants_share"
    label = _("Female participants among persons trained (%)")
    description = _("Women as a percentage of the persons trained in the period (all of them, sex not stated too).")
    numerator_label = _("Women trained")
    record_kind = "person"
    dimensions = {key: value for key, value in _trained_dimensions().items() if key != "sex"}

    def records(self, period):
        return persons_trained_in(period)

    def numerator_q(self, period):
        return Q(sex=Sex.FEMALE)


def youth_q(period, path=""):
    """Aged 15–29 on the last day of the period, by year of birth (as the age-band breakdown counts them)."""
    year = period.end.year
    return Q(**{f"{path}birth_year__gt": year - 30, f"{path}birth_year__lte": year - 15})


@register
class YouthParticipantsShare(ShareCalculation):
    key = "youth_participants_share"
    label = _("Youth (15–29) among persons trained (%)")
    description = _(
        "People aged 15–29 on the last day of the period as a percentage of the persons trained; people whose "
        "year of birth is not known stay in the denominator."
    )
    numerator_label = _("Young people trained")
    record_kind = "person"
    dimensions = {key: value for key, value in _trained_dimensions().items() if key != "age_band"}

    def records(self, period):
        return persons_trained_in(period)

    def numerator_q(self, period):
        return youth_q(period)


# --- People reached -------------------------------------------------------------------------------------------
def _training_participants(period):
    return Enrolment.objects.filter(event__start_date__gte=period.start, event__start_date__lte=period.end).values(
        "person_id"
    )


def _ta_participants(period):
    return (
        TAActivity.participants.through.objects.filter(
            taactivity__starts_on__gte=period.start, taactivity__starts_on__lte=period.end
        )
        .exclude(taactivity__status=ActivityStatus.CANCELLED)
        .values("person_id")
    )


def _owners_of_granted_businesses(period):
    """Owners of businesses whose grant was signed by the end of the period and ran during it (one join: all
    three conditions hold for the same grant)."""
    _first, after = period.datetime_bounds()
    return BusinessOwner.objects.filter(
        business__grants__signed_at__lt=after,
        business__grants__start_date__lte=period.end,
        business__grants__end_date__gte=period.start,
    ).values("person_id")


def _individual_grantees(period):
    return Grant.objects.filter(_signed_in(period), application__organisation__isnull=True).values(
        "application__person_id"
    )


def people_reached_in(period):
    """Every person the programme reached in the period, once (one Person queryset over four subqueries)."""
    return Person.objects.filter(
        Q(pk__in=_training_participants(period))
        | Q(pk__in=_ta_participants(period))
        | Q(pk__in=_owners_of_granted_businesses(period))
        | Q(pk__in=_individual_grantees(period))
    )


@register
class PeopleReached(Calculation):
    key = "people_reached"
    label = _("People reached (unique)")
    description = _(
        "Unique people who took part in a training or a municipal technical-assistance activity that started in the "
        "period, owners of businesses with a grant running in the period, and individual grantees whose grant was "
        "signed in the period."
    )
    record_kind = "person"
    dimensions = dims.person_dimensions()

    def records(self, period):
        return people_reached_in(period)


# --- Training events ------------------------------------------------------------------------------------------
@register
class TrainingEventsHeld(Calculation):
    key = "training_events_held"
    label = _("Training events held (started in the period)")
    description = _("Training events that started in the period and were held (completion recorded).")
    record_kind = "training_event"
    dimensions = {
        "municipality": dims.municipality("municipality__"),
        "topic": dims.choice("topic", _("Topic"), "course__topic", Topic),
    }

    def records(self, period):
        return TrainingEvent.objects.filter(
            start_date__gte=period.start, start_date__lte=period.end, status__in=HELD_STATUSES
        )
