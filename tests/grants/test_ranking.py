"""The ranking of a call: order by mean submitted score, running total against the envelope, filters, shares,
who may see it, and a constant number of queries."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from grants.models import ApplicationStatus, Decision, DecisionOutcome
from grants.selectors_ranking import call_ranking
from municipalities.models import Municipality
from tests.factories import UserFactory
from tests.grants.application_factories import ApplicationFactory
from tests.grants.decision_factories import add_review, reviewed_application
from tests.grants.factories import CallFactory
from tests.test_html_forms import nested_forms


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def _m(code):
    return Municipality.objects.get(code=code)


@pytest.fixture
def ranked(db):
    """Four applications of a call with an envelope of 10,000 EUR, and one of another call."""
    call = CallFactory(closed=True, code="CE-2027-01", budget_envelope=Decimal("10000.00"))
    apps = {
        "middle": reviewed_application(
            call=call, scores=[70, 80], requested="4000", municipality=_m("gjilan"), title="Middle"
        ),
        "best": reviewed_application(
            call=call,
            scores=[90, 86],
            requested="5000",
            municipality=_m("gracanica"),
            communities_involved=["albanian", "serb", "roma"],
            title="Best",
        ),
        "last": reviewed_application(
            call=call, scores=[40], requested="3000", municipality=_m("gracanica"), title="Last"
        ),
        "waiting": reviewed_application(
            call=call,
            scores=[60],
            requested="2500",
            municipality=_m("gjilan"),
            status=ApplicationStatus.WAITLISTED,
            title="Waiting",
        ),
    }
    add_review(apps["last"], total=100, submitted=False)  # a draft review never counts
    reviewed_application(call=CallFactory(closed=True), scores=[99], title="Other call")
    ApplicationFactory(submitted=True, call=call, status=ApplicationStatus.UNDER_REVIEW, title="Still in review")
    return call, apps


def _titles(ranking):
    return [row.application.title for row in ranking.rows]


def test_rows_are_sorted_by_the_mean_of_submitted_reviews_only(ranked):
    call, _apps = ranked
    ranking = call_ranking(call=call, filters={})
    assert _titles(ranking) == ["Best", "Middle", "Waiting", "Last"]
    assert [row.score for row in ranking.rows] == [Decimal("88.00"), Decimal("75.00"), Decimal("60.00"), Decimal("40")]
    assert [row.review_count for row in ranking.rows] == [2, 2, 1, 1]
    assert [row.rank for row in ranking.rows] == [1, 2, 3, 4]


def test_running_total_adds_requests_in_ranking_order_and_marks_what_passes_the_envelope(ranked):
    call, _apps = ranked
    ranking = call_ranking(call=call, filters={})
    assert [row.requested for row in ranking.rows] == [
        Decimal("5000"),
        Decimal("4000"),
        Decimal("2500"),
        Decimal("3000"),
    ]
    assert [row.running_total for row in ranking.rows] == [
        Decimal("5000"),
        Decimal("9000"),
        Decimal("11500"),
        Decimal("14500"),
    ]
    assert [row.fits for row in ranking.rows] == [True, True, False, False]


def test_an_approval_counts_its_approved_amount_and_a_rejection_nothing(ranked):
    call, apps = ranked
    manager = UserFactory(role=Role.MANAGER)
    for key, outcome, amount in (("best", "approved", Decimal("3000")), ("middle", "rejected", None)):
        apps[key].status = outcome
        apps[key].save(update_fields=["status"])
        Decision.objects.create(
            application=apps[key], outcome=outcome, approved_amount=amount, decided_by=manager, reasons="x"
        )
    ranking = call_ranking(call=call, filters={})
    assert [row.running_total for row in ranking.rows] == [
        Decimal("3000"),
        Decimal("3000"),
        Decimal("5500"),
        Decimal("8500"),
    ]
    assert all(row.fits for row in ranking.rows)
    assert ranking.approved_total == Decimal("3000")
    assert ranking.remaining == Decimal("7000")
    assert ranking.rows[0].approved_amount == Decimal("3000")


def test_filters_narrow_rows_but_keep_the_whole_calls_running_total(ranked):
    call, _apps = ranked
    gracanica = call_ranking(call=call, filters={"municipality": _m("gracanica")})
    assert _titles(gracanica) == ["Best", "Last"]
    assert gracanica.rows[1].running_total == Decimal("14500")
    mix = call_ranking(call=call, filters={"communities": ["serb", "roma"]})
    assert _titles(mix) == ["Best"]
    group = call_ranking(call=call, filters={"programme_group": "south_serb_majority"})
    assert set(_titles(group)) == {
        row.application.title
        for row in call_ranking(call=call).rows
        if row.application.municipality.programme_group == "south_serb_majority"
    }


def test_shares_by_municipality_and_programme_group(ranked):
    call, _apps = ranked
    ranking = call_ranking(call=call, filters={"municipality": _m("gjilan")})  # shares ignore the filters
    by_municipality = {share.key: share for share in ranking.by_municipality}
    # Within the envelope: Best (Graçanicë, 5000) and Middle (Gjilan, 4000).
    assert by_municipality["gracanica"].proposed == Decimal("5000")
    assert by_municipality["gjilan"].proposed == Decimal("4000")
    assert by_municipality["gracanica"].proposed_percent == Decimal("55.6")
    assert by_municipality["gjilan"].proposed_percent == Decimal("44.4")
    assert by_municipality["gracanica"].requested == Decimal("8000")
    assert by_municipality["gjilan"].count == 2
    groups = {share.key: share for share in ranking.by_group}
    gjilan_group, gracanica_group = _m("gjilan").programme_group, _m("gracanica").programme_group
    assert gjilan_group != gracanica_group
    assert groups[gracanica_group].proposed_percent == Decimal("55.6")
    assert groups[gjilan_group].proposed_percent == Decimal("44.4")
    assert sum(share.proposed_percent for share in ranking.by_group) == Decimal("100.0")


def test_the_ranking_costs_a_constant_number_of_queries(db, client, django_assert_max_num_queries):
    call = CallFactory(closed=True, budget_envelope=Decimal("100000"))
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(2)]
    municipalities = list(Municipality.objects.all()[:4])
    for index in range(40):
        reviewed_application(
            call=call,
            scores=[50 + index % 40, 60],
            reviewers=reviewers,
            requested=str(1000 + index * 10),
            municipality=municipalities[index % 4],
        )
    with django_assert_max_num_queries(2):
        ranking = call_ranking(call=call, filters={})
        assert len(ranking.rows) == 40
    client.force_login(UserFactory(role=Role.MANAGER))
    with django_assert_max_num_queries(20):
        response = client.get(f"/en/staff/selection/calls/{call.code}/")
    assert response.status_code == 200
    assert response.content.decode().count("data-reference=") == 40


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.FINANCE_OFFICER, Role.MANAGER])
def test_staff_who_read_applications_see_the_ranking(client, ranked, role):
    call, _apps = ranked
    client.force_login(UserFactory(role=role))
    response = client.get(f"/en/staff/selection/calls/{call.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('data-reference="' + ranked[1]["best"].reference) < html.index(
        'data-reference="' + ranked[1]["last"].reference
    )
    assert nested_forms(html) == 0
    # Only managers get the decision form.
    assert ('name="outcome"' in html) == (role == Role.MANAGER)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPLICANT, Role.USAID_VIEWER])
def test_others_get_404_on_the_ranking(client, ranked, role):
    call, _apps = ranked
    client.force_login(UserFactory(role=role))
    assert client.get(f"/en/staff/selection/calls/{call.code}/").status_code == 404


def test_ranking_page_filters_by_municipality_and_community_mix(client, ranked):
    call, apps = ranked
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    gjilan = _m("gjilan")
    response = client.get(f"/en/staff/selection/calls/{call.code}/", {"municipality": gjilan.pk})
    references = [row.application.reference for row in response.context["ranking"].rows]
    assert references == [apps["middle"].reference, apps["waiting"].reference]
    response = client.get(f"/en/staff/selection/calls/{call.code}/", {"communities": ["albanian", "roma"]})
    assert [row.application.reference for row in response.context["ranking"].rows] == [apps["best"].reference]


def test_a_draft_call_has_no_ranking(client, db):
    call = CallFactory()
    client.force_login(UserFactory(role=Role.MANAGER))
    assert client.get(f"/en/staff/selection/calls/{call.code}/").status_code == 404


def test_decision_outcomes_are_language_independent_codes():
    assert DecisionOutcome.values == ["approved", "waitlisted", "rejected"]
