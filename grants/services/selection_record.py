"""A call's whole selection record (screening, reviews with scores, committee decisions) as one PDF for auditors.

A record is a file `selection/<code>/<timestamp>.pdf` in the private storage: the newest one is the one offered,
and needs no row. Only its transient state (queued, or failed with the reason) lives in the cache; when the cache
forgets it, the page simply offers to generate the record again.
"""

import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.pdf import render_pdf
from core.services import audit_record
from grants.models import (
    Application,
    ApplicationStatus,
    AssignmentStatus,
    Call,
    DocumentStatus,
    IneligibilityReason,
    ReviewAssignment,
)
from grants.models.applications import private_storage
from grants.permissions import can_export_selection_record
from grants.services.grants import STALE_QUEUED_SECONDS

logger = logging.getLogger(__name__)
D = DocumentStatus

SELECTION_FAILED_SECONDS = 24 * 3600


def selection_record_folder(call):
    return f"selection/{get_valid_filename(call.code)}"


def _selection_key(call_id):
    return f"grants:selection-record:{call_id}"


def selection_record_latest(call):
    """The storage name of the newest selection record of `call`, or None."""
    try:
        _dirs, files = private_storage.listdir(selection_record_folder(call))
    except (FileNotFoundError, NotImplementedError):
        return None
    names = sorted(name for name in files if name.endswith(".pdf") and not name.startswith("."))
    return f"{selection_record_folder(call)}/{names[-1]}" if names else None


def selection_record_state(call):
    """{"status": "none" | "queued" | "ready" | "failed", "error": …, "name": newest file}."""
    state = cache.get(_selection_key(call.pk)) or {}
    name = selection_record_latest(call)
    status = state.get("status") or (D.READY if name else D.NONE)
    return {"status": status, "error": state.get("error", ""), "name": name}


def selection_record_request(*, actor, call):
    """Queue the call's selection record, in the requester's language; a second click while queued does nothing."""
    if not can_export_selection_record(actor, call):
        raise ApplicationError(_("Only managers export the selection record."), code="not_allowed")
    language = getattr(actor, "language", "") or settings.LANGUAGE_CODE
    if not cache.add(_selection_key(call.pk), {"status": D.QUEUED}, STALE_QUEUED_SECONDS):
        if cache.get(_selection_key(call.pk), {}).get("status") == D.QUEUED:
            return
        cache.set(_selection_key(call.pk), {"status": D.QUEUED}, STALE_QUEUED_SECONDS)
    from grants.grant_tasks import render_selection_record

    with transaction.atomic():
        audit_record(
            actor=actor, action="grants.call.selection_record_requested", target=call, data={"language": language}
        )
        transaction.on_commit(lambda: render_selection_record.delay(call.pk, language), robust=True)


def _mean(values):
    values = [v for v in values if v is not None]
    return (sum(values, Decimal("0")) / len(values)).quantize(Decimal("0.01")) if values else None


def _one(obj, name):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _selection_rows(call, criteria):
    assignments = ReviewAssignment.objects.select_related("reviewer").order_by("id")
    applications = (
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("person", "organisation", "municipality", "screening__screened_by")
        .select_related("decision__meeting", "decision__decided_by")
        .prefetch_related(Prefetch("assignments", queryset=assignments), "assignments__review__scores")
        .order_by("reference")
    )
    reasons = dict(IneligibilityReason.choices)
    rows = []
    for application in applications:
        reviews = []
        for assignment in application.assignments.all():
            review = _one(assignment, "review")
            scores = {score.criterion_id: score for score in review.scores.all()} if review else {}
            submitted = review is not None and review.is_submitted
            reviews.append(
                {
                    "assignment": assignment,
                    "submitted": submitted,
                    "total": review.total if submitted else None,
                    "scores": [(criterion, scores.get(criterion.pk)) for criterion in criteria] if submitted else [],
                }
            )
        screening = _one(application, "screening")
        rows.append(
            {
                "application": application,
                "screening": screening,
                "reasons": [reasons.get(code, code) for code in (screening.reasons if screening else [])],
                "reviews": reviews,
                "mean": _mean([r["total"] for r in reviews if r["submitted"]]),
                "decision": _one(application, "decision"),
            }
        )
    return rows


def selection_record_pdf(call, language):
    with translation.override(language):
        criteria = list(call.criteria.all())
        context = {
            "call": call,
            "criteria": criteria,
            "rows": _selection_rows(call, criteria),
            "meetings": list(call.meetings.prefetch_related("members").select_related("recorded_by")),
            "removed": AssignmentStatus.REMOVED,
            "generated_at": timezone.now(),
        }
        return render_pdf("pdf/selection_record.html", context, language=language)


def selection_record_render(*, call_id, language):
    """Render and store a call's selection record (what the task does); failure is kept in the cache state."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        cache.delete(_selection_key(call_id))
        return None
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    try:
        pdf = selection_record_pdf(call, language)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        name = private_storage.save(
            f"{selection_record_folder(call)}/{stamp}-{uuid.uuid4().hex[:8]}.pdf", ContentFile(pdf)
        )
    except Exception as exc:  # noqa: BLE001 - failure is state, shown on the page with a retry
        logger.exception("Selection record of call %s failed", call_id)
        with translation.override(language):
            error = _("The selection record could not be prepared (%(reason)s). Try again.") % {
                "reason": type(exc).__name__
            }
        cache.set(_selection_key(call_id), {"status": D.FAILED, "error": error}, SELECTION_FAILED_SECONDS)
        with transaction.atomic():
            audit_record(actor=None, action="grants.call.selection_record_failed", target=call, comment=error)
        return None
    cache.delete(_selection_key(call_id))
    with transaction.atomic():
        audit_record(actor=None, action="grants.call.selection_record_generated", target=call, data={"file": name})
    return name
