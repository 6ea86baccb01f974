"""Every write to an application: drafts step by step, budget, partners, documents, submission, withdrawal.

Rules the applicant meets here answer with an ApplicationError whose message says what is wrong and
what to do, in the applicant's language. Nothing here takes a request.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    Call,
    Partner,
    ReferenceSequence,
)
from grants.services.budget import (  # noqa: F401 - re-exported
    application_budget_line_delete,
    application_budget_line_save,
    budget_problems,
    budget_totals,
)
from grants.services.documents import application_document_upload  # noqa: F401 - re-exported
from grants.services.drafts import locked_for_writing, record_change

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
    record_change(application)
    audit_record(actor=actor, action="grants.application.started", target=application, to_status="draft")
    return application


@transaction.atomic
def application_project_save(*, actor, application, version, data):
    """Save step 2 (the project). `data` holds cleaned form values; only PROJECT_FIELDS are taken."""
    application = locked_for_writing(application, actor=actor, section="project", version=version)
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
    record_change(application)
    return application


@transaction.atomic
def application_answers_save(*, actor, application, version, answers):
    """Save step 3: answers to the call's own questions, by question key (JSON-ready values)."""
    application = locked_for_writing(application, actor=actor, section="questions", version=version)
    keys = set(application.call.questions.values_list("key", flat=True))
    application.answers = {**application.answers, **{k: v for k, v in answers.items() if k in keys}}
    application.save(update_fields=["answers"])
    record_change(application)
    return application


@transaction.atomic
def application_partner_save(*, actor, application, data, partner=None):
    application = locked_for_writing(application, actor=actor, section="applicant")
    partner = partner or Partner(application=application)
    if partner.application_id != application.pk:
        raise ApplicationError(_("This partner belongs to another application."), code="wrong_application")
    for field in ("name", "type", "municipality", "communities", "contact", "role"):
        setattr(partner, field, data.get(field, getattr(partner, field)))
    partner.full_clean()
    partner.save()
    record_change(application)
    return partner


@transaction.atomic
def application_partner_delete(*, actor, application, partner):
    application = locked_for_writing(application, actor=actor, section="applicant")
    Partner.objects.filter(pk=partner.pk, application=application).delete()
    record_change(application)


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
    record_change(application)
    email_queue(
        recipient=application.applicant.email,
        builder="grants.emails.submission_confirmation",
        args={"application_id": application.pk},
    )
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
