"""Every write to trainings: keyword-only, transactional, validated before saving and audited."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import Person
from accounts.selectors_people import warn_if_duplicate
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from trainings.models import (
    ENROLLING_STATUSES,
    EVENT_TRANSITIONS,
    Attendance,
    Course,
    Enrolment,
    EventStatus,
    Session,
    TrainingEvent,
)
from trainings.permissions import can_manage_trainings

COURSE_FIELDS = (
    "topic",
    "sector",
    "title_sq",
    "title_sr",
    "title_sr_cyrl",
    "title_en",
    "description_sq",
    "description_sr",
    "description_sr_cyrl",
    "description_en",
)
EVENT_FIELDS = (
    "course",
    "start_date",
    "end_date",
    "municipality",
    "venue",
    "language",
    "trainers",
    "capacity",
    "contact_hours",
    "cost_instruction",
    "cost_participant",
    "cost_travel",
    "completion_min_percent",
)
SESSION_FIELDS = ("date", "start_time", "end_time", "topic")
PERSON_FIELDS = ("first_name", "last_name", "sex", "birth_date", "birth_year", "community", "municipality", "phone")


def _require_manager(actor):
    if not can_manage_trainings(actor):
        raise ApplicationError(_("You cannot change trainings."), code="not_allowed")


def _apply(instance, fields, data):
    """Set the fields present in `data`; return what changed, as text for the audit entry."""
    changed = {}
    for key in fields:
        if key in data and getattr(instance, key, None) != data[key]:
            changed[key] = str(data[key] if data[key] is not None else "")
            setattr(instance, key, data[key])
    return changed


def _save_audited(*, actor, instance, fields, data, action):
    changed = _apply(instance, fields, data)
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    if created or changed:
        audit_record(actor=actor, action=action, target=instance, data=changed)
    return instance


@transaction.atomic
def course_create(*, actor, data):
    """Record a course; its title is written once per language, Albanian required."""
    _require_manager(actor)
    return _save_audited(
        actor=actor, instance=Course(), fields=COURSE_FIELDS, data=data, action="trainings.course.created"
    )


@transaction.atomic
def course_update(*, actor, course, data):
    _require_manager(actor)
    course = Course.objects.select_for_update().get(pk=course.pk)
    return _save_audited(
        actor=actor, instance=course, fields=COURSE_FIELDS, data=data, action="trainings.course.updated"
    )


def _locked_event(event):
    return TrainingEvent.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def event_create(*, actor, data, trainer_users=None):
    """Plan an event of a course. It starts as planned; enrolment opens with event_open."""
    _require_manager(actor)
    event = _save_audited(
        actor=actor, instance=TrainingEvent(), fields=EVENT_FIELDS, data=data, action="trainings.event.created"
    )
    if trainer_users is not None:
        event.trainer_users.set(trainer_users)
    return event


@transaction.atomic
def event_update(*, actor, event, data, trainer_users=None):
    """Change an event's details. Fewer places than people enrolled is refused."""
    _require_manager(actor)
    event = _locked_event(event)
    if event.status == EventStatus.CLOSED:
        raise ApplicationError(_("This training is closed; its details can no longer change."), code="closed")
    enrolled = event.enrolments.count()
    if data.get("capacity") is not None and data["capacity"] < enrolled:
        raise ApplicationError(
            _("%(count)s people are enrolled already; the places cannot be fewer. Enter at least %(count)s.")
            % {"count": enrolled},
            code="capacity",
        )
    event = _save_audited(actor=actor, instance=event, fields=EVENT_FIELDS, data=data, action="trainings.event.updated")
    if trainer_users is not None:
        event.trainer_users.set(trainer_users)
    return event


@transaction.atomic
def event_open(*, actor, event):
    """Open a planned event for enrolment."""
    _require_manager(actor)
    return transition(
        instance=_locked_event(event),
        to=EventStatus.OPEN,
        actor=actor,
        transitions=EVENT_TRANSITIONS,
        action="trainings.event.opened",
    )


