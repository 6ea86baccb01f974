"""Civic-engagement calculations against hand-built data with known answers: unique people in joint activities and
those taking part for the first time, small infrastructure completed, civil-society organisations supported.

FY2026 runs from 1 October 2025 to 30 September 2026, FY2027 from 1 October 2026: a record dated 30 September 2026
counts in FY2026 and one dated 1 October 2026 in FY2027.
"""

import datetime

import pytest

from accounts.models import OrganisationType
from core.choices import Community, Component, Sex
from grants.models import GrantStatus, InfrastructureType
from municipal.models import ActivityStatus
from reports.calculations import get
from reports.calculations.base import NOT_KNOWN
from reports.periods import Period
from reports.records import RECORD_KINDS
from tests.factories import OrganisationFactory
from tests.reports.factories_civic import (
    at,
    civic_grant,
    infrastructure,
    municipality,
    person,
    ta_activity,
    terminate,
    training,
)

pytestmark = pytest.mark.django_db

FY2026 = Period.fiscal_year(2026)
FY2027 = Period.fiscal_year(2027)
LAST_DAY_FY2026 = datetime.date(2026, 9, 30)
FIRST_DAY_FY2027 = datetime.date(2026, 10, 1)


def parts(figure, dimension):
    return {part.code: part.value for part in figure.breakdowns[dimension]}


def pks(queryset):
    return set(queryset.values_list("pk", flat=True))


def assert_breakdowns_add_up(figure):
    for dimension, found in figure.breakdowns.items():
        assert sum(part.value for part in found) == figure.value, dimension
        assert NOT_KNOWN in {part.code for part in found}, dimension


# --- People in joint activities --------------------------------------------------------------------------------
@pytest.fixture
def joint():
    """Arta (Albanian woman, born 1990) and Bojan (Serb man, born 2000) train together in March and again on the last
    day of FY2026 with Cene, who stated neither sex nor community, has no year of birth and no municipality. Drita
    (Albanian) only trains with other Albanians (and a person who did not state a community): not joint; her TA
    activity with a Serb was cancelled. On the first day of FY2027 Arta, Drita and Elvis (Roma) share a TA activity."""
    arta = person(Community.ALBANIAN, Sex.FEMALE, 1990, first_name="Arta")
    bojan = person(Community.SERB, Sex.MALE, 2000, first_name="Bojan")
    cene = person(Community.NOT_STATED, Sex.NOT_STATED, None, None, first_name="Cene")
    drita = person(Community.ALBANIAN, Sex.FEMALE, 1985, first_name="Drita")
    elvis = person(Community.ROMA, Sex.MALE, 1999, first_name="Elvis")
    fatos = person(Community.ALBANIAN, Sex.MALE, 1980, first_name="Fatos")
    goran = person(Community.SERB, Sex.MALE, 1975, first_name="Goran")
    hidden = person(Community.NOT_STATED, Sex.FEMALE, 1970, first_name="Hana")
    training(datetime.date(2026, 3, 2), arta, bojan)
    training(LAST_DAY_FY2026, arta, bojan, cene)
    training(datetime.date(2026, 5, 4), drita, fatos, hidden)
    ta_activity(datetime.date(2026, 6, 1), drita, goran, status=ActivityStatus.CANCELLED)
    ta_activity(FIRST_DAY_FY2027, arta, drita, elvis)
    return {"arta": arta, "bojan": bojan, "cene": cene, "drita": drita, "elvis": elvis}


def test_joint_activity_people_are_counted_once_each_and_by_fiscal_year(joint):
    calc = get("joint_activity_people")
    assert calc.compute(FY2026).value == 3
    assert pks(calc.records_for(FY2026)) == {joint["arta"].pk, joint["bojan"].pk, joint["cene"].pk}
    assert calc.compute(FY2027).value == 3
    assert pks(calc.records_for(FY2027)) == {joint["arta"].pk, joint["drita"].pk, joint["elvis"].pk}
    assert calc.compute(Period.fiscal_quarter(2026, 2)).value == 2  # January–March: the first training only
    assert calc.compute(Period.fiscal_quarter(2026, 3)).value == 0  # Drita's training is not joint


