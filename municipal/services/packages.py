"""Every write to technical-assistance packages and their activities: keyword-only, transactional, validated before
saving and audited. An activity's status changes only here, through core.workflow.transition.

Audit entries of an activity's deliverables, participants and hearing attendance target the activity itself, so its
page shows them all in one timeline.
"""

import mimetypes
import uuid

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Community, Sex
from core.errors import ApplicationError
from core.services import audit_record
from core.uploads import WRITTEN_DOCUMENT_TYPES, checked_upload, uploaded_name
from core.workflow import transition
from municipal.models import (
    ACTIVITY_TRANSITIONS,
    ActivityStatus,
    Deliverable,
    DeliverableVersion,
    HearingAttendance,
    TAActivity,
    TAPackage,
)
from municipal.permissions import can_manage_municipal

PACKAGE_FIELDS = ("title", "starts_on", "ends_on", "objectives", "planned_activities", "budget", "consultants")
ACTIVITY_FIELDS = ("type", "title", "description", "department", "starts_on", "ends_on", "cost")
CLOSED_STATUSES = (ActivityStatus.ACCEPTED, ActivityStatus.CANCELLED)


def _require_manager(actor):
    if not can_manage_municipal(actor):
        raise ApplicationError(_("You cannot change technical-assistance packages."), code="not_allowed")


def _apply(instance, fields, data):
    """Set the fields present in `data`; return what changed, as text for the audit entry."""
    changed = {}
    for key in fields:
        if key in data and getattr(instance, key, None) != data[key]:
            changed[key] = str(data[key] if data[key] is not None else "")
            setattr(instance, key, data[key])
    return changed


def _d(day):
    return day.strftime("%d.%m.%Y")


def _locked_activity(activity):
    return TAActivity.objects.select_for_update().select_related("package__municipality").get(pk=activity.pk)


# Packages


def _check_package_period(package):
    if package.starts_on and package.ends_on and package.ends_on <= package.starts_on:
        raise ApplicationError(
            _("The period must end after it starts; correct the start or the end date."), code="period_order"
        )
    if package.pk is None:
        return
    outside = package.activities.exclude(starts_on__gte=package.starts_on, ends_on__lte=package.ends_on).count()
    if outside:
        raise ApplicationError(
            _(
                "%(count)s activities of this package fall outside %(start)s – %(end)s. Change their dates first, or "
                "choose a period that contains them."
            )
            % {"count": outside, "start": _d(package.starts_on), "end": _d(package.ends_on)},
            code="activities_outside_period",
        )


@transaction.atomic
def package_save(*, actor, municipality, data, staff_users=(), package=None):
    """Record a municipality's package for a period, or change it. The period must keep every activity inside it."""
    _require_manager(actor)
    if package is None:
        if not municipality.is_partner:
            raise ApplicationError(
                _("%(name)s is not a partner municipality; packages are agreed with partners only.")
                % {"name": municipality},
                code="not_partner",
            )
        package = TAPackage(municipality=municipality)
    else:
        package = TAPackage.objects.select_for_update().get(pk=package.pk, municipality=municipality)
    created = package.pk is None
    changed = _apply(package, PACKAGE_FIELDS, data)
    _check_package_period(package)
    package.full_clean()
    package.save()
    staff_ids = sorted(user.pk for user in staff_users or ())
    before = [] if created else sorted(package.staff.values_list("pk", flat=True))
    if staff_ids != before:
        package.staff.set(staff_ids)
        changed["staff"] = ", ".join(str(pk) for pk in staff_ids)
    if created or changed:
        action = "municipal.package.created" if created else "municipal.package.updated"
        audit_record(actor=actor, action=action, target=package, data=changed)
    return package


# Activities


def _check_activity_dates(activity, package):
    start, end = activity.starts_on, activity.ends_on
    if start and end and end < start:
        raise ApplicationError(
            _("The activity cannot end before it starts; correct the start or the end date."), code="dates_order"
        )
    if start < package.starts_on or end > package.ends_on:
        raise ApplicationError(
            _(
                "The activity's dates (%(start)s – %(end)s) must lie within the package period, %(package_start)s – "
                "%(package_end)s. Correct the dates, or change the package period first."
            )
            % {
                "start": _d(start),
                "end": _d(end),
                "package_start": _d(package.starts_on),
                "package_end": _d(package.ends_on),
            },
            code="outside_package_period",
        )


