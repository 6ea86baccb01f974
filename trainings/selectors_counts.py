"""Counts of unique people trained, for the indicators: Person querysets, never sums of enrolments.

A person enrolled in three events is one person trained; the breakdown by sex, age band and community is
`accounts.selectors_people.people_breakdown` over the queryset returned here.
"""

from accounts.models import Person
from trainings.models import Enrolment


def trained_people(*, start=None, end=None, completed_only=False):
    """People enrolled in an event that started within [start, end] (both optional: life of programme)."""
    enrolments = Enrolment.objects.all()
    if start:
        enrolments = enrolments.filter(event__start_date__gte=start)
    if end:
        enrolments = enrolments.filter(event__start_date__lte=end)
    if completed_only:
        enrolments = enrolments.filter(completed=True)
    return Person.objects.filter(pk__in=enrolments.values("person_id"))
