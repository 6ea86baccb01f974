"""The demo businesses: in every partner municipality, with snapshots, links across communities, a formalisation."""

import pytest

from accounts import demo as accounts_demo
from businesses import demo
from businesses.models import Business, BusinessEmployee, MarketLink
from businesses.selectors import formalised_businesses

pytestmark = pytest.mark.django_db


def test_the_demo_covers_every_municipality_and_runs_twice_without_duplicates():
    list(accounts_demo.seed(password="demo-password-2026"))
    list(demo.seed(password="demo-password-2026"))
    count = Business.objects.count()
    assert Business.objects.values("municipality").distinct().count() == 16
    assert MarketLink.objects.filter(crosses_communities=True).exists()
    assert formalised_businesses().count() == 1
    assert all(b.snapshots.count() == 2 for b in Business.objects.all())
    employees = BusinessEmployee.objects.count()
    assert employees >= 8
    list(demo.seed(password="demo-password-2026"))
    assert Business.objects.count() == count and formalised_businesses().count() == 1
    assert BusinessEmployee.objects.count() == employees
