"""Every write to a municipality's partnership: memoranda of understanding, focal persons, profile, population.

The rows live in `municipalities` (which may import only core); the rules live here. Keyword-only, transactional,
validated before saving and audited (`municipal.<thing>.<verb>`).
"""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.choices import Community
from core.errors import ApplicationError
from core.services import audit_record
from core.uploads import checked_upload, uploaded_name
from core.workflow import transition
from municipal.permissions import can_manage_municipal
from municipalities.models import (
    FocalPerson,
    Memorandum,
    MouStatus,
    Municipality,
    MunicipalityProfile,
    OfficialLanguage,
    PopulationFigure,
)

MOU_TRANSITIONS = {
    MouStatus.DRAFT: {MouStatus.SIGNED},
    MouStatus.SIGNED: {MouStatus.ENDED},
    MouStatus.ENDED: set(),
}
MEMORANDUM_FIELDS = (
    "reference",
    "signed_on",
    "starts_on",
    "ends_on",
    "signatories",
    "programme_commitments",
    "municipality_commitments",
    "programme_ceiling",
    "ceiling_purpose",
    "cofunding_pledge",
)
FOCAL_PERSON_FIELDS = ("name", "position", "department", "email", "phone")
PROFILE_FIELDS = ("mayor", "address", "phone", "email", "website", "official_languages")
POPULATION_FIELDS = ("year", "source", "community", "count")
PDF_TYPES = frozenset({"application/pdf"})


def _require_manager(actor):
    if not can_manage_municipal(actor):
        raise ApplicationError(_("You cannot change the partnership of a municipality."), code="not_allowed")


def _short(value):
    return date_format(value, "SHORT_DATE_FORMAT")


def _text(value):
    return "" if value is None else str(value)


def _apply(instance, data, fields):
    """Set the given fields on `instance`; return what changed as text, for the audit entry."""
    changed = {}
    for key in fields:
        if key in data and getattr(instance, key) != data[key]:
            changed[key] = _text(data[key])
            setattr(instance, key, data[key])
    return changed


# Memoranda of understanding ----------------------------------------------------------------------------------


def _check_signed_on(signed_on, *, required):
    if signed_on is None:
        if required:
            raise ApplicationError(
                _("A signed memorandum needs the date it was signed. Enter the date of signature."),
                code="signed_on_missing",
            )
        return
    if signed_on > timezone.localdate():
        raise ApplicationError(
            _("The date of signature %(date)s is in the future. Enter the day the memorandum was signed.")
            % {"date": _short(signed_on)},
            code="signed_on_future",
        )


def _check_term(memorandum):
    if memorandum.starts_on is None or memorandum.ends_on is None:
        raise ApplicationError(_("Enter the first and the last day of the term."), code="term_missing")
    if memorandum.ends_on <= memorandum.starts_on:
        raise ApplicationError(
            _("The term must end after it starts: enter an end date later than %(start)s.")
            % {"start": _short(memorandum.starts_on)},
            code="term_order",
        )
    overlapping = (
        Memorandum.objects.filter(
            municipality_id=memorandum.municipality_id,
            starts_on__lte=memorandum.ends_on,
            ends_on__gte=memorandum.starts_on,
        )
        .exclude(pk=memorandum.pk)
        .order_by("starts_on")
        .first()
    )
    if overlapping is not None:
        raise ApplicationError(
            _(
                "The term overlaps the memorandum of %(start)s to %(end)s (%(status)s) of this municipality. "
                "A municipality has one memorandum at a time: change the dates so that the terms do not overlap."
            )
            % {
                "start": _short(overlapping.starts_on),
                "end": _short(overlapping.ends_on),
                "status": overlapping.get_status_display(),
            },
            code="term_overlaps",
        )


