"""Technical-assistance packages and activities: recording them from the pages, dates inside the package period,
the package page's totals at a constant cost, participants found in the registry, and who may see any of it."""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from municipal.models import ActivityStatus, TAActivity, TAPackage
from municipal.selectors_packages import packages_of_municipality
from municipal.services import packages as services
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory
from tests.municipal.factories_packages import (
    DeliverableVersionFactory,
    TAActivityFactory,
    TAPackageFactory,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


PACKAGE_POST = {
    "title": "Business-friendly Gjilan",
    "starts_on": "2026-01-01",
    "ends_on": "2027-06-30",
    "objectives": "A one-stop shop for businesses.",
    "planned_activities": "Assessment, design, training.",
    "budget": "60000.00",
    "consultants": "Arben Gashi, process design\nMilica Petrović, digital services",
}


def test_an_officer_records_a_package_with_its_staff_from_the_municipality(client, officer):
    colleague = UserFactory(role=Role.ME_OFFICER, first_name="Vjosa", last_name="Berisha")
    client.force_login(officer)
    url = reverse("staff:ta_package_create", args=["gjilan"])
    assert nested_forms(client.get(url).content.decode()) == 0
    response = client.post(url, {**PACKAGE_POST, "staff": [colleague.pk]})
    package = TAPackage.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:ta_package_detail", args=[package.pk])
    assert package.municipality.code == "gjilan" and package.budget == Decimal("60000.00")
    assert list(package.staff.all()) == [colleague]
    assert audit_entries_for(target=package).get().action == "municipal.package.created"
    page = client.get(response["Location"]).content.decode()
    assert "Vjosa Berisha" in page and "Milica Petrović, digital services" in page


def test_a_period_that_ends_before_it_starts_is_refused_and_what_was_typed_is_kept(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("staff:ta_package_create", args=["gjilan"]), {**PACKAGE_POST, "ends_on": "2025-12-01"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The period must end after it starts" in body and "Business-friendly Gjilan" in body
    assert not TAPackage.objects.exists()


def test_the_package_period_cannot_shrink_to_leave_an_activity_outside(client, officer):
    activity = TAActivityFactory(starts_on=datetime.date(2027, 5, 1), ends_on=datetime.date(2027, 5, 30))
    client.force_login(officer)
    response = client.post(
        reverse("staff:ta_package_edit", args=[activity.package.pk]), {**PACKAGE_POST, "ends_on": "2026-12-31"}
    )
    assert response.status_code == 400
    assert "1 activities of this package fall outside" in response.content.decode()
    activity.package.refresh_from_db()
    assert activity.package.ends_on == datetime.date(2027, 12, 31)


def test_an_activity_dated_outside_the_package_period_is_refused_saying_the_period(client, officer):
    package = TAPackageFactory()
    client.force_login(officer)
    url = reverse("staff:ta_activity_create", args=[package.pk])
    data = {
        "type": "service_design",
        "title": "Design of the one-stop shop",
        "department": "Economic development",
        "starts_on": "2027-12-01",
        "ends_on": "2028-02-28",
        "cost": "7500",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "must lie within the package period, 01.01.2026 – 31.12.2027" in body
    assert "Design of the one-stop shop" in body
    assert not TAActivity.objects.exists()
    response = client.post(url, {**data, "ends_on": "2027-12-20"})
    activity = TAActivity.objects.get()
    assert response["Location"] == reverse("staff:ta_activity_detail", args=[activity.pk])
    assert activity.status == ActivityStatus.PLANNED and activity.cost == Decimal("7500")
    assert audit_entries_for(target=activity).get().action == "municipal.activity.created"


def test_an_accepted_activity_can_no_longer_be_changed(officer):
    activity = TAActivityFactory(accepted=True)
    with pytest.raises(ApplicationError) as refused:
        services.activity_save(actor=officer, package=activity.package, data={"cost": Decimal("1")}, activity=activity)
    assert refused.value.code == "closed"
    activity.refresh_from_db()
    assert activity.cost == Decimal("4000.00")


def test_the_package_page_compares_the_budget_with_the_cost_of_activities(client, officer):
    package = TAPackageFactory(budget=Decimal("10000"))
    TAActivityFactory(package=package, cost=Decimal("6000"), accepted=True)
    TAActivityFactory(package=package, cost=Decimal("5000"), in_progress=True)
    TAActivityFactory(package=package, cost=Decimal("9000"), cancelled=True)
    client.force_login(officer)
    response = client.get(reverse("staff:ta_package_detail", args=[package.pk]))
    body = response.content.decode()
    assert 'data-cost-total="11000.00"' in body and 'data-cost-accepted="6000.00"' in body
    assert 'data-budget-left="-1000.00"' in body and "data-over-budget" in body
    assert body.count("data-activity=") == 3 and nested_forms(body) == 0


def test_the_package_page_costs_the_same_with_many_activities(client, officer, django_assert_max_num_queries):
    package = TAPackageFactory()
    package.staff.add(officer)
    TAActivityFactory(package=package)
    client.force_login(officer)
    url = reverse("staff:ta_package_detail", args=[package.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for number in range(12):
        activity = TAActivityFactory(package=package, status=ActivityStatus.values[number % 5])
        DeliverableVersionFactory(deliverable__activity=activity)
        activity.participants.add(PersonFactory())
        package.staff.add(UserFactory(role=Role.ME_OFFICER))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-activity=") == 13


def test_the_packages_of_a_municipality_come_with_counts_and_costs_in_one_query(django_assert_num_queries):
    gjilan = Municipality.objects.get(code="gjilan")
    package = TAPackageFactory(municipality=gjilan)
    TAActivityFactory(package=package, cost=Decimal("1000"))
    TAActivityFactory(package=package, cost=Decimal("2000"), delivered=True)
    TAActivityFactory(package=package, cost=Decimal("4000"), cancelled=True)
    TAPackageFactory(municipality=Municipality.objects.get(code="gracanica"))
    with django_assert_num_queries(1):
        rows = list(packages_of_municipality(gjilan))
    assert len(rows) == 1
    row = rows[0]
    assert (row.activity_count, row.count_planned, row.count_delivered, row.count_cancelled) == (3, 1, 1, 1)
    assert (row.cost_total, row.cost_accepted) == (Decimal("3000"), Decimal("0"))


def test_the_panel_shows_only_counts_and_money_to_an_aggregate_reader(rf):
    package = TAPackageFactory(title="Secret title of a package")
    TAActivityFactory(package=package, cost=Decimal("2500"))
    context = {
        "municipality": package.municipality,
        "packages": packages_of_municipality(package.municipality),
        "may_manage": False,
        "aggregate_only": True,
    }
    html = render_to_string("municipal/packages/_panel.html", context)
    assert 'data-cost-total="2500.00"' in html and 'data-activity-count="1"' in html
    assert "Secret title" not in html and "<a " not in html
    full = render_to_string("municipal/packages/_panel.html", {**context, "aggregate_only": False, "may_manage": True})
    assert "Secret title" in full and reverse("staff:ta_package_detail", args=[package.pk]) in full
    assert reverse("staff:ta_package_create", args=[package.municipality.code]) in full


def test_municipal_staff_are_found_by_name_in_the_other_script_and_added_once(client, officer):
    person = PersonFactory(first_name="Đorđe", last_name="Jovanović")
    PersonFactory(first_name="Arta", last_name="Hoxha")
    activity = TAActivityFactory(type="staff_training")
    client.force_login(officer)
    url = reverse("staff:ta_participant_add", args=[activity.pk])
    page = client.get(url, {"q": "Ђорђе Јовановић"}).content.decode()
    assert f'data-person-choice="{person.pk}"' in page and "Hoxha" not in page and nested_forms(page) == 0
    choices = client.get(url, {"q": "jovanovic"}, HTTP_HX_REQUEST="true")
    assert f'data-person-choice="{person.pk}"' in choices.content.decode()
    response = client.post(url, {"q": "Ђорђе", "person": person.pk})
    assert response.status_code == 302 and list(activity.participants.all()) == [person]
    again = client.post(url, {"q": "Ђорђе", "person": person.pk})
    assert again.status_code == 400 and "is a participant already" in again.content.decode()
    detail = client.get(reverse("staff:ta_activity_detail", args=[activity.pk])).content.decode()
    assert f'data-participant="{person.pk}"' in detail
    client.post(reverse("staff:ta_participant_remove", args=[activity.pk, person.pk]))
    assert not activity.participants.exists()
    assert [entry.action for entry in audit_entries_for(target=activity).order_by("id")] == [
        "municipal.activity.participant_added",
        "municipal.activity.participant_removed",
    ]


@pytest.mark.parametrize("role", [Role.USAID_VIEWER, Role.FINANCE_OFFICER, Role.APPLICANT])
def test_roles_without_municipal_ta_get_404_on_every_page_and_change_nothing(client, role):
    activity = TAActivityFactory(hearing=True)
    version = DeliverableVersionFactory(deliverable__activity=activity)
    person = PersonFactory()
    activity.participants.add(person)
    package = activity.package
    client.force_login(UserFactory(role=role))
    pages = [
        reverse("staff:ta_package_create", args=[package.municipality.code]),
        reverse("staff:ta_package_detail", args=[package.pk]),
        reverse("staff:ta_package_edit", args=[package.pk]),
        reverse("staff:ta_activity_create", args=[package.pk]),
        reverse("staff:ta_activity_detail", args=[activity.pk]),
        reverse("staff:ta_activity_edit", args=[activity.pk]),
        reverse("staff:ta_activity_status", args=[activity.pk, "accept"]),
        reverse("staff:ta_deliverable_create", args=[activity.pk]),
        reverse("staff:ta_deliverable_version_create", args=[version.deliverable.pk]),
        reverse("staff:ta_deliverable_version_download", args=[version.pk]),
        reverse("staff:ta_participant_add", args=[activity.pk]),
        reverse("staff:ta_hearing_attendance", args=[activity.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("staff:ta_package_edit", args=[package.pk]), PACKAGE_POST),
        (reverse("staff:ta_activity_status", args=[activity.pk, "start"]), {}),
        (reverse("staff:ta_participant_remove", args=[activity.pk, person.pk]), {}),
        (reverse("staff:ta_hearing_attendance", args=[activity.pk]), {"count_serb_female": "5"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    package.refresh_from_db()
    activity.refresh_from_db()
    assert package.title != PACKAGE_POST["title"] and activity.status == ActivityStatus.PLANNED
    assert activity.participants.exists() and not activity.hearing_attendance.exists()


def test_every_page_opens_for_an_officer_with_well_formed_forms(client, officer):
    activity = TAActivityFactory(hearing=True, delivered=True)
    version = DeliverableVersionFactory(deliverable__activity=activity)
    package = activity.package
    client.force_login(officer)
    pages = [
        reverse("staff:ta_package_create", args=[package.municipality.code]),
        reverse("staff:ta_package_detail", args=[package.pk]),
        reverse("staff:ta_package_edit", args=[package.pk]),
        reverse("staff:ta_activity_create", args=[package.pk]),
        reverse("staff:ta_activity_detail", args=[activity.pk]),
        reverse("staff:ta_activity_edit", args=[activity.pk]),
        reverse("staff:ta_activity_status", args=[activity.pk, "accept"]),
        reverse("staff:ta_activity_status", args=[activity.pk, "reopen"]),
        reverse("staff:ta_activity_status", args=[activity.pk, "cancel"]),
        reverse("staff:ta_deliverable_create", args=[activity.pk]),
        reverse("staff:ta_deliverable_version_create", args=[version.deliverable.pk]),
        reverse("staff:ta_participant_add", args=[activity.pk]),
        reverse("staff:ta_hearing_attendance", args=[activity.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url
    assert client.get(reverse("staff:ta_activity_status", args=[activity.pk, "explode"])).status_code == 404
    edit = client.get(reverse("staff:ta_package_edit", args=[package.pk])).content.decode()
    assert package.title in edit and 'value="2026-01-01"' in edit
