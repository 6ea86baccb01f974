"""Applications ready for the committee, built directly with model rows (not through the reviewing services).

reviewed_application(call=call, scores=[80, 70], requested=Decimal("5000"))   status reviewed, two submitted
                                                                              reviews, one budget line
reviewed_application(..., municipality=m, communities=["albanian", "roma"], status="waitlisted")
add_review(application, total=60, submitted=False)                           a draft review (never counted)
MeetingFactory(call=call)
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.roles import Role
from grants.models import ApplicationStatus, AssignmentStatus, CommitteeMeeting, Review, ReviewAssignment
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory, BudgetLineFactory


def add_review(application, *, total, submitted=True, reviewer=None, assigned_by=None):
    reviewer = reviewer or UserFactory(role=Role.REVIEWER)
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        assigned_by=assigned_by or reviewer,
        status=AssignmentStatus.SUBMITTED if submitted else AssignmentStatus.DECLARED,
    )
    return Review.objects.create(
        assignment=assignment,
        total=Decimal(str(total)),
        submitted_at=timezone.now() if submitted else None,
    )


def reviewed_application(
    *,
    call,
    scores=(75,),
    requested=Decimal("5000.00"),
    cost_share=Decimal("500.00"),
    status=ApplicationStatus.REVIEWED,
    reviewers=None,
    **kwargs,
):
    """A submitted application of `call`, reviewed with `scores` (one submitted review each)."""
    application = ApplicationFactory(submitted=True, call=call, status=status, **kwargs)
    BudgetLineFactory(
        application=application, requested_amount=Decimal(requested), cost_share_amount=Decimal(cost_share)
    )
    reviewers = reviewers or [None] * len(scores)
    for score, reviewer in zip(scores, reviewers, strict=False):
        add_review(application, total=score, reviewer=reviewer)
    return application


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMeeting

    held_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    minutes = "The committee met and ranked the applications."
    recorded_by = factory.SubFactory(UserFactory, role=Role.MANAGER)
