"""Writes of the municipal services tracker: the catalogue of services and the measures taken before and after.

A measure's history is what proves an improvement to USAID, so the rules are strict: every kind of measure starts
with one baseline, each follow-up comes after it on a date that has passed, and a value is removed only when it was
recorded in error, with the reason kept in the service's audit trail.
"""

import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from core.uploads import checked_upload, uploaded_name
from municipal.models import MeasureKind, MunicipalService, ServiceMeasure, TAActivity
from municipal.permissions import can_manage_municipal

SERVICE_FIELDS = ("category", "name", "description")
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
PERCENT_KINDS = {MeasureKind.SATISFACTION}
YES_NO_KINDS = {MeasureKind.BOTH_LANGUAGES}


def _require_manager(actor):
    if not can_manage_municipal(actor):
        raise ApplicationError(_("You cannot change the municipal services tracker."), code="not_allowed")


def _day(value):
    return date_format(value, "SHORT_DATE_FORMAT")


def _refuse_foreign_activities(municipality, activities):
    ids = [activity.pk for activity in activities]
    foreign = list(
        TAActivity.objects.filter(pk__in=ids)
        .exclude(package__municipality=municipality)
        .values_list("title", flat=True)
    )
    if foreign:
        raise ApplicationError(
            _(
                "These activities belong to packages of another municipality: %(titles)s. Choose only activities "
                "of %(municipality)s."
            )
            % {"titles": ", ".join(foreign), "municipality": municipality},
            code="foreign_activity",
        )


@transaction.atomic
def service_save(*, actor, municipality, data, activities=(), service=None):
    """Add a service to a municipality's catalogue or change it, with the TA activities that worked on it."""
    _require_manager(actor)
    activities = list(activities)
    if service is None:
        service = MunicipalService(municipality=municipality)
    else:
        service = MunicipalService.objects.select_for_update().get(pk=service.pk)
        if service.municipality_id != municipality.pk:
            raise ApplicationError(_("This service belongs to another municipality."), code="wrong_municipality")
    _refuse_foreign_activities(municipality, activities)
    name = (data.get("name") or service.name or "").strip()
    if MunicipalService.objects.filter(municipality=municipality, name__iexact=name).exclude(pk=service.pk).exists():
        raise ApplicationError(
            _("%(municipality)s already has a service named “%(name)s”. Open that one, or choose another name.")
            % {"municipality": municipality, "name": name},
            code="duplicate_service",
        )
    created = service.pk is None
    changed = {}
    for key in SERVICE_FIELDS:
        if key in data and getattr(service, key) != data[key]:
            changed[key] = str(data[key] or "")
            setattr(service, key, data[key])
    service.full_clean()
    service.save()
    before = set() if created else set(service.activities.values_list("pk", flat=True))
    after = {activity.pk for activity in activities}
    if before != after:
        service.activities.set(activities)
        changed["activities"] = sorted(after)
    if created or changed:
        action = "municipal.service.created" if created else "municipal.service.updated"
        audit_record(actor=actor, action=action, target=service, data=changed)
    return service


def _check_value(kind, value):
    if value is None:
        raise ApplicationError(_("Enter the value that was measured."), code="no_value")
    value = Decimal(value)
    if value < 0:
        raise ApplicationError(_("A measure cannot be negative. Enter the value as measured."), code="negative")
    if kind in PERCENT_KINDS and value > 100:
        raise ApplicationError(
            _("Citizen satisfaction is a percentage: enter a value from 0 to 100."), code="out_of_range"
        )
    if kind in YES_NO_KINDS and value not in (0, 1):
        raise ApplicationError(
            _("Availability in both official languages is 1 (yes) or 0 (no). Enter 1 or 0."), code="out_of_range"
        )
    return value


