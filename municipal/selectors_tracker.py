"""Reads of the municipal services tracker, and what "improved" means.

A kind of measure of a service improved when its latest follow-up (by date) moved away from the baseline in the
direction that is better for that kind (BETTER_DIRECTION: fewer processing days, more revenue …) and that follow-up
has its evidence attached. A service improved when at least one of its kinds did. The measures of any number of
services are loaded in one query and compared in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from municipal.models import BETTER_DIRECTION, MeasureKind, MunicipalService, ServiceMeasure, TAActivity


@dataclass
class KindTrend:
    """One kind of measure of one service: its values in date order (the baseline first) and the verdict."""

    kind: str
    measures: list = field(default_factory=list)

    @property
    def label(self):
        return MeasureKind(self.kind).label

    @property
    def direction(self):
        return BETTER_DIRECTION[self.kind]

    @property
    def baseline(self):
        return next((measure for measure in self.measures if measure.is_baseline), None)

    @property
    def latest(self):
        """The latest follow-up by date; None while only the baseline is recorded."""
        follow_ups = [measure for measure in self.measures if not measure.is_baseline]
        return max(follow_ups, key=lambda measure: (measure.measured_on, measure.pk)) if follow_ups else None

    @property
    def change(self):
        baseline, latest = self.baseline, self.latest
        if baseline is None or latest is None:
            return None
        return latest.value - baseline.value

    @property
    def moved_right_way(self):
        change = self.change
        return change is not None and change * self.direction > 0

    @property
    def has_evidence(self):
        latest = self.latest
        return latest is not None and bool(latest.evidence)

    @property
    def improved(self):
        return self.moved_right_way and self.has_evidence

    @property
    def is_yes_no(self):
        return self.kind == MeasureKind.BOTH_LANGUAGES

    def chart_data(self):
        """What static/js/municipal_trend.js draws (passed through json_script)."""
        return {
            "label": str(self.label),
            "dates": [measure.measured_on.isoformat() for measure in self.measures],
            "values": [str(measure.value) for measure in self.measures],
            "baseline": str(self.baseline.value) if self.baseline else None,
            "yes_no": self.is_yes_no,
        }


@dataclass
class ServiceTrend:
    service: MunicipalService
    kinds: list = field(default_factory=list)

    @property
    def improved_kinds(self):
        return [trend for trend in self.kinds if trend.improved]

    @property
    def improved(self):
        return bool(self.improved_kinds)

    @property
    def has_follow_up(self):
        return any(trend.latest is not None for trend in self.kinds)


def _kind_order(kind):
    return MeasureKind.values.index(kind) if kind in MeasureKind.values else len(MeasureKind.values)


def service_trends(services):
    """A ServiceTrend for each service, in the order given, also set as `service.trend`; one query for all measures."""
    services = list(services)
    by_service = defaultdict(lambda: defaultdict(list))
    if services:
        measures = ServiceMeasure.objects.filter(service_id__in=[service.pk for service in services]).order_by(
            "service_id", "measured_on", "id"
        )
        for measure in measures:
            by_service[measure.service_id][measure.kind].append(measure)
    trends = []
    for service in services:
        kinds = by_service.get(service.pk, {})
        trend = ServiceTrend(
            service=service,
            kinds=[KindTrend(kind=kind, measures=kinds[kind]) for kind in sorted(kinds, key=_kind_order)],
        )
        service.trend = trend
        trends.append(trend)
    return trends


class TrackedServices(list):
    """The services of a municipality (each with `trend`), and how many of them improved."""

    @property
    def improved_count(self):
        return sum(1 for service in self if service.trend.improved)


def tracker_for_municipality(municipality):
    """The services of a municipality, each with its trend (`service.trend`): two queries."""
    services = TrackedServices(MunicipalService.objects.filter(municipality=municipality).order_by("name", "id"))
    service_trends(services)
    return services


def services_improved_by_municipality(municipalities=None):
    """{municipality id: (services improved, services tracked)} for the given municipalities (all if None)."""
    services = MunicipalService.objects.only("id", "municipality_id", "name")
    if municipalities is not None:
        services = services.filter(municipality__in=municipalities)
    counts = defaultdict(lambda: [0, 0])
    for trend in service_trends(services):
        row = counts[trend.service.municipality_id]
        row[0] += trend.improved
        row[1] += 1
    return {key: tuple(value) for key, value in counts.items()}


def service_for_page(pk):
    """One service with its municipality and the activities (with packages) that worked on it, and its trend."""
    service = (
        MunicipalService.objects.select_related("municipality")
        .prefetch_related(Prefetch("activities", queryset=TAActivity.objects.select_related("package")))
        .filter(pk=pk)
        .first()
    )
    if service is not None:
        service_trends([service])
    return service
