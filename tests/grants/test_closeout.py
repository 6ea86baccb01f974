"""A grant's status after signature and its closeout: suspend → resume → terminate with reasons in the history,
who may do it, the checklist that completion waits for, closing, the cost-share reconciliation, and the pages."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from core.choices import Component
from core.errors import ApplicationError
from core.models import OutgoingEmail
from core.selectors import audit_entries_for
from grants.models import GrantStatus, InstrumentType, TrancheStatus
from grants.services.closeout import (
    closeout_checklist,
    cost_share_reconcile,
    grant_close,
    grant_complete,
    grant_resume,
    grant_status_email,
    grant_suspend,
    grant_terminate,
)
from tests.factories import UserFactory
from tests.grants.closeout_factories import (
    active_grant,
    closeout_done,
    contribution,
    delivery,
    final_report,
    final_visit,
    pay,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db
STATUS_EMAIL = "grants.services.closeout.grant_status_email"


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def finance():
    return UserFactory(role=Role.FINANCE_OFFICER)


def test_suspend_resume_and_terminate_are_audited_with_their_reasons_and_told_to_the_grantee(manager):
    grant = active_grant()
    grant_suspend(actor=manager, grant=grant, reason="Site closed by the municipality")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.SUSPENDED and grant.status_reason == "Site closed by the municipality"
    grant_resume(actor=manager, grant=grant, reason="Site open again")
    grant_terminate(actor=manager, grant=grant, reason="The grantee dissolved")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.TERMINATED and grant.status_reason == "The grantee dissolved"
    entries = [(e.action, e.from_status, e.to_status, e.comment) for e in audit_entries_for(target=grant)]
    assert entries[:3] == [
        ("grants.grant.terminated", "active", "terminated", "The grantee dissolved"),
        ("grants.grant.resumed", "suspended", "active", "Site open again"),
        ("grants.grant.suspended", "active", "suspended", "Site closed by the municipality"),
    ]
    emails = OutgoingEmail.objects.filter(builder=STATUS_EMAIL).order_by("id")
    assert [e.args["action"] for e in emails] == [
        "grants.grant.suspended",
        "grants.grant.resumed",
        "grants.grant.terminated",
    ]
    message = grant_status_email(**emails.last().args)
    assert "The grantee dissolved" in message.body and grant.number in message.subject


def test_a_status_change_without_a_reason_is_refused(manager):
    grant = active_grant()
    with pytest.raises(ApplicationError) as error:
        grant_suspend(actor=manager, grant=grant, reason="   ")
    assert error.value.code == "reason_required"
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE


def test_terminating_leaves_the_tranches_and_the_panel_shows_what_was_not_paid(client, manager):
    grant = active_grant()
    first, second = grant.tranches.order_by("number")
    pay(first)
    grant_terminate(actor=manager, grant=grant, reason="Fraud suspected")
    assert [t.status for t in grant.tranches.order_by("number")] == [TrancheStatus.PAID, TrancheStatus.PLANNED]
    client.force_login(manager)
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert "data-unpaid>5,000.00 EUR" in html and "Fraud suspected" in html


def test_a_programme_officer_cannot_suspend_a_grant(client, officer):
    grant = active_grant()
    with pytest.raises(ApplicationError) as error:
        grant_suspend(actor=officer, grant=grant, reason="Late reports")
    assert error.value.code == "not_allowed"
    client.force_login(officer)
    response = client.post(
        f"/en/staff/grants/{grant.pk}/status/", {"action": "suspend", "suspend-reason": "Late reports"}
    )
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE


def test_a_manager_suspends_through_the_page_and_an_empty_reason_comes_back(client, manager):
    grant = active_grant()
    client.force_login(manager)
    url = f"/en/staff/grants/{grant.pk}/status/"
    response = client.post(url, {"action": "suspend", "suspend-reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"action": "suspend", "suspend-reason": "Audit pending"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.SUSPENDED
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert 'data-status-action="resume"' in html and 'data-status-action="suspend"' not in html
    assert nested_forms(html) == 0


def test_completion_is_refused_with_what_is_missing_and_allowed_once_everything_is_done(officer):
    grant = active_grant()
    with pytest.raises(ApplicationError) as error:
        grant_complete(actor=officer, grant=grant)
    assert error.value.code == "closeout_incomplete"
    missing = [item["code"] for item in error.value.extra["missing"]]
    assert missing == ["final_report", "tranches", "cost_share", "final_visit"]
    assert "Final report accepted" in error.value.message and "Final monitoring visit" in error.value.message

    final_report(grant, accepted=False)  # submitted, not accepted: not enough
    final_visit(grant)
    missing = [item["code"] for item in closeout_checklist(grant) if not item["done"]]
    assert missing == ["final_report", "tranches", "cost_share"]

    closeout_done(grant)
    assert all(item["done"] for item in closeout_checklist(grant))
    grant_complete(actor=officer, grant=grant)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.COMPLETED and grant.completed_at is not None
    assert OutgoingEmail.objects.filter(builder=STATUS_EMAIL, args__action="grants.grant.completed").exists()


def test_an_in_kind_grant_needs_deliveries_instead_of_payments():
    grant = active_grant(instrument=InstrumentType.IN_KIND, with_plan=False)
    items = {item["code"]: item["done"] for item in closeout_checklist(grant)}
    assert items["deliveries"] is False and items["tranches"] is True
    delivery(grant)
    items = {item["code"]: item["done"] for item in closeout_checklist(grant)}
    assert items["deliveries"] is True


def test_a_grant_is_closed_only_after_completion_and_only_by_finance_or_a_manager(client, officer, finance):
    grant = active_grant()
    closeout_done(grant)
    with pytest.raises(ApplicationError) as error:
        grant_close(actor=finance, grant=grant)
    assert error.value.code == "grant_not_completed"
    grant_complete(actor=officer, grant=grant)
    with pytest.raises(ApplicationError) as error:
        grant_close(actor=officer, grant=grant)
    assert error.value.code == "not_allowed"
    client.force_login(officer)
    assert client.post(f"/en/staff/grants/{grant.pk}/closeout/close/").status_code == 404
    client.force_login(finance)
    assert client.post(f"/en/staff/grants/{grant.pk}/closeout/close/").status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.CLOSED and grant.closed_at is not None
    assert [e.action for e in audit_entries_for(target=grant)][:2] == ["grants.grant.closed", "grants.grant.completed"]


def test_reconciling_a_shortfall_needs_a_note(finance):
    grant = active_grant()  # 1,000.00 EUR committed
    contribution(final_report(grant), "600.00")
    contribution(final_report(grant, accepted=False), "500.00")  # not accepted: not counted
    with pytest.raises(ApplicationError) as error:
        cost_share_reconcile(actor=finance, grant=grant, note="")
    assert error.value.code == "note_required"
    assert "600.00" in error.value.message and "1,000.00" in error.value.message and "400.00" in error.value.message
    grant.refresh_from_db()
    assert grant.cost_share_reconciled_at is None
    cost_share_reconcile(actor=finance, grant=grant, note="Partner withdrew its in-kind contribution.")
    grant.refresh_from_db()
    assert grant.cost_share_reconciled_by == finance and grant.cost_share_reconciliation_note.startswith("Partner")
    entry = audit_entries_for(target=grant).get(action="grants.grant.cost_share_reconciled")
    assert entry.data == {"committed": "1000.00", "contributed": "600.00"}


def test_reconciling_a_full_contribution_needs_no_note(finance):
    grant = active_grant()
    contribution(final_report(grant), "1200.00")
    cost_share_reconcile(actor=finance, grant=grant, note="")
    grant.refresh_from_db()
    assert grant.cost_share_reconciled_at is not None


def test_completing_through_the_page_lists_what_is_missing(client, officer):
    grant = active_grant()
    client.force_login(officer)
    response = client.post(f"/en/staff/grants/{grant.pk}/closeout/complete/")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Still missing" in html and 'data-item="final_visit" data-done="no"' in html
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE


def test_a_shortfall_reconciled_through_the_page_without_a_note_keeps_the_form(client, finance):
    grant = active_grant()
    client.force_login(finance)
    response = client.post(f"/en/staff/grants/{grant.pk}/closeout/cost-share/", {"note": ""})
    assert response.status_code == 400 and "Write a note" in response.content.decode()
    response = client.post(f"/en/staff/grants/{grant.pk}/closeout/cost-share/", {"note": "Nothing came"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.cost_share_reconciliation_note == "Nothing came"


def test_the_me_officer_gets_404_on_every_status_and_closeout_write(client):
    grant = active_grant()
    closeout_done(grant)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    base = f"/en/staff/grants/{grant.pk}"
    assert client.get(f"{base}/closeout/").status_code == 200
    for url, data in (
        (f"{base}/status/", {"action": "suspend", "suspend-reason": "x"}),
        (f"{base}/status/", {"action": "terminate", "terminate-reason": "x"}),
        (f"{base}/closeout/cost-share/", {"note": "x"}),
        (f"{base}/closeout/complete/", {}),
        (f"{base}/closeout/close/", {}),
        (f"{base}/infrastructure/", {"kind": "road", "settlement": "x", "municipal_cofunding": "0"}),
    ):
        assert client.post(url, data).status_code == 404, url
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE and grant.cost_share_reconciliation_note == ""


def test_the_grantee_sees_the_suspension_on_their_grant_page(client, manager):
    grant = active_grant(component=Component.BUSINESS_DEVELOPMENT)
    grant_suspend(actor=manager, grant=grant, reason="Missing receipts")
    client.force_login(grant.application.applicant)
    html = client.get(f"/en/my/grants/{grant.pk}/").content.decode()
    assert "Grant suspended" in html


def test_the_closeout_panel_shows_the_money_of_the_grant(client, manager):
    grant = active_grant()
    pay(grant.tranches.order_by("number").first(), "2500.00")
    client.force_login(manager)
    html = client.get(f"/en/staff/grants/{grant.pk}/closeout/").content.decode()
    assert "data-paid>2,500.00 EUR" in html and "data-unpaid>7,500.00 EUR" in html
    assert 'data-item="tranches" data-done="no"' in html
    assert grant.amount == Decimal("10000.00")
