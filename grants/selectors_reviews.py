"""Reads for reviewer assignments and reviews, with the joins each page needs (constant query counts)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from accounts.roles import Role
from grants.models import (
    Application,
    ApplicationStatus,
    AssignmentStatus,
    Call,
    CallCriterion,
    ReviewAssignment,
    ReviewScore,
)
from grants.permissions import can_see_assignment

# Assignments that still count: the reviewer has not declared a conflict and was not removed.
ACTIVE_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.DECLARED, AssignmentStatus.SUBMITTED)
OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.DECLARED)
REVIEWABLE_STATUSES = (ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_REVIEW)


def assignments_for_reviewer(*, user):
    """The reviewer's own assignments for /review/: open first (by due date), then submitted."""
    return (
        ReviewAssignment.objects.filter(reviewer=user, status__in=ACTIVE_STATUSES)
        .select_related("application__call", "application__municipality", "review")
        .order_by("status", "due_date", "id")
    )


def assignment_for_reviewer(*, user, pk):
    """One of the reviewer's own active assignments, or 404 (someone else's, removed or declared a conflict)."""
    assignment = (
        ReviewAssignment.objects.filter(pk=pk, status__in=ACTIVE_STATUSES)
        .select_related("application__call", "application__municipality")
        .first()
    )
    if assignment is None or not can_see_assignment(user, assignment):
        raise Http404
    return assignment


def readable_assignment_of_application(*, user, application_pk):
    """The reviewer's assignment on an application they may read (after the declaration), or 404."""
    assignment = (
        ReviewAssignment.objects.filter(
            application_id=application_pk,
            reviewer_id=getattr(user, "pk", None),
            status__in=(AssignmentStatus.DECLARED, AssignmentStatus.SUBMITTED),
        )
        .select_related("application")
        .first()
    )
    if assignment is None or not can_see_assignment(user, assignment):
        raise Http404
    return assignment


def application_for_review(*, pk):
    """An application with everything its content template shows (no audit timeline)."""
    return (
        Application.objects.select_related("call", "person", "organisation__municipality", "municipality", "applicant")
        .prefetch_related("partners__municipality", "budget_lines", "documents__call_document")
        .get(pk=pk)
    )


def application_for_conflicts(*, pk):
    """An application with what the conflict rules compare (grants.services.conflicts)."""
    return (
        Application.objects.select_related("call", "person__municipality", "organisation", "applicant", "municipality")
        .prefetch_related("partners")
        .get(pk=pk)
    )


def reviewer_pool():
    """Active reviewers with what the conflict rules need and their number of open assignments."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.REVIEWER, is_active=True)
        .select_related("person__municipality")
        .prefetch_related("organisations")
        .annotate(open_count=Count("assignments", filter=Q(assignments__status__in=OPEN_STATUSES), distinct=True))
        .order_by("open_count", "last_name", "first_name", "id")
    )


def criteria_of(call):
    return list(CallCriterion.objects.filter(call=call).order_by("order", "id"))


def _assignments_with_reviews(application_ids):
    return (
        ReviewAssignment.objects.filter(application_id__in=application_ids, status__in=ACTIVE_STATUSES)
        .select_related("reviewer", "review")
        .prefetch_related(Prefetch("review__scores", queryset=ReviewScore.objects.order_by("criterion_id")))
        .order_by("created_at", "id")
    )


def summarise(*, application, criteria, assignments):
    """Scores side by side, the mean weighted score and the divergence flag, from loaded rows (no queries)."""
    submitted = [a for a in assignments if a.status == AssignmentStatus.SUBMITTED and _review(a)]
    rows = []
    for criterion in criteria:
        cells = []
        for assignment in submitted:
            score = next((s for s in assignment.review.scores.all() if s.criterion_id == criterion.pk), None)
            cells.append(score)
        rows.append({"criterion": criterion, "cells": cells})
    totals = [a.review.total for a in submitted if a.review.total is not None]
    call = application.call
    mean = (sum(totals, Decimal("0")) / len(totals)).quantize(Decimal("0.01")) if totals else None
    spread = (max(totals) - min(totals)) if len(totals) >= 2 else None
    divergent = spread is not None and spread > call.divergence_threshold
    return {
        "application": application,
        "assignments": assignments,
        "submitted": submitted,
        "open": [a for a in assignments if a.status in OPEN_STATUSES],
        "rows": rows,
        "totals": totals,
        "mean": mean,
        "spread": spread,
        "divergent": divergent,
        "threshold": call.divergence_threshold,
        "needed": call.min_reviewers,
        "complete": len(submitted) >= call.min_reviewers,
    }


def _review(assignment):
    try:
        return assignment.review
    except ReviewAssignment.review.RelatedObjectDoesNotExist:
        return None


def review_summary(*, application):
    """The review panel of one application (staff only): three queries whatever the number of reviewers."""
    return summarise(
        application=application,
        criteria=criteria_of(application.call),
        assignments=list(_assignments_with_reviews([application.pk])),
    )


def review_of_assignment(assignment):
    """The reviewer's own review with its scores by criterion id, or (None, {})."""
    from grants.models import Review

    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    if review is None:
        return None, {}
    return review, {score.criterion_id: score for score in review.scores.all()}


def applications_for_bulk_assignment(*, call):
    """The call's applications that take reviewers, with how many active assignments each has."""
    return (
        Application.objects.filter(call=call, status__in=REVIEWABLE_STATUSES)
        .select_related("municipality")
        .annotate(
            active_count=Count("assignments", filter=Q(assignments__status__in=ACTIVE_STATUSES), distinct=True),
            submitted_count=Count(
                "assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED), distinct=True
            ),
        )
        .order_by("reference", "id")
    )


def calls_with_reviewable_applications():
    return (
        Call.objects.annotate(
            reviewable=Count("applications", filter=Q(applications__status__in=REVIEWABLE_STATUSES)),
        )
        .filter(reviewable__gt=0)
        .order_by("-opens_at", "code")
    )