@transaction.atomic
def activity_save(*, actor, package, data, activity=None):
    """Plan an activity of a package (it starts as planned), or change its details while it is still open."""
    _require_manager(actor)
    package = TAPackage.objects.select_for_update().get(pk=package.pk)
    if activity is None:
        activity = TAActivity(package=package)
    else:
        activity = TAActivity.objects.select_for_update().get(pk=activity.pk, package=package)
        if activity.status in CLOSED_STATUSES:
            raise ApplicationError(
                _("This activity is “%(status)s”; its details can no longer change.")
                % {"status": activity.get_status_display()},
                code="closed",
            )
    created = activity.pk is None
    was_hearing = activity.is_hearing
    changed = _apply(activity, ACTIVITY_FIELDS, data)
    if not created and was_hearing and not activity.is_hearing and activity.hearing_attendance.exists():
        raise ApplicationError(
            _("This hearing has attendance recorded; clear the attendance before changing the type."),
            code="hearing_has_attendance",
        )
    _check_activity_dates(activity, package)
    activity.full_clean()
    activity.save()
    if created or changed:
        action = "municipal.activity.created" if created else "municipal.activity.updated"
        audit_record(actor=actor, action=action, target=activity, data=changed)
    return activity


def _move(*, actor, activity, to, action, comment="", save_fields=(), data=None):
    return transition(
        instance=activity,
        to=to,
        actor=actor,
        transitions=ACTIVITY_TRANSITIONS,
        action=action,
        comment=comment,
        save_fields=save_fields,
        data=data,
    )


@transaction.atomic
def activity_start(*, actor, activity):
    _require_manager(actor)
    return _move(
        actor=actor,
        activity=_locked_activity(activity),
        to=ActivityStatus.IN_PROGRESS,
        action="municipal.activity.started",
    )


@transaction.atomic
def activity_deliver(*, actor, activity):
    _require_manager(actor)
    return _move(
        actor=actor,
        activity=_locked_activity(activity),
        to=ActivityStatus.DELIVERED,
        action="municipal.activity.delivered",
    )


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Write the reason; it stays in the activity's history."), code="reason_required")
    return reason


@transaction.atomic
def activity_reopen(*, actor, activity, reason):
    """A delivered activity goes back to work (the municipality asked for changes); the reason stays on record."""
    _require_manager(actor)
    reason = _require_reason(reason)
    return _move(
        actor=actor,
        activity=_locked_activity(activity),
        to=ActivityStatus.IN_PROGRESS,
        action="municipal.activity.reopened",
        comment=reason,
    )


@transaction.atomic
def activity_cancel(*, actor, activity, reason):
    _require_manager(actor)
    reason = _require_reason(reason)
    return _move(
        actor=actor,
        activity=_locked_activity(activity),
        to=ActivityStatus.CANCELLED,
        action="municipal.activity.cancelled",
        comment=reason,
    )


def _check_acceptance(activity, accepted_on, accepted_by):
    if not DeliverableVersion.objects.filter(deliverable__activity=activity).exists():
        raise ApplicationError(
            _("An activity is accepted with its deliverables: upload at least one document first."),
            code="no_deliverable",
        )
    if not (accepted_by or "").strip():
        raise ApplicationError(_("Name the municipal official who accepted the activity."), code="accepted_by_required")
    if accepted_on is None:
        raise ApplicationError(_("Enter the date the municipality accepted the activity."), code="accepted_on_required")
    if accepted_on < activity.starts_on:
        raise ApplicationError(
            _("The acceptance date cannot be before the activity started (%(start)s); correct the date.")
            % {"start": _d(activity.starts_on)},
            code="accepted_before_start",
        )
    if accepted_on > timezone.localdate():
        raise ApplicationError(
            _("The acceptance date cannot be in the future; enter the day the municipality accepted it."),
            code="accepted_in_future",
        )


@transaction.atomic
def activity_accept(*, actor, activity, accepted_on, accepted_by):
    """The municipality accepts a delivered activity with its deliverables: refused while no document is uploaded."""
    _require_manager(actor)
    activity = _locked_activity(activity)
    if ActivityStatus.ACCEPTED in ACTIVITY_TRANSITIONS.get(activity.status, set()):
        _check_acceptance(activity, accepted_on, accepted_by)
    activity.accepted_on, activity.accepted_by = accepted_on, (accepted_by or "").strip()
    return _move(
        actor=actor,
        activity=activity,
        to=ActivityStatus.ACCEPTED,
        action="municipal.activity.accepted",
        save_fields=("accepted_on", "accepted_by"),
        data={"accepted_on": accepted_on.isoformat() if accepted_on else "", "accepted_by": activity.accepted_by},
    )


# Deliverables


def _require_open_for_documents(activity):
    if activity.status in CLOSED_STATUSES:
        raise ApplicationError(
            _("This activity is “%(status)s”; its deliverables are kept as they are and no new version can be added.")
            % {"status": activity.get_status_display()},
            code="closed",
        )


def _version_create(*, actor, deliverable, uploaded_file, note, number):
    mime = checked_upload(uploaded_file, WRITTEN_DOCUMENT_TYPES)
    name = uploaded_name(uploaded_file)
    extension = mimetypes.guess_extension(mime) or ""
    version = DeliverableVersion(
        deliverable=deliverable,
        number=number,
        original_name=name,
        size=uploaded_file.size,
        note=(note or "").strip(),
        uploaded_by=actor,
    )
    version.file.save(f"{uuid.uuid4().hex}{extension}", uploaded_file, save=False)
    version.full_clean()
    version.save()
    return version, mime


