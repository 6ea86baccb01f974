"""What the programme did in one partner municipality, for its page and for the list of municipalities.

Every figure is an SQL aggregate or one query over all rows of a kind, so the cost of the pages does not grow with
the number of grants, businesses, trainings or people: `municipality_overview` uses a fixed number of queries
(about a dozen) and `municipalities_summary` the same for all 16 municipalities.

Where the numbers come from:
- a grant belongs to the municipality of its application and to the component of its call (as on the grant list,
  whose filters `?municipality=<code>&component=<component>` show the same grants);
- committed money is the amount of grants that are active, completed or closed; paid money is what went out:
  payments for cash grants, deliveries for in-kind grants (the rule of grants/selectors_money.py);
- businesses are those registered in the municipality (`Business.municipality`), trainings those held there
  (`TrainingEvent.municipality`);
- people reached are unique Person rows (accounts.selectors_people.people_breakdown): trainees of events held there,
  owners of businesses there and municipal staff trained by TA activities of its packages — someone who is all three
  counts once. Citizens at public hearings are counted by the hearing's attendance figures (not Persons), apart.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import Person
from accounts.selectors_people import people_breakdown
from businesses.models import Business, RegistrationStatus
from businesses.selectors_counts import business_owners
from core.choices import Community, Component, Sex
from grants.models import Grant, GrantStatus, InfrastructureProject, InKindDelivery, InstrumentType, TranchePayment
from municipal.models import ActivityStatus, HearingAttendance, TAActivity
from municipal.selectors_tracker import services_improved_by_municipality
from municipalities.models import Memorandum, MouStatus
from municipalities.selectors import partner_municipalities
from trainings.models import Enrolment, TrainingEvent

ZERO = Decimal("0.00")
COMMITTED_STATUSES = (GrantStatus.ACTIVE, GrantStatus.COMPLETED, GrantStatus.CLOSED)
# How many of the newest grants, businesses and trainings the page lists by name (the lists behind the links have
# all of them).
LATEST = 10


# --- Pieces shared by both pages -----------------------------------------------------------------------------------
def grants_of(municipality):
    """The grants of applications located in `municipality`."""
    return Grant.objects.filter(application__municipality=municipality)


def current_memorandum(memoranda, *, today=None):
    """Of one municipality's memoranda, the one the pages show (as the partnership panel does): the signed one in
    force today, else the latest signed, else the latest draft; an ended one only when there is nothing else."""
    today = today or timezone.localdate()
    signed = [memo for memo in memoranda if memo.status == MouStatus.SIGNED]
    in_force = [memo for memo in signed if memo.starts_on <= today <= memo.ends_on]
    drafts = [memo for memo in memoranda if memo.status == MouStatus.DRAFT]
    ended = [memo for memo in memoranda if memo.status == MouStatus.ENDED]
    for candidates in (in_force, signed, drafts, ended):
        if candidates:
            return max(candidates, key=lambda memo: (memo.starts_on, memo.pk))
    return None


# --- One municipality ----------------------------------------------------------------------------------------------
@dataclass
class ComponentMoney:
    component: str
    label: str
    grants: int = 0
    committed_grants: int = 0
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def remaining(self):
        return self.committed - self.paid


@dataclass
class Money:
    rows: list
    memorandum: Memorandum | None

    @property
    def grants(self):
        return sum(row.grants for row in self.rows)

    @property
    def committed(self):
        return sum((row.committed for row in self.rows), ZERO)

    @property
    def paid(self):
        return sum((row.paid for row in self.rows), ZERO)

    @property
    def remaining(self):
        return self.committed - self.paid

    @property
    def ceiling(self):
        return self.memorandum.programme_ceiling if self.memorandum else None

    @property
    def pledge(self):
        return self.memorandum.cofunding_pledge if self.memorandum else None

    def of(self, component):
        return next(row for row in self.rows if row.component == component)


def _money(municipality, memorandum):
    """Grants, committed and paid money per component: three GROUP BY queries."""
    rows = {value: ComponentMoney(component=value, label=label) for value, label in Component.choices}
    grants = grants_of(municipality)
    committed = Q(status__in=COMMITTED_STATUSES)
    for row in (
        grants.values(key=F("application__call__component"))
        .annotate(n=Count("pk"), c=Count("pk", filter=committed), amount=Sum("amount", filter=committed))
        .order_by()
    ):
        target = rows[row["key"]]
        target.grants, target.committed_grants, target.committed = row["n"], row["c"], row["amount"] or ZERO
    payments = TranchePayment.objects.filter(tranche__grant__in=grants.values("pk")).exclude(
        tranche__grant__instrument=InstrumentType.IN_KIND
    )
    deliveries = InKindDelivery.objects.filter(grant__in=grants.values("pk"), grant__instrument=InstrumentType.IN_KIND)
    for queryset, path, amount in (
        (payments, "tranche__grant__application__call__component", "amount"),
        (deliveries, "grant__application__call__component", "value"),
    ):
        for row in queryset.values(key=F(path)).annotate(total=Sum(amount)).order_by():
            rows[row["key"]].paid += row["total"] or ZERO
    return Money(rows=list(rows.values()), memorandum=memorandum)


def _infrastructure(municipality):
    """What civic grants in the municipality build, with expected and actual users: one query."""
    return list(
        InfrastructureProject.objects.filter(
            grant__application__municipality=municipality,
            grant__application__call__component=Component.CIVIC_ENGAGEMENT,
        )
        .select_related("grant")
        .annotate(expected=Sum("uses__expected_users"), actual=Sum("uses__actual_users"))
        .order_by("grant__number")
    )


def _latest_grants(municipality):
    grants = grants_of(municipality).select_related(
        "application__call", "application__person", "application__organisation"
    )
    latest = list(grants.order_by("-created_at", "-id")[:LATEST])
    for grant in latest:
        application = grant.application
        grant.grantee = application.organisation.name if application.organisation_id else str(application.person)
    return latest


def _businesses(municipality):
    businesses = Business.objects.filter(municipality=municipality)
    totals = businesses.aggregate(
        total=Count("pk"),
        registered=Count("pk", filter=Q(registration_status=RegistrationStatus.REGISTERED)),
        formalised=Count("pk", filter=Q(formalised_on__isnull=False)),
    )
    totals["latest"] = list(businesses.order_by("-created_at", "-id")[:LATEST])
    return totals


def _trainings(municipality):
    """Events held in the municipality (the newest with their enrolled and completers), and the unique people enrolled
    in and completing them: three queries."""
    events = TrainingEvent.objects.filter(municipality=municipality)
    enrolments = Enrolment.objects.filter(event__municipality=municipality)
    totals = enrolments.aggregate(
        participants=Count("person", distinct=True),
        completers=Count("person", filter=Q(completed=True), distinct=True),
    )
    latest = list(
        events.select_related("course")
        .annotate(enrolled=Count("enrolments"), completed=Count("enrolments", filter=Q(enrolments__completed=True)))
        .order_by("-start_date", "-id")[:LATEST]
    )
    return {"events": events.count(), "latest": latest, **totals}


def people_reached(municipality):
    """Unique people reached in the municipality: trainees of events held there, owners of businesses there and
    municipal staff trained by its TA activities (a Person queryset; each person once)."""
    trainees = Enrolment.objects.filter(event__municipality=municipality).values("person_id")
    owners = business_owners(businesses=Business.objects.filter(municipality=municipality)).values("pk")
    staff = TAActivity.participants.through.objects.filter(taactivity__package__municipality=municipality).values(
        "person_id"
    )
    return Person.objects.filter(Q(pk__in=trainees) | Q(pk__in=owners) | Q(pk__in=staff))


@dataclass
class HearingTotals:
    """Citizens at the municipality's public hearings by community and sex (attendance figures, not Persons)."""

    cells: dict = field(default_factory=dict)  # (community, sex) -> count
    hearings: int = 0

    @property
    def total(self):
        return sum(self.cells.values())

    def rows(self):
        """[(community label, [count per sex …], row total)] for communities with anyone, in Community order."""
        result = []
        for community, label in Community.choices:
            counts = [self.cells.get((community, sex), 0) for sex in Sex.values]
            if any(counts):
                result.append((label, counts, sum(counts)))
        return result

    @property
    def sex_labels(self):
        return Sex.labels

    def by_sex(self):
        return [sum(self.cells.get((community, sex), 0) for community in Community.values) for sex in Sex.values]


