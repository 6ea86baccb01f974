"""The figures of a reporting period that the quarterly and the municipality reports print beside the indicators:
grants awarded and active, money committed, disbursed and contributed, trainings held and people trained, TA
delivered, per component and per municipality, and the annex lists.

Every figure is an SQL aggregate (GROUP BY through values()), so the cost does not grow with the number of grants,
events or people: each function is a fixed number of queries, for one municipality (`municipality=`) or all.

The rules, in the words the reports print them with:
- a grant is *awarded* in the period its agreement was signed (as the `grants_awarded` calculation counts it), and
  belongs to the component of its call and the municipality of its application;
- a grant is *active at the end of the period* when it was signed by then, has not ended before that day, and is
  not terminated or still awaiting signature (a grant closed after the period still counts);
- money *disbursed* is what went out in the period: tranche payments of cash grants, deliveries of in-kind grants
  (the rule of grants/selectors_money.py); *cost share* is what accepted progress reports for periods ending within
  the period say the grantees contributed;
- a training is *held* in the period when its first day falls in it and it was not left planned or open; people
  trained are unique Person rows enrolled in those events;
- TA is *delivered* in the period when an activity that was delivered or accepted ended in the period, and
  *accepted* when the municipality accepted it in the period.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _
from weasyprint import HTML

from accounts.models import Person
from accounts.selectors_people import people_breakdown
from businesses.models import Business
from core.choices import Component, Sex
from core.pdf import DOCUMENT_BASE_URL, StaticOnlyURLFetcher
from grants.models import (
    CostShareContribution,
    Grant,
    GrantStatus,
    InKindDelivery,
    InstrumentType,
    ReportStatus,
    TranchePayment,
)
from municipal.models import ActivityStatus, Deliverable, TAActivity
from municipal.selectors_tracker import services_improved_by_municipality
from municipalities.selectors import partner_municipalities
from reports.calculations import registry
from trainings.models import Enrolment, EventStatus, TrainingEvent

ZERO = Decimal("0.00")
NOT_HELD = (EventStatus.PLANNED, EventStatus.OPEN)
DELIVERED = (ActivityStatus.DELIVERED, ActivityStatus.ACCEPTED)


def plain(value):
    """A figure as JSON data for the snapshot: Decimals as strings with two decimals."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


def pdf_with_pages(html):
    """The PDF bytes and page count of `html`, rendered like core.pdf.html_to_pdf (static-only fetcher)."""
    document = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()
    return document.write_pdf(), len(document.pages)


# --- Querysets of the period ---------------------------------------------------------------------------------------
def _in_place(queryset, path, municipality):
    return queryset if municipality is None else queryset.filter(**{path: municipality})


def grants_signed(period, *, municipality=None):
    first, after = period.datetime_bounds()
    grants = Grant.objects.filter(signed_at__gte=first, signed_at__lt=after)
    return _in_place(grants, "application__municipality", municipality)


def grants_active_at_end(period, *, municipality=None):
    _first, after = period.datetime_bounds()
    grants = Grant.objects.filter(signed_at__lt=after, end_date__gte=period.end).exclude(
        status__in=(GrantStatus.AWAITING_SIGNATURE, GrantStatus.TERMINATED)
    )
    return _in_place(grants, "application__municipality", municipality)


def events_held(period, *, municipality=None):
    events = TrainingEvent.objects.filter(start_date__gte=period.start, start_date__lte=period.end).exclude(
        status__in=NOT_HELD
    )
    return _in_place(events, "municipality", municipality)


def people_trained(period, *, municipality=None):
    enrolments = Enrolment.objects.filter(event__in=events_held(period, municipality=municipality).values("pk"))
    return Person.objects.filter(pk__in=enrolments.values("person_id"))


def ta_activities(period, *, municipality=None):
    """TA activities that ran during the period (overlapping it), not cancelled."""
    activities = TAActivity.objects.filter(starts_on__lte=period.end, ends_on__gte=period.start).exclude(
        status=ActivityStatus.CANCELLED
    )
    return _in_place(activities, "package__municipality", municipality)


def _payments(period, municipality):
    payments = TranchePayment.objects.filter(paid_on__gte=period.start, paid_on__lte=period.end).exclude(
        tranche__grant__instrument=InstrumentType.IN_KIND
    )
    deliveries = InKindDelivery.objects.filter(
        delivered_on__gte=period.start, delivered_on__lte=period.end, grant__instrument=InstrumentType.IN_KIND
    )
    return (
        (_in_place(payments, "tranche__grant__application__municipality", municipality), "tranche__grant__", "amount"),
        (_in_place(deliveries, "grant__application__municipality", municipality), "grant__", "value"),
    )


