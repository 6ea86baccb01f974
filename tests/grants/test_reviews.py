"""Assigning reviewers, declaring conflicts, scoring, divergence and marking an application reviewed."""

import datetime
import itertools
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.models import AuditEntry, OutgoingEmail
from grants.models import ApplicationStatus, AssignmentStatus, Review, ReviewAssignment, ReviewScore
from grants.selectors_reviews import review_summary
from grants.services.reviews import (
    application_mark_reviewed,
    assignment_declare_conflict,
    assignment_declare_no_conflict,
    review_assign,
    review_request_third,
    review_save_draft,
    review_submit,
    review_unassign,
    reviews_assign_bulk,
    weighted_total,
)
from tests.factories import UserFactory
from tests.grants.factories import CallCriterionFactory, CallFactory
from tests.grants.review_factories import AssignmentFactory, eligible_application, scores_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role="programme_officer")


@pytest.fixture
def call():
    call = CallFactory(open=True, min_reviewers=2, divergence_threshold=Decimal("20"))
    CallCriterionFactory(call=call, weight=Decimal("2"), max_score=10)
    CallCriterionFactory(call=call, weight=Decimal("1"), max_score=5)
    CallCriterionFactory(call=call, weight=Decimal("1"), max_score=10, allows_not_applicable=True)
    return call


def _criteria(call):
    return list(call.criteria.order_by("order", "id"))


_numbers = itertools.count(1)


def _reviewers(count):
    """Reviewers at a domain of their own (the factories' applicants are at example.org: a conflict warning)."""
    return [UserFactory(role="reviewer", email=f"rev{next(_numbers)}@review.example") for _ in range(count)]


def _declared(officer, application, reviewer):
    assignment = review_assign(actor=officer, application=application, reviewer=reviewer)
    return assignment_declare_no_conflict(actor=reviewer, assignment=assignment)


def _submit(assignment, criteria, values):
    return review_submit(actor=assignment.reviewer, assignment=assignment, scores=scores_for(criteria, values))


# --- assignment ------------------------------------------------------------------------------------------------


