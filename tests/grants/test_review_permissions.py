"""Who sees what of reviews: a reviewer only their own assignments, the application only after declaring no
conflict, never the applicant's personal data; applicants never see reviews or reviewer names."""

import itertools
from decimal import Decimal

import pytest

from grants.models import AssignmentStatus, Review
from tests.factories import UserFactory
from tests.grants.application_factories import DocumentFactory
from tests.grants.factories import CallCriterionFactory, CallFactory
from tests.grants.review_factories import AssignmentFactory, ReviewFactory, eligible_application
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def _reviewer():
    return UserFactory(role="reviewer", email=f"perm{next(_numbers)}@review.example", first_name="Reviewer")


def _assignment(**kwargs):
    call = CallFactory(open=True)
    CallCriterionFactory(call=call, max_score=10)
    CallCriterionFactory(call=call, max_score=5, allows_not_applicable=True)
    kwargs.setdefault("reviewer", _reviewer())
    application = eligible_application(call=call, status="under_review", summary="SECRET SUMMARY TEXT")
    return AssignmentFactory(application=application, **kwargs)


def _pages(assignment):
    base = f"/en/review/assignments/{assignment.pk}/"
    return [base, base + "application/", base + "score/"]


def test_review_space_is_404_for_every_role_but_reviewers(client):
    for role in ("applicant", "programme_officer", "manager", "admin"):
        client.force_login(UserFactory(role=role))
        assert client.get("/en/review/").status_code == 404, role
    client.force_login(_reviewer())
    assert client.get("/en/review/").status_code == 200


