"""Grant terms, approved budget, milestones and tranches before signature: who may change what, the add-up
checks the page shows, and who sees the staff pages (everyone else gets 404)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import DocumentStatus, GrantBudgetLine, GrantTranche, InstrumentType
from grants.services.grants import (
    grant_budget_line_delete,
    grant_budget_line_save,
    grant_milestone_delete,
    grant_terms_update,
    grant_tranche_problems,
    grant_tranche_save,
)
from tests.factories import UserFactory
from tests.grants.grant_factories import (
    GrantBudgetLineFactory,
    GrantFactory,
    GrantMilestoneFactory,
    GrantTrancheFactory,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db

LINE = {
    "category": "equipment",
    "description": "Projector",
    "unit": "piece",
    "quantity": Decimal("2"),
    "unit_cost": Decimal("600.00"),
    "grant_amount": Decimal("1000.00"),
    "cost_share_amount": Decimal("200.00"),
    "cost_share_kind": "cash",
}


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _actions(grant):
    return [entry.action for entry in audit_entries_for(target=grant)]


def test_finance_adds_changes_and_removes_budget_lines_before_signature_with_audit_entries():
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    grant = GrantFactory()
    line = grant_budget_line_save(actor=finance, grant=grant, data=LINE)
    assert GrantBudgetLine.objects.get(pk=line.pk).grant_amount == Decimal("1000.00")
    grant_budget_line_save(
        actor=finance,
        grant=grant,
        data={**LINE, "grant_amount": Decimal("1100.00"), "cost_share_amount": Decimal("100.00")},
        line=line,
    )
    assert GrantBudgetLine.objects.get(pk=line.pk).grant_amount == Decimal("1100.00")
    grant_budget_line_delete(actor=finance, grant=grant, line=line)
    assert not GrantBudgetLine.objects.filter(pk=line.pk).exists()
    actions = _actions(grant)
    for action in ("budget_line_added", "budget_line_changed", "budget_line_removed"):
        assert f"grants.grant.{action}" in actions


def test_budget_changes_after_signature_are_refused_and_the_line_kept():
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    grant = GrantFactory(active=True)
    line = GrantBudgetLineFactory(grant=grant, grant_amount=Decimal("700.00"), cost_share_amount=Decimal("0"))
    with pytest.raises(ApplicationError) as error:
        grant_budget_line_save(actor=finance, grant=grant, data={**LINE}, line=line)
    assert error.value.code == "grant_signed"
    with pytest.raises(ApplicationError):
        grant_budget_line_delete(actor=finance, grant=grant, line=line)
    assert GrantBudgetLine.objects.get(pk=line.pk).grant_amount == Decimal("700.00")


def test_a_programme_officer_may_not_change_the_budget():
    with pytest.raises(ApplicationError) as error:
        grant_budget_line_save(actor=UserFactory(role=Role.PROGRAMME_OFFICER), grant=GrantFactory(), data=LINE)
    assert error.value.code == "not_allowed"


def test_finance_adds_a_line_through_the_page_and_a_signed_grant_answers_404(client):
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    grant = GrantFactory()
    data = {f"budget-{key}": value for key, value in LINE.items()}
    response = client.post(f"/en/staff/grants/{grant.pk}/budget/add/", data)
    assert response.status_code == 302
    assert grant.budget_lines.get().description == "Projector"
    signed = GrantFactory(active=True)
    assert client.post(f"/en/staff/grants/{signed.pk}/budget/add/", data).status_code == 404
    assert not signed.budget_lines.exists()


def test_a_budget_line_that_does_not_add_up_is_refused_with_the_typed_text_kept(client):
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    grant = GrantFactory()
    data = {f"budget-{key}": value for key, value in {**LINE, "description": "Chairs", "unit_cost": "1"}.items()}
    response = client.post(f"/en/staff/grants/{grant.pk}/budget/add/", data)
    assert response.status_code == 400
    assert 'value="Chairs"' in response.content.decode()
    assert not grant.budget_lines.exists()


def test_terms_change_before_signature_is_recorded_with_what_changed():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    grant = GrantFactory()
    grant_terms_update(
        actor=officer,
        grant=grant,
        data={"instrument": InstrumentType.FIXED_AMOUNT, "special_conditions": "Report monthly."},
    )
    grant.refresh_from_db()
    assert grant.instrument == InstrumentType.FIXED_AMOUNT
    entry = audit_entries_for(target=grant).get(action="grants.grant.terms_changed")
    assert entry.actor == officer
    assert entry.data["instrument"] == ["standard", "fixed_amount"]


def test_terms_with_the_end_before_the_start_are_refused():
    grant = GrantFactory()
    with pytest.raises(ApplicationError):
        grant_terms_update(
            actor=UserFactory(role=Role.MANAGER),
            grant=grant,
            data={"end_date": grant.start_date - datetime.timedelta(days=1)},
        )


def test_changing_terms_outdates_a_generated_agreement():
    grant = GrantFactory(agreement_status=DocumentStatus.READY, agreement_file="agreements/old.pdf")
    grant_terms_update(actor=UserFactory(role=Role.MANAGER), grant=grant, data={"special_conditions": "New."})
    grant.refresh_from_db()
    assert grant.agreement_status == DocumentStatus.NONE
    assert not grant.agreement_file
    assert "grants.grant.agreement_outdated" in _actions(grant)


def test_tranches_that_do_not_add_up_say_by_how_much():
    grant = GrantFactory(amount=Decimal("10000.00"))
    assert "No tranches" in grant_tranche_problems(grant)[0]
    GrantTrancheFactory(grant=grant, number=1, amount=Decimal("4000.00"), on_signature=True)
    [problem] = grant_tranche_problems(grant)
    assert "4,000.00" in problem and "10,000.00" in problem and "6,000.00" in problem
    GrantTrancheFactory(grant=grant, number=2, amount=Decimal("6000.00"), milestone=GrantMilestoneFactory(grant=grant))
    assert grant_tranche_problems(grant) == []


def test_the_page_shows_the_add_up_message(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    grant = GrantFactory(amount=Decimal("10000.00"))
    GrantTrancheFactory(grant=grant, number=1, amount=Decimal("2500.00"), on_signature=True)
    response = client.get(f"/en/staff/grants/{grant.pk}/")
    assert response.status_code == 200
    assert "data-tranche-problem" in response.content.decode()
    assert "The tranches add up to 2,500.00 EUR, but the grant is 10,000.00 EUR" in response.content.decode()


def test_a_tranche_is_paid_either_on_signature_or_after_a_milestone():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    grant = GrantFactory()
    milestone = GrantMilestoneFactory(grant=grant)
    data = {"number": 1, "amount": Decimal("5000"), "planned_date": timezone.localdate()}
    with pytest.raises(ApplicationError):
        grant_tranche_save(actor=officer, grant=grant, data={**data, "on_signature": True, "milestone": milestone})
    with pytest.raises(ApplicationError):
        grant_tranche_save(actor=officer, grant=grant, data={**data, "on_signature": False, "milestone": None})
    other_milestone = GrantMilestoneFactory()
    with pytest.raises(ApplicationError):
        grant_tranche_save(actor=officer, grant=grant, data={**data, "milestone": other_milestone})
    tranche = grant_tranche_save(actor=officer, grant=grant, data={**data, "milestone": milestone})
    assert tranche.milestone == milestone
    with pytest.raises(ApplicationError) as error:
        grant_tranche_save(actor=officer, grant=grant, data={**data, "on_signature": True})
    assert error.value.code == "tranche_number_taken"
    with pytest.raises(ApplicationError) as error:
        grant_milestone_delete(actor=officer, grant=grant, milestone=milestone)
    assert error.value.code == "milestone_in_use"
    assert GrantTranche.objects.filter(grant=grant).count() == 1


def test_an_officer_plans_a_tranche_through_the_page(client):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    grant = GrantFactory()
    response = client.post(
        f"/en/staff/grants/{grant.pk}/tranche/add/",
        {
            "tranche-number": "1",
            "tranche-amount": "10000",
            "tranche-planned_date": "2027-03-01",
            "tranche-on_signature": "on",
        },
    )
    assert response.status_code == 302
    assert grant.tranches.get().on_signature
    assert "grants.grant.tranche_added" in _actions(grant)


@pytest.mark.parametrize("role", [None, Role.REVIEWER, Role.APPLICANT, Role.USAID_VIEWER])
def test_staff_grant_pages_answer_404_to_people_who_may_not_see_grants(client, role):
    grant = GrantFactory(with_plan=True)
    if role:
        client.force_login(UserFactory(role=role))
    for url in [
        "/en/staff/grants/",
        f"/en/staff/grants/{grant.pk}/",
        f"/en/staff/grants/{grant.pk}/terms/",
        f"/en/staff/grants/{grant.pk}/agreement/download/",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_grantee_gets_404_on_the_staff_page_of_their_own_grant(client):
    grant = GrantFactory()
    client.force_login(grant.application.applicant)
    assert client.get(f"/en/staff/grants/{grant.pk}/").status_code == 404


def test_the_grants_list_costs_the_same_queries_for_many_grants(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    GrantFactory.create_batch(30)
    with django_assert_max_num_queries(12):
        response = client.get("/en/staff/grants/")
    assert response.status_code == 200
    assert len(response.context["grants"]) == 25
    response = client.get("/en/staff/grants/?page=2&status=awaiting_signature")
    assert len(response.context["grants"]) == 5


def test_the_grant_detail_page_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.MANAGER))
    grant = GrantFactory(with_plan=True)
    for _ in range(10):
        GrantBudgetLineFactory(grant=grant)
        GrantTrancheFactory(grant=grant, milestone=GrantMilestoneFactory(grant=grant))
    with django_assert_max_num_queries(20):
        assert client.get(f"/en/staff/grants/{grant.pk}/").status_code == 200


def test_no_grant_page_nests_a_form_in_another(client):
    grant = GrantFactory(with_plan=True, agreement_status=DocumentStatus.READY, agreement_file="agreements/x.pdf")
    line, tranche, milestone = grant.budget_lines.first(), grant.tranches.first(), grant.milestones.first()
    client.force_login(UserFactory(role=Role.MANAGER))
    for url in [
        "/en/staff/grants/",
        f"/en/staff/grants/{grant.pk}/",
        f"/en/staff/grants/{grant.pk}/terms/",
        f"/en/staff/grants/{grant.pk}/budget/{line.pk}/",
        f"/en/staff/grants/{grant.pk}/tranche/{tranche.pk}/",
        f"/en/staff/grants/{grant.pk}/milestone/{milestone.pk}/",
        f"/en/staff/grants/selection-record/{grant.application.call.code}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    for action in ("budget/add/", "tranche/add/", "milestone/add/", "/sign/", "/agreement/"):
        assert action in html, action
    client.force_login(grant.application.applicant)
    response = client.get(f"/en/my/grants/{grant.pk}/")
    assert response.status_code == 200
    assert nested_forms(response.content.decode()) == 0
