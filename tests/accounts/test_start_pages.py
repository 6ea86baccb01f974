import pytest

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

START_PAGES = {
    "my": {Role.APPLICANT},
    "review": {Role.REVIEWER},
    "staff": {
        Role.PROGRAMME_OFFICER,
        Role.ME_OFFICER,
        Role.FINANCE_OFFICER,
        Role.MANAGER,
        Role.USAID_VIEWER,
        Role.ADMIN,
    },
}


def _cases():
    for page, allowed in START_PAGES.items():
        for role in Role:
            yield page, role, role in allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role", "allowed"), list(_cases()))
def test_each_start_page_opens_for_its_roles_only_and_is_404_for_the_others(client, page, role, allowed):
    client.force_login(UserFactory(role=role))
    response = client.get(f"/en/{page}/")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(START_PAGES))
def test_start_pages_are_404_for_visitors(client, page):
    assert client.get(f"/en/{page}/").status_code == 404


@pytest.mark.django_db
def test_a_user_without_any_role_sees_no_start_page(client):
    client.force_login(UserFactory())
    assert [client.get(f"/en/{page}/").status_code for page in START_PAGES] == [404, 404, 404]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.APPLICANT, "/sq/my/"),
        (Role.REVIEWER, "/sq/review/"),
        (Role.FINANCE_OFFICER, "/sq/staff/"),
        (Role.USAID_VIEWER, "/sq/staff/"),
    ],
)
def test_after_log_in_each_role_lands_on_its_own_start_page(client, role, landing):
    user = UserFactory(role=role)
    response = client.post("/sq/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == landing
    assert response.status_code == 200


@pytest.mark.django_db
def test_staff_start_page_shows_counts_without_a_query_per_row(client, django_assert_max_num_queries):
    from tests.factories import PersonFactory

    client.force_login(UserFactory(role=Role.MANAGER))
    with django_assert_max_num_queries(200) as empty:
        client.get("/en/staff/")
    PersonFactory.create_batch(30)
    # The page (with the managers' dashboard) costs the same whether the registry holds 0 people or 30.
    with django_assert_max_num_queries(len(empty.captured_queries)):
        response = client.get("/en/staff/")
    assert response.context["counts"]["people"] == 30
