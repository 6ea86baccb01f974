"""Reviews: assigning reviewers (one by one or across a call), conflict declarations, scoring, and marking an
application reviewed.

An assignment is the only way a reviewer reaches an application, and it shows nothing but title and municipality
until the reviewer declares no conflict of interest. Likely conflicts found by grants.services.conflicts stop an
assignment unless the officer writes why it may go ahead; that reason is kept on the assignment and in the audit.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    APPLICATION_TRANSITIONS,
    ASSIGNMENT_TRANSITIONS,
    Application,
    ApplicationStatus,
    AssignmentStatus,
    CallCriterion,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from grants.permissions import can_assign_reviewers, can_see_assignment
from grants.selectors_reviews import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    application_for_conflicts,
    review_summary,
    reviewer_pool,
)
from grants.services.conflicts import conflict_warnings, conflict_warnings_for_reviewers

DEFAULT_REVIEW_DAYS = 14
MAX_COMMENT = 3000
MAX_NOTE = 2000
HUNDRED = Decimal("100")


def default_due_date():
    return timezone.localdate() + datetime.timedelta(days=DEFAULT_REVIEW_DAYS)


def _check_officer(actor, application=None):
    if not can_assign_reviewers(actor, application):
        raise ApplicationError(
            _("Reviewers can be assigned only by programme officers and managers, to eligible applications."),
            code="not_allowed",
        )


def _locked_application(application):
    return Application.objects.select_for_update().select_related("call").get(pk=application.pk)


def _create_assignment(*, actor, application, reviewer, due_date, warnings, override_reason, action):
    assignment = ReviewAssignment(
        application=application,
        reviewer=reviewer,
        assigned_by=actor,
        due_date=due_date,
        conflict_warnings=warnings,
        override_reason=override_reason if warnings else "",
    )
    assignment.full_clean()
    assignment.save()
    audit_record(
        actor=actor,
        action=action,
        target=assignment,
        to_status=assignment.status,
        comment=assignment.override_reason,
        data={"application": application.pk, "reviewer": reviewer.pk, "warnings": warnings},
    )
    if warnings:
        # On the assignment, not the application: the applicant's timeline shows the application's entries.
        audit_record(
            actor=actor,
            action="grants.assignment.conflict_overridden",
            target=assignment,
            comment=override_reason,
            data={"assignment": assignment.pk, "reviewer": reviewer.pk, "warnings": warnings},
        )
    if application.status == ApplicationStatus.ELIGIBLE:
        transition(
            instance=application,
            to=ApplicationStatus.UNDER_REVIEW,
            actor=actor,
            transitions=APPLICATION_TRANSITIONS,
            action="grants.application.review_started",
            data={"assignment": assignment.pk},
        )
    email_queue(
        recipient=reviewer.email, builder="grants.mail_reviews.review_assigned", args={"assignment_id": assignment.pk}
    )
    return assignment


def _check_reviewer(application, reviewer):
    if not (reviewer.is_active and has_role(reviewer, Role.REVIEWER)):
        raise ApplicationError(
            _("%(name)s is not a reviewer; choose someone from the list.") % {"name": reviewer}, code="not_reviewer"
        )
    if ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise ApplicationError(
            _(
                "%(name)s was already assigned to this application (an assignment that was removed or ended in a "
                "conflict cannot be opened again); choose another reviewer."
            )
            % {"name": reviewer},
            code="already_assigned",
        )


@transaction.atomic
def review_assign(
    *, actor, application, reviewer, due_date=None, override_reason="", action="grants.assignment.created"
):
    """Assign one reviewer. Conflict warnings refuse the assignment unless `override_reason` says why it may go ahead.

    The refusal carries the warnings (`extra["warnings"]`), so the officer sees which rule fired.
    """
    application = _locked_application(application)
    _check_officer(actor, application)
    _check_reviewer(application, reviewer)
    application = application_for_conflicts(pk=application.pk)
    warnings = conflict_warnings(reviewer=reviewer, application=application)
    override_reason = (override_reason or "").strip()
    if warnings and not override_reason:
        raise ApplicationError(
            _(
                "The system found a likely conflict of interest. Choose another reviewer, or write why this "
                "reviewer may still review the application."
            ),
            code="conflict_warnings",
            extra={"warnings": warnings},
        )
    if len(override_reason) > MAX_NOTE:
        raise ApplicationError(_("Shorten the reason to %(limit)s characters.") % {"limit": MAX_NOTE}, code="too_long")
    return _create_assignment(
        actor=actor,
        application=application,
        reviewer=reviewer,
        due_date=due_date or default_due_date(),
        warnings=warnings,
        override_reason=override_reason,
        action=action,
    )


@transaction.atomic
def review_request_third(*, actor, application, reviewer, due_date=None, override_reason=""):
    """Ask one more reviewer when the submitted reviews diverge by more than the call's threshold."""
    _check_officer(actor, application)
    summary = review_summary(application=application)
    if not summary["divergent"]:
        raise ApplicationError(
            _(
                "The reviews do not diverge by more than the call's threshold; a further reviewer is not needed. "
                "Use the ordinary assignment if you still want one."
            ),
            code="not_divergent",
        )
    return review_assign(
        actor=actor,
        application=application,
        reviewer=reviewer,
        due_date=due_date,
        override_reason=override_reason,
        action="grants.assignment.third_requested",
    )


