import pytest

from accounts.permissions import can_view_personal_data
from accounts.roles import Role
from tests.factories import PersonFactory, UserFactory

MAY_SEE_PERSONAL_DATA = {Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER, Role.ADMIN}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_only_the_roles_that_need_it_see_personal_data(role):
    person = PersonFactory()
    assert can_view_personal_data(UserFactory(role=role), person) is (role in MAY_SEE_PERSONAL_DATA)


@pytest.mark.django_db
def test_a_person_sees_their_own_personal_data():
    user = UserFactory(role=Role.APPLICANT)
    assert can_view_personal_data(user, PersonFactory(user=user))
    assert not can_view_personal_data(user, PersonFactory())


@pytest.mark.django_db
def test_a_superuser_counts_as_administrator():
    from django.contrib.auth.models import AnonymousUser

    assert can_view_personal_data(UserFactory(is_superuser=True), PersonFactory())
    assert not can_view_personal_data(AnonymousUser(), PersonFactory())