def _contributions(period, municipality):
    contributions = CostShareContribution.objects.filter(
        report__status=ReportStatus.ACCEPTED, report__period_end__gte=period.start, report__period_end__lte=period.end
    )
    return _in_place(contributions, "report__grant__application__municipality", municipality)


# --- Per component -------------------------------------------------------------------------------------------------
@dataclass
class ComponentFigures:
    component: str
    label: str
    awarded: int = 0
    awarded_amount: Decimal = ZERO
    active: int = 0
    disbursed: Decimal = ZERO
    cost_share: Decimal = ZERO

    def as_data(self):
        return {
            "awarded": self.awarded,
            "awarded_amount": plain(self.awarded_amount),
            "active_at_end": self.active,
            "disbursed": plain(self.disbursed),
            "cost_share_contributed": plain(self.cost_share),
        }


def _grouped(queryset, path, **aggregates):
    return queryset.values(key=F(path)).annotate(**aggregates).order_by()


def component_figures(period, *, municipality=None):
    """Per component: grants awarded (and their amount, the money committed in the period), grants active at the
    end, money disbursed and cost share contributed in the period. Five GROUP BY queries."""
    rows = {value: ComponentFigures(component=value, label=label) for value, label in Component.choices}
    component = "application__call__component"
    for row in _grouped(grants_signed(period, municipality=municipality), component, n=Count("pk"), a=Sum("amount")):
        rows[row["key"]].awarded, rows[row["key"]].awarded_amount = row["n"], row["a"] or ZERO
    for row in _grouped(grants_active_at_end(period, municipality=municipality), component, n=Count("pk")):
        rows[row["key"]].active = row["n"]
    for queryset, prefix, amount in _payments(period, municipality):
        for row in _grouped(queryset, f"{prefix}{component}", total=Sum(amount)):
            rows[row["key"]].disbursed += row["total"] or ZERO
    for row in _grouped(_contributions(period, municipality), f"report__grant__{component}", total=Sum("value")):
        rows[row["key"]].cost_share += row["total"] or ZERO
    return list(rows.values())


@dataclass
class TrainingFigures:
    events: int
    enrolments: int
    people: int
    breakdown: dict = field(default_factory=dict)

    def as_data(self):
        return {
            "events": self.events,
            "enrolments": self.enrolments,
            "people": self.people,
            "people_by_sex": dict(self.breakdown.get("sex", {})),
        }


def training_figures(period, *, municipality=None):
    """Training events held, enrolments in them and the unique people enrolled (by sex, community): three queries."""
    events = events_held(period, municipality=municipality)
    enrolments = Enrolment.objects.filter(event__in=events.values("pk")).count()
    breakdown = people_breakdown(people_trained(period, municipality=municipality), on_day=period.end)
    return TrainingFigures(events=events.count(), enrolments=enrolments, people=breakdown["total"], breakdown=breakdown)


def ta_figures(period, *, municipality=None):
    """TA activities running in the period, delivered (ended, delivered or accepted) and accepted in it: one query."""
    activities = ta_activities(period, municipality=municipality)
    delivered = Q(status__in=DELIVERED, ends_on__gte=period.start, ends_on__lte=period.end)
    accepted = Q(status=ActivityStatus.ACCEPTED, accepted_on__gte=period.start, accepted_on__lte=period.end)
    return activities.aggregate(
        running=Count("pk"), delivered=Count("pk", filter=delivered), accepted=Count("pk", filter=accepted)
    )


# --- Per municipality ----------------------------------------------------------------------------------------------
@dataclass
class MunicipalityFigures:
    municipality: object
    awarded: int = 0
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    active: int = 0
    events: int = 0
    people: int = 0
    ta_activities: int = 0
    ta_delivered: int = 0
    services_improved: int = 0
    services: int = 0

    def as_data(self):
        return {
            "awarded": self.awarded,
            "committed": plain(self.committed),
            "disbursed": plain(self.disbursed),
            "active_at_end": self.active,
            "training_events": self.events,
            "people_trained": self.people,
            "ta_activities": self.ta_activities,
            "ta_delivered": self.ta_delivered,
            "services_improved": self.services_improved,
            "services_tracked": self.services,
        }


