"""The list of partner municipalities and each municipality's page: totals against the records behind them, who sees
what (USAID's viewer numbers only; applicants and reviewers 404), and a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from core.choices import Community, Component, Sex
from grants.models import GrantStatus, InfrastructureProject, InfrastructureUse, InstrumentType
from municipal.models import ActivityStatus, MeasureKind, ServiceMeasure
from municipal.selectors import municipalities_summary, municipality_overview
from municipalities.models import FocalPerson, Municipality
from tests.businesses.factories import BusinessFactory, BusinessOwnerFactory
from tests.factories import PersonFactory, UserFactory
from tests.grants.closeout_factories import delivery, pay
from tests.municipal.factories_overview import (
    ActivityFactory,
    HearingAttendanceFactory,
    HearingFactory,
    OverviewMemorandumFactory,
    PackageFactory,
    ServiceFactory,
    grant_in,
)
from tests.test_html_forms import nested_forms
from tests.trainings.factories import EnrolmentFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def places():
    return Municipality.objects.get(code="gjilan"), Municipality.objects.get(code="peje")


def _page(municipality):
    return reverse("staff:municipality_detail", args=[municipality.code])


def _programme(place, other):
    """Grants, businesses, trainings, TA and hearings in `place`, and some of each in `other` that must not count."""
    civic = grant_in(place, Component.CIVIC_ENGAGEMENT, amount=Decimal("10000.00"), with_plan=True)
    pay(civic.tranches.get(number=1))  # 5,000 paid
    project = InfrastructureProject.objects.create(
        grant=civic, kind="road", settlement="Malishevë e Gjilanit", municipal_cofunding=Decimal("2000.00")
    )
    InfrastructureUse.objects.create(project=project, community=Community.ALBANIAN, expected_users=300)
    in_kind = grant_in(
        place,
        Component.BUSINESS_DEVELOPMENT,
        status=GrantStatus.COMPLETED,
        amount=Decimal("8000.00"),
        instrument=InstrumentType.IN_KIND,
    )
    delivery(in_kind, "1500.00")
    grant_in(place, Component.MUNICIPAL_DEVELOPMENT, status=GrantStatus.AWAITING_SIGNATURE, amount=Decimal("20000"))
    elsewhere = grant_in(other, Component.CIVIC_ENGAGEMENT, amount=Decimal("30000.00"), with_plan=True)
    pay(elsewhere.tranches.get(number=1))

    trainee_owner = PersonFactory(first_name="Vjosa", last_name="Hoxha", sex=Sex.FEMALE)
    trainee = PersonFactory(sex=Sex.MALE, community=Community.ROMA)
    municipal_staff = PersonFactory(sex=Sex.MALE, community=Community.SERB)
    outsider = PersonFactory(community=Community.BOSNIAK)

    BusinessOwnerFactory(person=trainee_owner, business=BusinessFactory(municipality=place, registered=True))
    BusinessFactory(municipality=place)
    BusinessOwnerFactory(person=outsider, business=BusinessFactory(municipality=other))

    event = EventFactory(municipality=place, held=True)
    EnrolmentFactory(event=event, person=trainee_owner, completed=True)
    EnrolmentFactory(event=event, person=trainee)
    EnrolmentFactory(event=EventFactory(municipality=other), person=outsider, completed=True)

    activity = ActivityFactory(package=PackageFactory(municipality=place), status=ActivityStatus.ACCEPTED)
    activity.participants.add(municipal_staff, trainee_owner)
    hearing = HearingFactory(package=activity.package)
    HearingAttendanceFactory(activity=hearing, community=Community.ALBANIAN, sex=Sex.FEMALE, count=10)
    HearingAttendanceFactory(activity=hearing, community=Community.SERB, sex=Sex.MALE, count=7)
    HearingAttendanceFactory(activity=HearingFactory(package=PackageFactory(municipality=other)), count=50)
    OverviewMemorandumFactory(municipality=place)
    return {"civic": civic, "trainee_owner": trainee_owner}


def test_the_page_counts_only_this_municipalitys_records_and_each_person_once(client, places):
    place, other = places
    _programme(place, other)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    response = client.get(_page(place))
    assert response.status_code == 200
    overview = response.context

    money = overview["money"]
    assert [(row.component, row.grants) for row in money.rows] == [
        (Component.CIVIC_ENGAGEMENT, 1),
        (Component.BUSINESS_DEVELOPMENT, 1),
        (Component.MUNICIPAL_DEVELOPMENT, 1),
    ]
    # Committed: active and completed grants only (the grant awaiting signature is not committed yet).
    assert money.committed == Decimal("18000.00")
    assert money.of(Component.MUNICIPAL_DEVELOPMENT).committed == 0
    # Paid: the payment of the cash grant and the delivery of the in-kind one; nothing of the other municipality.
    assert money.of(Component.CIVIC_ENGAGEMENT).paid == Decimal("5000.00")
    assert money.of(Component.BUSINESS_DEVELOPMENT).paid == Decimal("1500.00")
    assert money.paid == Decimal("6500.00")
    assert (money.ceiling, money.pledge) == (Decimal("150000.00"), Decimal("37500.00"))
    assert [(p.settlement, p.expected) for p in overview["infrastructure"]] == [("Malishevë e Gjilanit", 300)]

    assert (overview["businesses"]["total"], overview["businesses"]["registered"]) == (2, 1)
    trainings = overview["trainings"]
    assert (trainings["events"], trainings["participants"], trainings["completers"]) == (1, 2, 1)
    # Trainee + owner + TA participant is one person; the trainee, the municipal staff member: three in all.
    people = overview["people"]
    assert people["total"] == 3
    assert dict(people["sex"])[Sex.FEMALE.label] == 1 and dict(people["sex"])[Sex.MALE.label] == 2
    assert dict(people["community"]) == {
        Community.ALBANIAN.label: 1,
        Community.SERB.label: 1,
        Community.ROMA.label: 1,
    }
    sexes = list(Sex.values)
    cross = {label: dict(zip(sexes, counts, strict=True)) for label, counts, _total in people["community_sex"]}
    assert cross[Community.ALBANIAN.label][Sex.FEMALE] == 1 and cross[Community.ROMA.label][Sex.MALE] == 1
    assert cross[Community.SERB.label] == {Sex.FEMALE: 0, Sex.MALE: 1, Sex.NOT_STATED: 0}
    hearings = overview["hearings"]
    assert (hearings.total, hearings.hearings) == (17, 1)
    assert hearings.cells == {(Community.ALBANIAN, Sex.FEMALE): 10, (Community.SERB, Sex.MALE): 7}

    html = response.content.decode()
    assert f'href="/en/staff/grants/?municipality={place.code}&amp;component=civic_engagement"' in html
    assert f'href="/en/staff/businesses/?municipality={place.pk}"' in html
    assert f'href="/en/staff/trainings/?municipality={place.pk}"' in html
    assert nested_forms(html) == 0


def test_the_numbers_link_to_lists_that_show_the_same_records(client, places):
    place, other = places
    _programme(place, other)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    overview = client.get(_page(place)).context
    grants = client.get(reverse("staff:grants_list"), {"municipality": place.code})
    businesses = client.get(reverse("staff:businesses_list"), {"municipality": place.pk})
    events = client.get(reverse("staff:training_events"), {"municipality": place.pk})
    assert grants.context["page_obj"].paginator.count == overview["money"].grants == 3
    assert businesses.context["page_obj"].paginator.count == overview["businesses"]["total"]
    assert events.context["page_obj"].paginator.count == overview["trainings"]["events"]


def test_usaid_viewer_reads_numbers_without_names_links_or_documents(client, places):
    place, other = places
    records = _programme(place, other)
    grantee = str(records["civic"].application.person)
    FocalPerson.objects.create(municipality=place, name="Teuta Ismaili", position="Director of Economic Development")
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    officer_html = client.get(_page(place)).content.decode()
    assert grantee in officer_html and records["civic"].number in officer_html
    assert "Teuta Ismaili" in officer_html

    client.force_login(UserFactory(role=Role.USAID_VIEWER))
    response = client.get(_page(place))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["aggregate_only"] is True
    assert response.context["money"].committed == Decimal("18000.00")
    assert grantee not in html and "Teuta Ismaili" not in html
    assert records["civic"].number not in html
    assert "Malishevë e Gjilanit" not in html
    for target in ("/staff/grants/", "/staff/businesses/", "/staff/trainings/", "/staff/people/", "/file/"):
        assert target not in html, target


def test_finance_officer_gets_links_only_to_lists_they_may_open(client, places):
    place, other = places
    _programme(place, other)
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    html = client.get(_page(place)).content.decode()
    assert f"/en/staff/grants/?municipality={place.code}" in html
    assert "/staff/businesses/" not in html and "/staff/trainings/" not in html


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER])
def test_applicants_and_reviewers_get_404(client, places, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("staff:municipalities_list")).status_code == 404
    assert client.get(_page(places[0])).status_code == 404


def test_an_unknown_or_non_partner_municipality_is_404(client):
    Municipality.objects.filter(code="peje").update(is_partner=False)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    assert client.get(reverse("staff:municipality_detail", args=["peje"])).status_code == 404
    assert client.get(reverse("staff:municipality_detail", args=["nowhere"])).status_code == 404


def _more_of_everything(place, other, n):
    for index in range(n):
        grant_in(place, Component.BUSINESS_DEVELOPMENT, amount=Decimal("1000.00"))
        business = BusinessFactory(municipality=place)
        BusinessOwnerFactory(business=business, person=PersonFactory())
        EnrolmentFactory(event=EventFactory(municipality=place), person=PersonFactory(), completed=index % 2 == 0)
        activity = ActivityFactory(package=PackageFactory(municipality=place))
        activity.participants.add(PersonFactory())
        HearingAttendanceFactory(activity=HearingFactory(package=activity.package))
        ServiceFactory(municipality=place)
        OverviewMemorandumFactory(
            municipality=other,
            starts_on=datetime.date(2000 + 2 * index, 1, 1),
            ends_on=datetime.date(2001 + 2 * index, 1, 1),
        )


def test_the_page_costs_the_same_number_of_queries_with_one_or_many_records(
    client, places, django_assert_max_num_queries
):
    place, other = places
    _programme(place, other)
    ServiceFactory(municipality=place)  # the tracker skips loading measures when there is no service at all
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    client.get(_page(place))  # session and permission caches warm
    with CaptureQueriesContext(connection) as small:
        assert client.get(_page(place)).status_code == 200
    _more_of_everything(place, other, 12)
    with django_assert_max_num_queries(len(small)):
        response = client.get(_page(place))
    assert response.context["money"].grants == 3 + 12
    assert response.context["trainings"]["participants"] == 2 + 12


def test_the_selector_alone_uses_a_fixed_number_of_queries(places, django_assert_max_num_queries):
    place, other = places
    _programme(place, other)
    with CaptureQueriesContext(connection) as small:
        municipality_overview(place)
    _more_of_everything(place, other, 10)
    with django_assert_max_num_queries(len(small)):
        overview = municipality_overview(place)
    assert overview["businesses"]["total"] == 2 + 10


def _improved_service(place):
    service = ServiceFactory(municipality=place)
    recorder = UserFactory(role=Role.PROGRAMME_OFFICER)
    ServiceMeasure.objects.create(
        service=service,
        kind=MeasureKind.PROCESSING_DAYS,
        measured_on=datetime.date(2026, 1, 10),
        value=Decimal("30"),
        is_baseline=True,
        recorded_by=recorder,
    )
    ServiceMeasure.objects.create(
        service=service,
        kind=MeasureKind.PROCESSING_DAYS,
        measured_on=datetime.date(2026, 6, 10),
        value=Decimal("12"),
        evidence=ContentFile(b"%PDF-1.4\n%%EOF\n", name="register.pdf"),
        evidence_name="register.pdf",
        recorded_by=recorder,
    )
    return service


def test_the_list_shows_all_16_with_their_figures(client, places):
    place, other = places
    _programme(place, other)
    ActivityFactory(package=PackageFactory(municipality=place), status=ActivityStatus.CANCELLED)
    ActivityFactory(package=PackageFactory(municipality=place), status=ActivityStatus.IN_PROGRESS)
    _improved_service(place)
    ServiceFactory(municipality=place)
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse("staff:municipalities_list"))
    assert response.status_code == 200
    rows = [row for _label, rows in response.context["groups"] for row in rows]
    assert len(rows) == 16 and len(response.context["groups"]) == 3
    row = next(row for row in rows if row.municipality == place)
    assert (row.mou_status, row.grants, row.businesses, row.trainings) == ("signed", 3, 2, 1)
    # Accepted of all but the cancelled: the accepted activity, the delivered hearing and the one in progress.
    assert (row.activities_accepted, row.activities) == (1, 3)
    assert (row.services_improved, row.services) == (1, 2)
    other_row = next(row for row in rows if row.municipality == other)
    assert (other_row.mou_status, other_row.grants) == ("", 1)
    html = response.content.decode()
    assert html.count('href="/en/staff/municipalities/') >= 16
    assert nested_forms(html) == 0


def test_the_list_costs_the_same_number_of_queries_for_few_or_many_records(
    client, places, django_assert_max_num_queries
):
    place, other = places
    ServiceFactory(municipality=place)  # the tracker skips loading measures when there is no service at all
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    client.get(reverse("staff:municipalities_list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("staff:municipalities_list"))
    _programme(place, other)
    _more_of_everything(place, other, 8)
    for municipality in Municipality.objects.all():
        OverviewMemorandumFactory(
            municipality=municipality, starts_on=datetime.date(2029, 1, 1), ends_on=datetime.date(2030, 1, 1)
        )
        _improved_service(municipality)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("staff:municipalities_list"))
    assert sum(row.services for _label, rows in response.context["groups"] for row in rows) >= 16 + 8


def test_summary_counts_equal_the_records(places):
    place, other = places
    _programme(place, other)
    summary = {row.municipality.code: row for row in municipalities_summary()}
    assert summary[place.code].grants == 3 and summary[other.code].grants == 1
    assert summary[other.code].businesses == 1 and summary[other.code].trainings == 1


def test_the_staff_start_page_links_to_the_municipalities(client):
    client.force_login(UserFactory(role=Role.USAID_VIEWER))
    html = client.get(reverse("staff:home")).content.decode()
    assert reverse("staff:municipalities_list") in html