def _check_date(*, kind, measured_on, is_baseline, existing):
    if measured_on is None:
        raise ApplicationError(_("Enter the date the value was measured."), code="no_date")
    if measured_on > timezone.localdate():
        raise ApplicationError(
            _("The date %(date)s is in the future. Record a measure once it has been taken.")
            % {"date": _day(measured_on)},
            code="future_date",
        )
    label = MeasureKind(kind).label
    baseline = next((measure for measure in existing if measure.is_baseline), None)
    if is_baseline and baseline is not None:
        raise ApplicationError(
            _(
                "“%(kind)s” already has a baseline, taken on %(date)s. A measure has one baseline: record this value "
                "as a follow-up, or remove the baseline first if it was recorded in error."
            )
            % {"kind": label, "date": _day(baseline.measured_on)},
            code="second_baseline",
        )
    if not is_baseline and baseline is None:
        raise ApplicationError(
            _("Record the baseline first: “%(kind)s” has no baseline yet, so a follow-up cannot be compared.")
            % {"kind": label},
            code="no_baseline",
        )
    if not is_baseline and measured_on <= baseline.measured_on:
        raise ApplicationError(
            _("The baseline of this measure was taken on %(date)s; a follow-up must come after it.")
            % {"date": _day(baseline.measured_on)},
            code="before_baseline",
        )
    if is_baseline and any(measure.measured_on <= measured_on for measure in existing):
        raise ApplicationError(_("A baseline must come before every other value of the measure."), code="late_baseline")
    if any(measure.measured_on == measured_on for measure in existing):
        raise ApplicationError(
            _("“%(kind)s” already has a value for %(date)s. Choose another date, or remove that value first.")
            % {"kind": label, "date": _day(measured_on)},
            code="same_day",
        )


@transaction.atomic
def measure_record(*, actor, service, kind, measured_on, value, is_baseline=False, source="", evidence=None):
    """Record one value of one kind of measure, with the document that proves it (which makes it count)."""
    _require_manager(actor)
    service = MunicipalService.objects.select_for_update().get(pk=service.pk)  # one recorder at a time per service
    if kind not in MeasureKind.values:
        raise ApplicationError(_("Choose the measure from the list."), code="unknown_kind")
    value = _check_value(kind, value)
    existing = list(service.measures.filter(kind=kind))
    _check_date(kind=kind, measured_on=measured_on, is_baseline=is_baseline, existing=existing)
    mime = checked_upload(evidence) if evidence else ""
    measure = ServiceMeasure(
        service=service,
        kind=kind,
        measured_on=measured_on,
        value=value,
        is_baseline=bool(is_baseline),
        source=source or "",
        recorded_by=actor,
    )
    measure.full_clean()  # before the file is written, so a refusal leaves no file behind
    if evidence:
        measure.evidence_name = uploaded_name(evidence, default="evidence")
        measure.evidence.save(f"{uuid.uuid4().hex}.{EXTENSIONS[mime]}", evidence, save=False)
    measure.save()
    audit_record(
        actor=actor,
        action="municipal.service.measure_recorded",
        target=service,
        data={
            "measure": measure.pk,
            "kind": kind,
            "measured_on": measured_on.isoformat(),
            "value": str(value),
            "is_baseline": measure.is_baseline,
            "evidence": mime,
        },
    )
    return measure


@transaction.atomic
def measure_remove(*, actor, measure, reason):
    """Remove a value recorded in error. The audit entry keeps what it was and why it went; a baseline stays while
    follow-ups are compared with it."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Write why the value is removed (for example: typed in the wrong service)."), code="no_reason"
        )
    service = MunicipalService.objects.select_for_update().get(pk=measure.service_id)
    measure = ServiceMeasure.objects.get(pk=measure.pk)
    if measure.is_baseline and service.measures.filter(kind=measure.kind, is_baseline=False).exists():
        raise ApplicationError(
            _(
                "The follow-ups of “%(kind)s” are compared with this baseline. Remove them first if the baseline was "
                "recorded in error."
            )
            % {"kind": measure.get_kind_display()},
            code="baseline_in_use",
        )
    audit_record(
        actor=actor,
        action="municipal.service.measure_removed",
        target=service,
        comment=reason,
        data={
            "measure": measure.pk,
            "kind": measure.kind,
            "measured_on": measure.measured_on.isoformat(),
            "value": str(measure.value),
            "is_baseline": measure.is_baseline,
            "source": measure.source,
            "evidence_name": measure.evidence_name,
            "recorded_by": measure.recorded_by_id,
            "reason": reason,
        },
    )
    file_name = measure.evidence.name
    measure.delete()
    if file_name:
        storage = measure.evidence.storage
        transaction.on_commit(lambda: storage.delete(file_name))
