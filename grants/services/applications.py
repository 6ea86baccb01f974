"""Every write to an application: drafts step by step, budget, partners, documents, submission, withdrawal.

Rules the applicant meets here answer with an ApplicationError whose message says what is wrong and
what to do, in the applicant's language. Nothing here takes a request.
"""

import json
from decimal import Decimal

import filetype
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from core.text import fold
from core.workflow import transition
from grants.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    BudgetLine,
    Call,
    DocumentType,
    Partner,
    ReferenceSequence,
)

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_TOTAL_SIZE = 50 * 1024 * 1024
MIME_TYPES = {
    DocumentType.PDF: {"application/pdf"},
    DocumentType.IMAGE: {"image/jpeg", "image/png"},
    DocumentType.DOCX: {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    DocumentType.XLSX: {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
# Applicant types that apply as a registered organisation (informal groups and start-ups may apply as people).
ORGANISATION_TYPES = {"cso", "existing_business", "municipality"}
SECTIONS = ("applicant", "project", "questions", "budget", "documents")
PROJECT_FIELDS = (
    "title",
    "summary",
    "problem",
    "solution",
    "municipality",
    "location_detail",
    "start_date",
    "end_date",
    "communities_involved",
    "inter_ethnic_description",
    "beneficiaries",
)


def _stale_error():
    return ApplicationError(
        _(
            "This application was changed in another tab or window after you opened this page. "
            "Your text is still below: copy what you need, reload the page to see the latest version, then save again."
        ),
        code="stale",
    )


def _locked(application, *, actor, section, version=None):
    """The application, locked for writing, after checking owner, state and (optionally) the version."""
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if locked.applicant_id != actor.pk:
        raise ApplicationError(_("Only the applicant can change this application."), code="not_owner")
    reopened = locked.status == ApplicationStatus.CLARIFICATION_REQUESTED and section in locked.unlocked_sections
    if locked.status != ApplicationStatus.DRAFT and not reopened:
        raise ApplicationError(
            _("This part of the application can no longer be changed: it has been submitted."), code="not_editable"
        )
    if version is not None and int(version) != locked.version:
        raise _stale_error()
    return locked


def _bump(application):
    """Count one more change (the optimistic lock) and refresh what search finds."""
    Application.objects.filter(pk=application.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), search_text=_search_text(application)
    )
    application.refresh_from_db(fields=["version", "updated_at", "search_text"])


def _search_text(application):
    parts = [application.reference or "", application.title, str(application.person)]
    if application.organisation_id:
        parts.append(application.organisation.name)
    if application.municipality_id:
        m = application.municipality
        parts += [m.name_sq, m.name_sr_latn, m.name_sr_cyrl, m.name_en]
    return fold(" ".join(parts))


@transaction.atomic
def application_start(*, actor, call, person, applicant_type, organisation=None):
    """Open a draft for `call`, or return the draft already open (a double click starts one, not two)."""
    call = Call.objects.get(pk=call.pk)
    if not call.is_open:
        raise ApplicationError(_("This call is not open for applications."), code="call_not_open")
    if applicant_type not in call.eligible_applicant_types:
        raise ApplicationError(
            _("This call is not open to this kind of applicant; read “Who may apply” in the call."),
            code="applicant_type_not_eligible",
        )
    if organisation is not None and not organisation.members.filter(pk=actor.pk).exists():
        raise ApplicationError(_("You can apply only for organisations in your profile."), code="not_member")
    existing = (
        Application.objects.select_for_update()
        .filter(call=call, applicant=actor, organisation=organisation, status=ApplicationStatus.DRAFT)
        .first()
    )
    if existing:
        return existing
    application = Application(
        call=call, applicant=actor, person=person, organisation=organisation, applicant_type=applicant_type
    )
    application.full_clean()
    application.save()
    _bump(application)
    audit_record(actor=actor, action="grants.application.started", target=application, to_status="draft")
    return application


@transaction.atomic
def application_project_save(*, actor, application, version, data):
    """Save step 2 (the project). `data` holds cleaned form values; only PROJECT_FIELDS are taken."""
    application = _locked(application, actor=actor, section="project", version=version)
    municipality = data.get("municipality")
    if municipality is not None and not application.call.eligible_municipalities.filter(pk=municipality.pk).exists():
        raise ApplicationError(
            _("%(municipality)s is not among the municipalities of this call; choose one from the list.")
            % {"municipality": municipality.name},
            code="municipality_not_eligible",
        )
    for field in PROJECT_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    application.full_clean()
    application.save()
    _bump(application)
    return application


@transaction.atomic
def application_answers_save(*, actor, application, version, answers):
    """Save step 3: answers to the call's own questions, by question key (JSON-ready values)."""
    application = _locked(application, actor=actor, section="questions", version=version)
    keys = set(application.call.questions.values_list("key", flat=True))
    application.answers = {**application.answers, **{k: v for k, v in answers.items() if k in keys}}
    application.save(update_fields=["answers"])
    _bump(application)
    return application


@transaction.atomic
def application_partner_save(*, actor, application, data, partner=None):
    application = _locked(application, actor=actor, section="applicant")
    partner = partner or Partner(application=application)
    if partner.application_id != application.pk:
        raise ApplicationError(_("This partner belongs to another application."), code="wrong_application")
    for field in ("name", "type", "municipality", "communities", "contact", "role"):
        setattr(partner, field, data.get(field, getattr(partner, field)))
    partner.full_clean()
    partner.save()
    _bump(application)
    return partner


@transaction.atomic
def application_partner_delete(*, actor, application, partner):
    application = _locked(application, actor=actor, section="applicant")
    Partner.objects.filter(pk=partner.pk, application=application).delete()
    _bump(application)


@transaction.atomic
def application_budget_line_save(*, actor, application, data, line=None):
    """Add or change a budget line; the category must be one the call allows."""
    application = _locked(application, actor=actor, section="budget")
    if data.get("category") not in application.call.budget_categories:
        raise ApplicationError(
            _("This call does not fund that budget category; choose one of the categories listed."),
            code="category_not_allowed",
        )
    line = line or BudgetLine(application=application)
    if line.application_id != application.pk:
        raise ApplicationError(_("This budget line belongs to another application."), code="wrong_application")
    for field in ("category", "description", "unit", "quantity", "unit_cost", "requested_amount"):
        setattr(line, field, data.get(field))
    line.cost_share_amount = data.get("cost_share_amount") or Decimal("0")
    line.cost_share_kind = data.get("cost_share_kind") or line.cost_share_kind
    line.contributor = data.get("contributor") or ""
    line.full_clean()
    line.save()
    _bump(application)
    return line


@transaction.atomic
def application_budget_line_delete(*, actor, application, line):
    application = _locked(application, actor=actor, section="budget")
    BudgetLine.objects.filter(pk=line.pk, application=application).delete()
    _bump(application)


def _detected_type(uploaded_file, allowed_types):
    """The document type the file's content shows, if it is one of `allowed_types`."""
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    for document_type in allowed_types:
        if mime in MIME_TYPES.get(document_type, set()):
            return mime
    return None


@transaction.atomic
def application_document_upload(*, actor, application, call_document, uploaded_file):
    """Store (or replace) the file for one required document, after checking its content and size."""
    application = _locked(application, actor=actor, section="documents")
    if call_document.call_id != application.call_id:
        raise ApplicationError(_("This document is not asked for by this call."), code="wrong_document")
    if uploaded_file.size == 0:
        raise ApplicationError(_("The file is empty. Choose the file again; if it still fails, scan it again."))
    if uploaded_file.size > MAX_FILE_SIZE:
        raise ApplicationError(
            _("The file is larger than 10 MB. Reduce it (for example scan at a lower resolution) and upload it again."),
            code="file_too_large",
        )
    replaced = application.documents.filter(call_document=call_document).first()
    others = sum(application.documents.exclude(pk=getattr(replaced, "pk", None)).values_list("size", flat=True))
    if others + uploaded_file.size > MAX_TOTAL_SIZE:
        raise ApplicationError(
            _("All documents of an application together may not pass 50 MB. Reduce the larger files first."),
            code="application_too_large",
        )
    mime = _detected_type(uploaded_file, call_document.allowed_types)
    if mime is None:
        labels = dict(DocumentType.choices)
        raise ApplicationError(
            _("This file is not of an allowed type. Upload %(types)s (the content is checked, not the file name).")
            % {"types": ", ".join(str(labels[t]) for t in call_document.allowed_types)},
            code="file_type_not_allowed",
        )
    if replaced:
        replaced.file.delete(save=False)
        replaced.delete()
    name = uploaded_file.name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "document"
    document = ApplicationDocument(
        application=application,
        call_document=call_document,
        original_name=name,
        content_type=mime,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    document.file.save(name, uploaded_file, save=False)
    document.save()
    _bump(application)
    audit_record(
        actor=actor,
        action="grants.application.document_uploaded",
        target=application,
        data={"document": call_document.pk, "name": name, "replaced": bool(replaced)},
    )
    return document


def budget_totals(application):
    """Total cost, amount requested, cost share and its percentage, from the budget lines."""
    lines = list(application.budget_lines.all())
    total = sum((line.quantity * line.unit_cost for line in lines), Decimal("0")).quantize(Decimal("0.01"))
    requested = sum((line.requested_amount for line in lines), Decimal("0"))
    share = sum((line.cost_share_amount for line in lines), Decimal("0"))
    percent = (share * 100 / total).quantize(Decimal("0.01")) if total else Decimal("0")
    return {"total": total, "requested": requested, "cost_share": share, "cost_share_percent": percent}


def budget_problems(application, totals=None):
    call = application.call
    totals = totals or budget_totals(application)
    problems = []
    if not application.budget_lines.all():
        return [_("Add at least one budget line.")]
    if totals["requested"] < call.min_amount:
        problems.append(
            _("The amount requested (%(amount)s EUR) is below the call's minimum of %(limit)s EUR.")
            % {"amount": totals["requested"], "limit": call.min_amount}
        )
    if totals["requested"] > call.max_amount:
        problems.append(
            _("The amount requested (%(amount)s EUR) is above the call's maximum of %(limit)s EUR.")
            % {"amount": totals["requested"], "limit": call.max_amount}
        )
    if totals["cost_share_percent"] < call.min_cost_share_percent:
        problems.append(
            _("The cost share is %(percent)s%% of the total; the call asks for at least %(limit)s%%.")
            % {"percent": totals["cost_share_percent"], "limit": call.min_cost_share_percent}
        )
    return problems


def missing_items(application):
    """Everything that stops submission, as (section, message) pairs in the applicant's language."""
    missing = []
    if application.applicant_type in ORGANISATION_TYPES and application.organisation_id is None:
        missing.append(("applicant", _("Choose the organisation you apply for.")))
    labels = {
        "title": _("the project title"),
        "summary": _("the summary"),
        "problem": _("the problem"),
        "solution": _("the solution"),
        "municipality": _("the municipality where the project takes place"),
        "start_date": _("the start date"),
        "end_date": _("the end date"),
        "inter_ethnic_description": _("how the communities take part"),
    }
    for field, label in labels.items():
        if not getattr(application, field):
            missing.append(("project", _("Fill in %(field)s.") % {"field": label}))
    if len(application.communities_involved or []) < 2:
        missing.append(("project", _("Name at least two communities that take part in the project.")))
    for question in application.call.questions.all():
        if question.required and application.answers.get(question.key) in (None, "", []):
            missing.append(("questions", _("Answer the question “%(question)s”.") % {"question": question.label}))
    missing.extend(("budget", problem) for problem in budget_problems(application))
    uploaded = {document.call_document_id for document in application.documents.all()}
    for document in application.call.documents.all():
        if document.required and document.pk not in uploaded:
            missing.append(("documents", _("Upload “%(document)s”.") % {"document": document.name}))
    return missing


def _next_reference(prefix, year):
    """The next number for prefix and year, without gaps or duplicates: the sequence row is locked."""
    ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"AKT-{prefix}-{year}-{sequence.last_number:04d}"


def _snapshot(application):
    """Everything the applicant sent, as plain JSON, kept unchanged with the submission."""
    project = {field: getattr(application, field) for field in PROJECT_FIELDS if field != "municipality"}
    project["municipality"] = application.municipality.code if application.municipality_id else None
    return json.loads(json.dumps(_snapshot_parts(application, project), cls=DjangoJSONEncoder))


def _snapshot_parts(application, project):
    return {
        "project": project,
        "answers": application.answers,
        "partners": list(application.partners.values("name", "type", "municipality__code", "communities", "role")),
        "budget": list(
            application.budget_lines.values(
                "category",
                "description",
                "unit",
                "quantity",
                "unit_cost",
                "requested_amount",
                "cost_share_amount",
                "cost_share_kind",
                "contributor",
            )
        ),
        "documents": list(application.documents.values("call_document_id", "original_name", "content_type", "size")),
    }


@transaction.atomic
def application_submit(*, actor, application, declaration):
    """Submit the application: numbered, frozen, audited, confirmed by e-mail after commit.

    Submitting twice (a double click, a retry) returns the same single submission. After the deadline
    the submission is refused and the draft stays as it was.
    """
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if application.applicant_id != actor.pk:
        raise ApplicationError(_("Only the applicant can submit this application."), code="not_owner")
    if application.status != ApplicationStatus.DRAFT:
        if application.reference:
            return application  # already submitted: the same submission, not a second one
        raise ApplicationError(_("This application cannot be submitted now."), code="not_draft")
    now = timezone.now()
    call = application.call
    if call.phase_at(now) != "open":
        raise ApplicationError(
            _("The call closed on %(deadline)s (Kosovo time). The application was not submitted; your draft is kept.")
            % {"deadline": timezone.localtime(call.closes_at).strftime("%d.%m.%Y %H:%M")},
            code="deadline_passed",
        )
    if not declaration:
        raise ApplicationError(_("Confirm the declaration before you submit."), code="declaration_missing")
    missing = missing_items(application)
    if missing:
        raise ApplicationError(
            _("The application is not complete yet. See the list of what is missing."),
            code="incomplete",
            extra={"missing": missing},
        )
    application.reference = _next_reference(call.reference_prefix, timezone.localtime(now).year)
    application.frozen_questions = [question.as_frozen() for question in call.questions.all()]
    application.declaration_accepted = True
    application.submitted_at = now
    application.submitted_snapshot = _snapshot(application)
    transition(
        instance=application,
        to=ApplicationStatus.SUBMITTED,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action="grants.application.submitted",
        save_fields=["reference", "frozen_questions", "declaration_accepted", "submitted_at", "submitted_snapshot"],
    )
    _bump(application)
    from grants.tasks import send_submission_confirmation

    transaction.on_commit(lambda: send_submission_confirmation.delay(application.pk))
    return application


@transaction.atomic
def application_withdraw(*, actor, application, reason=""):
    """The applicant withdraws before a decision; the application stays on record, marked withdrawn."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != actor.pk:
        raise ApplicationError(_("Only the applicant can withdraw this application."), code="not_owner")
    application.withdrawn_at = timezone.now()
    return transition(
        instance=application,
        to=ApplicationStatus.WITHDRAWN,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action="grants.application.withdrawn",
        comment=reason,
        save_fields=["withdrawn_at"],
    )
