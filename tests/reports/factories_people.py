"""Hand-built records for the cross-cutting calculations, dated to the day (the tests count across 30 September and
1 October, the turn of USAID's fiscal year).

signed_grant(datetime.date(2026, 9, 30), municipality="gjilan")     a grant signed at noon that day (local time)
signed_grant(day, municipality=None, instrument=InstrumentType.IN_KIND, amount="4000.00", component=…)
payment(grant, day, "1500.00")            a tranche payment (with its own tranche) paid on `day`
in_kind_delivery(grant, day, "800.00")    goods handed over on `day`
accepted_report(grant, accepted_on=day, contributions=[("cash", "300.00"), ("in_kind", "200.00")])
training(person, start=day, topic=Topic.MARKETING_SALES, completed=True)   an enrolment in a held event
ta_participant(person, starts_on=day)     a participant of a municipal technical-assistance activity
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from businesses.models import Sector
from core.choices import Component
from grants.models import (
    ApplicationStatus,
    CostShareContribution,
    InKindDelivery,
    InstrumentType,
    ProgressReport,
    ReportKind,
    ReportStatus,
    TranchePayment,
    TrancheStatus,
)
from municipal.models import ActivityStatus
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory, GrantTrancheFactory
from tests.municipal.factories_packages import TAActivityFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, EventFactory
from trainings.models import EventStatus, Topic

FY2026_LAST_DAY = datetime.date(2026, 9, 30)
FY2027_FIRST_DAY = datetime.date(2026, 10, 1)


def at_noon(day):
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=timezone.get_current_timezone())


def _municipality(code):
    return Municipality.objects.get(code=code) if code else None


def signed_grant(
    day,
    *,
    municipality="gjilan",
    component=Component.CIVIC_ENGAGEMENT,
    instrument=InstrumentType.STANDARD,
    amount="10000.00",
    person=None,
    organisation=None,
    business=None,
    start=None,
    end=None,
):
    """An active grant signed at noon on `day`, running from `start` (default `day`) to `end` (a year later)."""
    application_kwargs = {
        "call": CallFactory(open=True, component=component),
        "submitted": True,
        "status": ApplicationStatus.APPROVED,
        "municipality": _municipality(municipality),
        "organisation": organisation,
    }
    if person is not None:
        application_kwargs["person"] = person
    start = start or day
    return GrantFactory(
        application=ApplicationFactory(**application_kwargs),
        active=True,
        signed_at=at_noon(day),
        instrument=instrument,
        amount=Decimal(amount),
        business=business,
        start_date=start,
        end_date=end or start + datetime.timedelta(days=365),
    )


def _finance():
    return UserFactory(role=Role.FINANCE_OFFICER)


def payment(grant, day, amount, *, recorded_by=None):
    tranche = GrantTrancheFactory(grant=grant, amount=Decimal(amount), status=TrancheStatus.PAID)
    return TranchePayment.objects.create(
        tranche=tranche,
        paid_on=day,
        amount=Decimal(amount),
        bank_reference=f"BANK-{tranche.pk}",
        recorded_by=recorded_by or _finance(),
    )


def in_kind_delivery(grant, day, value, *, recorded_by=None):
    return InKindDelivery.objects.create(
        grant=grant,
        item="Greenhouse equipment",
        supplier="Agro sh.p.k.",
        value=Decimal(value),
        delivered_on=day,
        handover_file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="handover.pdf"),
        handover_name="handover.pdf",
        recorded_by=recorded_by or _finance(),
    )


def accepted_report(grant, *, accepted_on=None, contributions=(), status=ReportStatus.ACCEPTED):
    """A progress report of `grant` (accepted at noon on `accepted_on`) carrying cost-share `contributions`."""
    number = grant.reports.count() + 1
    report = ProgressReport.objects.create(
        grant=grant,
        number=number,
        kind=ReportKind.PERIODIC,
        period_start=grant.start_date,
        period_end=grant.start_date + datetime.timedelta(days=89),
        due_date=grant.start_date + datetime.timedelta(days=104),
        status=status,
        accepted_at=at_noon(accepted_on) if accepted_on else None,
    )
    for kind, value in contributions:
        CostShareContribution.objects.create(report=report, kind=kind, description="Own work", value=Decimal(value))
    return report


def training(person, *, start, topic=Topic.BUSINESS_PLANNING, completed=True, municipality="gjilan", event=None):
    """`person` enrolled in a held event of `topic` that started on `start` (or in `event`)."""
    if event is None:
        event = held_event(start=start, topic=topic, municipality=municipality)
    return EnrolmentFactory(event=event, person=person, completed=completed)


def held_event(*, start, topic=Topic.BUSINESS_PLANNING, municipality="gjilan", status=EventStatus.HELD):
    course = CourseFactory(topic=topic, sector=Sector.FOOD_PROCESSING if topic == Topic.SECTOR_SPECIFIC else "")
    return EventFactory(
        course=course,
        start_date=start,
        end_date=start + datetime.timedelta(days=2),
        municipality=_municipality(municipality),
        status=status,
    )


def ta_participant(person, *, starts_on, status=ActivityStatus.DELIVERED):
    activity = TAActivityFactory(starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=10), status=status)
    activity.participants.add(person)
    return activity


def person(**kwargs):
    """A person; `birth_year=` alone (no birth date) when the registry knows only the year."""
    if "birth_year" in kwargs and "birth_date" not in kwargs:
        kwargs["birth_date"] = None
    return PersonFactory(**kwargs)
