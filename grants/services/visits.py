"""Monitoring visits: an officer records what was checked, found and photographed on a grant's site, with the
follow-up actions it calls for; a visit may verify milestones (which lets finance approve their tranches).

Every service locks the grant row first (then the visit or follow-up), so two people writing to the same grant's
visits are served one after the other. Photos are checked by content before anything is written, stored under
random names in private storage, and get an EXIF-free thumbnail.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from core.errors import ApplicationError
from core.services import audit_record
from core.uploads import IMAGE_TYPES, checked_upload, thumbnail_of
from grants.models import (
    Check,
    FollowUpAction,
    Grant,
    MonitoringVisit,
    Quality,
    VerificationSource,
    VisitPhoto,
)
from grants.permissions import FOLLOWED, can_record_visit
from grants.services.tranches import milestone_verify

MAX_PHOTOS = 20
# Who may be named as the person who made the visit: the programme's staff who go to the field.
VISITOR_ROLES = (Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN)
VISIT_FIELDS = (
    "visit_date",
    "visited_by",
    "people_present",
    "progress_percent",
    "quality",
    "donor_sign",
    "shared_use",
    "safety",
    "findings",
    "is_final",
)


def visitors():
    """The accounts that can be named as the visitor (programme staff), for the form's list and the check."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(groups__name__in=VISITOR_ROLES) | Q(is_superuser=True)).distinct().order_by("email")


def _date(value):
    return formats.date_format(value, "d.m.Y")


def _field_error(message, field, code):
    return ApplicationError(message, code=code, extra={"field": field})


def _locked_grant(grant, actor):
    grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    if grant.status not in FOLLOWED:
        raise ApplicationError(
            _("The grant is “%(status)s”: visits are recorded only while it is active, suspended or completed.")
            % {"status": grant.get_status_display()},
            code="grant_not_followed",
        )
    if not can_record_visit(actor, grant):
        raise ApplicationError(_("Only programme officers record monitoring visits."), code="not_allowed")
    return grant


def _check_fields(grant, data):
    visit_date = data.get("visit_date")
    if visit_date is None:
        raise _field_error(_("Enter the date of the visit."), "visit_date", "visit_date_missing")
    if visit_date > timezone.localdate():
        raise _field_error(
            _("The date %(date)s is in the future. Record a visit after it took place.") % {"date": _date(visit_date)},
            "visit_date",
            "visit_in_future",
        )
    if visit_date < grant.start_date:
        raise _field_error(
            _("The date %(date)s is before the grant started (%(start)s). Check the date.")
            % {"date": _date(visit_date), "start": _date(grant.start_date)},
            "visit_date",
            "visit_before_start",
        )
    progress = data.get("progress_percent")
    if progress is None or not 0 <= progress <= 100:
        raise _field_error(
            _("Enter the work progress as a number from 0 to 100."), "progress_percent", "progress_out_of_range"
        )
    visitor = data.get("visited_by")
    if visitor is None or not visitors().filter(pk=visitor.pk).exists():
        raise _field_error(_("Choose who made the visit among the programme staff."), "visited_by", "visitor")
    choices = {
        "quality": Quality.values,
        "donor_sign": Check.values,
        "shared_use": Check.values,
        "safety": Check.values,
    }
    for field, allowed in choices.items():
        if data.get(field) not in allowed:
            raise _field_error(_("Choose one of the answers."), field, "checklist")


def _check_milestones(grant, checked, verified):
    """The milestones must be the grant's own; a visit verifies only what it checked."""
    checked, verified = set(checked), set(verified)
    foreign = [m for m in checked | verified if m.grant_id != grant.pk]
    if foreign:
        raise _field_error(
            _("“%(milestone)s” is not a milestone of this grant. Choose among this grant's milestones.")
            % {"milestone": foreign[0].description},
            "milestones_checked",
            "milestone_foreign",
        )
    unchecked = sorted(verified - checked, key=lambda m: (m.due_date, m.pk))
    if unchecked:
        raise _field_error(
            _("To verify “%(milestone)s”, tick it as checked during the visit as well.")
            % {"milestone": unchecked[0].description},
            "verified_milestones",
            "verified_not_checked",
        )


