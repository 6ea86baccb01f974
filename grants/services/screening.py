"""Eligibility screening: a programme officer checks a submitted application against the call's rules.

The checklist is built from the call; what the system can verify itself is pre-filled and explained, the rest
(documents legible, registration valid, free checks) is answered by the officer. The outcome moves the application
to `eligible` or `ineligible`; an ineligible applicant is written to, in their language, with the reasons.
"""

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import email_queue
from core.errors import ApplicationError
from core.workflow import transition
from grants.models import APPLICATION_TRANSITIONS, Application, ApplicationStatus, IneligibilityReason, Screening
from grants.permissions import can_screen
from grants.services.applications import ORGANISATION_TYPES
from grants.services.budget import budget_totals

CHECK_LABELS = {
    "municipality": gettext_lazy("Eligible municipality"),
    "applicant_type": gettext_lazy("Eligible applicant type"),
    "amount": gettext_lazy("Amount within the call's limits"),
    "cost_share": gettext_lazy("Cost share reached"),
    "documents_present": gettext_lazy("Required documents present"),
    "documents_legible": gettext_lazy("Required documents legible"),
    "registration": gettext_lazy("Registration valid"),
}
AUTOMATIC_CHECKS = ("municipality", "applicant_type", "amount", "cost_share", "documents_present")
MANUAL_CHECKS = ("documents_legible", "registration")
MAX_FREE_CHECKS = 5
MAX_COMMENT = 5000


def _money(value):
    return number_format(value, 2, force_grouping=True)


def screening_queryset():
    """Applications with everything the checklist reads, so a list of them costs a constant number of queries."""
    return Application.objects.select_related(
        "call", "municipality", "organisation", "applicant", "person"
    ).prefetch_related("call__eligible_municipalities", "call__documents", "budget_lines", "documents")


def _item(code, passed, why, *, automatic=True):
    return {"code": code, "label": str(CHECK_LABELS[code]), "passed": passed, "automatic": automatic, "why": str(why)}


def _municipality_check(application):
    eligible = list(application.call.eligible_municipalities.all())
    count = len(eligible)
    if application.municipality_id is None:
        return _item("municipality", False, _("The application names no municipality."))
    name = application.municipality.name
    if application.municipality_id in {m.pk for m in eligible}:
        why = _("%(municipality)s is among the call's %(count)s municipalities.")
        return _item("municipality", True, why % {"municipality": name, "count": count})
    why = _("%(municipality)s is not among the call's %(count)s municipalities.")
    return _item("municipality", False, why % {"municipality": name, "count": count})


def _applicant_type_check(application):
    call = application.call
    label = application.get_applicant_type_display()
    allowed = ", ".join(str(admitted) for admitted in call.get_applicant_types_display())
    if application.applicant_type in call.eligible_applicant_types:
        why = _("%(type)s is among the applicant types the call admits (%(allowed)s).")
        return _item("applicant_type", True, why % {"type": label, "allowed": allowed})
    why = _("%(type)s is not among the applicant types the call admits (%(allowed)s).")
    return _item("applicant_type", False, why % {"type": label, "allowed": allowed})


def _amount_check(call, totals):
    values = {
        "amount": _money(totals["requested"]),
        "min": _money(call.min_amount),
        "max": _money(call.max_amount),
    }
    if call.min_amount <= totals["requested"] <= call.max_amount:
        return _item("amount", True, _("Requested %(amount)s EUR, within %(min)s–%(max)s EUR.") % values)
    return _item("amount", False, _("Requested %(amount)s EUR, outside %(min)s–%(max)s EUR.") % values)


def _cost_share_check(call, totals):
    values = {
        "share": _money(totals["cost_share"]),
        "percent": _money(totals["cost_share_percent"]),
        "total": _money(totals["total"]),
        "limit": _money(call.min_cost_share_percent),
    }
    passed = totals["total"] > 0 and totals["cost_share_percent"] >= call.min_cost_share_percent
    why = _(
        "Cost share %(share)s EUR is %(percent)s%% of the total %(total)s EUR; the call asks for at least %(limit)s%%."
    )
    return _item("cost_share", passed, why % values)


