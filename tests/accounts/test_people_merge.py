"""Merging two records of one human keeps every link and the audit trail; two log-in accounts are refused."""

import datetime

import pytest

from accounts.models import Person, PersonDistinct
from accounts.selectors_people import person_timeline
from accounts.services_people import person_mark_different, person_merge
from core.errors import ApplicationError
from core.models import AuditEntry
from grants.models import Application
from tests.factories import PersonFactory, UserFactory
from tests.grants.application_factories import ApplicationFactory

BORN = datetime.date(1990, 3, 14)


@pytest.fixture
def officer():
    return UserFactory(role="programme_officer")


@pytest.mark.django_db
def test_merge_moves_the_application_and_the_log_in_and_deletes_the_duplicate(officer):
    application = ApplicationFactory(submitted=True, person__first_name="Ђорђе", person__last_name="Јовановић")
    merge = application.person
    keep = PersonFactory(first_name="Đorđe", last_name="Jovanović", birth_date=BORN, phone="")
    merge.phone = "+383 44 123 456"
    merge.save()

    person_merge(actor=officer, keep=keep, merge=merge)

    assert Application.objects.get(pk=application.pk).person_id == keep.pk
    assert not Person.objects.filter(pk=merge.pk).exists()
    keep.refresh_from_db()
    assert keep.user_id == application.applicant_id
    assert keep.phone == "+383 44 123 456"
    assert keep.birth_date == BORN  # the kept record's own value wins over the merged one's


@pytest.mark.django_db
def test_merge_writes_an_audit_entry_and_keeps_the_merged_records_history(officer):
    application = ApplicationFactory(submitted=True)
    merge, keep = application.person, PersonFactory()
    other = PersonFactory()
    person_mark_different(actor=officer, first=merge, second=other)

    person_merge(actor=officer, keep=keep, merge=merge)

    entry = AuditEntry.objects.get(action="accounts.person.merged")
    assert entry.object_id == str(keep.pk)
    assert entry.actor == officer
    assert entry.data["merged_ids"] == [merge.pk]
    assert entry.data["moved"] == {"grants.application": [application.pk]}
    actions = [e.action for e in person_timeline(keep)]
    assert actions.count("accounts.person.marked_different") == 1  # the merged record's entry, still shown
    assert "accounts.person.merged" in actions
    assert PersonDistinct.objects.filter(first=min(keep, other, key=lambda p: p.pk)).exists()


@pytest.mark.django_db
def test_merge_is_refused_when_both_have_a_log_in_account_and_nothing_changes(officer):
    first, second = ApplicationFactory(submitted=True), ApplicationFactory(submitted=True)

    with pytest.raises(ApplicationError) as refused:
        person_merge(actor=officer, keep=first.person, merge=second.person)

    assert refused.value.code == "two_accounts"
    assert "log-in account" in refused.value.message
    assert Application.objects.get(pk=second.pk).person_id == second.person.pk
    assert Person.objects.filter(pk=second.person.pk).exists()
    assert not AuditEntry.objects.filter(action="accounts.person.merged").exists()


@pytest.mark.django_db
def test_a_record_cannot_be_merged_into_itself(officer):
    person = PersonFactory()
    with pytest.raises(ApplicationError):
        person_merge(actor=officer, keep=person, merge=person)
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db
def test_marking_different_twice_records_one_pair(officer):
    first, second = PersonFactory(), PersonFactory()
    person_mark_different(actor=officer, first=second, second=first)
    person_mark_different(actor=officer, first=first, second=second)
    pair = PersonDistinct.objects.get()
    assert (pair.first_id, pair.second_id) == tuple(sorted((first.pk, second.pk)))
    assert AuditEntry.objects.filter(action="accounts.person.marked_different").count() == 2
