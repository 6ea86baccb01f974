"""Money at a glance: a grant's approved, paid and remaining amounts, cost share, spending against the budget with
its warnings and USD at the rate of each month; the portfolio per call, component and municipality; who may see it."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from core.choices import Component
from grants.models import (
    ApplicationStatus,
    CostShareContribution,
    ExchangeRate,
    GrantStatus,
    InKindDelivery,
    InstrumentType,
    ProgressReport,
    ReportExpenditure,
    ReportStatus,
    TranchePayment,
)
from grants.selectors_money import fiscal_year_of, grant_money, portfolio_money
from grants.views.money import money_panel, my_money_panel
from municipalities.models import Municipality
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.factories import CallFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = datetime.date(2025, 1, 15), datetime.date(2025, 2, 10), datetime.date(2025, 3, 20)


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def finance():
    return UserFactory(role=Role.FINANCE_OFFICER)


# --- Helpers: the records other parts of issue 5 write, created directly ---------------------------------------
def pay(grant, amount, paid_on, *, tranche=0, by=None):
    tranche = grant.tranches.order_by("number")[tranche]
    return TranchePayment.objects.create(
        tranche=tranche,
        paid_on=paid_on,
        amount=Decimal(amount),
        bank_reference=f"BR-{TranchePayment.objects.count() + 1}",
        recorded_by=by or UserFactory(role=Role.FINANCE_OFFICER),
    )


def deliver(grant, value, delivered_on):
    return InKindDelivery.objects.create(
        grant=grant,
        item="Laptops",
        supplier="Supplier LLC",
        value=Decimal(value),
        delivered_on=delivered_on,
        handover_file="grants/ab/handover",
        handover_name="handover.pdf",
        recorded_by=UserFactory(role=Role.PROGRAMME_OFFICER),
    )


def report(grant, status, *, contributions=(), spending=()):
    """A progress report in `status` with cost-share contributions and spending as (budget line, amount)."""
    number = grant.reports.count() + 1
    start = datetime.date(2025, 1, 1)
    made = ProgressReport.objects.create(
        grant=grant,
        number=number,
        kind="periodic",
        period_start=start,
        period_end=start + datetime.timedelta(days=89),
        due_date=start + datetime.timedelta(days=100),
        status=status,
    )
    for value in contributions:
        CostShareContribution.objects.create(
            report=made, kind="cash", description="Volunteer work", value=Decimal(value)
        )
    for line, amount in spending:
        ReportExpenditure.objects.create(
            report=made, budget_line=line, description="Receipted cost", amount=Decimal(amount), spent_on=start
        )
    return made


def rate(month, usd_per_eur, *, by=None):
    return ExchangeRate.objects.create(
        month=month.replace(day=1), usd_per_eur=Decimal(usd_per_eur), recorded_by=by or UserFactory()
    )


def lines(grant):
    return {line.description: line for line in grant.budget_lines.all()}


def panel_html(panel, grant):
    return render_to_string(panel["template"], {"panel": panel, "grant": grant})


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


# --- One grant -----------------------------------------------------------------------------------------------------
def test_partial_payments_give_paid_remaining_and_the_share_paid():
    grant = GrantFactory(active=True, with_plan=True)
    pay(grant, "3000.00", JAN, tranche=0)
    pay(grant, "1000.00", FEB, tranche=0)
    pay(grant, "500.50", MAR, tranche=1)
    other = GrantFactory(active=True, with_plan=True)
    pay(other, "2000.00", JAN)

    money = grant_money(grant)

    assert money.approved == Decimal("10000.00")
    assert money.paid == Decimal("4500.50")
    assert money.remaining == Decimal("5499.50")
    assert money.paid_percent == Decimal("45.0")


def test_an_in_kind_grant_is_paid_by_the_value_delivered():
    grant = GrantFactory(active=True, with_plan=True, instrument=InstrumentType.IN_KIND, amount=Decimal("8000.00"))
    deliver(grant, "2500.00", JAN)
    deliver(grant, "700.00", MAR)
    rate(JAN, "1.100000")

    money = grant_money(grant)

    assert money.in_kind
    assert money.paid == Decimal("3200.00")
    assert money.remaining == Decimal("4800.00")
    assert [(m.month, m.eur, m.usd) for m in money.months] == [
        (datetime.date(2025, 1, 1), Decimal("2500.00"), Decimal("2750.00")),
        (datetime.date(2025, 3, 1), Decimal("700.00"), None),
    ]
    assert money.missing_months == [datetime.date(2025, 3, 1)]


def test_cost_share_counts_accepted_reports_and_shows_submitted_ones_apart():
    grant = GrantFactory(active=True, with_plan=True, cost_share_committed=Decimal("1000.00"))
    report(grant, ReportStatus.ACCEPTED, contributions=["300.00", "200.00"])
    report(grant, ReportStatus.SUBMITTED, contributions=["150.00"])
    report(grant, ReportStatus.DRAFT, contributions=["999.00"])
    report(grant, ReportStatus.REVISION_REQUESTED, contributions=["50.00"])

    money = grant_money(grant)

    assert money.cost_share_committed == Decimal("1000.00")
    assert money.cost_share_contributed == Decimal("500.00")
    assert money.cost_share_pending == Decimal("150.00")
    assert money.cost_share_percent == Decimal("50.0")


def test_spending_counts_accepted_reports_and_warns_only_above_ten_percent():
    grant = GrantFactory(active=True, with_plan=True)  # two lines of 5,000.00
    by_name = lines(grant)
    sound, workshops = by_name["Sound equipment"], by_name["Youth workshops"]
    report(grant, ReportStatus.ACCEPTED, spending=[(sound, "5500.00"), (workshops, "5000.00")])
    report(grant, ReportStatus.ACCEPTED, spending=[(workshops, "501.00")])
    report(grant, ReportStatus.SUBMITTED, spending=[(sound, "2000.00")])

    money = grant_money(grant)
    rows = {row.line.description: row for row in money.lines}

    assert rows["Sound equipment"].spent == Decimal("5500.00")  # the submitted report does not count
    assert rows["Sound equipment"].variance == Decimal("500.00")
    assert rows["Sound equipment"].variance_percent == Decimal("10.0")
    assert not rows["Sound equipment"].overspent  # exactly 10 % is allowed
    assert rows["Youth workshops"].variance == Decimal("501.00")
    assert rows["Youth workshops"].overspent
    assert [row.line.description for row in money.overspent_lines] == ["Youth workshops"]
    assert money.budget_spent == Decimal("11001.00")
    assert money.budget_variance == Decimal("1001.00")

    html = panel_html(money_panel(request_by(UserFactory(role=Role.PROGRAMME_OFFICER)), grant), grant)
    warning = html.split("data-overspent>")[1].split("</div>")[0]
    assert "Youth workshops" in warning
    assert "Sound equipment" not in warning


def test_no_warning_when_every_line_is_within_ten_percent():
    grant = GrantFactory(active=True, with_plan=True)
    sound = lines(grant)["Sound equipment"]
    report(grant, ReportStatus.ACCEPTED, spending=[(sound, "5400.00")])

    money = grant_money(grant)
    html = panel_html(money_panel(request_by(UserFactory(role=Role.MANAGER)), grant), grant)

    assert money.overspent_lines == []
    assert "data-overspent>" not in html


def test_usd_converts_each_payment_at_the_rate_of_its_month():
    grant = GrantFactory(active=True, with_plan=True)
    rate(JAN, "1.100000")
    rate(MAR, "1.200000")
    pay(grant, "1000.00", JAN)
    pay(grant, "250.00", JAN.replace(day=28))
    pay(grant, "500.00", MAR)

    money = grant_money(grant)

    assert [(m.month, m.eur, m.rate, m.usd) for m in money.months] == [
        (datetime.date(2025, 1, 1), Decimal("1250.00"), Decimal("1.100000"), Decimal("1375.00")),
        (datetime.date(2025, 3, 1), Decimal("500.00"), Decimal("1.200000"), Decimal("600.00")),
    ]
    assert money.paid_usd == Decimal("1975.00")
    assert money.latest_rate.month == datetime.date(2025, 3, 1)
    assert money.approved_usd == Decimal("12000.00")
    assert money.remaining_usd == Decimal("9900.00")  # 8,250.00 EUR at 1.2
    assert money.missing_months == []


def test_a_month_without_a_rate_shows_a_dash_and_is_named(finance):
    grant = GrantFactory(active=True, with_plan=True)
    rate(JAN, "1.100000")
    pay(grant, "1000.00", JAN)
    pay(grant, "100.00", FEB)

    money = grant_money(grant)

    assert money.missing_months == [datetime.date(2025, 2, 1)]
    assert money.months[1].usd is None
    assert money.paid_usd is None  # an incomplete sum would mislead
    html = panel_html(money_panel(request_by(finance), grant), grant)
    assert 'data-missing-month="2025-02"' in html
    assert "February 2025" in html
    assert "?month=2025-02" in html  # finance gets a link to add it
    paid_row = html.split('data-figure="paid"')[1].split("</tr>")[0]
    assert "—" in paid_row

    officer_html = panel_html(money_panel(request_by(UserFactory(role=Role.PROGRAMME_OFFICER)), grant), grant)
    assert "Ask finance to add the rate" in officer_html
    assert "?month=2025-02" not in officer_html


def test_grant_money_costs_the_same_few_queries_whatever_the_rows(django_assert_num_queries):
    grant = GrantFactory(active=True, with_plan=True)
    rate(JAN, "1.100000")
    line = lines(grant)["Sound equipment"]
    for day in range(1, 20):
        pay(grant, "10.00", JAN.replace(day=day))
        pay(grant, "10.00", FEB.replace(day=day), tranche=1)
    for _ in range(5):
        report(grant, ReportStatus.ACCEPTED, contributions=["10.00", "20.00"], spending=[(line, "30.00")])

    with django_assert_num_queries(4):
        money = grant_money(grant)
        assert money.paid == Decimal("380.00")
        assert money.cost_share_contributed == Decimal("150.00")
        assert len(money.months) == 2


def test_the_panels_wait_for_signature_and_the_grantee_sees_no_usd():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    unsigned = GrantFactory(with_plan=True)
    assert money_panel(request_by(officer), unsigned) is None
    assert my_money_panel(request_by(unsigned.application.applicant), unsigned) is None

    grant = GrantFactory(active=True, with_plan=True, cost_share_committed=Decimal("800.00"))
    rate(JAN, "1.100000")
    pay(grant, "2000.00", JAN)
    report(grant, ReportStatus.ACCEPTED, contributions=["200.00"])
    report(grant, ReportStatus.SUBMITTED, contributions=["100.00"])

    panel = my_money_panel(request_by(grant.application.applicant), grant)
    html = panel_html(panel, grant)
    assert "2,000.00" in html.split('data-figure="paid"')[1]
    assert "8,000.00" in html.split('data-figure="remaining"')[1]
    assert "25.0 % of the commitment" in html
    assert "100.00" in html.split('data-figure="cost-share-pending"')[1]
    assert "USD" not in html
    assert my_money_panel(request_by(UserFactory(role=Role.APPLICANT)), grant) is None
    assert money_panel(request_by(grant.application.applicant), grant) is None


# --- The portfolio -------------------------------------------------------------------------------------------------
def _portfolio_grants(count):
    """`count` active grants over three calls (two components) and three municipalities, with payments, an
    in-kind grant, reports accepted and submitted, and signatures in two fiscal years."""
    calls = [
        CallFactory(open=True, component=Component.CIVIC_ENGAGEMENT),
        CallFactory(open=True, component=Component.CIVIC_ENGAGEMENT),
        CallFactory(open=True, component=Component.BUSINESS_DEVELOPMENT),
    ]
    places = [Municipality.objects.get(code=code) for code in ("gjilan", "gracanica", "peje")]
    signed = [
        datetime.datetime(2024, 11, 5, 10, tzinfo=timezone.get_current_timezone()),
        datetime.datetime(2025, 9, 30, 22, tzinfo=timezone.get_current_timezone()),
        datetime.datetime(2025, 10, 1, 0, 30, tzinfo=timezone.get_current_timezone()),
    ]
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    grants = []
    for index in range(count):
        application = ApplicationFactory(
            call=calls[index % 3], municipality=places[index % 3 if index % 4 else 1], submitted=True,
            status=ApplicationStatus.APPROVED,
        )  # fmt: skip
        in_kind = index % 7 == 3
        grant = GrantFactory(
            application=application,
            active=True,
            with_plan=True,
            amount=Decimal(10000 + 100 * index),
            instrument=InstrumentType.IN_KIND if in_kind else InstrumentType.STANDARD,
            signed_at=signed[index % 3],
        )
        if in_kind:
            deliver(grant, "1000.00", FEB)
        else:
            pay(grant, Decimal("1000.00") + index, JAN, by=finance)
            pay(grant, "500.00", MAR if index % 2 else FEB, tranche=1, by=finance)
        sound = lines(grant)["Sound equipment"]
        report(grant, ReportStatus.ACCEPTED, contributions=["100.00"], spending=[(sound, 5000 + 200 * (index % 6))])
        report(grant, ReportStatus.SUBMITTED, contributions=["50.00"])
        grants.append(grant)
    return grants


FIGURES = (
    "grants",
    "approved",
    "paid",
    "remaining",
    "paid_usd",
    "cost_share_committed",
    "cost_share_contributed",
    "cost_share_pending",
    "budget_approved",
    "budget_spent",
    "overspent_lines",
)


def test_every_grouping_adds_up_to_the_total_and_the_total_to_the_grants():
    grants = _portfolio_grants(12)
    rate(JAN, "1.100000")
    rate(FEB, "1.050000")
    rate(MAR, "1.200000")
    GrantFactory(with_plan=True)  # awaiting signature: not counted by default
    each = [grant_money(grant) for grant in grants]

    for group in ("call", "component", "municipality"):
        portfolio = portfolio_money(group=group)
        total = portfolio.total
        for name in FIGURES:
            assert sum(getattr(row, name) for row in portfolio.rows) == getattr(total, name), (group, name)
        assert total.grants == 12
        assert total.approved == sum(m.approved for m in each)
        assert total.paid == sum(m.paid for m in each)
        assert total.paid_usd == sum(m.paid_usd for m in each)
        assert total.cost_share_contributed == sum(m.cost_share_contributed for m in each) == Decimal("1200.00")
        assert total.cost_share_pending == Decimal("600.00")
        assert total.budget_spent == sum(m.budget_spent for m in each)
        assert total.overspent_lines == sum(len(m.overspent_lines) for m in each)
        assert total.overspent_lines > 0

    by_component = {row.key: row for row in portfolio_money(group="component").rows}
    assert set(by_component) == {Component.CIVIC_ENGAGEMENT, Component.BUSINESS_DEVELOPMENT}
    assert by_component[Component.BUSINESS_DEVELOPMENT].grants == 4
    assert by_component[Component.BUSINESS_DEVELOPMENT].label == "Business Development"


def test_the_portfolio_filters_by_status_and_fiscal_year():
    grants = _portfolio_grants(6)
    grants[0].status = GrantStatus.SUSPENDED
    grants[0].save(update_fields=["status"])

    assert fiscal_year_of(datetime.date(2025, 9, 30)) == 2025
    assert fiscal_year_of(datetime.date(2025, 10, 1)) == 2026
    suspended = portfolio_money(group="call", status=GrantStatus.SUSPENDED).total
    assert (suspended.grants, suspended.approved) == (1, grants[0].amount)
    fy2025 = portfolio_money(group="call", fiscal_year=2025).total  # signed 5.11.2024 and 30.9.2025 (22:00 local)
    fy2026 = portfolio_money(group="call", fiscal_year=2026).total  # signed 1.10.2025 00:30 local
    assert fy2025.grants == 4
    assert fy2026.grants == 2
    assert fy2025.approved + fy2026.approved == portfolio_money(group="call").total.approved


def test_the_portfolio_page_costs_the_same_queries_for_30_grants_as_for_3(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    _portfolio_grants(3)
    rate(JAN, "1.100000")
    counts = {}
    for group in ("call", "component", "municipality"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(f"/en/staff/money/?group={group}").status_code == 200
        counts[group] = len(few)
    _portfolio_grants(27)
    for group in ("call", "component", "municipality"):
        with django_assert_max_num_queries(counts[group]):
            response = client.get(f"/en/staff/money/?group={group}&fy=2025")
        assert response.status_code == 200
    assert max(counts.values()) <= 25


def test_the_portfolio_page_links_each_group_to_the_filtered_grant_list_and_names_missing_rates(client):
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    grants = _portfolio_grants(3)
    rate(JAN, "1.100000")
    code = grants[0].application.call.code

    response = client.get("/en/staff/money/?status=active")
    html = response.content.decode()
    assert f"/en/staff/grants/?call={code}&amp;status=active" in html
    assert 'data-missing-month="2025-02"' in html
    assert 'data-missing-month="2025-03"' in html
    assert 'data-missing-month="2025-01"' not in html
    total_paid_usd = html.split("data-total")[1].split('data-figure="paid-usd">')[1].split("</div>")[0]
    assert "—" in total_paid_usd

    html = client.get("/en/staff/money/?group=municipality").content.decode()
    assert "/en/staff/grants/?municipality=gracanica" in html
    assert "Graçanicë" in html or "Gračanica" in html
    html = client.get("/en/staff/money/?group=component").content.decode()
    assert "/en/staff/grants/?component=business_development" in html


def test_the_portfolio_page_shows_amounts_in_eur_with_usd_beside(client):
    client.force_login(UserFactory(role=Role.MANAGER))
    grant = GrantFactory(active=True, with_plan=True, amount=Decimal("20000.00"))
    rate(JAN, "1.100000")
    pay(grant, "1000.00", JAN)

    html = client.get("/en/staff/money/").content.decode()
    total = html.split("data-total")[1]
    assert "20,000.00" in total
    assert "22,000.00" in total  # approved at the latest rate
    assert "1,100.00" in total  # paid in January at January's rate
    assert "20,900.00" in total  # remaining at the latest rate


# --- Who may see money ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, None])
def test_money_pages_answer_404_to_people_who_may_not_see_money(client, role):
    if role:
        client.force_login(UserFactory(role=role))
    assert client.get("/en/staff/money/").status_code == 404
    assert client.get("/en/staff/money/rates/").status_code == 404


def test_the_grantee_gets_404_on_the_portfolio(client):
    grant = GrantFactory(active=True, with_plan=True)
    client.force_login(grant.application.applicant)
    assert client.get("/en/staff/money/").status_code == 404


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.FINANCE_OFFICER, Role.MANAGER])
def test_staff_who_read_every_grant_see_the_portfolio(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get("/en/staff/money/")
    assert response.status_code == 200
    assert "Money at a glance" in response.content.decode()


def test_the_grant_pages_show_the_money_section(client):
    grant = GrantFactory(active=True, with_plan=True)
    rate(JAN, "1.100000")
    pay(grant, "1000.00", JAN)

    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    staff = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    section = staff.split('id="money"')[1].split("</section>")[0]
    assert "1,100.00" in section  # the payment in USD

    client.force_login(grant.application.applicant)
    mine = client.get(f"/en/my/grants/{grant.pk}/").content.decode()
    section = mine.split('id="money"')[1].split("</section>")[0]
    assert "9,000.00" in section
    assert "USD" not in section
