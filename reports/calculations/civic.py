"""Civic engagement calculations: small infrastructure completed, people from different communities taking part in
joint activities (and those doing so for the first time), and civil-society organisations supported.

A *joint activity* is a training event or a municipal technical-assistance activity whose named participants come
from at least two communities. Communities are the ones people declared (core.choices.Community); "prefer not to
say" is not a community, so it never makes an activity joint. Training events count by their first day, TA
activities by the day they start; cancelled TA activities never took place and do not count.
"""

import datetime

from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationType, Person
from core.choices import Community, Component
from core.models import AuditEntry
from grants.models import Grant, GrantStatus, InfrastructureProject, InfrastructureType
from municipal.models import ActivityStatus, TAActivity
from reports.calculations import dimensions as dims
from reports.calculations.base import NOT_KNOWN, NOT_KNOWN_LABEL, Calculation, Dimension
from reports.calculations.registry import register
from reports.records import Column, RecordKind, register_kind
from trainings.models import Enrolment, TrainingEvent

CIVIL_SOCIETY_TYPES = (OrganisationType.CSO, OrganisationType.INFORMAL_GROUP)
COMPLETED_GRANT_STATUSES = (GrantStatus.COMPLETED, GrantStatus.CLOSED)
MIN_COMMUNITIES = 2
ONE_DAY = datetime.timedelta(days=1)


# --- Joint activities ------------------------------------------------------------------------------------------
def _declared(path):
    """Participants whose community is declared (not "prefer not to say")."""
    return ~Q(**{path: Community.NOT_STATED})


def _dated(queryset, field, start=None, end=None):
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def joint_training_events(start=None, end=None):
    """Training events whose first day is in [start, end] and whose enrolled people come from two communities or
    more."""
    path = "enrolments__person__community"
    events = TrainingEvent.objects.annotate(_communities=Count(path, distinct=True, filter=_declared(path)))
    return _dated(events, "start_date", start, end).filter(_communities__gte=MIN_COMMUNITIES)


def joint_ta_activities(start=None, end=None):
    """TA activities (not cancelled) starting in [start, end] whose participants come from two communities or more."""
    path = "participants__community"
    activities = TAActivity.objects.exclude(status=ActivityStatus.CANCELLED).annotate(
        _communities=Count(path, distinct=True, filter=_declared(path))
    )
    return _dated(activities, "starts_on", start, end).filter(_communities__gte=MIN_COMMUNITIES)


def joint_activity_people(start=None, end=None):
    """Unique people enrolled in a joint training event or named in a joint TA activity dated in [start, end]."""
    enrolled = Enrolment.objects.filter(event__in=joint_training_events(start, end).values("pk")).values("person_id")
    named = TAActivity.participants.through.objects.filter(
        taactivity__in=joint_ta_activities(start, end).values("pk")
    ).values("person_id")
    return Person.objects.filter(Q(pk__in=Subquery(enrolled)) | Q(pk__in=Subquery(named)))


@register
class JointActivityPeople(Calculation):
    """Unique people who took part in at least one joint activity in the period: enrolled in a training event that
    started in the period, or named as a participant of a TA activity (not cancelled) that started in the period,
    where that event or activity has named participants from at least two declared communities. A person in several
    joint activities counts once."""

    key = "joint_activity_people"
    label = _("People from different communities taking part in joint activities (unique)")
    description = _(
        "Unique people enrolled in a training event or named in a technical-assistance activity that started in the "
        "period and whose participants come from at least two communities."
    )
    record_kind = "person"
    dimensions = dims.person_dimensions()

    def records(self, period):
        return joint_activity_people(period.start, period.end)


@register
class FirstTimeCrossCommunity(Calculation):
    """Of the people taking part in joint activities in the period, those who had never taken part in one before the
    period started: their first joint activity ever falls in the period. Each person counts once, in one period."""

    key = "first_time_cross_community"
    label = _("People taking part in a joint activity with other communities for the first time (unique)")
    description = _("People whose first joint activity (training or technical assistance) started in the period.")
    record_kind = "person"
    dimensions = dims.person_dimensions()

    def records(self, period):
        earlier = joint_activity_people(end=period.start - ONE_DAY).values("pk")
        return joint_activity_people(period.start, period.end).exclude(pk__in=Subquery(earlier))


