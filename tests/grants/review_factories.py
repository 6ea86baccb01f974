"""Factories and helpers for reviews, built directly (not through the services).

eligible_application(call=…)              an application submitted and screened eligible
AssignmentFactory(application=a)          assigned, waiting for the declaration (reviewer with the reviewer role)
AssignmentFactory(declared=True)          no conflict declared: the reviewer may read and score
AssignmentFactory(submitted=True)         …with a submitted review (ReviewFactory total given by `total`)
scores_for(criteria, [(score, comment)…])  the `scores` argument of the review services
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from grants.models import ApplicationStatus, AssignmentStatus, Review, ReviewAssignment
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory


def eligible_application(**kwargs):
    kwargs.setdefault("status", ApplicationStatus.ELIGIBLE)
    return ApplicationFactory(submitted=True, **kwargs)


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    application = factory.LazyFunction(lambda: eligible_application(status=ApplicationStatus.UNDER_REVIEW))
    reviewer = factory.SubFactory(UserFactory, role="reviewer")
    assigned_by = factory.SubFactory(UserFactory, role="programme_officer")
    status = AssignmentStatus.ASSIGNED
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))

    class Params:
        declared = factory.Trait(status=AssignmentStatus.DECLARED, declared_at=factory.LazyFunction(timezone.now))


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory, status=AssignmentStatus.SUBMITTED)
    submitted_at = factory.LazyFunction(timezone.now)
    total = None


def scores_for(criteria, values):
    """values: [(score or None, comment, not_applicable=False)…] in the order of `criteria`."""
    scores = {}
    for criterion, value in zip(criteria, values, strict=True):
        score, comment, *rest = value
        scores[criterion.pk] = {"score": score, "comment": comment, "not_applicable": bool(rest and rest[0])}
    return scores
