"""Hand-built data for the civic-engagement and municipal-development calculations, made directly (not through the
services) so each test states exactly what exists.

person(community=…, sex=…, birth_year=…, municipality=…)     a Person (no date of birth unless given)
training(day, *people)                                       a training event starting on `day`, the people enrolled
ta_activity(day, *people, municipality=…, status=…, ends=…)  a TA activity starting on `day`, the people participating
hearing(day, rows, municipality=…, status=…)                 a public hearing with attendance rows (community, sex, n)
infrastructure(completed_at, kind=…, municipality=…)         an infrastructure project of a completed civic grant
civic_grant(organisation, signed_at, …)                      a civic-engagement grant held by an organisation
terminate(grant, at)                                         the grant terminated at `at`, with its audit entry
at(year, month, day)                                         an aware datetime at noon in the programme's time zone
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.choices import Community, Component, Sex
from core.models import AuditEntry
from grants.models import GrantStatus, InfrastructureProject, InfrastructureType
from municipal.models import ActivityStatus, HearingAttendance
from municipalities.models import Municipality
from tests.factories import OrganisationFactory, PersonFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory
from tests.municipal.factories_packages import TAActivityFactory, TAPackageFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory

__all__ = ["OrganisationFactory"]


def municipality(code="gjilan"):
    return Municipality.objects.get(code=code)


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def person(community=Community.ALBANIAN, sex=Sex.FEMALE, birth_year=1990, municipality_code="gjilan", **extra):
    return PersonFactory(
        community=community,
        sex=sex,
        birth_date=None,
        birth_year=birth_year,
        municipality=municipality(municipality_code) if municipality_code else None,
        **extra,
    )


def training(day, *people):
    event = EventFactory(start_date=day, end_date=day, held=True)
    for someone in people:
        EnrolmentFactory(event=event, person=someone)
    return event


def ta_activity(day, *people, municipality_code="gjilan", status=ActivityStatus.IN_PROGRESS, ends=None, **extra):
    package = TAPackageFactory(
        municipality=municipality(municipality_code),
        starts_on=datetime.date(2025, 10, 1),
        ends_on=datetime.date(2028, 9, 30),
    )
    activity = TAActivityFactory(package=package, starts_on=day, ends_on=ends or day, status=status, **extra)
    activity.participants.add(*people)
    return activity


def hearing(day, rows, municipality_code="gjilan", status=ActivityStatus.DELIVERED):
    activity = ta_activity(day, municipality_code=municipality_code, status=status, hearing=True)
    for community, sex, count in rows:
        HearingAttendance.objects.create(activity=activity, community=community, sex=sex, count=count)
    return activity


def civic_grant(organisation, signed_at, *, status=GrantStatus.ACTIVE, completed_at=None, component=None):
    call = CallFactory(component=component or Component.CIVIC_ENGAGEMENT)
    application = ApplicationFactory(call=call, organisation=organisation, submitted=True, status="approved")
    return GrantFactory(application=application, status=status, signed_at=signed_at, completed_at=completed_at)


def infrastructure(completed_at, *, kind=InfrastructureType.WATER, municipality_code="gjilan", status=None):
    application = ApplicationFactory(
        call=CallFactory(),
        municipality=municipality(municipality_code) if municipality_code else None,
        submitted=True,
        status="approved",
    )
    grant = GrantFactory(
        application=application,
        status=status or (GrantStatus.COMPLETED if completed_at else GrantStatus.ACTIVE),
        signed_at=at(2025, 11, 1),
        completed_at=completed_at,
    )
    return InfrastructureProject.objects.create(grant=grant, kind=kind, settlement="Pasjane")


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
