"""Named employees: added through the person picker, ended with a last day, shown on the profile with their
trainings; refusals keep what was typed and change nothing."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from businesses.models import BusinessEmployee, EmploymentType
from businesses.services import business_employee_add, business_employee_end
from core.errors import ApplicationError
from core.models import AuditEntry
from tests.businesses.factories import BusinessFactory
from tests.factories import PersonFactory, UserFactory
from tests.test_html_forms import nested_forms
from tests.trainings.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db
SINCE = datetime.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _add(officer, business, person, started_on=SINCE):
    return business_employee_add(
        actor=officer,
        business=business,
        person=person,
        position="Baker",
        employment_type=EmploymentType.FULL_TIME,
        started_on=started_on,
    )


def test_an_employee_is_added_through_the_picker_and_their_training_shows_on_the_profile(client, officer):
    business = BusinessFactory()
    besa = PersonFactory(first_name="Besa", last_name="Gashi")
    EnrolmentFactory(person=besa, event__course__title_en="Marketing for bakers")
    client.force_login(officer)
    url = reverse("staff:business_employee_add", args=[business.pk])
    page = client.get(url, {"q": "gashi"}).content.decode()
    assert f'value="{besa.pk}"' in page and not nested_forms(page)

    response = client.post(
        url,
        {
            "q": "gashi",
            "person": besa.pk,
            "position": "Baker",
            "employment_type": "part_time",
            "started_on": "2025-03-01",
        },
    )

    assert response.status_code == 302
    employee = BusinessEmployee.objects.get(business=business)
    assert (employee.person, employee.employment_type, employee.started_on) == (besa, "part_time", SINCE)
    assert AuditEntry.objects.filter(action="businesses.employee.added", object_id=str(business.pk)).count() == 1
    html = client.get(reverse("staff:business_detail", args=[business.pk])).content.decode()
    assert f'data-employee="{employee.pk}"' in html and "Marketing for bakers" in html


def test_a_refused_employee_keeps_what_was_typed_and_saves_nothing(client, officer):
    business = BusinessFactory()
    besa = PersonFactory(first_name="Besa", last_name="Gashi")
    client.force_login(officer)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("staff:business_employee_add", args=[business.pk]),
        {
            "q": "gashi",
            "person": besa.pk,
            "position": "Head baker",
            "employment_type": "full_time",
            "started_on": tomorrow,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "cannot start in the future" in html and 'value="Head baker"' in html
    assert re.search(rf'value="{besa.pk}"[^>]*checked', html)
    assert not BusinessEmployee.objects.exists()


def test_someone_employed_now_cannot_be_added_twice_but_again_after_the_spell_ended(officer):
    business = BusinessFactory()
    besa = PersonFactory()
    first = _add(officer, business, besa)
    with pytest.raises(ApplicationError) as refused:
        _add(officer, business, besa, started_on=datetime.date(2025, 6, 1))
    assert refused.value.code == "employee_exists"

    business_employee_end(actor=officer, employee=first, ended_on=datetime.date(2025, 8, 31))
    with pytest.raises(ApplicationError) as overlap:
        _add(officer, business, besa, started_on=datetime.date(2025, 8, 1))
    assert overlap.value.code == "employee_overlap"
    _add(officer, business, besa, started_on=datetime.date(2025, 10, 1))
    assert business.employees.count() == 2


def test_the_last_day_cannot_precede_the_start_and_a_second_end_changes_nothing(client, officer):
    business = BusinessFactory()
    employee = _add(officer, business, PersonFactory())
    client.force_login(officer)
    url = reverse("staff:business_employee_end", args=[business.pk, employee.pk])

    response = client.post(url, {"ended_on": "2025-01-31"})
    assert response.status_code == 400 and "cannot be before the employment started" in response.content.decode()
    employee.refresh_from_db()
    assert employee.ended_on is None

    assert client.post(url, {"ended_on": "2025-12-31"}).status_code == 302
    assert client.post(url, {"ended_on": "2026-01-31"}).status_code == 302
    employee.refresh_from_db()
    assert employee.ended_on == datetime.date(2025, 12, 31)
    assert AuditEntry.objects.filter(action="businesses.employee.ended").count() == 1


def test_an_employment_of_another_business_and_roles_without_businesses_answer_404(client, officer):
    business, other = BusinessFactory(), BusinessFactory()
    employee = _add(officer, other, PersonFactory())
    client.force_login(officer)
    assert client.get(reverse("staff:business_employee_end", args=[business.pk, employee.pk])).status_code == 404
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert client.get(reverse("staff:business_employee_add", args=[business.pk])).status_code == 404
    response = client.post(
        reverse("staff:business_employee_end", args=[other.pk, employee.pk]), {"ended_on": "2025-12-31"}
    )
    employee.refresh_from_db()
    assert response.status_code == 404 and employee.ended_on is None


def test_the_success_message_is_in_the_language_of_the_page(client, officer):
    business = BusinessFactory()
    person = PersonFactory(first_name="Besa", last_name="Gashi")
    client.force_login(officer)
    with translation.override("en"):
        url = reverse("staff:business_owner_add", args=[business.pk])
    response = client.post(url, {"q": "gashi", "person": person.pk, "share_percent": "100"}, follow=True)
    assert "The owner was added." in response.content.decode()
    other = BusinessFactory()
    with translation.override("sq"):
        url = reverse("staff:business_owner_add", args=[other.pk])
    response = client.post(url, {"q": "gashi", "person": person.pk, "share_percent": "100"}, follow=True)
    html = response.content.decode()
    assert "The owner was added." not in html and 'lang="sq"' in html