def test_joint_activity_breakdowns_add_up_with_not_known(joint):
    figure = get("joint_activity_people").compute(FY2026, dimensions=("sex", "age_band", "community", "municipality"))
    assert_breakdowns_add_up(figure)
    assert parts(figure, "sex") == {Sex.FEMALE: 1, Sex.MALE: 1, NOT_KNOWN: 1}
    assert parts(figure, "age_band") == {"15_29": 1, "30_plus": 1, "under_15": 0, NOT_KNOWN: 1}
    community = parts(figure, "community")
    assert (community[Community.ALBANIAN], community[Community.SERB], community[Community.NOT_STATED]) == (1, 1, 1)
    assert parts(figure, "municipality")["gjilan"] == 2 and parts(figure, "municipality")[NOT_KNOWN] == 1


def test_joint_activity_drill_down_matches_the_female_part(joint):
    calc = get("joint_activity_people")
    figure = calc.compute(FY2026, dimensions=("sex",))
    women = calc.records_for(FY2026, [("sex", "female")])
    assert pks(women) == {joint["arta"].pk}
    assert women.count() == parts(figure, "sex")[Sex.FEMALE]
    assert calc.compute(FY2026, filters=[("sex", "female")]).value == 1


def test_first_time_counts_people_only_in_the_period_of_their_first_joint_activity(joint):
    calc = get("first_time_cross_community")
    assert calc.compute(FY2026).value == 3
    assert calc.compute(Period.fiscal_quarter(2026, 2)).value == 2  # Arta and Bojan
    assert pks(calc.records_for(Period.fiscal_quarter(2026, 4))) == {joint["cene"].pk}  # the others came in Q2
    assert pks(calc.records_for(FY2027)) == {joint["drita"].pk, joint["elvis"].pk}  # Arta came back, not new
    figure = calc.compute(FY2027, dimensions=("sex", "age_band", "community", "municipality"))
    assert_breakdowns_add_up(figure)
    assert parts(figure, "sex") == {Sex.FEMALE: 1, Sex.MALE: 1, NOT_KNOWN: 0}
    assert pks(calc.records_for(FY2027, [("sex", "female")])) == {joint["drita"].pk}


# --- Small infrastructure ----------------------------------------------------------------------------------------
@pytest.fixture
def projects():
    last_evening = datetime.datetime(2026, 9, 30, 23, 30, tzinfo=at(2026, 9, 30).tzinfo)
    first_morning = datetime.datetime(2026, 10, 1, 0, 30, tzinfo=at(2026, 10, 1).tzinfo)
    return {
        "water": infrastructure(last_evening),
        "road": infrastructure(first_morning, kind=InfrastructureType.ROAD, municipality_code="gracanica"),
        "unfinished": infrastructure(None),
        "closed": infrastructure(at(2026, 5, 4), kind=InfrastructureType.OTHER, status=GrantStatus.CLOSED),
        "nowhere": infrastructure(at(2026, 2, 1), kind=InfrastructureType.SCHOOL, municipality_code=None),
    }


def test_infrastructure_counts_projects_by_the_day_their_grant_was_completed(projects):
    calc = get("infrastructure_completed")
    assert pks(calc.records_for(FY2026)) == {projects[key].pk for key in ("water", "closed", "nowhere")}
    assert pks(calc.records_for(FY2027)) == {projects["road"].pk}
    assert calc.compute(FY2027).value == 1
    assert calc.compute(Period.fiscal_quarter(2026, 4)).value == 1  # 30 September 23:30 local time


def test_infrastructure_breakdowns_add_up_and_the_drill_down_matches(projects):
    calc = get("infrastructure_completed")
    figure = calc.compute(FY2026, dimensions=("municipality", "infrastructure_type"))
    assert figure.value == 3
    assert_breakdowns_add_up(figure)
    assert parts(figure, "municipality")["gjilan"] == 2 and parts(figure, "municipality")[NOT_KNOWN] == 1
    kinds = parts(figure, "infrastructure_type")
    assert (kinds["water"], kinds["other"], kinds["school"], kinds["road"]) == (1, 1, 1, 0)
    in_gjilan = calc.records_for(FY2026, [("municipality", "gjilan")])
    assert pks(in_gjilan) == {projects["water"].pk, projects["closed"].pk}
    kind = RECORD_KINDS[calc.record_kind]
    rows = [kind.row(project) for project in kind.prepared(in_gjilan)]
    assert [row[0] for row in rows] == [projects["closed"].grant.number, projects["water"].grant.number]
    assert rows[1][6] == LAST_DAY_FY2026  # completion shown as the local day