def hearing_totals_of(municipality):
    rows = (
        HearingAttendance.objects.filter(activity__package__municipality=municipality)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values("community", "sex")
        .annotate(total=Sum("count"))
        .order_by()
    )
    hearings = (
        TAActivity.objects.filter(package__municipality=municipality, hearing_attendance__isnull=False)
        .exclude(status=ActivityStatus.CANCELLED)
        .distinct()
    )
    return HearingTotals(
        cells={(row["community"], row["sex"]): row["total"] for row in rows}, hearings=hearings.count()
    )


def _breakdown_rows(breakdown):
    communities = [(label, breakdown["community"].get(value, 0)) for value, label in Community.choices]
    cells = breakdown["community_sex"]
    cross = [
        (label, [cells.get((value, sex), 0) for sex in Sex.values], breakdown["community"].get(value, 0))
        for value, label in Community.choices
        if breakdown["community"].get(value, 0)
    ]
    return {
        "total": breakdown["total"],
        "sex": [(label, breakdown["sex"].get(value, 0)) for value, label in Sex.choices],
        "sex_labels": [label for _value, label in Sex.choices],
        "community": [(label, count) for label, count in communities if count],
        "community_sex": cross,
        "youth": breakdown["age_band"].get("15_29", 0),
    }


def municipality_overview(municipality):
    """Everything the municipality page shows beside the panels of partnership, packages and tracker, in a fixed
    number of queries whatever the number of grants, businesses, events or people."""
    memorandum = current_memorandum(list(Memorandum.objects.filter(municipality=municipality)))
    money = _money(municipality, memorandum)
    return {
        "memorandum": memorandum,
        "money": money,
        "civic": money.of(Component.CIVIC_ENGAGEMENT),
        "municipal_grants": money.of(Component.MUNICIPAL_DEVELOPMENT),
        "business_grants": money.of(Component.BUSINESS_DEVELOPMENT),
        "infrastructure": _infrastructure(municipality),
        "latest_grants": _latest_grants(municipality),
        "businesses": _businesses(municipality),
        "trainings": _trainings(municipality),
        "people": _breakdown_rows(people_breakdown(people_reached(municipality))),
        "hearings": hearing_totals_of(municipality),
    }


