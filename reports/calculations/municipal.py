"""Municipal development calculations: municipalities assisted, municipal services improved, municipal staff
trained, citizens at public hearings and the change in own-source revenue of tracked services.

"Improved" is the tracker's rule (municipal/selectors_tracker.py), written here in SQL so that any number of
services is judged in one query: a kind of measure improved when its latest follow-up moved away from the baseline
in the better direction (BETTER_DIRECTION) and that follow-up has its evidence attached.
"""

from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from municipal.models import (
    BETTER_DIRECTION,
    ActivityStatus,
    ActivityType,
    HearingAttendance,
    MeasureKind,
    MunicipalService,
    ServiceCategory,
    ServiceMeasure,
    TAActivity,
)
from municipalities.models import Municipality, ProgrammeGroup
from reports.calculations import dimensions as dims
from reports.calculations.base import Calculation
from reports.calculations.registry import register
from reports.records import Column, RecordKind, register_kind

ASSISTING_STATUSES = (ActivityStatus.IN_PROGRESS, ActivityStatus.DELIVERED, ActivityStatus.ACCEPTED)
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


@register
class MunicipalitiesAssisted(Calculation):
    """Partner municipalities with at least one technical-assistance activity that is in progress, delivered or
    accepted and whose dates (start to end) overlap the period. Planned and cancelled activities do not count.
    Each municipality counts once."""

    key = "municipalities_assisted"
    label = _("Municipalities receiving assistance to improve their performance")
    description = _("Partner municipalities with a TA activity in progress, delivered or accepted during the period.")
    record_kind = "municipality"
    dimensions = {
        "programme_group": dims.choice("programme_group", _("Programme group"), "programme_group", ProgrammeGroup)
    }

    def records(self, period):
        activities = TAActivity.objects.filter(
            status__in=ASSISTING_STATUSES, starts_on__lte=period.end, ends_on__gte=period.start
        ).values("package__municipality_id")
        return Municipality.objects.filter(is_partner=True, pk__in=Subquery(activities))


# --- Services improved ---------------------------------------------------------------------------------------------
def _better_than_baseline():
    """The follow-up `value` is better than its kind's baseline (a Subquery annotated as `_baseline`)."""
    lower = [kind for kind, direction in BETTER_DIRECTION.items() if direction < 0]
    higher = [kind for kind, direction in BETTER_DIRECTION.items() if direction > 0]
    return Q(kind__in=lower, value__lt=F("_baseline")) | Q(kind__in=higher, value__gt=F("_baseline"))


def improving_measures(period):
    """Follow-up measures dated in the period that, on the period's last day, are the latest follow-up of their
    service and kind, have evidence, and are better than the baseline: each one makes its service improved."""
    baseline = ServiceMeasure.objects.filter(
        service=OuterRef("service"), kind=OuterRef("kind"), is_baseline=True
    ).values("value")[:1]
    later = ServiceMeasure.objects.filter(
        service=OuterRef("service"),
        kind=OuterRef("kind"),
        is_baseline=False,
        measured_on__gt=OuterRef("measured_on"),
        measured_on__lte=period.end,
    )
    return (
        ServiceMeasure.objects.filter(is_baseline=False, measured_on__gte=period.start, measured_on__lte=period.end)
        .exclude(evidence="")
        .annotate(_baseline=Subquery(baseline))
        .filter(_better_than_baseline())
        .filter(~Exists(later))
    )


@register
class ServicesImproved(Calculation):
    """Tracked municipal services that are "improved" on the period's last day thanks to a measure dated in the
    period: for at least one kind of measure, the latest follow-up on or before the period's end is dated in the
    period, moved from the baseline in the better direction, and has its evidence attached. For a period that ends
    after the last measure this is exactly the tracker's verdict. Each service counts once."""

    key = "services_improved"
    label = _("Municipal services improved")
    description = _(
        "Tracked services whose latest follow-up measure, dated in the period and with evidence, is better than "
        "the baseline."
    )
    record_kind = "municipal_service"
    dimensions = {
        "municipality": dims.municipality(),
        "category": dims.choice("category", _("Kind of service"), "category", ServiceCategory),
    }

    def records(self, period):
        return MunicipalService.objects.filter(Exists(improving_measures(period).filter(service=OuterRef("pk"))))


# --- Municipal staff trained ---------------------------------------------------------------------------------------
@register
class MunicipalStaffTrained(Calculation):
    """Unique people named as participants of a technical-assistance activity (not cancelled) that started in the
    period. A person in several activities counts once."""

    key = "municipal_staff_trained"
    label = _("Municipal staff trained (unique)")
    description = _("Unique people named as participants of a TA activity that started in the period.")
    record_kind = "person"
    dimensions = dims.person_dimensions()

    def records(self, period):
        named = (
            TAActivity.participants.through.objects.filter(
                taactivity__starts_on__gte=period.start, taactivity__starts_on__lte=period.end
            )
            .exclude(taactivity__status=ActivityStatus.CANCELLED)
            .values("person_id")
        )
        return Person.objects.filter(pk__in=Subquery(named))