@transaction.atomic
def deliverable_add(*, actor, activity, title, uploaded_file, note=""):
    """A new deliverable of an activity, with its first document as version 1."""
    _require_manager(actor)
    activity = _locked_activity(activity)
    _require_open_for_documents(activity)
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Give the deliverable a title."), code="title_required")
    checked_upload(uploaded_file, WRITTEN_DOCUMENT_TYPES)  # before any row is written
    deliverable = Deliverable(activity=activity, title=title)
    deliverable.full_clean()
    deliverable.save()
    version, mime = _version_create(
        actor=actor, deliverable=deliverable, uploaded_file=uploaded_file, note=note, number=1
    )
    audit_record(
        actor=actor,
        action="municipal.deliverable.added",
        target=activity,
        comment=title,
        data={"deliverable": deliverable.pk, "version": 1, "file": version.original_name, "type": mime},
    )
    return deliverable


@transaction.atomic
def deliverable_version_add(*, actor, deliverable, uploaded_file, note):
    """A new version of a deliverable: numbered after the last one, with the deliverable row locked so two uploads at
    once never share a number. Earlier versions are kept as they are."""
    _require_manager(actor)
    deliverable = Deliverable.objects.select_for_update().select_related("activity").get(pk=deliverable.pk)
    _require_open_for_documents(deliverable.activity)
    last = deliverable.versions.aggregate(last=Max("number"))["last"] or 0
    version, mime = _version_create(
        actor=actor, deliverable=deliverable, uploaded_file=uploaded_file, note=note, number=last + 1
    )
    audit_record(
        actor=actor,
        action="municipal.deliverable.version_added",
        target=deliverable.activity,
        comment=version.note,
        data={
            "deliverable": deliverable.pk,
            "title": deliverable.title,
            "version": version.number,
            "file": version.original_name,
            "type": mime,
        },
    )
    return version


# Participants


@transaction.atomic
def participants_add(*, actor, activity, person):
    """A municipal staff member trained by the activity (a Person of the registry, so they count once everywhere)."""
    _require_manager(actor)
    activity = _locked_activity(activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ApplicationError(_("This activity was cancelled; participants can no longer be added."), code="closed")
    if activity.participants.filter(pk=person.pk).exists():
        raise ApplicationError(
            _("%(person)s is a participant already.") % {"person": person}, code="already_participant"
        )
    activity.participants.add(person)
    audit_record(
        actor=actor,
        action="municipal.activity.participant_added",
        target=activity,
        comment=str(person),
        data={"person": person.pk},
    )
    return activity


@transaction.atomic
def participant_remove(*, actor, activity, person):
    _require_manager(actor)
    activity = _locked_activity(activity)
    if not activity.participants.filter(pk=person.pk).exists():
        raise ApplicationError(
            _("%(person)s is not a participant of this activity.") % {"person": person}, code="not_participant"
        )
    activity.participants.remove(person)
    audit_record(
        actor=actor,
        action="municipal.activity.participant_removed",
        target=activity,
        comment=str(person),
        data={"person": person.pk},
    )
    return activity


# Hearings


def _clean_attendance(rows):
    communities, sexes = set(Community.values), set(Sex.values)
    counts = {}
    for row in rows:
        community, sex, count = row.get("community"), row.get("sex"), row.get("count")
        if community not in communities or sex not in sexes:
            raise ApplicationError(_("Choose a community and a sex from the lists."), code="attendance_choice")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ApplicationError(
                _("Enter the number of people as a whole number, 0 or more."), code="attendance_count"
            )
        if (community, sex) in counts:
            raise ApplicationError(
                _("Each community and sex has one count; add the people to the row that is there."),
                code="attendance_duplicate",
            )
        counts[(community, sex)] = count
    return {key: count for key, count in counts.items() if count}


@transaction.atomic
def hearing_attendance_set(*, actor, activity, rows):
    """Replace all of a hearing's attendance at once (rows of community, sex and count; zero rows are dropped)."""
    _require_manager(actor)
    activity = _locked_activity(activity)
    if not activity.is_hearing:
        raise ApplicationError(
            _("Attendance by community and sex is recorded for public consultations and hearings only."),
            code="not_a_hearing",
        )
    if activity.status == ActivityStatus.CANCELLED:
        raise ApplicationError(_("This hearing was cancelled; its attendance cannot change."), code="closed")
    counts = _clean_attendance(rows)
    activity.hearing_attendance.all().delete()
    HearingAttendance.objects.bulk_create(
        HearingAttendance(activity=activity, community=community, sex=sex, count=count)
        for (community, sex), count in counts.items()
    )
    audit_record(
        actor=actor,
        action="municipal.hearing.attendance_set",
        target=activity,
        data={"total": sum(counts.values()), "rows": {f"{c}/{s}": n for (c, s), n in counts.items()}},
    )
    return activity