@transaction.atomic
def session_create(*, actor, event, data):
    _require_manager(actor)
    event = _locked_event(event)
    if event.status == EventStatus.CLOSED:
        raise ApplicationError(_("This training is closed; sessions can no longer be added."), code="closed")
    return _save_audited(
        actor=actor, instance=Session(event=event), fields=SESSION_FIELDS, data=data, action="trainings.session.created"
    )


def _locked_session(session):
    """The session and its event, both locked (event first, as attendance_record locks them)."""
    event = _locked_event(session.event)
    return Session.objects.select_for_update().select_related("event").get(pk=session.pk, event=event)


@transaction.atomic
def session_update(*, actor, session, data):
    """Change a session's date, times or topic. Its date must stay within the event's days (Session.clean), also
    when attendance is recorded: the attendance stays with the session. Refused once the training is closed."""
    _require_manager(actor)
    session = _locked_session(session)
    if session.event.status == EventStatus.CLOSED:
        raise ApplicationError(_("This training is closed; its sessions can no longer change."), code="closed")
    return _save_audited(
        actor=actor, instance=session, fields=SESSION_FIELDS, data=data, action="trainings.session.updated"
    )


@transaction.atomic
def session_delete(*, actor, session):
    """Delete a session that was added by mistake. Refused once attendance is recorded for it (even all absent):
    completion is computed from it. Returns the event."""
    _require_manager(actor)
    session = _locked_session(session)
    event = session.event
    if event.status == EventStatus.CLOSED:
        raise ApplicationError(_("This training is closed; its sessions can no longer change."), code="closed")
    if session.attendance.exists():
        raise ApplicationError(
            _(
                "Attendance is recorded for the session of %(date)s, so it cannot be deleted. Change its date, "
                "times or topic instead."
            )
            % {"date": session.date.strftime("%d.%m.%Y")},
            code="has_attendance",
        )
    audit_record(
        actor=actor,
        action="trainings.session.deleted",
        target=event,
        data={"session_id": session.pk, "session": str(session)},
    )
    session.delete()
    return event


@transaction.atomic
def enrolment_create(*, actor, event, person):
    """Enrol an existing person. Refused when the event is full, not taking enrolments, or the person is in already.

    The event row is locked, so two staff enrolling at once cannot exceed the places.
    """
    _require_manager(actor)
    event = _locked_event(event)
    if event.status not in ENROLLING_STATUSES:
        raise ApplicationError(
            _("This training is %(status)s, so nobody can be enrolled any more.")
            % {"status": event.get_status_display()},
            code="not_enrolling",
        )
    if event.enrolments.filter(person=person).exists():
        raise ApplicationError(
            _("%(name)s is enrolled in this training already; nothing was changed.") % {"name": person},
            code="duplicate_enrolment",
        )
    if event.enrolments.count() >= event.capacity:
        raise ApplicationError(
            _(
                "The training is full (%(capacity)s places). Raise the number of places first, "
                "or enrol the person in another event."
            )
            % {"capacity": event.capacity},
            code="capacity",
        )
    enrolment = Enrolment(event=event, person=person)
    enrolment.full_clean()
    enrolment.save()
    audit_record(actor=actor, action="trainings.enrolment.created", target=enrolment, data={"person_id": person.pk})
    return enrolment


@dataclass
class RegistrationResult:
    """Either the enrolment made, or the likely duplicates staff must look at first."""

    enrolment: Enrolment | None = None
    candidates: list = field(default_factory=list)


@transaction.atomic
def person_register_and_enrol(*, actor, event, data, none_of_these=False):
    """Register a new participant on the spot and enrol them.

    Duplicate detection runs first: when likely matches exist and staff have not confirmed "none of these", nothing
    is saved and the candidates are returned, so staff enrol the existing person instead of counting a human twice.
    """
    _require_manager(actor)
    person_data = {key: data[key] for key in PERSON_FIELDS if data.get(key) not in (None, "")}
    if not none_of_these:
        candidates = warn_if_duplicate(person_data)
        if candidates:
            return RegistrationResult(candidates=candidates)
    person = Person(**person_data)
    person.full_clean()
    person.save()
    audit_record(
        actor=actor,
        action="accounts.person.created",
        target=person,
        comment=_("Registered on the spot at a training."),
        data={"event_id": event.pk, "duplicates_dismissed": bool(none_of_these)},
    )
    return RegistrationResult(enrolment=enrolment_create(actor=actor, event=event, person=person))


