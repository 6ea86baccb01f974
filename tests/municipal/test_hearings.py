"""Public hearings record attendance by community and sex: the whole table is replaced at once, bad numbers are
refused keeping the table as it was, other activities have no attendance, and totals add up across hearings."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from municipal.models import HearingAttendance
from municipal.selectors_packages import hearing_totals
from municipal.services import packages as services
from tests.factories import UserFactory
from tests.municipal.factories_packages import TAActivityFactory, TAPackageFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _table(activity):
    return {(row.community, row.sex): row.count for row in HearingAttendance.objects.filter(activity=activity)}


def test_saving_the_attendance_replaces_the_whole_table(client, officer):
    hearing = TAActivityFactory(hearing=True)
    client.force_login(officer)
    url = reverse("staff:ta_hearing_attendance", args=[hearing.pk])
    assert nested_forms(client.get(url).content.decode()) == 0
    client.post(url, {"count_albanian_female": "12", "count_albanian_male": "20", "count_serb_male": "7"})
    assert _table(hearing) == {("albanian", "female"): 12, ("albanian", "male"): 20, ("serb", "male"): 7}
    response = client.post(url, {"count_serb_female": "9", "count_roma_male": "3", "count_albanian_male": "0"})
    assert response.status_code == 302
    assert _table(hearing) == {("serb", "female"): 9, ("roma", "male"): 3}
    page = client.get(reverse("staff:ta_activity_detail", args=[hearing.pk])).content.decode()
    assert 'data-attendance-total="12"' in page and nested_forms(page) == 0
    entries = audit_entries_for(target=hearing).filter(action="municipal.hearing.attendance_set").order_by("id")
    assert [entry.data["total"] for entry in entries] == [39, 12]


@pytest.mark.parametrize("bad", ["-3", "many", "2.5"])
def test_a_negative_or_non_number_is_refused_and_the_recorded_table_stays(client, officer, bad):
    hearing = TAActivityFactory(hearing=True)
    services.hearing_attendance_set(
        actor=officer, activity=hearing, rows=[{"community": "bosniak", "sex": "female", "count": 4}]
    )
    client.force_login(officer)
    response = client.post(
        reverse("staff:ta_hearing_attendance", args=[hearing.pk]), {"count_serb_male": bad, "count_turkish_male": "6"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a whole number of people, 0 or more." in body and 'value="6"' in body
    assert _table(hearing) == {("bosniak", "female"): 4}


def test_the_service_refuses_bad_rows_all_at_once(officer):
    hearing = TAActivityFactory(hearing=True)
    services.hearing_attendance_set(
        actor=officer, activity=hearing, rows=[{"community": "serb", "sex": "male", "count": 5}]
    )
    for rows in (
        [{"community": "serb", "sex": "female", "count": 2}, {"community": "serb", "sex": "male", "count": -1}],
        [{"community": "martian", "sex": "male", "count": 2}],
        [{"community": "serb", "sex": "male", "count": 1}, {"community": "serb", "sex": "male", "count": 2}],
    ):
        with pytest.raises(ApplicationError):
            services.hearing_attendance_set(actor=officer, activity=hearing, rows=rows)
    assert _table(hearing) == {("serb", "male"): 5}


def test_attendance_is_refused_for_an_activity_that_is_not_a_hearing(client, officer):
    training = TAActivityFactory(type="staff_training")
    with pytest.raises(ApplicationError) as refused:
        services.hearing_attendance_set(
            actor=officer, activity=training, rows=[{"community": "serb", "sex": "male", "count": 5}]
        )
    assert refused.value.message == (
        "Attendance by community and sex is recorded for public consultations and hearings only."
    )
    client.force_login(officer)
    assert (
        client.post(reverse("staff:ta_hearing_attendance", args=[training.pk]), {"count_serb_male": "5"}).status_code
        == 404
    )
    assert not HearingAttendance.objects.exists()
    assert "data-hearing" not in client.get(reverse("staff:ta_activity_detail", args=[training.pk])).content.decode()


def test_a_hearing_with_attendance_cannot_become_another_type(officer):
    hearing = TAActivityFactory(hearing=True)
    services.hearing_attendance_set(
        actor=officer, activity=hearing, rows=[{"community": "serb", "sex": "male", "count": 5}]
    )
    with pytest.raises(ApplicationError) as refused:
        services.activity_save(actor=officer, package=hearing.package, data={"type": "plan_drafting"}, activity=hearing)
    assert refused.value.code == "hearing_has_attendance"


def test_hearing_totals_add_up_by_community_and_sex_across_hearings(officer):
    package = TAPackageFactory()
    first, second = TAActivityFactory(package=package, hearing=True), TAActivityFactory(package=package, hearing=True)
    other = TAActivityFactory(hearing=True)
    services.hearing_attendance_set(
        actor=officer,
        activity=first,
        rows=[
            {"community": "serb", "sex": "female", "count": 10},
            {"community": "albanian", "sex": "male", "count": 4},
        ],
    )
    services.hearing_attendance_set(
        actor=officer,
        activity=second,
        rows=[
            {"community": "serb", "sex": "female", "count": 5},
            {"community": "roma", "sex": "not_stated", "count": 2},
        ],
    )
    services.hearing_attendance_set(
        actor=officer, activity=other, rows=[{"community": "serb", "sex": "female", "count": 100}]
    )
    totals = hearing_totals(package.activities.all())
    by_community = {row["community"]: row for row in totals["rows"]}
    assert list(by_community) == ["albanian", "serb", "roma"]
    assert (by_community["serb"]["female"], by_community["serb"]["total"]) == (15, 15)
    assert by_community["roma"]["not_stated"] == 2
    assert totals["totals"] == {"female": 15, "male": 4, "not_stated": 2, "total": 21}
    assert hearing_totals([first])["totals"]["total"] == 14