@transaction.atomic
def review_unassign(*, actor, assignment, reason=""):
    """Take an assignment back before the review is submitted (a submitted review stays)."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
    _check_officer(actor, assignment.application)
    if assignment.status not in OPEN_STATUSES:
        raise ApplicationError(
            _("Only an assignment whose review is not submitted yet can be removed."), code="not_open"
        )
    return transition(
        instance=assignment,
        to=AssignmentStatus.REMOVED,
        actor=actor,
        transitions=ASSIGNMENT_TRANSITIONS,
        action="grants.assignment.removed",
        comment=(reason or "").strip()[:MAX_NOTE],
    )


@transaction.atomic
def reviews_assign_bulk(*, actor, call, due_date=None):
    """Give every eligible or under-review application of `call` the call's number of reviewers.

    Reviewers are taken with the fewest open assignments first (the count grows as this runs, so load stays
    balanced); anyone with a conflict warning, or already assigned once, is skipped. Returns
    {"created": [assignments], "short": [applications still lacking reviewers]}.
    """
    _check_officer(actor)
    pool = list(reviewer_pool())
    load = {reviewer.pk: reviewer.open_count for reviewer in pool}
    applications = (
        Application.objects.select_for_update()
        .filter(call=call, status__in=(ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_REVIEW))
        .order_by("reference", "id")
    )
    created, short = [], []
    for locked in applications:
        application = application_for_conflicts(pk=locked.pk)
        existing = dict(ReviewAssignment.objects.filter(application=application).values_list("reviewer_id", "status"))
        needed = call.min_reviewers - sum(1 for status in existing.values() if status in ACTIVE_STATUSES)
        if needed <= 0:
            continue
        warnings = conflict_warnings_for_reviewers(application=application, reviewers=pool)
        candidates = [r for r in pool if r.pk not in existing and not warnings[r.pk]]
        candidates.sort(key=lambda r: (load[r.pk], r.pk))
        for reviewer in candidates[:needed]:
            created.append(
                _create_assignment(
                    actor=actor,
                    application=application,
                    reviewer=reviewer,
                    due_date=due_date or default_due_date(),
                    warnings=[],
                    override_reason="",
                    action="grants.assignment.created_in_bulk",
                )
            )
            load[reviewer.pk] += 1
        if len(candidates) < needed:
            short.append(application)
    return {"created": created, "short": short}


def _locked_assignment_of(actor, assignment):
    """Lock the application first, then the assignment: the same order as assigning, so the two never deadlock."""
    application_id = ReviewAssignment.objects.values_list("application_id", flat=True).get(pk=assignment.pk)
    Application.objects.select_for_update().filter(pk=application_id).first()
    assignment = (
        ReviewAssignment.objects.select_for_update()
        .select_related("application__call", "assigned_by")
        .get(pk=assignment.pk)
    )
    if not can_see_assignment(actor, assignment):
        raise ApplicationError(_("This assignment is not yours."), code="not_owner")
    return assignment


@transaction.atomic
def assignment_declare_no_conflict(*, actor, assignment):
    """The reviewer declares no conflict of interest; only now may they read the application."""
    assignment = _locked_assignment_of(actor, assignment)
    assignment.declared_at = timezone.now()
    return transition(
        instance=assignment,
        to=AssignmentStatus.DECLARED,
        actor=actor,
        transitions=ASSIGNMENT_TRANSITIONS,
        action="grants.assignment.no_conflict_declared",
        save_fields=["declared_at"],
    )


@transaction.atomic
def assignment_declare_conflict(*, actor, assignment, note=""):
    """The reviewer declares a conflict: the assignment closes and the officer who assigned it is told."""
    assignment = _locked_assignment_of(actor, assignment)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ApplicationError(_("Shorten the note to %(limit)s characters.") % {"limit": MAX_NOTE}, code="too_long")
    assignment.declared_at = timezone.now()
    assignment.conflict_note = note
    transition(
        instance=assignment,
        to=AssignmentStatus.CONFLICT,
        actor=actor,
        transitions=ASSIGNMENT_TRANSITIONS,
        action="grants.assignment.conflict_declared",
        comment=note,
        save_fields=["declared_at", "conflict_note"],
    )
    email_queue(
        recipient=assignment.assigned_by.email,
        builder="grants.mail_reviews.conflict_declared",
        args={"assignment_id": assignment.pk},
    )
    return assignment


# --- Scoring --------------------------------------------------------------------------------------------------


def _entry_problems(criterion, entry):
    """What is wrong with one criterion's input, whether a draft or a submission (completeness is checked apart)."""
    problems = []
    if entry["not_applicable"] and not criterion.allows_not_applicable:
        problems.append(_("“%(name)s” cannot be marked not applicable; give it a score.") % {"name": criterion.name})
    if entry["not_applicable"] and entry["score"] is not None:
        problems.append(_("“%(name)s”: give a score or mark it not applicable, not both.") % {"name": criterion.name})
    if entry["score"] is not None and not 0 <= entry["score"] <= criterion.max_score:
        problems.append(
            _("The score for “%(name)s” must be between 0 and %(max)s.")
            % {"name": criterion.name, "max": criterion.max_score}
        )
    if len(entry["comment"]) > MAX_COMMENT:
        problems.append(
            _("The comment on “%(name)s” is longer than %(limit)s characters; shorten it.")
            % {"name": criterion.name, "limit": MAX_COMMENT}
        )
    return problems


