"""What "improved" means for a municipal service (issue 7): a measure moved from the baseline in the right direction
and its latest follow-up has the evidence attached. Computed for many services in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from municipal.models import MeasureKind
from municipal.selectors_tracker import service_trends, services_improved_by_municipality, tracker_for_municipality
from tests.municipal.factories_tracker import MunicipalServiceFactory, ServiceMeasureFactory, municipality

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 31)
MAR = datetime.date(2026, 3, 31)
JUN = datetime.date(2026, 6, 30)


def _measures(service, kind, baseline, *follow_ups, evidence=True):
    """A baseline in January, then follow-ups at the end of March, June … each with evidence unless told."""
    ServiceMeasureFactory(service=service, kind=kind, is_baseline=True, measured_on=JAN, value=Decimal(baseline))
    for month, value in zip((3, 6, 9, 11), follow_ups, strict=False):
        day = 30 if month in (6, 9, 11) else 31
        ServiceMeasureFactory(
            service=service,
            kind=kind,
            measured_on=datetime.date(2026, month, day),
            value=Decimal(value),
            with_evidence=evidence,
        )


def _trend(service):
    return service_trends([service])[0]


def _kind(trend, kind):
    return next(item for item in trend.kinds if item.kind == kind)


def test_processing_days_from_30_to_12_with_evidence_is_improved():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.PROCESSING_DAYS, "30", "12")
    trend = _trend(service)
    days = _kind(trend, MeasureKind.PROCESSING_DAYS)
    assert (days.baseline.value, days.latest.value, days.change) == (Decimal("30"), Decimal("12"), Decimal("-18"))
    assert days.improved and trend.improved
    assert [kind.kind for kind in trend.improved_kinds] == [MeasureKind.PROCESSING_DAYS]


def test_revenue_going_down_is_not_improved():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.REVENUE, "52000", "48000.50")
    trend = _trend(service)
    revenue = _kind(trend, MeasureKind.REVENUE)
    assert revenue.change == Decimal("-3999.50")
    assert not revenue.moved_right_way and not revenue.improved and not trend.improved


def test_revenue_going_up_is_improved_and_processing_days_going_up_is_not():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.REVENUE, "52000", "61000")
    _measures(service, MeasureKind.PROCESSING_DAYS, "12", "20")
    trend = _trend(service)
    assert trend.improved
    assert [kind.kind for kind in trend.improved_kinds] == [MeasureKind.REVENUE]


def test_a_better_value_without_evidence_does_not_count():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.PROCESSING_DAYS, "30", "12", evidence=False)
    days = _kind(_trend(service), MeasureKind.PROCESSING_DAYS)
    assert days.moved_right_way and not days.has_evidence
    assert not days.improved and not _trend(service).improved


def test_evidence_must_be_on_the_latest_follow_up_not_an_earlier_one():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.PROCESSING_DAYS, "30", "20")  # March, with evidence
    ServiceMeasureFactory(service=service, kind=MeasureKind.PROCESSING_DAYS, measured_on=JUN, value=Decimal("12"))
    days = _kind(_trend(service), MeasureKind.PROCESSING_DAYS)
    assert days.latest.measured_on == JUN and not days.improved


def test_only_a_baseline_is_not_improved():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.SATISFACTION, "45")
    trend = _trend(service)
    satisfaction = _kind(trend, MeasureKind.SATISFACTION)
    assert satisfaction.latest is None and satisfaction.change is None
    assert not satisfaction.improved and not trend.improved and not trend.has_follow_up


def test_availability_in_both_languages_from_no_to_yes_is_improved():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.BOTH_LANGUAGES, "0", "1")
    assert _kind(_trend(service), MeasureKind.BOTH_LANGUAGES).improved


def test_the_latest_follow_up_decides_even_when_an_earlier_one_was_better():
    service = MunicipalServiceFactory()
    _measures(service, MeasureKind.PROCESSING_DAYS, "30", "12", "35")
    days = _kind(_trend(service), MeasureKind.PROCESSING_DAYS)
    assert days.latest.value == Decimal("35") and not days.improved


def test_the_latest_is_by_date_not_by_the_order_of_recording():
    service = MunicipalServiceFactory()
    ServiceMeasureFactory(service=service, baseline=True)  # 30 days in January
    ServiceMeasureFactory(service=service, measured_on=JUN, value=Decimal("14"), with_evidence=True)
    ServiceMeasureFactory(service=service, measured_on=MAR, value=Decimal("40"), with_evidence=True)  # typed later
    days = _kind(_trend(service), MeasureKind.PROCESSING_DAYS)
    assert days.latest.measured_on == JUN and days.improved


def test_kinds_of_one_service_do_not_mix_with_another_service():
    improved, other = MunicipalServiceFactory(), MunicipalServiceFactory()
    _measures(improved, MeasureKind.PROCESSING_DAYS, "30", "12")
    _measures(other, MeasureKind.PROCESSING_DAYS, "10", "12")
    trends = service_trends([improved, other])
    assert [trend.improved for trend in trends] == [True, False]
    assert improved.trend is trends[0]


def _services_with_measures(count, code="gjilan"):
    for index in range(count):
        service = MunicipalServiceFactory(municipality=municipality(code))
        _measures(service, MeasureKind.PROCESSING_DAYS, "30", "20" if index % 2 else "40")
        _measures(service, MeasureKind.REVENUE, "1000", "1500")


def test_tracker_for_a_municipality_costs_the_same_few_queries_for_2_and_for_10_services(
    django_assert_max_num_queries,
):
    gjilan = municipality("gjilan")
    _services_with_measures(2)
    with CaptureQueriesContext(connection) as few, django_assert_max_num_queries(3):
        services = tracker_for_municipality(gjilan)
        assert [service.trend.improved for service in services] == [True, True]
    _services_with_measures(8)
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(3):
        services = tracker_for_municipality(gjilan)
        verdicts = [(len(service.trend.kinds), service.trend.improved) for service in services]
    assert len(services) == 10 and all(kinds == 2 for kinds, _ in verdicts)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_tracker_for_a_municipality_leaves_out_other_municipalities_and_counts_improved():
    _services_with_measures(3, code="gjilan")
    other = MunicipalServiceFactory(municipality=municipality("peje"))
    _measures(other, MeasureKind.PROCESSING_DAYS, "30", "40")
    services = tracker_for_municipality(municipality("gjilan"))
    assert len(services) == 3 and services.improved_count == 3
    counts = services_improved_by_municipality()
    assert counts[municipality("gjilan").pk] == (3, 3)
    assert counts[municipality("peje").pk] == (0, 1)