# --- Citizens at public hearings ---------------------------------------------------------------------------------
def _municipality_name(row):
    municipality = row.activity.package.municipality
    return municipality.name if municipality else ""


register_kind(
    RecordKind(
        code="hearing_attendance",
        label=_("Attendance at public hearings"),
        prepare=lambda qs: qs.select_related("activity__package__municipality"),
        ordering=("activity__starts_on", "activity_id", "community", "sex", "pk"),
        url=lambda row: reverse("staff:ta_activity_detail", args=[row.activity_id]),
        columns=[
            Column(_("Hearing"), lambda row: row.activity.title),
            Column(_("Municipality"), _municipality_name),
            Column(_("Date"), lambda row: row.activity.starts_on),
            Column(_("Community"), lambda row: row.get_community_display()),
            Column(_("Sex"), lambda row: row.get_sex_display()),
            Column(_("People"), lambda row: row.count),
        ],
    )
)


@register
class HearingParticipants(Calculation):
    """Citizens at public hearings and consultations held in the period (the activity starts in the period and was
    not cancelled): the sum of the attendance counts recorded per community and sex. These are head counts, not
    named people, so a citizen attending two hearings counts twice."""

    key = "hearing_participants"
    label = _("Citizens taking part in public hearings")
    description = _("Attendance recorded at public hearings held in the period, by community and sex.")
    record_kind = "hearing_attendance"
    dimensions = {
        "community": dims.community(),
        "sex": dims.sex(),
        "municipality": dims.municipality("activity__package__municipality__"),
    }

    def records(self, period):
        return HearingAttendance.objects.filter(
            activity__type=ActivityType.PUBLIC_HEARING,
            activity__starts_on__gte=period.start,
            activity__starts_on__lte=period.end,
        ).exclude(activity__status=ActivityStatus.CANCELLED)

    def aggregate(self):
        return Sum("count")


# --- Own-source revenue ----------------------------------------------------------------------------------------------
def _revenue(service_ref, **filters):
    return ServiceMeasure.objects.filter(service=service_ref, kind=MeasureKind.REVENUE, **filters)


register_kind(
    RecordKind(
        code="service_revenue",
        label=_("Own-source revenue of tracked services"),
        prepare=lambda qs: qs.select_related("municipality"),
        ordering=("municipality__sort_order", "name", "pk"),
        url=lambda s: reverse("staff:municipal_service_detail", args=[s.pk]),
        columns=[
            Column(_("Service"), lambda s: s.name),
            Column(_("Municipality"), lambda s: s.municipality.name),
            Column(_("Baseline (EUR)"), lambda s: s.revenue_baseline),
            Column(_("Latest measured on"), lambda s: s.revenue_latest_on),
            Column(_("Latest (EUR)"), lambda s: s.revenue_latest),
            Column(_("Change (EUR)"), lambda s: s.revenue_change),
        ],
    )
)


@register
class OwnSourceRevenueChange(Calculation):
    """The change in own-source revenue (EUR) of tracked services, as of the period's last day: for each service
    with a revenue baseline and at least one revenue follow-up on or before that day, the latest follow-up minus
    the baseline, summed over the services. A level, not a flow: a fiscal year's figure is the change reached by its
    last day, and a service whose revenue fell contributes a negative change."""

    key = "own_source_revenue_change"
    label = _("Change in own-source revenue of tracked services (EUR)")
    description = _("Latest own-source revenue on or before the period's end minus the baseline, summed over services.")
    record_kind = "service_revenue"
    unit = "eur"
    dimensions = {
        "municipality": dims.municipality(),
        "category": dims.choice("category", _("Kind of service"), "category", ServiceCategory),
    }

    def records(self, period):
        latest = _revenue(OuterRef("pk"), is_baseline=False, measured_on__lte=period.end).order_by(
            "-measured_on", "-pk"
        )
        return (
            MunicipalService.objects.annotate(
                revenue_baseline=Subquery(_revenue(OuterRef("pk"), is_baseline=True).values("value")[:1]),
                revenue_latest=Subquery(latest.values("value")[:1]),
                revenue_latest_on=Subquery(latest.values("measured_on")[:1]),
            )
            .filter(revenue_baseline__isnull=False, revenue_latest__isnull=False)
            .annotate(revenue_change=F("revenue_latest") - F("revenue_baseline"))
        )

    def aggregate(self):
        return Sum("revenue_change", output_field=MONEY)

    def empty_value(self):
        return ZERO