# --- Civil-society organisations ---------------------------------------------------------------------------------
@pytest.fixture
def organisations():
    cso = OrganisationFactory(name="Gjilan youth", municipality=municipality("gjilan"))
    civic_grant(cso, at(2026, 9, 30))
    civic_grant(cso, at(2026, 3, 1))  # a second grant: still one organisation
    group = OrganisationFactory(name="Neighbours", type=OrganisationType.INFORMAL_GROUP)
    civic_grant(group, at(2025, 11, 1), status=GrantStatus.COMPLETED, completed_at=at(2026, 9, 30))
    newcomer = OrganisationFactory(name="Newcomer")
    civic_grant(newcomer, at(2026, 10, 1))
    stopped = OrganisationFactory(name="Stopped")
    terminate(civic_grant(stopped, at(2025, 12, 1)), at(2026, 8, 1))
    firm = OrganisationFactory(name="A firm", type=OrganisationType.BUSINESS)
    civic_grant(firm, at(2026, 1, 10))
    business_track = OrganisationFactory(name="Business track")
    civic_grant(business_track, at(2026, 1, 10), component=Component.BUSINESS_DEVELOPMENT)
    unsigned = OrganisationFactory(name="Unsigned")
    civic_grant(unsigned, None, status=GrantStatus.AWAITING_SIGNATURE)
    homeless = OrganisationFactory(name="No municipality", municipality=None)
    civic_grant(homeless, at(2026, 1, 1))
    return {"cso": cso, "group": group, "newcomer": newcomer, "stopped": stopped, "homeless": homeless}


def test_csos_with_a_civic_grant_active_in_the_period_count_once(organisations):
    calc = get("csos_supported")
    fy2026 = {organisations[key].pk for key in ("cso", "group", "stopped", "homeless")}
    assert pks(calc.records_for(FY2026)) == fy2026
    assert calc.compute(FY2026).value == 4
    # Completed on 30 September and terminated in August: not active in FY2027; the other grants still run.
    fy2027 = {organisations[key].pk for key in ("cso", "newcomer", "homeless")}
    assert pks(calc.records_for(FY2027)) == fy2027
    assert organisations["stopped"].pk in pks(calc.records_for(Period.fiscal_quarter(2026, 4)))
    assert organisations["stopped"].pk not in pks(calc.records_for(Period.fiscal_quarter(2027, 1)))


def test_csos_breakdowns_add_up_and_the_drill_down_matches(organisations):
    calc = get("csos_supported")
    figure = calc.compute(FY2026, dimensions=("municipality", "organisation_type"))
    assert_breakdowns_add_up(figure)
    assert parts(figure, "organisation_type") == {"cso": 3, "informal_group": 1, NOT_KNOWN: 0}
    # The factory's organisations sit in Gračanica unless told otherwise.
    places = parts(figure, "municipality")
    assert (places["gjilan"], places["gracanica"], places[NOT_KNOWN]) == (1, 2, 1)
    groups = calc.records_for(FY2026, [("organisation_type", "informal_group")])
    assert pks(groups) == {organisations["group"].pk}


# --- Catalogue -------------------------------------------------------------------------------------------------
def test_civic_and_municipal_seed_entries_make_valid_indicators_with_targets():
    from reports.catalogue_seed import civic, municipal
    from reports.models import Indicator

    entries = civic.SEED + municipal.SEED
    assert {entry["calculation"] for entry in entries} == {
        "infrastructure_completed",
        "joint_activity_people",
        "first_time_cross_community",
        "csos_supported",
        "municipalities_assisted",
        "services_improved",
        "municipal_staff_trained",
        "hearing_participants",
        "own_source_revenue_change",
    }
    for entry in entries:
        fields = {key: value for key, value in entry.items() if key not in ("targets", "baseline_date")}
        indicator = Indicator(**fields)
        indicator.full_clean(validate_unique=False)  # the disaggregations exist in the calculation
        assert set(entry["targets"]) == {2026, 2027} and entry["lop_target"] >= entry["targets"][2027]
        assert get(entry["calculation"]).unit == entry["unit"]
