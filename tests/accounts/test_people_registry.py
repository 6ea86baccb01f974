"""Finding likely duplicate people: across scripts and spellings, by ID numbers, and never a pair checked before."""

import datetime

import pytest

from accounts.models import Person
from accounts.selectors_people import DuplicateReason, person_duplicates, warn_if_duplicate
from accounts.services_people import person_mark_different
from core.text import fold, name_key
from municipalities.models import Municipality
from tests.factories import PersonFactory, UserFactory

BORN = datetime.date(1990, 3, 14)
SPELLINGS = [("Ђорђе", "Јовановић"), ("Đorđe", "Jovanović"), ("Djordje", "Jovanovic"), ("Dorde", "Jovanovic")]


def test_one_name_in_every_script_and_spelling_gives_one_key():
    assert {name_key(f"{first} {last}") for first, last in SPELLINGS} == {"dorde jovanovic"}
    assert name_key("Graçanicë") == name_key("Gracanice") == "gracanice"
    assert name_key("  Ana-Marija ") == "ana marija"


def test_fold_itself_is_unchanged():
    assert fold("Ђорђе") == "djordje"
    assert fold("Graçanicë") == "gracanice"


@pytest.mark.django_db
def test_the_name_key_is_kept_up_to_date_on_save():
    person = PersonFactory(first_name="Ђорђе", last_name="Јовановић")
    assert Person.objects.get(pk=person.pk).name_key == "dorde jovanovic"
    person.last_name = "Petrović"
    person.save(update_fields=["last_name"])
    assert Person.objects.get(pk=person.pk).name_key == "dorde petrovic"


@pytest.mark.django_db
@pytest.mark.parametrize(("first_name", "last_name"), SPELLINGS)
def test_the_same_name_in_another_script_and_the_same_birth_date_is_a_candidate(first_name, last_name):
    existing = [PersonFactory(first_name=f, last_name=ln, birth_date=BORN) for f, ln in SPELLINGS]
    found = person_duplicates(first_name=first_name, last_name=last_name, birth_date=BORN)
    assert {c.person.pk for c in found} == {p.pk for p in existing}
    assert all(c.reasons == [DuplicateReason.NAME_AND_BIRTH_DATE] for c in found)


@pytest.mark.django_db
def test_first_and_last_name_swapped_are_still_found():
    existing = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN)
    found = person_duplicates(first_name="Jovanovic", last_name="Djordje", birth_date=BORN)
    assert [c.person for c in found] == [existing]


@pytest.mark.django_db
def test_same_personal_number_or_jmbg_is_a_candidate_whatever_the_name():
    by_number = PersonFactory(first_name="Arta", personal_number="1234567890")
    by_jmbg = PersonFactory(first_name="Milica", jmbg="0101990710006")
    found = person_duplicates(
        first_name="Someone", last_name="Else", personal_number="1234567890", jmbg="0101990710006"
    )
    reasons = {c.person.pk: c.reasons for c in found}
    assert reasons == {by_number.pk: [DuplicateReason.PERSONAL_NUMBER], by_jmbg.pk: [DuplicateReason.JMBG]}


@pytest.mark.django_db
def test_same_name_year_and_municipality_is_a_candidate_but_not_in_another_municipality():
    gjilan, gracanica = Municipality.objects.get(code="gjilan"), Municipality.objects.get(code="gracanica")
    same_place = PersonFactory(
        first_name="Dorde", last_name="Jovanovic", birth_date=None, birth_year=1990, municipality=gjilan
    )
    PersonFactory(first_name="Dorde", last_name="Jovanovic", birth_date=None, birth_year=1990, municipality=gracanica)
    found = person_duplicates(first_name="Ђорђе", last_name="Јовановић", birth_year=1990, municipality=gjilan)
    assert [(c.person, c.reasons) for c in found] == [(same_place, [DuplicateReason.NAME_YEAR_AND_MUNICIPALITY])]


@pytest.mark.django_db
def test_a_different_birth_year_is_not_a_candidate():
    PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN)
    later = BORN.replace(year=1991)
    assert person_duplicates(first_name="Djordje", last_name="Jovanovic", birth_date=later) == []
    gjilan = Municipality.objects.get(code="gjilan")
    assert person_duplicates(first_name="Djordje", last_name="Jovanovic", birth_year=1991, municipality=gjilan) == []


@pytest.mark.django_db
def test_a_pair_marked_different_is_not_proposed_again_but_others_are():
    first = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN)
    second = PersonFactory(first_name="Djordje", last_name="Jovanovic", birth_date=BORN)
    third = PersonFactory(first_name="Dorde", last_name="Jovanovic", birth_date=BORN)
    person_mark_different(actor=UserFactory(role="programme_officer"), first=second, second=first)

    def candidates_of(person):
        return {c.person.pk for c in warn_if_duplicate({**_data(person)}, exclude=person)}

    assert candidates_of(first) == {third.pk}
    assert candidates_of(second) == {third.pk}
    assert candidates_of(third) == {first.pk, second.pk}


@pytest.mark.django_db
def test_duplicate_search_costs_one_query_however_many_namesakes(django_assert_num_queries):
    people = [PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN) for _index in range(20)]
    with django_assert_num_queries(1):
        found = person_duplicates(first_name="Djordje", last_name="Jovanovic", birth_date=BORN, exclude=people[0])
    assert len(found) == 19
    assert people[0].pk not in {c.person.pk for c in found}


def _data(person):
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "municipality": person.municipality,
    }


@pytest.mark.django_db
def test_the_data_migration_fills_the_name_key_of_existing_people():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0005_person_name_key_distinct")
    person = PersonFactory(first_name="Ђорђе", last_name="Јовановић")
    Person.objects.filter(pk=person.pk).update(name_key="")
    migration.fill_name_keys(apps, None)
    assert Person.objects.get(pk=person.pk).name_key == "dorde jovanovic"