@transaction.atomic
def memorandum_save(*, actor, municipality, data, memorandum=None):
    """Record a memorandum (as a draft) or correct one. Its status changes only by signing and ending.

    The municipality row is locked first, so two memoranda saved at once cannot both pass the overlap check.
    """
    _require_manager(actor)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if memorandum is None:
        memorandum = Memorandum(municipality=municipality, status=MouStatus.DRAFT)
    else:
        memorandum = Memorandum.objects.select_for_update().get(pk=memorandum.pk, municipality=municipality)
        if memorandum.status == MouStatus.ENDED:
            raise ApplicationError(
                _("This memorandum has ended and is kept as it was; it cannot be changed."), code="mou_ended"
            )
    created = memorandum.pk is None
    changed = _apply(memorandum, data, MEMORANDUM_FIELDS)
    _check_signed_on(memorandum.signed_on, required=memorandum.status == MouStatus.SIGNED)
    _check_term(memorandum)
    memorandum.full_clean()
    memorandum.save()
    if created:
        audit_record(
            actor=actor,
            action="municipal.memorandum.created",
            target=memorandum,
            to_status=memorandum.status,
            data={"starts_on": memorandum.starts_on.isoformat(), "ends_on": memorandum.ends_on.isoformat()},
        )
    elif changed:
        audit_record(actor=actor, action="municipal.memorandum.updated", target=memorandum, data=changed)
    return memorandum


def _checked_pdf(uploaded_file):
    try:
        checked_upload(uploaded_file, PDF_TYPES)
    except ApplicationError as error:
        if error.code != "file_type_not_allowed":
            raise
        raise ApplicationError(
            _(
                "“%(name)s” is not a PDF file (its content is checked, not its name). "
                "Scan or save the signed memorandum as a PDF and upload it."
            )
            % {"name": uploaded_name(uploaded_file)},
            code="file_type_not_allowed",
        ) from error


@transaction.atomic
def memorandum_sign(*, actor, memorandum, signed_on, signed_file):
    """Draft → signed, with the date of signature and the signed PDF (stored privately under a random name)."""
    _require_manager(actor)
    memorandum = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
    if memorandum.status != MouStatus.DRAFT:
        raise ApplicationError(
            _("This memorandum is “%(status)s”; only a draft can be signed.")
            % {"status": memorandum.get_status_display()},
            code="invalid_transition",
        )
    _check_signed_on(signed_on, required=True)
    if signed_file is None:
        raise ApplicationError(_("Upload the signed memorandum as a PDF."), code="file_missing")
    _checked_pdf(signed_file)
    signed_file.name = f"{uuid.uuid4().hex}.pdf"
    memorandum.signed_on = signed_on
    memorandum.signed_file = signed_file
    return transition(
        instance=memorandum,
        to=MouStatus.SIGNED,
        actor=actor,
        transitions=MOU_TRANSITIONS,
        action="municipal.memorandum.signed",
        data={"signed_on": signed_on.isoformat()},
        save_fields=["signed_on", "signed_file"],
    )


@transaction.atomic
def memorandum_end(*, actor, memorandum, reason, ended_on=None):
    """Signed → ended, with the reason. `ended_on` (optional) shortens the term when it ends early, so that the
    next memorandum may start after it without overlapping."""
    _require_manager(actor)
    memorandum = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Write why the memorandum ends."), code="reason_missing")
    save_fields = []
    data = {}
    if ended_on is not None and ended_on != memorandum.ends_on:
        if not memorandum.starts_on < ended_on < memorandum.ends_on:
            raise ApplicationError(
                _("The last day must fall after the start (%(start)s) and before the end (%(end)s) of the term.")
                % {"start": _short(memorandum.starts_on), "end": _short(memorandum.ends_on)},
                code="ended_on_outside_term",
            )
        data = {"term_ended_on": ended_on.isoformat(), "term_was_to_end_on": memorandum.ends_on.isoformat()}
        memorandum.ends_on = ended_on
        save_fields.append("ends_on")
    return transition(
        instance=memorandum,
        to=MouStatus.ENDED,
        actor=actor,
        transitions=MOU_TRANSITIONS,
        action="municipal.memorandum.ended",
        comment=reason,
        data=data,
        save_fields=save_fields,
    )


# Focal persons ------------------------------------------------------------------------------------------------


@transaction.atomic
def focal_person_save(*, actor, municipality, data, focal_person=None):
    """Record a municipal focal person or correct their details. A retired one is kept as they were."""
    _require_manager(actor)
    if focal_person is None:
        focal_person = FocalPerson(municipality=municipality)
    else:
        focal_person = FocalPerson.objects.select_for_update().get(pk=focal_person.pk, municipality=municipality)
        if not focal_person.is_active:
            raise ApplicationError(
                _("%(name)s is no longer a focal person and is kept for the record; add the new focal person instead.")
                % {"name": focal_person.name},
                code="focal_person_retired",
            )
    created = focal_person.pk is None
    changed = _apply(focal_person, data, FOCAL_PERSON_FIELDS)
    focal_person.full_clean()
    focal_person.save()
    if created:
        audit_record(actor=actor, action="municipal.focal_person.created", target=focal_person, data=changed)
    elif changed:
        audit_record(actor=actor, action="municipal.focal_person.updated", target=focal_person, data=changed)
    return focal_person


