"""The demo has deliberate near-duplicate people, so the duplicates page shows something to check."""

import pytest

from accounts import demo
from accounts.models import Person
from accounts.roles import Role
from accounts.selectors_people import duplicate_groups_queryset, duplicate_pairs_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _pairs():
    return {
        frozenset({str(row["person"]), str(twin)})
        for row in duplicate_pairs_for(duplicate_groups_queryset())
        for twin in row["twins"]
    }


def test_the_demo_near_duplicates_are_found_and_a_second_run_adds_no_one(client, settings):
    list(demo.seed(password="demo-password-2026"))
    count = Person.objects.count()
    pairs = _pairs()
    assert frozenset({"Đorđe Jovanović", "Djordje Jovanovic"}) in pairs
    assert frozenset({"Arbër Krasniqi", "Arber Krasniqi"}) in pairs
    assert frozenset({"Снежана Стојановић", "Snezana Stojanovic"}) in pairs
    list(demo.seed(password="demo-password-2026"))
    assert Person.objects.count() == count and _pairs() == pairs
    settings.STAFF_REQUIRE_2FA = False
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    html = client.get("/en/staff/people/duplicates/").content.decode()
    assert "Djordje Jovanovic" in html and "Arber Krasniqi" in html