def municipality_figures(period):
    """Per partner municipality, in the programme's order: grants awarded and their amount, money disbursed, grants
    active at the end, training events and unique people trained, TA activities, services improved (to date). A
    fixed number of queries for all sixteen."""
    places = list(partner_municipalities())
    rows = {place.pk: MunicipalityFigures(municipality=place) for place in places}

    def each(queryset, path, **aggregates):
        for row in _grouped(queryset, path, **aggregates):
            if row["key"] in rows:
                yield rows[row["key"]], row

    place = "application__municipality"
    for target, row in each(grants_signed(period), place, n=Count("pk"), a=Sum("amount")):
        target.awarded, target.committed = row["n"], row["a"] or ZERO
    for target, row in each(grants_active_at_end(period), place, n=Count("pk")):
        target.active = row["n"]
    for queryset, prefix, amount in _payments(period, None):
        for target, row in each(queryset, f"{prefix}{place}", total=Sum(amount)):
            target.disbursed += row["total"] or ZERO
    for target, row in each(events_held(period), "municipality", n=Count("pk")):
        target.events = row["n"]
    enrolments = Enrolment.objects.filter(event__in=events_held(period).values("pk"))
    for target, row in each(enrolments, "event__municipality", n=Count("person", distinct=True)):
        target.people = row["n"]
    delivered = Q(status__in=DELIVERED, ends_on__gte=period.start, ends_on__lte=period.end)
    for target, row in each(
        ta_activities(period), "package__municipality", n=Count("pk"), d=Count("pk", filter=delivered)
    ):
        target.ta_activities, target.ta_delivered = row["n"], row["d"]
    for pk, (improved, tracked) in services_improved_by_municipality([p.pk for p in places]).items():
        if pk in rows:
            rows[pk].services_improved, rows[pk].services = improved, tracked
    return list(rows.values())


# --- Annex lists ---------------------------------------------------------------------------------------------------
def grants_list(period, *, municipality=None):
    """The grants awarded in the period with what the annex prints (grantee, municipality, call): one query."""
    grants = list(
        grants_signed(period, municipality=municipality)
        .select_related(
            "application__organisation", "application__person", "application__municipality", "application__call"
        )
        .order_by("signed_at", "number")
    )
    for grant in grants:
        application = grant.application
        grant.grantee = application.organisation.name if application.organisation_id else str(application.person)
    return grants


def trainings_list(period, *, municipality=None):
    """The events held in the period with enrolled participants by sex: one query."""
    sex = "enrolments__person__sex"
    return list(
        events_held(period, municipality=municipality)
        .select_related("course", "municipality")
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            women=Count("enrolments", filter=Q(**{sex: Sex.FEMALE}), distinct=True),
            men=Count("enrolments", filter=Q(**{sex: Sex.MALE}), distinct=True),
            not_stated=Count("enrolments", filter=~Q(**{f"{sex}__in": [Sex.FEMALE, Sex.MALE]}), distinct=True),
            completed=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
        )
        .order_by("start_date", "id")
    )


def ta_list(period, *, municipality):
    """One municipality's TA activities of the period with their number of deliverables and people trained."""
    return list(
        ta_activities(period, municipality=municipality)
        .annotate(
            deliverable_count=Count("deliverables", distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .order_by("starts_on", "id")
    )


def deliverables_count(period, *, municipality):
    return Deliverable.objects.filter(
        activity__in=ta_activities(period, municipality=municipality).values("pk")
    ).count()


def businesses_supported(period, *, municipality):
    """Businesses of the municipality with a grant signed by the end of the period, and those formalised in it."""
    _first, after = period.datetime_bounds()
    businesses = Business.objects.filter(municipality=municipality)
    return businesses.aggregate(
        with_grant=Count("pk", filter=Q(grants__signed_at__lt=after), distinct=True),
        formalised=Count("pk", filter=Q(formalised_on__gte=period.start, formalised_on__lte=period.end), distinct=True),
        total=Count("pk", distinct=True),
    )


# --- Registered calculations ---------------------------------------------------------------------------------------
def calculation_value(key, period, filters=()):
    """The figure of a registered calculation, or None when no calculation has that key (yet) or it cannot be
    narrowed by the filters asked for: the report then says "not available" rather than failing."""
    calculation = registry.get(key)
    if calculation is None or any(code not in calculation.dimensions for code, _part in filters):
        return None
    return calculation.compute(period, filters=filters).value


def not_available():
    return _("not available")
