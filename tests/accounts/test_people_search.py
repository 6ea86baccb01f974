"""people_search: the picker's search of the registry, by folded name or ID number, never the whole registry."""

import pytest

from accounts.selectors_people import people_search
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_djordje_finds_dorde_in_any_script_and_spelling():
    wanted = {
        PersonFactory(first_name="Đorđe", last_name="Jovanović").pk,
        PersonFactory(first_name="Ђорђе", last_name="Јовановић").pk,
        PersonFactory(first_name="Dorde", last_name="Jovanovic").pk,
    }
    PersonFactory(first_name="Dragan", last_name="Jovanović")
    assert {p.pk for p in people_search(q="djordje")} == wanted
    assert {p.pk for p in people_search(q="Jovanovic Đorđe")} == wanted


def test_words_match_the_start_of_a_name_word_only():
    person = PersonFactory(first_name="Arta", last_name="Berisha")
    assert list(people_search(q="beri")) == [person]
    assert list(people_search(q="risha")) == []


def test_a_search_returns_at_most_the_limit_and_nothing_for_one_letter():
    PersonFactory.create_batch(25, first_name="Teuta", last_name="Morina")
    assert len(people_search(q="morina")) == 20
    assert len(people_search(q="morina", limit=5)) == 5
    assert list(people_search(q="m")) == [] and list(people_search(q="  ")) == []


def test_id_numbers_are_found_only_when_allowed():
    person = PersonFactory(personal_number="1122334455")
    assert list(people_search(q="112233")) == [person]
    assert list(people_search(q="112233", by_number=False)) == []
