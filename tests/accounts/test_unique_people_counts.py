"""People are counted once however often they appear: in two trainings, as owner of two firms, or as two records
merged into one. These are the counts the indicators read."""

import datetime

import pytest

from accounts.selectors_people import age_band_of_year, people_breakdown
from accounts.services_people import person_merge
from businesses.models import BusinessOwner
from businesses.selectors_counts import business_owners, owned_by
from core.choices import AgeBand, Community, Sex
from tests.businesses.factories import BusinessFactory, BusinessOwnerFactory
from tests.factories import PersonFactory, UserFactory
from tests.trainings.factories import AttendanceFactory, EnrolmentFactory, EventFactory, SessionFactory
from trainings.models import Attendance, Enrolment
from trainings.selectors_counts import trained_people

ON = datetime.date(2026, 6, 30)


@pytest.mark.django_db
def test_someone_trained_twice_counts_once_and_the_period_filters_by_event_start():
    arta = PersonFactory(sex=Sex.FEMALE, birth_date=datetime.date(2001, 2, 3))
    milan = PersonFactory(first_name="Milan", sex=Sex.MALE, community=Community.SERB, birth_date=None, birth_year=1970)
    spring = EventFactory(open=True, start_date=datetime.date(2026, 4, 6), end_date=datetime.date(2026, 4, 10))
    autumn = EventFactory(open=True, start_date=datetime.date(2026, 10, 5), end_date=datetime.date(2026, 10, 9))
    EnrolmentFactory(event=spring, person=arta, completed=True)
    EnrolmentFactory(event=autumn, person=arta)
    EnrolmentFactory(event=autumn, person=milan, completed=True)

    life = people_breakdown(trained_people(), on_day=ON)
    assert life["total"] == 2
    assert life["sex"][Sex.FEMALE] == 1 and life["sex"][Sex.MALE] == 1
    assert life["age_band"][AgeBand.YOUTH] == 1 and life["age_band"][AgeBand.ADULT] == 1
    assert life["community"][Community.SERB] == 1 and life["community"][Community.ALBANIAN] == 1
    assert life["community_sex"] == {(Community.SERB, Sex.MALE): 1, (Community.ALBANIAN, Sex.FEMALE): 1}

    first_half = trained_people(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
    assert list(first_half) == [arta]
    assert set(trained_people(completed_only=True)) == {arta, milan}
    assert list(trained_people(start=datetime.date(2026, 7, 1), completed_only=True)) == [milan]


@pytest.mark.django_db
def test_two_records_of_one_trainee_count_twice_until_merged_then_once_with_every_link_kept():
    officer = UserFactory(role="programme_officer")
    latin = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=datetime.date(1999, 1, 2))
    cyrillic = PersonFactory(first_name="Ђорђе", last_name="Јовановић", birth_date=datetime.date(1999, 1, 2))
    spring = EventFactory(open=True)
    autumn = EventFactory(open=True, start_date=datetime.date(2026, 10, 5), end_date=datetime.date(2026, 10, 9))
    session = SessionFactory(event=autumn)
    EnrolmentFactory(event=spring, person=latin)
    autumn_enrolment = EnrolmentFactory(event=autumn, person=cyrillic)
    AttendanceFactory(session=session, enrolment=autumn_enrolment, present=True)
    firm = BusinessFactory()
    BusinessOwnerFactory(business=firm, person=cyrillic, share_percent=100)
    assert people_breakdown(trained_people())["total"] == 2

    person_merge(actor=officer, keep=latin, merge=cyrillic)

    assert people_breakdown(trained_people())["total"] == 1
    assert set(Enrolment.objects.filter(person=latin).values_list("event_id", flat=True)) == {spring.pk, autumn.pk}
    assert Attendance.objects.get(session=session).enrolment.person_id == latin.pk
    assert BusinessOwner.objects.get(business=firm).person_id == latin.pk


@pytest.mark.django_db
def test_an_owner_of_two_firms_counts_once_and_a_firm_with_two_women_owners_once():
    hana = PersonFactory(sex=Sex.FEMALE, birth_date=datetime.date(2000, 1, 1))
    vesna = PersonFactory(
        first_name="Vesna", sex=Sex.FEMALE, community=Community.SERB, birth_date=datetime.date(1980, 1, 1)
    )
    bakery, shop, garage = BusinessFactory(), BusinessFactory(), BusinessFactory()
    BusinessOwnerFactory(business=bakery, person=hana, share_percent=50)
    BusinessOwnerFactory(business=bakery, person=vesna, share_percent=50)
    BusinessOwnerFactory(business=shop, person=hana, share_percent=100)
    BusinessOwnerFactory(business=garage, person=PersonFactory(sex=Sex.MALE, birth_date=datetime.date(1960, 1, 1)))

    assert people_breakdown(business_owners())["total"] == 3
    assert people_breakdown(business_owners(businesses=[bakery, shop]))["sex"][Sex.FEMALE] == 2
    assert set(owned_by(sex=Sex.FEMALE)) == {bakery, shop}
    assert owned_by(sex=Sex.FEMALE).count() == 2
    assert set(owned_by(youth=True)) == {bakery, shop}


def test_age_bands_follow_the_donors_limits():
    assert age_band_of_year(None, ON) == AgeBand.NOT_KNOWN
    assert age_band_of_year(2012, ON) == AgeBand.UNDER_15
    assert age_band_of_year(2011, ON) == AgeBand.YOUTH
    assert age_band_of_year(1997, ON) == AgeBand.YOUTH
    assert age_band_of_year(1996, ON) == AgeBand.ADULT
    assert age_band_of_year(1961, ON) == AgeBand.SENIOR
