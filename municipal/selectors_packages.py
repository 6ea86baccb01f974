"""Reads of technical-assistance packages and activities for the pages, with the joins each page needs so that the
number of queries never grows with the rows."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Person
from core.choices import Community, Sex
from municipal.models import ActivityStatus, DeliverableVersion, HearingAttendance, TAActivity, TAPackage

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_NOT_CANCELLED = Q(activities__status__in=[s for s in ActivityStatus.values if s != ActivityStatus.CANCELLED])


def _with_totals(queryset):
    """Activity counts by status and cost totals, annotated in the same query as the packages."""
    counts = {
        f"count_{status}": Count("activities", filter=Q(activities__status=status)) for status in ActivityStatus.values
    }
    return queryset.annotate(
        activity_count=Count("activities"),
        **counts,
        cost_total=Coalesce(Sum("activities__cost", filter=_NOT_CANCELLED), Value(Decimal("0")), output_field=_MONEY),
        cost_accepted=Coalesce(
            Sum("activities__cost", filter=Q(activities__status=ActivityStatus.ACCEPTED)),
            Value(Decimal("0")),
            output_field=_MONEY,
        ),
    )


def packages_of_municipality(municipality):
    """The municipality's packages, newest period first, each with `activity_count`, `count_<status>`, `cost_total`
    (all but cancelled activities) and `cost_accepted`. One query."""
    return _with_totals(TAPackage.objects.filter(municipality=municipality)).order_by("-starts_on", "id")


def package_for_page(pk):
    """One package with its municipality, totals, staff and activities (constant queries), or None."""
    package = (
        _with_totals(TAPackage.objects.filter(pk=pk))
        .select_related("municipality")
        .prefetch_related("staff", Prefetch("activities", queryset=_activities_with_counts()))
        .first()
    )
    return package


def _activities_with_counts():
    return TAActivity.objects.annotate(
        deliverable_count=Count("deliverables", distinct=True),
        participant_count=Count("participants", distinct=True),
    ).order_by("starts_on", "id")


def activity_for_page(pk):
    """One activity with its package and municipality, deliverables with all their versions (newest first),
    participants and hearing attendance: a constant number of queries. None if there is no such activity."""
    versions = DeliverableVersion.objects.select_related("uploaded_by").order_by("-number")
    return (
        TAActivity.objects.filter(pk=pk)
        .select_related("package__municipality")
        .prefetch_related(
            Prefetch("deliverables__versions", queryset=versions),
            Prefetch("participants", queryset=Person.objects.select_related("municipality").order_by("last_name")),
            "hearing_attendance",
        )
        .first()
    )


def hearing_totals(activities):
    """Attendance of the hearings among `activities` (a queryset or a list) by community and sex, in one query.

    {"rows": [{"community", "label", "female", "male", "not_stated", "total"} for each community with people],
     "totals": {"female", "male", "not_stated", "total"}}
    """
    if isinstance(activities, (list, tuple, set)):
        activities = [getattr(activity, "pk", activity) for activity in activities]
    sums = (
        HearingAttendance.objects.filter(activity__in=activities)
        .values("community", "sex")
        .annotate(people=Sum("count"))
        .order_by()
    )
    by_key = {(row["community"], row["sex"]): row["people"] or 0 for row in sums}
    return totals_of(by_key)


def totals_of(by_key):
    """The table of `hearing_totals` from a {(community, sex): people} mapping (also used for one hearing's rows)."""
    rows = []
    totals = {sex: 0 for sex in Sex.values} | {"total": 0}
    for community, label in Community.choices:
        row = {"community": community, "label": label, "total": 0}
        for sex in Sex.values:
            people = by_key.get((community, sex), 0)
            row[sex] = people
            row["total"] += people
            totals[sex] += people
        if row["total"]:
            rows.append(row)
            totals["total"] += row["total"]
    return {"rows": rows, "totals": totals}


def attendance_of(activity):
    """The table of one hearing from its prefetched `hearing_attendance` (no query)."""
    return totals_of({(row.community, row.sex): row.count for row in activity.hearing_attendance.all()})
