"""Amendments of a signed grant: the plan is checked at proposal and at approval (tranches add up to the grant,
never below what is paid, paid tranches stay), approval applies it with before/after snapshots, four eyes, one
proposal at a time, the pages, and the grant page's cost with many amendments."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import OutgoingEmail
from core.selectors import audit_entries_for
from grants.models import AmendmentStatus, GrantAmendment, GrantBudgetLine, GrantTranche, TrancheStatus
from grants.services.amendments import (
    amendment_approve,
    amendment_approved_email,
    amendment_propose,
    amendment_reject,
    amendment_withdraw,
)
from tests.factories import UserFactory
from tests.grants.closeout_factories import active_grant, pay
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def _rows(grant):
    lines = list(grant.budget_lines.order_by("id"))
    tranches = list(grant.tranches.order_by("number"))
    milestone = grant.milestones.get()
    return lines, tranches, milestone


def test_an_amendment_that_makes_tranches_exceed_the_grant_is_refused_with_the_figures(officer):
    grant = active_grant()
    _lines, tranches, _m = _rows(grant)
    with pytest.raises(ApplicationError) as error:
        amendment_propose(
            actor=officer, grant=grant, reason="More workshops", changes={"tranches": {tranches[1].pk: "6000.00"}}
        )
    assert "tranches_exceed_grant" in error.value.extra["codes"]
    assert "11,000.00" in error.value.message and "10,000.00" in error.value.message
    assert "1,000.00 EUR too much" in error.value.message
    assert not GrantAmendment.objects.filter(grant=grant).exists()


def test_a_tranche_cannot_go_below_what_is_already_paid(officer):
    grant = active_grant()
    lines, tranches, _m = _rows(grant)
    pay(tranches[1], "3000.00")  # approved, partly paid
    with pytest.raises(ApplicationError) as error:
        amendment_propose(
            actor=officer,
            grant=grant,
            reason="Smaller second phase",
            new_amount="7000.00",
            changes={"tranches": {tranches[1].pk: "2000.00"}, "budget": {lines[1].pk: "2000.00"}},
        )
    assert "tranche_below_paid" in error.value.extra["codes"]
    assert "3,000.00 EUR of it is already paid" in error.value.message


def test_a_paid_tranche_cannot_change(officer):
    grant = active_grant()
    lines, tranches, _m = _rows(grant)
    pay(tranches[0])
    with pytest.raises(ApplicationError) as error:
        amendment_propose(
            actor=officer,
            grant=grant,
            reason="Shift money",
            changes={"tranches": {tranches[0].pk: "4000.00", tranches[1].pk: "6000.00"}},
        )
    assert error.value.extra["codes"] == ["tranche_closed"]


def test_the_budget_must_add_up_to_the_new_amount_and_the_end_date_follow_the_start(officer):
    grant = active_grant()
    _lines, tranches, _m = _rows(grant)
    with pytest.raises(ApplicationError) as error:
        amendment_propose(
            actor=officer,
            grant=grant,
            reason="Bigger",
            new_amount="12000.00",
            new_end_date=grant.start_date - datetime.timedelta(days=1),
            changes={"tranches": {tranches[1].pk: "7000.00"}},
        )
    assert set(error.value.extra["codes"]) == {"budget_mismatch", "end_before_start"}
    assert "10,000.00" in error.value.message and "12,000.00" in error.value.message


def _propose_bigger_grant(actor, grant):
    lines, tranches, milestone = _rows(grant)
    return amendment_propose(
        actor=actor,
        grant=grant,
        reason="The municipality asked for a second site.",
        new_amount=Decimal("13000.00"),
        new_end_date=grant.end_date + datetime.timedelta(days=60),
        changes={
            "budget": {lines[1].pk: Decimal("8000.00")},
            "tranches": {tranches[1].pk: Decimal("6000.00")},
            "milestones": {milestone.pk: {"description": "Workshops held in both sites"}},
            "new_milestones": [{"description": "Second site opened", "due_date": grant.end_date, "evidence": "Photos"}],
            "new_tranches": [{"amount": "2000.00", "planned_date": grant.end_date, "new_milestone": 0}],
        },
    )


def test_approval_applies_every_change_and_keeps_the_grant_before_and_after(officer, manager):
    grant = active_grant()
    old_end = grant.end_date
    amendment = _propose_bigger_grant(officer, grant)
    assert amendment.status == AmendmentStatus.PROPOSED and amendment.number == 1

    amendment_approve(actor=manager, amendment=amendment, comment="Agreed with USAID.")

    grant.refresh_from_db()
    amendment.refresh_from_db()
    assert grant.amount == Decimal("13000.00")
    assert grant.end_date == old_end + datetime.timedelta(days=60)
    assert grant.amendment_number == 1
    line = GrantBudgetLine.objects.filter(grant=grant).order_by("id")[1]
    assert line.grant_amount == Decimal("8000.00")
    assert line.quantity * line.unit_cost == line.grant_amount + line.cost_share_amount
    tranches = list(GrantTranche.objects.filter(grant=grant).select_related("milestone").order_by("number"))
    assert [t.amount for t in tranches] == [Decimal("5000.00"), Decimal("6000.00"), Decimal("2000.00")]
    assert tranches[2].milestone.description == "Second site opened"
    assert grant.milestones.filter(description="Workshops held in both sites").exists()
    assert amendment.status == AmendmentStatus.APPROVED and amendment.decided_by == manager
    assert amendment.before["amount"] == "10000.00" and amendment.after["amount"] == "13000.00"
    assert [t["amount"] for t in amendment.before["tranches"]] == ["5000.00", "5000.00"]
    assert len(amendment.after["tranches"]) == 3
    actions = [entry.action for entry in audit_entries_for(target=amendment)]
    assert actions == ["grants.amendment.approved", "grants.amendment.proposed"]
    email = OutgoingEmail.objects.get(builder="grants.services.amendments.amendment_approved_email")
    assert email.recipient == grant.application.applicant.email
    message = amendment_approved_email(amendment.pk)
    assert "10,000.00 EUR → 13,000.00 EUR" in message.body


def test_approval_checks_the_plan_again_against_the_grant_as_it_is_then(officer, manager):
    grant = active_grant()
    lines, tranches, _m = _rows(grant)
    amendment = amendment_propose(
        actor=officer,
        grant=grant,
        reason="Less needed",
        new_amount="9000.00",
        changes={"tranches": {tranches[1].pk: "4000.00"}, "budget": {lines[1].pk: "4000.00"}},
    )
    pay(tranches[1], "4500.00")  # paid meanwhile
    with pytest.raises(ApplicationError) as error:
        amendment_approve(actor=manager, amendment=amendment)
    assert "tranche_below_paid" in error.value.extra["codes"]
    grant.refresh_from_db()
    amendment.refresh_from_db()
    assert grant.amount == Decimal("10000.00") and amendment.status == AmendmentStatus.PROPOSED


def test_lowering_an_approved_tranche_to_what_was_paid_marks_it_paid(officer, manager):
    grant = active_grant()
    lines, tranches, _m = _rows(grant)
    pay(tranches[1], "4000.00")
    amendment = amendment_propose(
        actor=officer,
        grant=grant,
        reason="Savings",
        new_amount="9000.00",
        changes={"tranches": {tranches[1].pk: "4000.00"}, "budget": {lines[1].pk: "4000.00"}},
    )
    amendment_approve(actor=manager, amendment=amendment)
    tranches[1].refresh_from_db()
    assert tranches[1].status == TrancheStatus.PAID


def test_the_proposer_cannot_approve_their_own_amendment(manager, client):
    grant = active_grant()
    amendment = _propose_bigger_grant(manager, grant)
    with pytest.raises(ApplicationError) as error:
        amendment_approve(actor=manager, amendment=amendment)
    assert error.value.code == "own_amendment"
    client.force_login(manager)
    url = f"/en/staff/grants/{grant.pk}/amendments/{amendment.pk}/decide/"
    assert client.post(url, {"decision": "approve"}).status_code == 404
    amendment.refresh_from_db()
    grant.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED and grant.amount == Decimal("10000.00")


def test_a_second_proposal_while_one_is_pending_is_refused_until_it_is_withdrawn(officer):
    grant = active_grant()
    first = _propose_bigger_grant(officer, grant)
    with pytest.raises(ApplicationError) as error:
        _propose_bigger_grant(UserFactory(role=Role.FINANCE_OFFICER), grant)
    assert error.value.code == "amendment_pending"
    assert GrantAmendment.objects.filter(grant=grant).count() == 1
    with pytest.raises(ApplicationError):
        amendment_withdraw(actor=UserFactory(role=Role.MANAGER), amendment=first)
    amendment_withdraw(actor=officer, amendment=first, comment="Wrong figures")
    second = _propose_bigger_grant(officer, grant)
    assert second.number == 2
    first.refresh_from_db()
    assert first.status == AmendmentStatus.WITHDRAWN


def test_a_rejection_needs_a_reason_and_leaves_the_grant_as_it_was(officer, manager):
    grant = active_grant()
    amendment = _propose_bigger_grant(officer, grant)
    with pytest.raises(ApplicationError) as error:
        amendment_reject(actor=manager, amendment=amendment, comment=" ")
    assert error.value.code == "reason_required"
    amendment_reject(actor=manager, amendment=amendment, comment="Not within the call's ceiling.")
    amendment.refresh_from_db()
    grant.refresh_from_db()
    assert amendment.status == AmendmentStatus.REJECTED and grant.amount == Decimal("10000.00")
    with pytest.raises(ApplicationError) as error:
        amendment_approve(actor=UserFactory(role=Role.MANAGER), amendment=amendment)
    assert error.value.code == "amendment_decided"


# --- Pages ---------------------------------------------------------------------------------------------------------
def test_the_proposal_form_shows_every_line_unpaid_tranche_and_milestone(client, officer):
    grant = active_grant()
    lines, tranches, milestone = _rows(grant)
    pay(tranches[0])
    client.force_login(officer)
    response = client.get(f"/en/staff/grants/{grant.pk}/amendments/new/")
    html = response.content.decode()
    assert response.status_code == 200
    for line in lines:
        assert f'name="line_{line.pk}"' in html
    assert f'name="tranche_{tranches[1].pk}"' in html
    assert f'name="tranche_{tranches[0].pk}"' not in html  # paid: it cannot change
    assert f'name="milestone_{milestone.pk}_description"' in html
    assert nested_forms(html) == 0


def test_a_refused_proposal_keeps_what_was_typed_and_says_why(client, officer):
    grant = active_grant()
    _lines, tranches, _m = _rows(grant)
    client.force_login(officer)
    data = {"reason": "Typed reason that must survive", f"tranche_{tranches[1].pk}": "6000.00"}
    response = client.post(f"/en/staff/grants/{grant.pk}/amendments/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Typed reason that must survive" in html and 'value="6000.00"' in html
    assert "11,000.00" in html
    assert not GrantAmendment.objects.filter(grant=grant).exists()


def test_proposing_and_approving_through_the_pages_shows_before_and_after(client, officer, manager):
    grant = active_grant()
    lines, tranches, _m = _rows(grant)
    client.force_login(officer)
    data = {
        "reason": "Second site",
        "new_amount": "11000.00",
        f"line_{lines[0].pk}": "6000.00",
        "new_tranche_amount": "1000.00",
        "new_tranche_planned_date": grant.end_date.isoformat(),
        "new_tranche_milestone": str(_m.pk),
    }
    response = client.post(f"/en/staff/grants/{grant.pk}/amendments/new/", data)
    amendment = GrantAmendment.objects.get(grant=grant)
    assert response.status_code == 302
    page = f"/en/staff/grants/{grant.pk}/amendments/{amendment.pk}/"
    html = client.get(page).content.decode()
    assert "10,000.00" in html and "11,000.00" in html
    assert 'data-action-form="decide"' not in html  # an officer does not decide

    client.force_login(manager)
    response = client.post(f"{page}decide/", {"decision": "approve", "comment": "Fine"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.amount == Decimal("11000.00") and grant.tranches.count() == 3
    html = client.get(page).content.decode()
    assert 'data-status="approved"' in html and "grants.amendment.approved" in html
    assert nested_forms(html) == 0


def test_the_me_officer_reads_amendments_but_gets_404_on_every_write(client, officer):
    grant = active_grant()
    amendment = _propose_bigger_grant(officer, grant)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    base = f"/en/staff/grants/{grant.pk}/amendments/"
    assert client.get(f"{base}{amendment.pk}/").status_code == 200
    assert client.get(f"{base}new/").status_code == 404
    assert client.post(f"{base}new/", {"reason": "x"}).status_code == 404
    assert client.post(f"{base}{amendment.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert client.post(f"{base}{amendment.pk}/withdraw/").status_code == 404
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


def test_no_amendments_panel_before_signature(client, manager):
    from tests.grants.grant_factories import GrantFactory

    grant = GrantFactory(with_plan=True)
    client.force_login(manager)
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert 'id="amendments"' not in html
    assert client.get(f"/en/staff/grants/{grant.pk}/amendments/new/").status_code == 404


def _grant_with_amendments(count, officer, manager):
    grant = active_grant()
    lines, tranches, _m = _rows(grant)
    for index in range(count):
        amount = Decimal("5000.00") + index + 1
        amendment = amendment_propose(
            actor=officer,
            grant=grant,
            reason=f"Change {index}",
            new_amount=amount + Decimal("5000.00"),
            changes={"tranches": {tranches[1].pk: amount}, "budget": {lines[1].pk: amount}},
        )
        amendment_approve(actor=manager, amendment=amendment)
    _propose_bigger_grant(officer, grant)  # and one waiting for a decision
    return grant


def test_the_grant_page_costs_the_same_queries_with_many_amendments(
    client, officer, manager, django_assert_max_num_queries
):
    few = _grant_with_amendments(1, officer, manager)
    many = _grant_with_amendments(6, officer, manager)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(f"/en/staff/grants/{few.pk}/").status_code == 200
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(f"/en/staff/grants/{many.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("data-amendment=") == 7
    assert 'id="closeout"' in html and 'id="infrastructure"' in html
    with django_assert_max_num_queries(45):
        client.get(f"/en/staff/grants/{many.pk}/")