@transaction.atomic
def focal_person_retire(*, actor, focal_person, reason=""):
    """No longer the focal person: the row stays (with its history) so that past work still names them."""
    _require_manager(actor)
    focal_person = FocalPerson.objects.select_for_update().get(pk=focal_person.pk)
    if not focal_person.is_active:
        raise ApplicationError(
            _("%(name)s is no longer a focal person already.") % {"name": focal_person.name}, code="retired"
        )
    focal_person.is_active = False
    focal_person.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor, action="municipal.focal_person.retired", target=focal_person, comment=(reason or "").strip()
    )
    return focal_person


# Profile and population --------------------------------------------------------------------------------------


def _languages(codes):
    codes = list(dict.fromkeys(codes or ()))
    unknown = [code for code in codes if code not in OfficialLanguage.values]
    if unknown:
        raise ApplicationError(
            _("Unknown language codes: %(codes)s. Choose the languages from the list.") % {"codes": ", ".join(unknown)},
            code="language_unknown",
        )
    return [code for code in OfficialLanguage.values if code in codes]


@transaction.atomic
def profile_save(*, actor, municipality, data):
    """The municipality's own profile (mayor, contact, languages in official use), created on first save."""
    _require_manager(actor)
    data = dict(data)
    if "official_languages" in data:
        data["official_languages"] = _languages(data["official_languages"])
    profile, created = MunicipalityProfile.objects.select_for_update().get_or_create(municipality=municipality)
    changed = _apply(profile, data, PROFILE_FIELDS)
    profile.full_clean()
    profile.save()
    if "official_languages" in changed:
        changed["official_languages"] = ", ".join(profile.official_languages)
    if created or changed:
        audit_record(
            actor=actor,
            action="municipal.profile.created" if created else "municipal.profile.updated",
            target=profile,
            data=changed,
        )
    return profile


@transaction.atomic
def population_figure_record(*, actor, municipality, data):
    """A population count with its source and year (community empty for the total), once per year, source and
    community."""
    _require_manager(actor)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)  # one check at a time
    figure = PopulationFigure(municipality=municipality, **{key: data[key] for key in POPULATION_FIELDS if key in data})
    figure.community = figure.community or ""
    figure.source = (figure.source or "").strip()
    existing = PopulationFigure.objects.filter(
        municipality=municipality, year=figure.year, source__iexact=figure.source, community=figure.community
    ).first()
    if existing is not None:
        community = dict(Community.choices).get(figure.community) if figure.community else _("all communities")
        raise ApplicationError(
            _(
                "A figure for %(year)s from “%(source)s” for %(community)s is recorded already (%(count)s people). "
                "Each year, source and community is recorded once: check the year, source and community."
            )
            % {"year": existing.year, "source": existing.source, "community": community, "count": existing.count},
            code="population_duplicate",
        )
    figure.full_clean()
    figure.save()
    audit_record(
        actor=actor,
        action="municipal.population_figure.recorded",
        target=figure,
        data={"year": figure.year, "source": figure.source, "community": figure.community, "count": figure.count},
    )
    return figure


@transaction.atomic
def population_figure_remove(*, actor, figure, reason):
    """Remove a figure recorded in error (then record the right one). The audit entry, on the municipality, keeps
    what the figure said and why it went."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Write why the figure is removed (for example: typed the wrong year)."), code="no_reason"
        )
    municipality = Municipality.objects.select_for_update().get(pk=figure.municipality_id)
    figure = PopulationFigure.objects.filter(pk=figure.pk).first()
    if figure is None:
        return None
    audit_record(
        actor=actor,
        action="municipal.population_figure.removed",
        target=municipality,
        comment=reason,
        data={"year": figure.year, "source": figure.source, "community": figure.community, "count": figure.count},
    )
    figure.delete()
    return municipality