# --- Small infrastructure ----------------------------------------------------------------------------------------
def _grantee(project):
    application = project.grant.application
    if application.organisation_id:
        return application.organisation.name
    return str(application.person) if application.person_id else ""


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else ""


register_kind(
    RecordKind(
        code="infrastructure_project",
        label=_("Infrastructure projects"),
        prepare=lambda qs: qs.select_related(
            "grant__application__municipality", "grant__application__organisation", "grant__application__person"
        ),
        ordering=("grant__completed_at", "grant__number", "pk"),
        url=lambda p: reverse("staff:grant_detail", args=[p.grant_id]),
        columns=[
            Column(_("Grant"), lambda p: p.grant.number),
            Column(_("Grantee"), _grantee),
            Column(_("Title"), lambda p: p.grant.application.title),
            Column(_("Type"), lambda p: p.get_kind_display()),
            Column(_("Settlement"), lambda p: p.settlement),
            Column(
                _("Municipality"),
                lambda p: p.grant.application.municipality.name if p.grant.application.municipality_id else "",
            ),
            Column(_("Completed"), lambda p: _local_date(p.grant.completed_at)),
            Column(_("Grant amount (EUR)"), lambda p: p.grant.amount),
            Column(_("Municipal co-funding (EUR)"), lambda p: p.municipal_cofunding),
        ],
    )
)


@register
class InfrastructureCompleted(Calculation):
    """Small infrastructure projects (one per civic infrastructure grant) whose grant was completed in the period:
    the grant reached "completed" (closeout checklist done) on a day in the period and is now completed or closed.
    Each project counts once, in the period of its completion."""

    key = "infrastructure_completed"
    label = _("Small infrastructure projects completed")
    description = _("Infrastructure projects whose grant was completed (closeout done) in the period.")
    record_kind = "infrastructure_project"
    dimensions = {
        "municipality": dims.municipality("grant__application__municipality__"),
        "infrastructure_type": dims.choice(
            "infrastructure_type", _("Type of infrastructure"), "kind", InfrastructureType
        ),
    }

    def records(self, period):
        first, after = period.datetime_bounds()
        return InfrastructureProject.objects.filter(
            grant__status__in=COMPLETED_GRANT_STATUSES, grant__completed_at__gte=first, grant__completed_at__lt=after
        )


# --- Civil-society organisations ---------------------------------------------------------------------------------
def _terminated_at():
    """When a grant was terminated: its audit entry (the model keeps no date); its last change if that is missing."""
    entry = (
        AuditEntry.objects.filter(
            action="grants.grant.terminated",
            content_type__app_label="grants",
            content_type__model="grant",
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(entry), F("updated_at"))


def civic_grants_active_in(period):
    """Civic-engagement grants to an organisation that were active at some time in the period: signed on or before
    its last day, and neither completed (closed grants were completed first) nor terminated before its first day."""
    first, after = period.datetime_bounds()
    return (
        Grant.objects.filter(
            application__call__component=Component.CIVIC_ENGAGEMENT,
            application__organisation__isnull=False,
            signed_at__lt=after,
        )
        .exclude(completed_at__lt=first)
        .annotate(_ended=_terminated_at())
        .exclude(Q(status=GrantStatus.TERMINATED) & Q(_ended__lt=first))
    )


def _organisation_type():
    labels = dict(OrganisationType.choices)
    return Dimension(
        code="organisation_type",
        label=_("Type of organisation"),
        expression=lambda period: Case(
            When(type__in=CIVIL_SOCIETY_TYPES, then=F("type")), default=Value(NOT_KNOWN), output_field=CharField()
        ),
        parts=lambda: [*((code, labels[code]) for code in CIVIL_SOCIETY_TYPES), (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


@register
class CsosSupported(Calculation):
    """Civil-society organisations (registered CSOs/NGOs and informal citizen groups) that held a civic-engagement
    grant active at any time in the period: signed on or before the period's last day and not completed, closed or
    terminated before its first day. An organisation with several grants counts once."""

    key = "csos_supported"
    label = _("Civil-society organisations supported")
    description = _(
        "CSOs and informal groups holding a civic-engagement grant that was active at some time in the period."
    )
    record_kind = "organisation"
    dimensions = {"municipality": dims.municipality(), "organisation_type": _organisation_type()}

    def records(self, period):
        holders = civic_grants_active_in(period).values("application__organisation_id")
        return Organisation.objects.filter(type__in=CIVIL_SOCIETY_TYPES, pk__in=Subquery(holders))