def _documents_check(application):
    required = [document for document in application.call.documents.all() if document.required]
    uploaded = {document.call_document_id for document in application.documents.all()}
    missing = [str(document.name) for document in required if document.pk not in uploaded]
    if not required:
        return _item("documents_present", True, _("The call asks for no documents."))
    if missing:
        why = _("Missing: %(documents)s.") % {"documents": ", ".join(missing)}
        return _item("documents_present", False, why)
    why = _("All %(count)s required documents are uploaded.") % {"count": len(required)}
    return _item("documents_present", True, why)


def _manual_checks(application):
    count = len(application.documents.all())
    legible = _("Open each of the %(count)s uploaded documents and check that it can be read.") % {"count": count}
    organisation = application.organisation
    if organisation is not None and organisation.registration_number:
        registration = _("%(organisation)s gives registration number %(number)s; check it in the register.") % {
            "organisation": organisation.name,
            "number": organisation.registration_number,
        }
    elif organisation is not None:
        registration = _("%(organisation)s gives no registration number; check its certificate.") % {
            "organisation": organisation.name
        }
    elif application.applicant_type in ORGANISATION_TYPES:
        registration = _("The application names no organisation; check the registration documents.")
    else:
        registration = _("Applies as %(type)s, without an organisation; check any registration the call asks for.") % {
            "type": application.get_applicant_type_display()
        }
    return [
        _item("documents_legible", None, legible, automatic=False),
        _item("registration", None, registration, automatic=False),
    ]


def screening_checklist(application):
    """The administrative checklist of `application`: automatic checks with why they passed or failed, then the
    checks a person must make (passed None). Reads only what screening_queryset() prefetches."""
    call = application.call
    totals = budget_totals(application)
    return [
        _municipality_check(application),
        _applicant_type_check(application),
        _amount_check(call, totals),
        _cost_share_check(call, totals),
        _documents_check(application),
        *_manual_checks(application),
    ]


def _answered(checklist, checks):
    """The checklist with the officer's answers to the manual items and their free checks appended."""
    checks = checks or {}
    answered = []
    for item in checklist:
        item = dict(item)
        if not item["automatic"] and checks.get(item["code"]) is not None:
            item["passed"] = bool(checks[item["code"]])
        answered.append(item)
    free = checks.get("free") or []
    if len(free) > MAX_FREE_CHECKS:
        raise ApplicationError(
            _("Add at most %(count)s free checks.") % {"count": MAX_FREE_CHECKS}, code="too_many_checks"
        )
    for number, check in enumerate(free, start=1):
        label = str(check.get("label") or "").strip()[:200]
        if not label or check.get("passed") is None:
            raise ApplicationError(
                _("Free check %(number)s needs both a description and a result.") % {"number": number},
                code="free_check_incomplete",
            )
        answered.append(
            {"code": "free", "label": label, "passed": bool(check["passed"]), "automatic": False, "why": ""}
        )
    return answered