def _completeness_problems(criterion, entry):
    problems = []
    if entry["score"] is None and not entry["not_applicable"]:
        problems.append(_("Score “%(name)s” before submitting.") % {"name": criterion.name})
    if not entry["comment"]:
        problems.append(_("Write a comment on “%(name)s” before submitting.") % {"name": criterion.name})
    return problems


def _as_score(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # refused by the range check with a message that names the criterion


def _normalised(scores, criteria):
    entries = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk) or scores.get(str(criterion.pk)) or {}
        entries[criterion.pk] = {
            "score": _as_score(raw.get("score")),
            "not_applicable": bool(raw.get("not_applicable")),
            "comment": (raw.get("comment") or "").strip(),
        }
    return entries


def _refuse_if_problems(problems, message):
    if any(problems.values()):
        raise ApplicationError(
            message, code="invalid_scores", extra={"errors": {k: v for k, v in problems.items() if v}}
        )


def weighted_total(criteria, entries):
    """0–100: Σ weight × score / max over applicable criteria, ÷ Σ of their weights, × 100; None if nothing counts."""
    weights, points = Decimal("0"), Decimal("0")
    for criterion in criteria:
        entry = entries[criterion.pk]
        if entry["not_applicable"] or entry["score"] is None:
            continue
        weights += criterion.weight
        points += criterion.weight * Decimal(entry["score"]) / Decimal(criterion.max_score)
    if not weights:
        return None
    return (points / weights * HUNDRED).quantize(Decimal("0.01"))


def _locked_for_scoring(actor, assignment):
    assignment = _locked_assignment_of(actor, assignment)
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise ApplicationError(
            _("This review was submitted and is locked; it can no longer be changed."), code="locked"
        )
    if assignment.status != AssignmentStatus.DECLARED:
        raise ApplicationError(_("Declare that you have no conflict of interest before scoring."), code="not_declared")
    if assignment.application.status != ApplicationStatus.UNDER_REVIEW:
        raise ApplicationError(_("This application is no longer under review."), code="not_under_review")
    return assignment


def _store(assignment, criteria, entries):
    review, _created = Review.objects.select_for_update().get_or_create(assignment=assignment)
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion in criteria:
        entry = entries[criterion.pk]
        score = existing.get(criterion.pk) or ReviewScore(review=review, criterion=criterion)
        score.score, score.not_applicable, score.comment = entry["score"], entry["not_applicable"], entry["comment"]
        score.full_clean(exclude=["review", "criterion"], validate_constraints=False)
        score.save()
    return review