def _check_photos(photos, *, existing=0):
    photos = [photo for photo in photos or () if photo]
    if existing + len(photos) > MAX_PHOTOS:
        raise _field_error(
            _("A visit keeps at most %(max)s photos (this one would have %(count)s). Choose fewer photos.")
            % {"max": MAX_PHOTOS, "count": existing + len(photos)},
            "photos",
            "too_many_photos",
        )
    checked = []
    for photo in photos:
        try:
            checked.append((photo, checked_upload(photo, IMAGE_TYPES)))
        except ApplicationError as error:
            raise _field_error(error.message, "photos", error.code) from error
    return checked


def _check_follow_ups(follow_ups, visit_date):
    rows = []
    for row in follow_ups or ():
        action, responsible = (row.get("action") or "").strip(), (row.get("responsible") or "").strip()
        due = row.get("due_date")
        if not (action and responsible and due):
            raise _field_error(
                _("A follow-up action needs what is to be done, who does it and by when. Complete or clear the row."),
                "follow_ups",
                "follow_up_incomplete",
            )
        if due < visit_date:
            raise _field_error(
                _("The follow-up “%(action)s” is due before the visit took place. Choose a later due date.")
                % {"action": action},
                "follow_ups",
                "follow_up_due_early",
            )
        rows.append({"action": action, "responsible": responsible, "due_date": due})
    return rows


def _save_photos(visit, checked_photos):
    for photo, mime in checked_photos:
        row = VisitPhoto(visit=visit, content_type=mime)
        row.image.save("photo", photo, save=False)
        row.thumbnail.save("thumbnail", thumbnail_of(photo), save=False)
        row.save()
    return len(checked_photos)


def _save_follow_ups(visit, rows):
    for row in rows:
        follow_up = FollowUpAction(visit=visit, **row)
        follow_up.full_clean()
        follow_up.save()
    return len(rows)


def _verify(actor, visit, milestones):
    verified = []
    for milestone in sorted(milestones, key=lambda m: m.pk):
        milestone_verify(actor=actor, milestone=milestone, source=VerificationSource.VISIT, visit=visit)
        verified.append(milestone.pk)
    return verified


@transaction.atomic
def visit_record(*, actor, grant, data, photos=(), follow_ups=()):
    """Record a monitoring visit with its checklist, photos and follow-ups; the milestones it verifies become
    verified (the first verification counts), so their tranches can be approved without an override.

    `data` holds the model's fields plus `milestones_checked` and `verified_milestones` (GrantMilestone lists);
    `follow_ups` is a list of {"action", "responsible", "due_date"}. Nothing is written if anything is wrong.
    """
    grant = _locked_grant(grant, actor)
    _check_fields(grant, data)
    checked = list(data.get("milestones_checked") or ())
    verified = list(data.get("verified_milestones") or ())
    _check_milestones(grant, checked, verified)
    checked_photos = _check_photos(photos)
    follow_up_rows = _check_follow_ups(follow_ups, data["visit_date"])
    visit = MonitoringVisit(grant=grant, **{field: data.get(field) for field in VISIT_FIELDS})
    visit.is_final = bool(data.get("is_final"))
    visit.full_clean()
    visit.save()
    visit.milestones_checked.set(checked)
    visit.verified_milestones.set(verified)
    verified_pks = _verify(actor, visit, verified)
    photo_count = _save_photos(visit, checked_photos)
    follow_up_count = _save_follow_ups(visit, follow_up_rows)
    audit_record(
        actor=actor,
        action="grants.visit.recorded",
        target=visit,
        comment=_date(visit.visit_date),
        data={
            "visit_date": visit.visit_date.isoformat(),
            "progress_percent": visit.progress_percent,
            "verified_milestones": verified_pks,
            "photos": photo_count,
            "follow_ups": follow_up_count,
        },
    )
    return visit


def _locked_visit(visit, actor):
    _locked_grant(visit.grant, actor)
    return MonitoringVisit.objects.select_for_update(of=("self",)).select_related("grant").get(pk=visit.pk)