# --- All partner municipalities ------------------------------------------------------------------------------------
@dataclass
class MunicipalitySummary:
    municipality: object
    memorandum: Memorandum | None = None
    grants: int = 0
    businesses: int = 0
    trainings: int = 0
    activities: int = 0
    activities_accepted: int = 0
    services: int = 0
    services_improved: int = 0

    @property
    def mou_status(self):
        return self.memorandum.status if self.memorandum else ""

    @property
    def mou_status_label(self):
        return self.memorandum.get_status_display() if self.memorandum else ""


def _counts_by(queryset, key):
    return {row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("pk")).order_by()}


def municipalities_summary():
    """Per partner municipality, in the programme's order: its memorandum, and how many grants, businesses,
    trainings, TA activities (accepted and all but the cancelled) and services (improved and all) it has. A fixed
    number of queries for all municipalities."""
    municipalities = list(partner_municipalities())
    memoranda = {}
    for memo in Memorandum.objects.filter(municipality__in=[m.pk for m in municipalities]):
        memoranda.setdefault(memo.municipality_id, []).append(memo)
    grants = _counts_by(Grant.objects.all(), "application__municipality")
    businesses = _counts_by(Business.objects.all(), "municipality")
    trainings = _counts_by(TrainingEvent.objects.all(), "municipality")
    activities = {
        row["package__municipality"]: row
        for row in TAActivity.objects.exclude(status=ActivityStatus.CANCELLED)
        .values("package__municipality")
        .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(status=ActivityStatus.ACCEPTED)))
        .order_by()
    }
    services = services_improved_by_municipality()
    rows = []
    for municipality in municipalities:
        pk = municipality.pk
        row_activities = activities.get(pk, {})
        rows.append(
            MunicipalitySummary(
                municipality=municipality,
                memorandum=current_memorandum(memoranda.get(pk, [])),
                grants=grants.get(pk, 0),
                businesses=businesses.get(pk, 0),
                trainings=trainings.get(pk, 0),
                activities=row_activities.get("total", 0),
                activities_accepted=row_activities.get("accepted", 0),
                services_improved=services.get(pk, (0, 0))[0],
                services=services.get(pk, (0, 0))[1],
            )
        )
    return rows