@transaction.atomic
def review_save_draft(*, actor, assignment, scores):
    """Keep what the reviewer typed so far. `scores`: {criterion id: {"score", "not_applicable", "comment"}}.

    A draft may leave criteria empty, but a score above the maximum is refused (and nothing is saved).
    """
    assignment = _locked_for_scoring(actor, assignment)
    criteria = list(CallCriterion.objects.filter(call=assignment.application.call).order_by("order", "id"))
    entries = _normalised(scores, criteria)
    _refuse_if_problems(
        {c.pk: _entry_problems(c, entries[c.pk]) for c in criteria},
        _("The draft was not saved; correct what is marked."),
    )
    review = _store(assignment, criteria, entries)
    review.total = weighted_total(criteria, entries)
    review.save(update_fields=["total", "updated_at"])
    return review


@transaction.atomic
def review_submit(*, actor, assignment, scores):
    """Submit and lock the review: every criterion scored (or n/a where allowed) with a comment.

    The weighted total is computed here. When the call's number of reviews is in, no assignment is still open and
    the reviews do not diverge, the application is marked reviewed.
    """
    assignment = _locked_for_scoring(actor, assignment)
    criteria = list(CallCriterion.objects.filter(call=assignment.application.call).order_by("order", "id"))
    if not criteria:
        raise ApplicationError(
            _("The call has no scoring criteria yet; ask the programme officer."), code="no_criteria"
        )
    entries = _normalised(scores, criteria)
    problems = {c.pk: _entry_problems(c, entries[c.pk]) + _completeness_problems(c, entries[c.pk]) for c in criteria}
    _refuse_if_problems(problems, _("The review was not submitted; correct what is marked. Your text is kept below."))
    total = weighted_total(criteria, entries)
    if total is None:
        raise ApplicationError(
            _("At least one criterion with a weight must be scored; not everything can be not applicable."),
            code="nothing_scored",
        )
    review = _store(assignment, criteria, entries)
    review.total = total
    review.submitted_at = timezone.now()
    review.save(update_fields=["total", "submitted_at", "updated_at"])
    transition(
        instance=assignment,
        to=AssignmentStatus.SUBMITTED,
        actor=actor,
        transitions=ASSIGNMENT_TRANSITIONS,
        action="grants.assignment.review_submitted",
        data={"total": str(total)},
    )
    _mark_reviewed_if_complete(application=assignment.application)
    return review


def _mark_reviewed_if_complete(*, application):
    application = _locked_application(application)
    summary = review_summary(application=application)
    if (
        application.status == ApplicationStatus.UNDER_REVIEW
        and summary["complete"]
        and not summary["open"]
        and not summary["divergent"]
    ):
        # Recorded as the system's step: the applicant's timeline shows who acted, and must never name a reviewer.
        _mark_reviewed(actor=None, application=application, summary=summary, automatic=True)


def _mark_reviewed(*, actor, application, summary, automatic, comment=""):
    # The officer's comment stays in the entry's data: the applicant's timeline shows comments, and one about
    # diverging reviews is not for them.
    return transition(
        instance=application,
        to=ApplicationStatus.REVIEWED,
        actor=actor,
        transitions=APPLICATION_TRANSITIONS,
        action="grants.application.reviewed",
        data={
            "comment": comment,
            "automatic": automatic,
            "mean": str(summary["mean"]),
            "reviews": len(summary["submitted"]),
            "divergent": summary["divergent"],
        },
    )


@transaction.atomic
def application_mark_reviewed(*, actor, application, accept_divergence=False, comment=""):
    """Close the review of an application (under_review → reviewed) once the call's number of reviews is in.

    Diverging reviews need the officer's explicit acceptance with a comment (or a further reviewer first).
    """
    application = _locked_application(application)
    _check_officer(actor, application)
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise ApplicationError(_("Only an application under review can be marked reviewed."), code="invalid_transition")
    summary = review_summary(application=application)
    if not summary["complete"]:
        raise ApplicationError(
            _("%(needed)s reviews are needed and %(count)s are submitted; wait for the others.")
            % {"needed": summary["needed"], "count": len(summary["submitted"])},
            code="incomplete",
        )
    if summary["open"]:
        raise ApplicationError(
            _("A reviewer has not submitted yet; wait for the review or remove the assignment."),
            code="open_assignments",
        )
    comment = (comment or "").strip()
    if summary["divergent"] and not (accept_divergence and comment):
        raise ApplicationError(
            _(
                "The reviews differ by more than %(threshold)s points. Ask a further reviewer, or accept the "
                "difference and write why."
            )
            % {"threshold": summary["threshold"]},
            code="divergent",
        )
    return _mark_reviewed(actor=actor, application=application, summary=summary, automatic=False, comment=comment)
