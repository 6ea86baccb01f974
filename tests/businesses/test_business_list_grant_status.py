"""The list's "grant status" filter: any, an active grant, a completed or closed grant, or no grant at all."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from businesses.selectors import businesses_for_user
from grants.models import GrantStatus
from tests.businesses.factories import BusinessFactory
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _business(name, *statuses):
    business = BusinessFactory(name=name)
    for status in statuses:
        GrantFactory(business=business, status=status)
    return business


@pytest.fixture
def businesses():
    _business("Active", GrantStatus.ACTIVE)
    _business("Completed", GrantStatus.COMPLETED)
    _business("Closed and active", GrantStatus.CLOSED, GrantStatus.ACTIVE)
    _business("Awaiting", GrantStatus.AWAITING_SIGNATURE)
    _business("None")


def _names(user, **filters):
    return {b.name for b in businesses_for_user(user=user, filters=filters)}


def test_the_grant_status_filter_picks_businesses_by_their_grants(businesses):
    user = UserFactory(role=Role.ME_OFFICER)
    assert _names(user, grant_status="active") == {"Active", "Closed and active"}
    assert _names(user, grant_status="completed") == {"Completed", "Closed and active"}
    assert _names(user, grant_status="none") == {"None"}
    assert len(_names(user)) == 5 and len(_names(user, grant_status="unknown")) == 5


def test_a_business_with_two_matching_grants_is_listed_once_with_its_grant_count(client, businesses):
    business = _business("Twice", GrantStatus.ACTIVE, GrantStatus.ACTIVE)
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get(reverse("staff:businesses_list"), {"grant_status": "active"})
    html = response.content.decode()
    assert html.count(f'data-business="{business.pk}"') == 1 and html.count("data-business=") == 3
    assert [b.grant_count for b in response.context["businesses"] if b.pk == business.pk] == [2]
    assert 'value="active" selected' in html


def test_the_filtered_list_costs_the_same_with_many_businesses(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.MANAGER))
    _business("First", GrantStatus.COMPLETED)
    url = reverse("staff:businesses_list")
    client.get(url, {"grant_status": "completed"})
    with django_assert_max_num_queries(40) as few:
        client.get(url, {"grant_status": "completed"})
    for number in range(12):
        _business(f"B{number}", GrantStatus.CLOSED if number % 2 else GrantStatus.ACTIVE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"grant_status": "completed"})
    assert response.content.decode().count("data-business=") == 7