@transaction.atomic
def attendance_record(*, actor, session, present_enrolment_ids):
    """Record who was at a session: everyone enrolled is present if their id is listed, absent otherwise.

    Ids that are not enrolments of the session's event are refused as a whole, and nothing is saved.
    """
    _require_manager(actor)
    session = Session.objects.select_related("event").get(pk=session.pk)
    event = _locked_event(session.event)
    if event.status == EventStatus.CLOSED:
        raise ApplicationError(_("This training is closed; attendance can no longer change."), code="closed")
    present = {int(pk) for pk in present_enrolment_ids}
    enrolled = set(event.enrolments.values_list("pk", flat=True))
    strangers = present - enrolled
    if strangers:
        raise ApplicationError(
            _(
                "Attendance for someone not enrolled: refused (%(count)s ticked people are not enrolled in this "
                "training). Reload the list, enrol them first, then tick again."
            )
            % {"count": len(strangers)},
            code="not_enrolled",
        )
    existing = {row.enrolment_id: row for row in Attendance.objects.filter(session=session)}
    new_rows, changed = [], []
    for enrolment_id in enrolled:
        is_present = enrolment_id in present
        row = existing.get(enrolment_id)
        if row is None:
            new_rows.append(Attendance(session=session, enrolment_id=enrolment_id, present=is_present))
        elif row.present != is_present:
            row.present = is_present
            changed.append(row)
    Attendance.objects.bulk_create(new_rows)
    Attendance.objects.bulk_update(changed, ["present"])
    audit_record(
        actor=actor,
        action="trainings.attendance.recorded",
        target=session,
        data={"present": sorted(present), "enrolled": len(enrolled)},
    )
    return len(present)


@transaction.atomic
def enrolment_scores(*, actor, enrolment, pre_test_score=None, post_test_score=None):
    """Record the optional pre- and post-test scores (0–100)."""
    _require_manager(actor)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    data = {"pre_test_score": pre_test_score, "post_test_score": post_test_score}
    return _save_audited(
        actor=actor, instance=enrolment, fields=tuple(data), data=data, action="trainings.enrolment.scored"
    )


def completes(*, attended, sessions, min_percent):
    """The event's rule: at least `min_percent` of its sessions attended (80% of 5 sessions is 4)."""
    return sessions > 0 and attended * 100 >= min_percent * sessions


@transaction.atomic
def event_complete(*, actor, event, close=False):
    """Compute completion for every enrolment from attendance and the event's rule; the event becomes held, and
    closed when `close` is given. Safe to run again (after attendance is corrected, before closing)."""
    _require_manager(actor)
    event = _locked_event(event)
    if event.status == EventStatus.CLOSED:
        raise ApplicationError(_("This training is closed already; completion can no longer change."), code="closed")
    sessions = event.sessions.count()
    if sessions == 0:
        raise ApplicationError(
            _("This training has no sessions, so nobody can complete it. Add its sessions and attendance first."),
            code="no_sessions",
        )
    enrolments = list(event.enrolments.annotate(attended=Count("attendance", filter=Q(attendance__present=True))))
    for enrolment in enrolments:
        enrolment.completed = completes(
            attended=enrolment.attended, sessions=sessions, min_percent=event.completion_min_percent
        )
    Enrolment.objects.bulk_update(enrolments, ["completed"])
    completed = sum(1 for enrolment in enrolments if enrolment.completed)
    data = {"sessions": sessions, "enrolled": len(enrolments), "completed": completed}
    if event.status != EventStatus.HELD:
        transition(
            instance=event,
            to=EventStatus.HELD,
            actor=actor,
            transitions=EVENT_TRANSITIONS,
            action="trainings.event.held",
            data=data,
        )
    else:
        audit_record(actor=actor, action="trainings.event.completion_computed", target=event, data=data)
    if close:
        transition(
            instance=event,
            to=EventStatus.CLOSED,
            actor=actor,
            transitions=EVENT_TRANSITIONS,
            action="trainings.event.closed",
            data=data,
        )
    return completed