def _changed_fields(visit, data):
    changed = []
    for field in VISIT_FIELDS:
        value = bool(data.get(field)) if field == "is_final" else data.get(field)
        if getattr(visit, field) != value:
            setattr(visit, field, value)
            changed.append(field)
    return changed


@transaction.atomic
def visit_update(*, actor, visit, data, photos=(), follow_ups=(), expected_updated_at=None):
    """Correct a visit, add photos and follow-ups, or verify more milestones. A verification is never undone: the
    milestones the visit already verifies stay verified (and checked) whatever `data` says.

    With `expected_updated_at` (the version the editor saw), a visit changed meanwhile by someone else is refused
    rather than overwritten.
    """
    visit = _locked_visit(visit, actor)
    if expected_updated_at is not None and visit.updated_at != expected_updated_at:
        raise ApplicationError(
            _("Someone else changed this visit while you were editing it. Open it again and repeat your changes."),
            code="visit_changed_meanwhile",
        )
    _check_fields(visit.grant, data)
    already = set(visit.verified_milestones.all())
    checked = set(data.get("milestones_checked") or ()) | already
    new_verified = set(data.get("verified_milestones") or ()) - already
    _check_milestones(visit.grant, checked, new_verified)
    checked_photos = _check_photos(photos, existing=visit.photos.count())
    follow_up_rows = _check_follow_ups(follow_ups, data["visit_date"])
    changed = _changed_fields(visit, data)
    if {m.pk for m in checked} != set(visit.milestones_checked.values_list("pk", flat=True)):
        changed.append("milestones_checked")
    if new_verified:
        changed.append("verified_milestones")
    visit.full_clean()
    visit.save()
    visit.milestones_checked.set(checked)
    visit.verified_milestones.add(*new_verified)
    verified_pks = _verify(actor, visit, new_verified)
    if changed:
        audit_record(
            actor=actor,
            action="grants.visit.changed",
            target=visit,
            comment=_date(visit.visit_date),
            data={"fields": changed, "verified_milestones": verified_pks},
        )
    if checked_photos:
        count = _save_photos(visit, checked_photos)
        audit_record(actor=actor, action="grants.visit.photo_added", target=visit, data={"photos": count})
    for row in follow_up_rows:
        _save_follow_ups(visit, [row])
        audit_record(actor=actor, action="grants.visit.follow_up_added", target=visit, comment=row["action"])
    return visit


@transaction.atomic
def visit_photo_delete(*, actor, photo):
    """Remove a photo (a wrong or unusable picture); its files are deleted once the removal is committed."""
    visit = _locked_visit(photo.visit, actor)
    photo = VisitPhoto.objects.select_for_update().filter(pk=photo.pk, visit=visit).first()
    if photo is None:
        raise ApplicationError(_("This photo was already removed."), code="photo_gone")
    image, thumbnail = photo.image, photo.thumbnail
    photo_pk = photo.pk
    photo.delete()
    audit_record(actor=actor, action="grants.visit.photo_removed", target=visit, data={"photo": photo_pk})

    def delete_files():
        for file in (image, thumbnail):
            if file.name:
                file.storage.delete(file.name)

    transaction.on_commit(delete_files)


@transaction.atomic
def follow_up_done(*, actor, follow_up):
    """Mark a follow-up action done (once: a second click, or a colleague's, is told who did it and when)."""
    visit = _locked_visit(follow_up.visit, actor)
    follow_up = FollowUpAction.objects.select_for_update(of=("self",)).select_related("done_by").get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise ApplicationError(
            _("“%(action)s” was already marked done by %(who)s on %(when)s.")
            % {
                "action": follow_up.action,
                "who": getattr(follow_up.done_by, "email", "—"),
                "when": formats.date_format(timezone.localtime(follow_up.done_at), "d.m.Y H:i"),
            },
            code="follow_up_already_done",
        )
    follow_up.done_at, follow_up.done_by = timezone.now(), actor
    follow_up.save(update_fields=["done_at", "done_by"])
    audit_record(
        actor=actor,
        action="grants.visit.follow_up_done",
        target=visit,
        comment=follow_up.action,
        data={"follow_up": follow_up.pk},
    )
    return follow_up