def _check_outcome(*, checklist, eligible, reasons, comment):
    """Refuse an outcome the checklist or the input does not support; returns the cleaned reasons."""
    if len(comment) > MAX_COMMENT:
        raise ApplicationError(
            _("The comment is longer than %(limit)s characters; shorten it.") % {"limit": MAX_COMMENT}, code="too_long"
        )
    unknown = [reason for reason in reasons if reason not in IneligibilityReason.values]
    if unknown:
        raise ApplicationError(_("Choose the reasons from the list only."), code="unknown_reason")
    if not eligible:
        if not reasons:
            raise ApplicationError(_("Choose at least one reason why the application is ineligible."), code="no_reason")
        if IneligibilityReason.OTHER in reasons and not comment:
            raise ApplicationError(_("Explain the other reason in the comment."), code="other_without_comment")
        return [reason for reason in IneligibilityReason.values if reason in reasons]
    if reasons:
        raise ApplicationError(
            _("Reasons are given only for an ineligible application; clear them or mark it ineligible."),
            code="reasons_for_eligible",
        )
    unanswered = [item["label"] for item in checklist if item["passed"] is None]
    if unanswered:
        raise ApplicationError(
            _("Answer every check before marking the application eligible: %(checks)s.")
            % {"checks": ", ".join(unanswered)},
            code="checks_unanswered",
        )
    failed = [item["label"] for item in checklist if item["passed"] is False]
    if failed and not comment:
        raise ApplicationError(
            _("Some checks failed (%(checks)s); explain in the comment why the application is eligible all the same.")
            % {"checks": ", ".join(failed)},
            code="failed_checks_unexplained",
        )
    return []


@transaction.atomic
def application_screen(*, actor, application, eligible, reasons=(), comment="", checks=None, bulk=False):
    """Record the screening of a submitted application and move it to eligible or ineligible.

    The checklist is stored as the officer answered it, so later changes to the call never rewrite why an
    application was found (in)eligible. An ineligible applicant gets a letter with the reasons after commit.
    """
    if not can_screen(actor):
        raise ApplicationError(_("Only programme officers and managers can screen applications."), code="not_allowed")
    application = screening_queryset().select_for_update(of=("self",)).get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED or Screening.objects.filter(application=application).exists():
        raise ApplicationError(
            _("Only a submitted application that was not screened yet can be screened; it is “%(status)s”.")
            % {"status": application.get_status_display()},
            code="not_submitted",
        )
    comment = (comment or "").strip()
    checklist = _answered(screening_checklist(application), checks)
    reasons = _check_outcome(checklist=checklist, eligible=bool(eligible), reasons=list(reasons or []), comment=comment)
    screening = Screening(
        application=application,
        screened_by=actor,
        checklist=checklist,
        eligible=bool(eligible),
        reasons=reasons,
        comment=comment,
    )
    screening.full_clean()
    screening.save()
    target = ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE
    transition(
        instance=application,
        to=target,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action=f"grants.application.screened_{target}",
        comment=comment,
        data={
            "screening": screening.pk,
            "reasons": reasons,
            "failed_checks": [item["label"] for item in checklist if item["passed"] is False],
            "bulk": bulk,
        },
    )
    if not eligible:
        email_queue(
            recipient=application.applicant.email,
            builder="grants.mail_screening.ineligibility_letter",
            args={"application_id": application.pk},
        )
    return screening


@transaction.atomic
def applications_screen_bulk(*, actor, application_ids, eligible, reasons=(), comment="", checks=None):
    """Screen many applications with one outcome, all or nothing.

    The first application that cannot be screened stops the whole batch (nothing is saved) and is named in the
    message, so the officer can screen it on its own page and send the rest again.
    """
    ids = sorted({int(pk) for pk in application_ids or []})
    if not ids:
        raise ApplicationError(_("Select at least one application to screen."), code="nothing_selected")
    found = dict(Application.objects.filter(pk__in=ids).values_list("pk", "reference"))
    screenings = []
    for pk in ids:
        if pk not in found:
            raise ApplicationError(
                _("Application %(id)s does not exist; nothing was saved.") % {"id": pk}, code="not_found"
            )
        try:
            screenings.append(
                application_screen(
                    actor=actor,
                    application=Application(pk=pk),
                    eligible=eligible,
                    reasons=reasons,
                    comment=comment,
                    checks=checks,
                    bulk=True,
                )
            )
        except ApplicationError as error:
            raise ApplicationError(
                _("%(reference)s could not be screened: %(reason)s Nothing was saved.")
                % {"reference": found[pk] or pk, "reason": error.message},
                code=error.code,
                extra={"application_id": pk},
            ) from error
    return screenings
