"""Hand-built data for the business-development calculations, made directly (not through the services) so each test
states exactly what exists.

firm(*owner_sexes, municipality_code=…, **fields)      a business with one owner per sex given (shares split evenly)
snapshot(business, day, kind, sales, rows)             a snapshot with employment rows
    row(sex, age_band, full=…, part=…, hours=…, months=…)
business_grant(business, signed_at, status=…, …)       a business-development grant held by the business
terminate(grant, at)                                   the grant terminated at `at`, with its audit entry
trained(person, day, present=True)                     the person enrolled in an event starting on `day`, marked
                                                       present (or absent) at its one session
link(business, day, value, crosses=True, direction=…)  a market link
at(year, month, day)                                   an aware datetime at noon in the programme's time zone
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from businesses.models import BusinessEmployee, BusinessManager, Direction, SnapshotKind
from core.choices import AgeBand, Community, Component, Sex
from core.models import AuditEntry
from grants.models import GrantStatus
from municipalities.models import Municipality
from tests.businesses.factories import (
    BusinessFactory,
    BusinessOwnerFactory,
    MarketLinkFactory,
    SnapshotEmploymentFactory,
    SnapshotFactory,
)
from tests.factories import PersonFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory
from tests.trainings.factories import AttendanceFactory, EnrolmentFactory, EventFactory, SessionFactory


def municipality(code="gjilan"):
    return Municipality.objects.get(code=code)


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def firm(*owner_sexes, municipality_code="gjilan", **fields):
    business = BusinessFactory(municipality=municipality(municipality_code), **fields)
    share = Decimal(100) / len(owner_sexes) if owner_sexes else None
    for sex in owner_sexes:
        BusinessOwnerFactory(
            business=business, person=PersonFactory(sex=sex), share_percent=share.quantize(Decimal("0.01"))
        )
    return business


def owner(business):
    return business.owners.select_related("person").first().person


def manager(business, person=None):
    person = person or PersonFactory(sex=Sex.MALE)
    BusinessManager.objects.create(business=business, person=person, role_title="Manager")
    return person


def employee(business, started_on, ended_on=None, person=None):
    person = person or PersonFactory()
    BusinessEmployee.objects.create(
        business=business, person=person, position="Operator", started_on=started_on, ended_on=ended_on
    )
    return person


def row(sex=Sex.FEMALE, age_band=AgeBand.YOUTH, *, full=0, part=0, hours="0", months="12"):
    return {
        "sex": sex,
        "age_band": age_band,
        "full_time_count": full,
        "part_time_count": part,
        "part_time_weekly_hours": Decimal(hours),
        "months_worked": Decimal(months),
    }


def snapshot(business, day, kind=SnapshotKind.YEARLY, sales="0", rows=()):
    taken = SnapshotFactory(business=business, date=day, kind=kind, annual_sales=Decimal(sales))
    for fields in rows:
        SnapshotEmploymentFactory(snapshot=taken, **fields)
    return taken


def business_grant(business, signed_at, *, status=GrantStatus.ACTIVE, completed_at=None):
    call = CallFactory(component=Component.BUSINESS_DEVELOPMENT)
    application = ApplicationFactory(call=call, submitted=True, status="approved")
    return GrantFactory(
        application=application, business=business, status=status, signed_at=signed_at, completed_at=completed_at
    )


def terminate(grant, moment):
    """The grant terminated at `moment`: the status and the audit entry the close-out service writes."""
    type(grant).objects.filter(pk=grant.pk).update(status=GrantStatus.TERMINATED)
    entry = AuditEntry.objects.create(
        action="grants.grant.terminated",
        content_type=ContentType.objects.get_for_model(grant),
        object_id=str(grant.pk),
        from_status=GrantStatus.ACTIVE,
        to_status=GrantStatus.TERMINATED,
    )
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=moment)
    grant.refresh_from_db()
    return grant


def trained(person, day, *, present=True):
    event = EventFactory(start_date=day, end_date=day, held=True)
    session = SessionFactory(event=event)
    enrolment = EnrolmentFactory(event=event, person=person)
    AttendanceFactory(session=session, enrolment=enrolment, present=present)
    return event


def link(business, day, value, *, crosses=True, direction=Direction.SALE):
    return MarketLinkFactory(
        business=business,
        date=day,
        value=Decimal(value),
        direction=direction,
        business_community=Community.ALBANIAN,
        counterpart_community=Community.SERB if crosses else Community.ALBANIAN,
        crosses_communities=crosses,
    )