def test_first_assignment_moves_the_application_under_review_and_tells_the_reviewer(officer, call):
    application = eligible_application(call=call)
    (reviewer,) = _reviewers(1)
    assignment = review_assign(actor=officer, application=application, reviewer=reviewer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert assignment.status == AssignmentStatus.ASSIGNED and assignment.due_date > timezone.localdate()
    assert AuditEntry.objects.filter(action="grants.application.review_started", to_status="under_review").exists()
    assert OutgoingEmail.objects.filter(
        recipient=reviewer.email, builder="grants.mail_reviews.review_assigned"
    ).exists()


def test_assignment_is_refused_for_a_non_reviewer_a_repeat_or_an_application_not_eligible(officer, call):
    application = eligible_application(call=call)
    with pytest.raises(ApplicationError) as refused:
        review_assign(actor=officer, application=application, reviewer=UserFactory(role="applicant"))
    assert refused.value.code == "not_reviewer"
    (reviewer,) = _reviewers(1)
    review_assign(actor=officer, application=application, reviewer=reviewer)
    with pytest.raises(ApplicationError) as refused:
        review_assign(actor=officer, application=application, reviewer=reviewer)
    assert refused.value.code == "already_assigned"
    submitted = eligible_application(call=call, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(ApplicationError):
        review_assign(actor=officer, application=submitted, reviewer=reviewer)
    with pytest.raises(ApplicationError):
        review_assign(actor=UserFactory(role="finance_officer"), application=application, reviewer=_reviewers(1)[0])


def test_bulk_assignment_gives_each_application_the_calls_number_balanced_and_skips_conflicts(officer, call):
    applications = [eligible_application(call=call) for _ in range(3)]
    reviewers = _reviewers(3)
    busy = UserFactory(role="reviewer", email="busy@review.example")
    AssignmentFactory.create_batch(2, reviewer=busy)  # already has two open reviews elsewhere
    flagged = UserFactory(role="reviewer", email="x@example.org")  # the applicants' domain: a warning everywhere
    result = reviews_assign_bulk(actor=officer, call=call)
    assert len(result["created"]) == 6 and result["short"] == []
    per_application = Counter(a.application_id for a in ReviewAssignment.objects.filter(application__call=call))
    assert set(per_application.values()) == {2}
    load = Counter(a.reviewer_id for a in result["created"])
    assert load == {reviewer.pk: 2 for reviewer in reviewers}  # balanced; the busy one and the flagged one skipped
    assert busy.pk not in load and flagged.pk not in load
    for application in applications:
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW
    assert reviews_assign_bulk(actor=officer, call=call)["created"] == []  # run twice: nothing more


def test_bulk_assignment_reports_applications_it_could_not_fill(officer, call):
    application = eligible_application(call=call)
    _reviewers(1)
    result = reviews_assign_bulk(actor=officer, call=call)
    assert len(result["created"]) == 1
    assert result["short"] == [application]


def test_bulk_page_assigns_and_shows_the_counts(client, officer, call, django_assert_max_num_queries):
    for _ in range(8):
        eligible_application(call=call)
    _reviewers(4)
    client.force_login(officer)
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client.post(f"/en/staff/reviews/calls/{call.code}/", {"due_date": due})
    assert response.status_code == 302
    assert ReviewAssignment.objects.filter(due_date=due).count() == 16
    with django_assert_max_num_queries(10):
        response = client.get(f"/en/staff/reviews/calls/{call.code}/")
    assert [a.active_count for a in response.context["applications"]] == [2] * 8
    assert response.content.decode().count('class="bulk-row"') == 8


# --- declarations --------------------------------------------------------------------------------------------


def test_declaring_a_conflict_closes_the_assignment_and_tells_the_officer_through_the_outbox(officer, call):
    application = eligible_application(call=call)
    (reviewer,) = _reviewers(1)
    assignment = review_assign(actor=officer, application=application, reviewer=reviewer)
    assignment_declare_conflict(actor=reviewer, assignment=assignment, note="My cousin chairs it.")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT and assignment.conflict_note == "My cousin chairs it."
    email = OutgoingEmail.objects.get(builder="grants.mail_reviews.conflict_declared")
    assert email.recipient == officer.email
    from grants.mail_reviews import conflict_declared

    message = conflict_declared(**email.args)
    assert "My cousin chairs it." in message.body and application.reference in message.subject
    with pytest.raises(ApplicationError):  # closed for good
        assignment_declare_no_conflict(actor=reviewer, assignment=assignment)


def test_only_the_assigned_reviewer_can_declare(officer, call):
    assignment = review_assign(actor=officer, application=eligible_application(call=call), reviewer=_reviewers(1)[0])
    with pytest.raises(ApplicationError):
        assignment_declare_no_conflict(actor=UserFactory(role="reviewer"), assignment=assignment)


# --- scoring -------------------------------------------------------------------------------------------------


def test_weighted_total_excludes_not_applicable_criteria_instead_of_counting_them_as_zero(call):
    criteria = _criteria(call)
    entries = {
        criteria[0].pk: {"score": 8, "not_applicable": False},
        criteria[1].pk: {"score": 5, "not_applicable": False},
        criteria[2].pk: {"score": None, "not_applicable": True},
    }
    # (2 × 8/10 + 1 × 5/5) / (2 + 1) × 100 = 2.6 / 3 × 100
    assert weighted_total(criteria, entries) == Decimal("86.67")
    entries[criteria[2].pk] = {"score": 0, "not_applicable": False}
    assert weighted_total(criteria, entries) == Decimal("65.00")  # the same 0 counted: (1.6 + 1 + 0) / 4


def test_submitting_computes_the_total_locks_the_review_and_keeps_every_score(officer, call):
    criteria = _criteria(call)
    assignment = _declared(officer, eligible_application(call=call), _reviewers(1)[0])
    review = _submit(assignment, criteria, [(8, "Good."), (5, "Clear."), (None, "Not relevant.", True)])
    assert review.total == Decimal("86.67") and review.submitted_at
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert ReviewScore.objects.get(review=review, criterion=criteria[2]).not_applicable
    with pytest.raises(ApplicationError) as refused:
        _submit(assignment, criteria, [(1, "x"), (1, "x"), (1, "x")])
    assert refused.value.code == "locked"
    with pytest.raises(ApplicationError):
        review_save_draft(actor=assignment.reviewer, assignment=assignment, scores={})


def test_a_draft_saves_partial_scores_and_submit_later_uses_the_final_ones(officer, call):
    criteria = _criteria(call)
    assignment = _declared(officer, eligible_application(call=call), _reviewers(1)[0])
    draft = review_save_draft(
        actor=assignment.reviewer, assignment=assignment, scores=scores_for(criteria[:1], [(6, "Half done")])
    )
    assert draft.submitted_at is None
    assert ReviewScore.objects.get(review=draft, criterion=criteria[0]).comment == "Half done"
    review = _submit(assignment, criteria, [(10, "a"), (5, "b"), (10, "c")])
    assert review.pk == draft.pk and review.total == Decimal("100.00")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([(11, "a"), (5, "b"), (5, "c")], "must be between 0 and 10"),
        ([(8, ""), (5, "b"), (5, "c")], "Write a comment"),
        ([(None, "a"), (5, "b"), (5, "c")], "before submitting"),
        ([(None, "a", True), (5, "b"), (5, "c")], "cannot be marked not applicable"),
        ([("ten", "a"), (5, "b"), (5, "c")], "must be between 0 and 10"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_criterion_and_nothing_is_saved(officer, call, values, message):
    criteria = _criteria(call)
    assignment = _declared(officer, eligible_application(call=call), _reviewers(1)[0])
    with pytest.raises(ApplicationError) as refused:
        _submit(assignment, criteria, values)
    problems = [text for texts in refused.value.extra["errors"].values() for text in texts]
    assert any(message in text for text in problems), problems
    assert not Review.objects.exists() and not ReviewScore.objects.exists()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLARED


def test_a_draft_with_a_score_above_the_maximum_is_refused_and_the_earlier_draft_kept(officer, call):
    criteria = _criteria(call)
    assignment = _declared(officer, eligible_application(call=call), _reviewers(1)[0])
    review_save_draft(actor=assignment.reviewer, assignment=assignment, scores=scores_for(criteria[:1], [(4, "ok")]))
    with pytest.raises(ApplicationError):
        review_save_draft(
            actor=assignment.reviewer,
            assignment=assignment,
            scores=scores_for(criteria[:2], [(5, "changed"), (9, "above the maximum of 5")]),
        )
    score = ReviewScore.objects.get(criterion=criteria[0])
    assert (score.score, score.comment) == (4, "ok")
    assert ReviewScore.objects.get(criterion=criteria[1]).score is None


def test_scoring_before_the_declaration_is_refused(officer, call):
    assignment = review_assign(actor=officer, application=eligible_application(call=call), reviewer=_reviewers(1)[0])
    with pytest.raises(ApplicationError) as refused:
        review_save_draft(actor=assignment.reviewer, assignment=assignment, scores={})
    assert refused.value.code == "not_declared"


# --- completion, divergence, third reviewer --------------------------------------------------------------------


def test_the_last_needed_review_marks_the_application_reviewed_when_reviews_agree(officer, call):
    criteria = _criteria(call)
    application = eligible_application(call=call)
    first, second = (_declared(officer, application, r) for r in _reviewers(2))
    _submit(first, criteria, [(8, "a"), (4, "b"), (8, "c")])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW  # one of two
    _submit(second, criteria, [(7, "a"), (4, "b"), (7, "c")])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWED
    entry = AuditEntry.objects.get(action="grants.application.reviewed")
    assert entry.data["automatic"] is True
    summary = review_summary(application=application)
    assert summary["totals"] == [Decimal("80.00"), Decimal("72.50")]
    assert summary["mean"] == Decimal("76.25") and not summary["divergent"]


def test_diverging_reviews_are_flagged_and_a_third_reviewer_can_be_asked(officer, call):
    criteria = _criteria(call)
    application = eligible_application(call=call)
    first_reviewer, second_reviewer, third_reviewer = _reviewers(3)
    first, second = _declared(officer, application, first_reviewer), _declared(officer, application, second_reviewer)
    with pytest.raises(ApplicationError) as refused:  # nothing to compare yet
        review_request_third(actor=officer, application=application, reviewer=third_reviewer)
    assert refused.value.code == "not_divergent"
    _submit(first, criteria, [(10, "a"), (5, "b"), (10, "c")])  # 100
    _submit(second, criteria, [(5, "a"), (2, "b"), (5, "c")])  # (1 + 0.4 + 0.5) / 4 = 47.5
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW  # not automatic: the reviews diverge
    summary = review_summary(application=application)
    assert summary["divergent"] and summary["spread"] == Decimal("52.50") and summary["mean"] == Decimal("73.75")
    with pytest.raises(ApplicationError) as refused:
        application_mark_reviewed(actor=officer, application=application)
    assert refused.value.code == "divergent"

    third = review_request_third(actor=officer, application=application, reviewer=third_reviewer)
    assert AuditEntry.objects.filter(action="grants.assignment.third_requested", object_id=str(third.pk)).exists()
    assignment_declare_no_conflict(actor=third_reviewer, assignment=third)
    _submit(third, criteria, [(8, "a"), (4, "b"), (8, "c")])  # 80: still 52.5 apart overall
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    application_mark_reviewed(
        actor=officer, application=application, accept_divergence=True, comment="The third review settles it."
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWED


def test_mark_reviewed_is_refused_with_too_few_reviews_or_an_open_assignment(officer, call):
    criteria = _criteria(call)
    application = eligible_application(call=call)
    first_reviewer, second_reviewer, third_reviewer = _reviewers(3)
    first = _declared(officer, application, first_reviewer)
    _submit(first, criteria, [(8, "a"), (4, "b"), (8, "c")])
    with pytest.raises(ApplicationError) as refused:
        application_mark_reviewed(actor=officer, application=application)
    assert refused.value.code == "incomplete"
    second = _declared(officer, application, second_reviewer)
    pending = review_assign(actor=officer, application=application, reviewer=third_reviewer)
    _submit(second, criteria, [(8, "a"), (4, "b"), (8, "c")])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW  # a third is still open
    with pytest.raises(ApplicationError) as refused:
        application_mark_reviewed(actor=officer, application=application)
    assert refused.value.code == "open_assignments"
    review_unassign(actor=officer, assignment=pending)
    application_mark_reviewed(actor=officer, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWED


def test_staff_review_page_shows_scores_side_by_side_mean_and_divergence_in_constant_queries(
    client, officer, call, django_assert_max_num_queries
):
    criteria = _criteria(call)
    application = eligible_application(call=call)
    reviewers = _reviewers(6)
    for reviewer, score in zip(reviewers[:4], (10, 2, 9, 3), strict=True):
        assignment = _declared(officer, application, reviewer)
        _submit(assignment, criteria, [(score, "c"), (5, "c"), (None, "c", True)])
    client.force_login(officer)
    with django_assert_max_num_queries(15):
        response = client.get(f"/en/staff/reviews/applications/{application.pk}/")
    assert response.status_code == 200
    summary = response.context["review_summary"]
    assert [a.review.total for a in summary["submitted"]] == [
        Decimal("100.00"),
        Decimal("46.67"),
        Decimal("93.33"),
        Decimal("53.33"),
    ]
    assert summary["divergent"]
    html = response.content.decode()
    assert 'data-divergent="true"' in html and f'data-mean="{summary["mean"]}"' in html
    for reviewer in reviewers[:4]:
        assert str(reviewer) in html
    # Twice the reviewers and candidates: the same number of queries.
    more = [UserFactory(role="reviewer", email=f"more{n}@review.example") for n in range(6)]
    for reviewer in more[:2]:
        _declared(officer, application, reviewer)
    with django_assert_max_num_queries(15):
        client.get(f"/en/staff/reviews/applications/{application.pk}/")


def test_the_panel_renders_alone_for_the_staff_application_page(client, officer, call):
    application = eligible_application(call=call)
    client.force_login(officer)
    response = client.get(f"/en/staff/reviews/applications/{application.pk}/panel/")
    assert response.status_code == 200
    assert "No reviewers assigned yet." in response.content.decode()