def test_dashboard_lists_only_own_assignments_with_deadline_in_constant_queries(client, django_assert_max_num_queries):
    reviewer = _reviewer()
    mine = [_assignment(reviewer=reviewer) for _ in range(3)]
    others = _assignment()
    client.force_login(reviewer)
    with django_assert_max_num_queries(8) as few:
        response = client.get("/en/review/")
    assert {a.pk for a in response.context["assignments"]} == {a.pk for a in mine}
    html = response.content.decode()
    assert others.application.title not in html
    assert mine[0].due_date.strftime("%d.%m.%Y") in html
    assert mine[0].application.municipality.name in html
    for _ in range(6):
        _assignment(reviewer=reviewer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/en/review/")
    assert len(response.context["assignments"]) == 9


def test_someone_elses_assignment_answers_404_on_every_page(client):
    assignment = _assignment(declared=True)
    client.force_login(_reviewer())
    for url in _pages(assignment):
        assert client.get(url).status_code == 404, url
    declare, _application, score = _pages(assignment)
    assert client.post(declare, {"action": "no_conflict"}).status_code == 404
    assert client.post(score, {"action": "save"}).status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLARED


def test_before_declaring_only_title_and_municipality_show_and_the_application_is_404(client):
    assignment = _assignment()
    document = DocumentFactory(application=assignment.application)
    client.force_login(assignment.reviewer)
    response = client.get(f"/en/review/assignments/{assignment.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert assignment.application.title in html and assignment.application.municipality.name in html
    assert "SECRET SUMMARY TEXT" not in html
    assert str(assignment.application.person) not in html
    assert assignment.application.reference not in html
    assert client.get(f"/en/review/assignments/{assignment.pk}/application/").status_code == 404
    assert client.get(f"/en/review/assignments/{assignment.pk}/score/").status_code == 404
    document_url = f"/en/review/applications/{assignment.application_id}/documents/{document.pk}/"
    assert client.get(document_url).status_code == 404


def test_after_declaring_no_conflict_the_application_shows_without_personal_data(client):
    assignment = _assignment()
    document = DocumentFactory(application=assignment.application)
    client.force_login(assignment.reviewer)
    response = client.post(f"/en/review/assignments/{assignment.pk}/", {"action": "no_conflict"})
    assert response.status_code == 302
    response = client.get(f"/en/review/assignments/{assignment.pk}/application/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "SECRET SUMMARY TEXT" in html
    assert "data-personal" not in html and "17.05.1995" not in html  # community and birth date stay hidden
    document_url = f"/en/review/applications/{assignment.application_id}/documents/{document.pk}/"
    assert document_url in html
    assert client.get(document_url).status_code == 200
    client.force_login(_reviewer())
    assert client.get(document_url).status_code == 404


def test_declaring_a_conflict_closes_the_assignment_and_the_pages_answer_404(client):
    assignment = _assignment()
    client.force_login(assignment.reviewer)
    response = client.post(
        f"/en/review/assignments/{assignment.pk}/", {"action": "conflict", "note": "I am on its board."}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    for url in _pages(assignment):
        assert client.get(url).status_code == 404
    assert client.get("/en/review/").context["assignments"] == []


def test_review_form_keeps_typed_text_on_a_refusal_then_saves_and_submits(client):
    assignment = _assignment(declared=True)
    first, second = assignment.application.call.criteria.order_by("order", "id")
    client.force_login(assignment.reviewer)
    url = f"/en/review/assignments/{assignment.pk}/score/"
    response = client.get(url)
    assert response.status_code == 200 and nested_forms(response.content.decode()) == 0
    data = {f"score_{first.pk}": "8", f"comment_{first.pk}": "Strong idea.", f"na_{second.pk}": "on"}
    response = client.post(url, {**data, "action": "submit"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write a comment on" in html and "Strong idea." in html
    assert client.post(url, {**data, "action": "save"}).status_code == 302
    response = client.post(url, {**data, f"comment_{second.pk}": "Not relevant here.", "action": "submit"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert assignment.review.total == Decimal("80.00")  # n/a excluded: 8 of 10
    response = client.get(url)
    assert "the review is locked" in response.content.decode()
    response = client.post(url, {**data, f"score_{first.pk}": "1", "action": "submit"})
    assert response.status_code == 400 and "locked" in response.content.decode()


def test_a_score_above_the_maximum_sent_by_hand_is_refused_with_the_reason(client):
    assignment = _assignment(declared=True)
    first, second = assignment.application.call.criteria.order_by("order", "id")
    client.force_login(assignment.reviewer)
    response = client.post(
        f"/en/review/assignments/{assignment.pk}/score/",
        {f"score_{first.pk}": "11", f"comment_{first.pk}": "x", "action": "save"},
    )
    assert response.status_code == 400
    assert "must be between 0 and 10" in response.content.decode()
    assert not Review.objects.filter(assignment__pk=assignment.pk).exists()


def test_applicants_never_see_reviews_or_reviewer_names(client):
    reviewer = UserFactory(role="reviewer", email="hidden@review.example", first_name="Zana", last_name="Hiddenname")
    assignment = _assignment(reviewer=reviewer, status=AssignmentStatus.SUBMITTED)
    ReviewFactory(assignment=assignment, total=Decimal("71.25"))
    applicant = assignment.application.applicant
    client.force_login(applicant)
    for url in ("/en/my/", f"/en/my/applications/{assignment.application_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Hiddenname" not in html and "hidden@review.example" not in html and "71.25" not in html, url
    for url in (
        f"/en/staff/reviews/applications/{assignment.application_id}/",
        f"/en/staff/reviews/applications/{assignment.application_id}/panel/",
        f"/en/staff/reviews/calls/{assignment.application.call.code}/",
        "/en/staff/reviews/",
        f"/en/review/assignments/{assignment.pk}/score/",
    ):
        assert client.get(url).status_code == 404, url


def test_reviewers_cannot_reach_the_staff_review_pages(client):
    assignment = _assignment(declared=True)
    client.force_login(assignment.reviewer)
    assert client.get(f"/en/staff/reviews/applications/{assignment.application_id}/").status_code == 404
    response = client.post(
        f"/en/staff/reviews/applications/{assignment.application_id}/assign/", {"reviewer": assignment.reviewer_id}
    )
    assert response.status_code == 404


def test_only_intake_staff_may_assign_other_staff_only_read(client):
    assignment = _assignment()
    client.force_login(UserFactory(role="finance_officer"))
    url = f"/en/staff/reviews/applications/{assignment.application_id}/"
    response = client.get(url)
    assert response.status_code == 200 and "assign_form" not in response.context
    assert client.post(url + "assign/", {"reviewer": _reviewer().pk}).status_code == 404
    assert client.post(f"/en/staff/reviews/assignments/{assignment.pk}/remove/").status_code == 404


def test_no_review_page_nests_a_form_in_another(client):
    assignment = _assignment()
    client.force_login(assignment.reviewer)
    for url in ("/en/review/", f"/en/review/assignments/{assignment.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url
    client.post(f"/en/review/assignments/{assignment.pk}/", {"action": "no_conflict"})
    for url in (
        f"/en/review/assignments/{assignment.pk}/application/",
        f"/en/review/assignments/{assignment.pk}/score/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url
    _reviewer()
    client.force_login(UserFactory(role="programme_officer"))
    application = assignment.application
    for url in (
        "/en/staff/reviews/",
        f"/en/staff/reviews/calls/{application.call.code}/",
        f"/en/staff/reviews/applications/{application.pk}/",
        f"/en/staff/reviews/applications/{application.pk}/panel/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url


def test_the_applicants_timeline_names_no_reviewer_and_shows_no_override_reason(client):
    from grants.services.reviews import assignment_declare_no_conflict, review_assign, review_submit
    from tests.grants.review_factories import scores_for

    officer = UserFactory(role="programme_officer")
    call = CallFactory(open=True, min_reviewers=2)
    criterion = CallCriterionFactory(call=call, max_score=10)
    application = eligible_application(call=call, applicant__email="chair@ngo-ura.org")
    flagged = UserFactory(role="reviewer", email="flagged@ngo-ura.org", last_name="Flaggedname")
    plain = UserFactory(role="reviewer", email="plain@review.example", last_name="Plainname")
    assignments = [
        review_assign(actor=officer, application=application, reviewer=flagged, override_reason="OVERRIDE WHY"),
        review_assign(actor=officer, application=application, reviewer=plain),
    ]
    for assignment in assignments:
        assignment_declare_no_conflict(actor=assignment.reviewer, assignment=assignment)
        review_submit(
            actor=assignment.reviewer, assignment=assignment, scores=scores_for([criterion], [(7, "REVIEW COMMENT")])
        )
    application.refresh_from_db()
    assert application.status == "reviewed"
    client.force_login(application.applicant)
    html = client.get(f"/en/my/applications/{application.pk}/").content.decode()
    for secret in ("flagged@ngo-ura.org", "plain@review.example", "Flaggedname", "Plainname", "OVERRIDE WHY"):
        assert secret not in html, secret
    assert "REVIEW COMMENT" not in html and "70.00" not in html
