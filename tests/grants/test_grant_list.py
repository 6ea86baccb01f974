"""The staff grant list: what is paid and left per grant, tranches waiting for finance, and the filters."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from grants.models import GrantTranche
from grants.services import tranches as services
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _pay(grant, finance, amount, reference):
    tranche = GrantTranche.objects.get(grant=grant, number=1)
    services.tranche_request(actor=grant.application.applicant, tranche=tranche)
    services.tranche_approve(actor=finance, tranche=GrantTranche.objects.get(pk=tranche.pk))
    services.tranche_payment_record(
        actor=finance,
        tranche=GrantTranche.objects.get(pk=tranche.pk),
        paid_on=timezone.localdate(),
        amount=amount,
        bank_reference=reference,
    )


def _row(html, number):
    start = html.index(f'data-number="{number}"')
    return html[start : html.index("</tr>", start)]


def test_each_row_shows_paid_and_remaining_and_the_waiting_filter_finds_requests(client):
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    paid, waiting, quiet = (GrantFactory(active=True, with_plan=True) for _ in range(3))
    _pay(paid, finance, Decimal("1234.50"), "R-1")
    services.tranche_request(
        actor=waiting.application.applicant, tranche=GrantTranche.objects.get(grant=waiting, number=1)
    )
    client.force_login(finance)
    html = client.get(reverse("staff:grants_list")).content.decode()
    assert "1,234.50" in _row(html, paid.number)
    assert "8,765.50" in _row(html, paid.number)
    assert "1 tranche waiting" in _row(html, waiting.number)
    html = client.get(reverse("staff:grants_list"), {"waiting": "1"}).content.decode()
    assert waiting.number in html
    assert paid.number not in html and quiet.number not in html


def test_filters_by_call_municipality_and_search_keep_each_other_in_the_page_links(client):
    grants = [GrantFactory(active=True) for _ in range(3)]
    target = grants[1]
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    html = client.get(reverse("staff:grants_list"), {"q": target.number}).content.decode()
    assert target.number in html and grants[0].number not in html
    municipality = target.application.municipality
    html = client.get(
        reverse("staff:grants_list"), {"call": target.application.call.code, "municipality": municipality.code}
    ).content.decode()
    assert target.number in html


def test_the_list_costs_the_same_with_payments_on_many_grants(client, django_assert_max_num_queries):
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    first = GrantFactory(active=True, with_plan=True)
    client.force_login(finance)
    client.get(reverse("staff:grants_list"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("staff:grants_list"))
    _pay(first, finance, Decimal("10.00"), "F-0")
    for number in range(12):
        _pay(GrantFactory(active=True, with_plan=True), finance, Decimal("10.00"), f"F-{number + 1}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("staff:grants_list"))
    assert response.content.decode().count("data-paid>10.00") == 13


def test_the_staff_start_page_lists_what_waits_for_finance_and_not_for_officers(client):
    grant = GrantFactory(active=True, with_plan=True)
    services.tranche_request(actor=grant.application.applicant, tranche=GrantTranche.objects.get(grant=grant, number=1))
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    html = client.get(reverse("staff:home")).content.decode()
    start = html.index('data-work="tranches_requested"')
    assert '<span class="badge text-bg-warning rounded-pill">1</span>' in html[start : html.index("</li>", start)]
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    html = client.get(reverse("staff:home")).content.decode()
    assert 'data-work="tranches_requested"' not in html
    assert 'data-work="reports_submitted"' in html
