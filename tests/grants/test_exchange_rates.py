"""Monthly exchange rates kept by finance: recorded and corrected with audit entries, months normalised, bad rates
refused with a clear message and the typed text kept, gaps since the first payment flagged; who may change them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import ExchangeRate, TranchePayment
from grants.selectors_money import exchange_rate_gaps
from grants.services.exchange_rates import exchange_rate_set
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db

URL = "/en/staff/money/rates/"


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def finance():
    return UserFactory(role=Role.FINANCE_OFFICER)


def _pay(paid_on):
    grant = GrantFactory(active=True, with_plan=True)
    return TranchePayment.objects.create(
        tranche=grant.tranches.first(),
        paid_on=paid_on,
        amount=Decimal("100.00"),
        bank_reference=f"BR-{paid_on.isoformat()}",
        recorded_by=UserFactory(role=Role.FINANCE_OFFICER),
    )


# --- The service ---------------------------------------------------------------------------------------------------
def test_a_new_rate_is_recorded_on_the_first_of_its_month_with_an_audit_entry(finance):
    row = exchange_rate_set(
        actor=finance, month=datetime.date(2025, 3, 17), usd_per_eur=Decimal("1.0834"), source="USAID monthly rate"
    )

    row.refresh_from_db()
    assert row.month == datetime.date(2025, 3, 1)
    assert row.usd_per_eur == Decimal("1.083400")
    assert row.recorded_by == finance
    [entry] = audit_entries_for(target=row)
    assert entry.action == "grants.exchange_rate.recorded"
    assert entry.actor == finance
    assert entry.data["usd_per_eur"] == "1.083400"
    assert entry.data["month"] == "2025-03-01"


def test_a_second_rate_for_the_same_month_corrects_it_and_keeps_the_previous_value_in_the_audit(finance):
    first = exchange_rate_set(actor=finance, month=datetime.date(2025, 3, 1), usd_per_eur=Decimal("1.08"), source="")
    other = UserFactory(role=Role.MANAGER)

    second = exchange_rate_set(
        actor=other, month=datetime.date(2025, 3, 28), usd_per_eur=Decimal("1.091"), source="ECB, 31 March"
    )

    assert ExchangeRate.objects.count() == 1
    assert second.pk == first.pk
    row = ExchangeRate.objects.get()
    assert (row.usd_per_eur, row.source, row.recorded_by) == (Decimal("1.091000"), "ECB, 31 March", other)
    entries = list(audit_entries_for(target=row).order_by("created_at", "id"))
    assert [entry.action for entry in entries] == ["grants.exchange_rate.recorded", "grants.exchange_rate.changed"]
    assert entries[1].data["before"] == {"usd_per_eur": "1.080000", "source": ""}
    assert entries[1].data["after"]["usd_per_eur"] == "1.091000"


def test_saving_the_same_rate_again_changes_nothing_and_writes_no_entry(finance):
    row = exchange_rate_set(actor=finance, month=datetime.date(2025, 3, 1), usd_per_eur=Decimal("1.08"), source="x")
    exchange_rate_set(actor=finance, month=datetime.date(2025, 3, 9), usd_per_eur=Decimal("1.080000"), source="x")
    assert audit_entries_for(target=row).count() == 1


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1.08"), "0.0000000"])
def test_a_rate_of_zero_or_less_is_refused_with_a_clear_message(finance, value):
    with pytest.raises(ApplicationError) as error:
        exchange_rate_set(actor=finance, month=datetime.date(2025, 3, 1), usd_per_eur=value, source="")
    assert error.value.code == "rate_not_positive"
    assert "greater than zero" in error.value.message
    assert not ExchangeRate.objects.exists()


def test_more_than_six_decimals_is_refused_but_trailing_zeros_are_not_decimals(finance):
    with pytest.raises(ApplicationError) as error:
        exchange_rate_set(actor=finance, month=datetime.date(2025, 3, 1), usd_per_eur="1.0834567", source="")
    assert error.value.code == "rate_decimals"
    assert "6 decimals" in error.value.message
    row = exchange_rate_set(actor=finance, month=datetime.date(2025, 3, 1), usd_per_eur="1.08345600", source="")
    assert row.usd_per_eur == Decimal("1.083456")


def test_a_month_that_has_not_begun_is_refused(finance):
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ApplicationError) as error:
        exchange_rate_set(actor=finance, month=next_month, usd_per_eur=Decimal("1.1"), source="")
    assert error.value.code == "rate_future_month"
    assert exchange_rate_set(actor=finance, month=timezone.localdate(), usd_per_eur=Decimal("1.1"), source="")


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.APPLICANT])
def test_only_finance_managers_and_admins_may_set_a_rate(role):
    with pytest.raises(ApplicationError) as error:
        exchange_rate_set(
            actor=UserFactory(role=role), month=datetime.date(2025, 3, 1), usd_per_eur=Decimal("1.1"), source=""
        )
    assert error.value.code == "not_allowed"
    assert not ExchangeRate.objects.exists()


def test_gaps_are_the_months_without_a_rate_since_the_first_payment(finance):
    _pay(datetime.date(2025, 1, 20))
    _pay(datetime.date(2025, 4, 2))
    for month in (1, 3):
        exchange_rate_set(actor=finance, month=datetime.date(2025, month, 1), usd_per_eur=Decimal("1.1"), source="")

    gaps = exchange_rate_gaps(until=datetime.date(2025, 5, 31))

    assert gaps == [datetime.date(2025, 2, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)]


def test_no_payment_means_no_gap():
    assert exchange_rate_gaps() == []


# --- The page ------------------------------------------------------------------------------------------------------
def test_finance_adds_a_rate_through_the_page_with_a_month_and_a_comma(client, finance):
    client.force_login(finance)
    response = client.post(URL, {"month": "2025-02", "usd_per_eur": "1,0852", "source": "USAID"})

    assert response.status_code == 302
    row = ExchangeRate.objects.get()
    assert (row.month, row.usd_per_eur, row.source) == (datetime.date(2025, 2, 1), Decimal("1.085200"), "USAID")
    page = client.get(URL).content.decode()
    assert "The rate for February 2025 is now 1.085200 USD for 1 EUR." in page
    assert 'data-month="2025-02"' in page


def test_finance_corrects_a_rate_from_its_row(client, finance):
    exchange_rate_set(actor=finance, month=datetime.date(2025, 2, 1), usd_per_eur=Decimal("1.08"), source="first")
    client.force_login(finance)

    form_page = client.get(URL + "?month=2025-02").content.decode()
    assert 'value="2025-02"' in form_page
    assert 'value="1.080000"' in form_page

    client.post(URL, {"month": "2025-02", "usd_per_eur": "1.09", "source": "corrected"})
    assert ExchangeRate.objects.get().usd_per_eur == Decimal("1.090000")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The rate must be greater than zero"),
        ("-1.2", "The rate must be greater than zero"),
        ("1.1234567", "Use at most 6 decimals"),
        ("abc", "Enter the rate as a number"),
    ],
)
def test_a_wrong_rate_on_the_page_is_refused_and_what_was_typed_is_kept(client, finance, typed, message):
    client.force_login(finance)
    response = client.post(URL, {"month": "2025-02", "usd_per_eur": typed, "source": "Typed source"})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html
    assert 'value="Typed source"' in html
    assert not ExchangeRate.objects.exists()


def test_a_wrong_month_on_the_page_is_refused_with_an_example(client, finance):
    client.force_login(finance)
    response = client.post(URL, {"month": "March", "usd_per_eur": "1.1", "source": ""})
    assert response.status_code == 400
    assert "for example 2026-03" in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_the_list_flags_months_without_a_rate(client, finance):
    _pay(datetime.date(2025, 1, 20))
    exchange_rate_set(actor=finance, month=datetime.date(2025, 1, 1), usd_per_eur=Decimal("1.1"), source="")
    client.force_login(finance)

    html = client.get(URL).content.decode()

    assert 'data-gap="2025-02"' in html
    assert 'data-gap="2025-01"' not in html
    assert "?month=2025-02" in html
    assert not nested_forms(html)


def test_the_list_is_paginated_and_costs_the_same_queries_per_page(client, finance, django_assert_max_num_queries):
    recorders = [UserFactory(role=Role.FINANCE_OFFICER) for _ in range(3)]
    for index in range(30):
        year, month = divmod(index, 12)
        ExchangeRate.objects.create(
            month=datetime.date(2023 + year, month + 1, 1),
            usd_per_eur=Decimal("1.05") + Decimal(index) / 1000,
            recorded_by=recorders[index % 3],
        )
    client.force_login(finance)

    with django_assert_max_num_queries(12):
        first = client.get(URL).content.decode()
    with django_assert_max_num_queries(12):
        second = client.get(URL + "?page=2").content.decode()

    assert 'data-month="2025-06"' in first  # newest first
    assert 'data-month="2023-01"' not in first
    assert 'data-month="2023-01"' in second
    assert "Page 2 of 2" in second


def test_a_programme_officer_reads_the_rates_but_may_not_change_them(client):
    exchange_rate_set(
        actor=UserFactory(role=Role.FINANCE_OFFICER), month=datetime.date(2025, 1, 1), usd_per_eur="1.1", source=""
    )
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))

    page = client.get(URL)
    assert page.status_code == 200
    assert "1.100000" in page.content.decode()
    assert "Save the rate" not in page.content.decode()
    response = client.post(URL, {"month": "2025-01", "usd_per_eur": "9.9", "source": ""})
    assert response.status_code == 404
    assert ExchangeRate.objects.get().usd_per_eur == Decimal("1.100000")


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER])
def test_people_outside_the_staff_get_404_on_a_change(client, role):
    client.force_login(UserFactory(role=role))
    assert client.post(URL, {"month": "2025-01", "usd_per_eur": "1.1", "source": ""}).status_code == 404
    assert not ExchangeRate.objects.exists()
