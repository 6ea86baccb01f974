"""Counts of unique firms and owners, for the indicators: querysets of Business and Person, never sums of rows."""

from accounts.models import Person
from businesses.models import Business, BusinessOwner
from businesses.selectors import youth_q


def business_owners(*, businesses=None):
    """The unique people who own one of `businesses` (all businesses when None): an owner of two counts once."""
    owners = BusinessOwner.objects.all()
    if businesses is not None:
        owners = owners.filter(business__in=businesses)
    return Person.objects.filter(pk__in=owners.values("person_id"))


def owned_by(*, sex=None, youth=False, businesses=None):
    """Businesses with at least one owner of `sex` and/or aged 15–29 today (a firm counts once)."""
    owners = BusinessOwner.objects.all()
    if sex:
        owners = owners.filter(person__sex=sex)
    if youth:
        owners = owners.filter(youth_q())
    queryset = Business.objects.all() if businesses is None else businesses
    return queryset.filter(pk__in=owners.values("business_id"))
