"""Writes of the registry of unique people: registering and correcting a person, merging two records of one human,
and marking two as different.

USAID counts unique people; a duplicate record counts a human twice. Merging moves every link (applications,
businesses, enrolments, whatever points to a person, found through Django's relation introspection) onto the
record kept, so nothing is lost and nothing needs to change here when new apps link to people.
"""

import hashlib
import zlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalChanges

from accounts.models import Person, PersonDistinct, person_name_key
from accounts.selectors_people import warn_if_duplicate
from accounts.signals import person_merging
from core.choices import Community, Sex
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from core.services import audit_record

# Fields of the kept record filled from the merged one when the kept one has no value.
FILLABLE_FIELDS = ("birth_date", "birth_year", "municipality", "personal_number", "jmbg", "phone", "email", "user")
# Fields whose "not stated" value counts as empty.
NOT_STATED = {"sex": Sex.NOT_STATED, "community": Community.NOT_STATED}
# What staff record about a person (the registry's "register" and "change the data" forms).
REGISTRY_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_year",
    "community",
    "municipality",
    "personal_number",
    "jmbg",
    "phone",
    "email",
    "consent_given",
    "consent_date",
)
# Whose values never go into an audit entry: only the fact that they changed.
SECRET_FIELDS = ("personal_number", "jmbg")
# The value of a field left out (or left empty) when a person is registered.
EMPTY_VALUES = {
    "sex": Sex.NOT_STATED,
    "community": Community.NOT_STATED,
    "first_name": "",
    "last_name": "",
    "birth_date": None,
    "birth_year": None,
    "municipality": None,
    "personal_number": "",
    "jmbg": "",
    "phone": "",
    "email": "",
    "consent_given": False,
    "consent_date": None,
}


def _lock_pair(first, second):
    if first.pk == second.pk:
        raise ApplicationError(_("Choose two different records."), code="same_person")
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")}
    if len(locked) != 2:
        raise ApplicationError(
            _("One of the two records no longer exists (perhaps merged meanwhile). Reload the list and check again."),
            code="gone",
        )
    return locked[first.pk], locked[second.pk]


def _relations_to_move():
    """Every foreign key, one-to-one and many-to-many that points to Person, hidden ones included; except the
    history tables (they keep what was) and the pairs of different people (moved by `_move_distinct_pairs`)."""
    for relation in Person._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        model = relation.related_model
        if issubclass(model, HistoricalChanges) or model is PersonDistinct:
            continue
        if relation.many_to_many and not relation.through._meta.auto_created:
            continue  # an explicit through model has its own foreign key to Person, moved as such
        yield relation


def _move_many_to_many(relation, keep, merge):
    through = relation.through
    own, other = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
    already = through.objects.filter(**{own: keep}).values(other)
    rows = through.objects.filter(**{own: merge})
    moved = list(rows.exclude(**{f"{other}__in": already}).values_list(other, flat=True))
    rows.exclude(**{f"{other}__in": already}).update(**{own: keep})
    rows.delete()  # links keep already had
    return moved


def _move_foreign_key(relation, keep, merge):
    model, name = relation.related_model, relation.field.name
    rows = model._base_manager.filter(**{name: merge})
    moved = list(rows.values_list("pk", flat=True))
    if not moved:
        return moved
    try:
        with transaction.atomic():
            model._base_manager.filter(pk__in=moved).update(**{name: keep})
    except IntegrityError as error:
        raise ApplicationError(
            _(
                "Both records have %(things)s that may exist only once per person, so they cannot be merged as they "
                "are. Open both records, remove or correct the duplicate entry on one of them, then merge again."
            )
            % {"things": model._meta.verbose_name_plural},
            code="unique_conflict",
        ) from error
    return moved


def _move_distinct_pairs(keep, merge):
    """Pairs "different people" of the merged record now hold for the kept one."""
    pairs = PersonDistinct.objects.filter(first=merge) | PersonDistinct.objects.filter(second=merge)
    for pair in list(pairs):
        other = pair.second_id if pair.first_id == merge.pk else pair.first_id
        low, high = sorted((keep.pk, other))
        if other == keep.pk or PersonDistinct.objects.filter(first_id=low, second_id=high).exists():
            pair.delete()
        else:
            PersonDistinct.objects.filter(pk=pair.pk).update(first_id=low, second_id=high)


def _fill_from(keep, merge):
    """Copy into `keep` what it lacks; return the names of the fields filled and of those that differ."""
    filled, differing = [], []
    for name in FILLABLE_FIELDS:
        attname = Person._meta.get_field(name).attname
        mine, theirs = getattr(keep, attname), getattr(merge, attname)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(keep, attname, theirs)
            filled.append(name)
        elif theirs not in (None, "") and mine != theirs:
            differing.append(name)
    for name, not_stated in NOT_STATED.items():
        if getattr(keep, name) == not_stated and getattr(merge, name) != not_stated:
            setattr(keep, name, getattr(merge, name))
            filled.append(name)
    if merge.consent_given and not keep.consent_given:
        keep.consent_given, keep.consent_date = True, merge.consent_date
        filled.append("consent_given")
    return filled, differing


def _merged_ids_of(person):
    """Ids of the records merged into `person` before (so its timeline can show their history too)."""
    ids = []
    entries = audit_entries_for(target=person).filter(action="accounts.person.merged")
    for data in entries.values_list("data", flat=True):
        ids += data.get("merged_ids", [])
    return ids


@transaction.atomic
def person_merge(*, actor, keep, merge):
    """Make `merge` part of `keep`: every link moves, empty fields of `keep` are filled, `merge` is deleted, and
    one audit entry says what moved. Refused when both have a log-in account (one human, one account: an
    administrator must first remove one of them)."""
    keep, merge = _lock_pair(keep, merge)
    if keep.user_id and merge.user_id:
        raise ApplicationError(
            _(
                "Both records have their own log-in account (%(first)s and %(second)s), and a person can have only "
                "one. Ask an administrator to close one of the accounts, then merge again."
            )
            % {"first": keep.user.email, "second": merge.user.email},
            code="two_accounts",
        )
    person_merging.send(sender=Person, keep=keep, merge=merge, actor=actor)
    moved = {}
    for relation in _relations_to_move():
        mover = _move_many_to_many if relation.many_to_many else _move_foreign_key
        ids = mover(relation, keep, merge)
        if ids:
            moved[relation.related_model._meta.label_lower] = ids
    _move_distinct_pairs(keep, merge)
    filled, differing = _fill_from(keep, merge)
    merged_ids = [merge.pk, *_merged_ids_of(merge)]
    merged_label = str(merge)
    merge.delete()
    try:
        keep.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            _("The merged record would not be valid: %(errors)s Correct the two records, then merge again.")
            % {"errors": " ".join(error.messages)},
            code="invalid",
        ) from error
    keep.save()
    audit_record(
        actor=actor,
        action="accounts.person.merged",
        target=keep,
        comment=_("Merged with the record of %(name)s (no. %(id)s).") % {"name": merged_label, "id": merged_ids[0]},
        data={"merged_ids": merged_ids, "moved": moved, "filled": filled, "kept_over_different": differing},
    )
    return keep


@transaction.atomic
def person_mark_different(*, actor, first, second):
    """Record that staff checked two records and they are two humans, so the pair is not proposed again."""
    first, second = _lock_pair(*sorted((first, second), key=lambda p: p.pk))
    pair, created = PersonDistinct.objects.get_or_create(first=first, second=second, defaults={"checked_by": actor})
    if created:
        for person, other in ((first, second), (second, first)):
            audit_record(
                actor=actor,
                action="accounts.person.marked_different",
                target=person,
                comment=_("Checked: not the same person as %(name)s (no. %(id)s).") % {"name": other, "id": other.pk},
                data={"other_id": other.pk},
            )
    return pair


def _lock_names(first_name, last_name):
    """On PostgreSQL, serialise registrations of one name (either way round) until the transaction ends, so two
    simultaneous identical submits cannot both pass the duplicate search. (SQLite serialises writes anyway.)"""
    if connection.vendor != "postgresql":
        return
    keys = {person_name_key(first_name, last_name), person_name_key(last_name, first_name)} - {""}
    lock_ids = sorted(zlib.crc32(hashlib.sha256(key.encode()).digest()) for key in keys)
    with connection.cursor() as cursor:
        for lock_id in lock_ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", [20_611, lock_id - 2**31])


def _check_id_numbers_free(person):
    """A clear refusal, naming who holds it, when another record already has the personal number or JMBG (the
    database would refuse it anyway, with a message that does not say what to do)."""
    errors = {}
    for name in SECRET_FIELDS:
        value = getattr(person, name)
        holder = Person.objects.filter(**{name: value}).exclude(pk=person.pk).first() if value else None
        if holder is not None:
            errors[name] = _(
                "Another record (no. %(id)s, %(name)s) already has this number. Check the number on the ID card; "
                "if both records are the same human, open that record and merge the two."
            ) % {"id": holder.pk, "name": holder}
    if errors:
        raise ValidationError(errors)


def _apply(person, data):
    """Copy the registry fields present in `data` onto `person`; consent keeps a date only while it is given."""
    for name in REGISTRY_FIELDS:
        if name in data:
            value = data[name]
            setattr(person, name, EMPTY_VALUES[name] if value in (None, "") else value)
    if "birth_date" in data and person.birth_date:
        person.birth_year = person.birth_date.year
    if not person.consent_given:
        person.consent_date = None
    elif not person.consent_date:
        person.consent_date = timezone.now()


def _save_checked(person):
    _check_id_numbers_free(person)
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:  # the same ID number saved by someone else a moment ago
        raise ApplicationError(
            _(
                "Another record with the same personal number or JMBG was saved a moment ago. Search the registry "
                "for that number, then save again if this is really a different person."
            ),
            code="id_taken",
        ) from error
    return person


@transaction.atomic
def person_register(*, actor, data, none_of_these=False, dismissed=None):
    """Register a person outside any training or application.

    The duplicate search runs first, inside the transaction: when likely matches exist and staff have not
    confirmed "none of these", nothing is saved and the refusal carries the candidates (`error.extra`). Pass
    `dismissed`, the ids of the candidates staff were shown, so that a confirmation covers only those: a stale
    form, or a second click on "none of these", meets the record just created and is refused too.
    """
    _lock_names(data.get("first_name", ""), data.get("last_name", ""))
    candidates = warn_if_duplicate(data)
    shown = None if dismissed is None else {int(pk) for pk in dismissed}
    confirmed = none_of_these and (shown is None or {c.person.pk for c in candidates} <= shown)
    if candidates and not confirmed:
        names = ", ".join(_("%(name)s (no. %(id)s)") % {"name": c.person, "id": c.person.pk} for c in candidates)
        raise ApplicationError(
            ngettext(
                "Nothing was saved: a person already registered may be the same human (%(names)s). Open that "
                "record if it is them, or confirm that it is not this person and save again.",
                "Nothing was saved: %(count)s people already registered may be the same human (%(names)s). Open "
                "the right record, or confirm that none of them is this person and save again.",
                len(candidates),
            )
            % {"count": len(candidates), "names": names},
            code="duplicates",
            extra={"candidates": candidates},
        )
    person = Person()
    _apply(person, {**EMPTY_VALUES, **data})
    _save_checked(person)
    audit_record(
        actor=actor,
        action="accounts.person.registered",
        target=person,
        comment=_("Registered in the people registry."),
        data={"duplicates_dismissed": sorted(c.person.pk for c in candidates)},
    )
    return person


def _audit_value(person, name):
    value = getattr(person, name)
    if name == "municipality":
        return str(value) if value else ""
    if name == "consent_date":
        return timezone.localtime(value).date().isoformat() if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    field = Person._meta.get_field(name)
    if field.choices:
        return value or ""
    return "" if value is None else value


def _changes(before, after):
    """{field: {"old": …, "new": …}} of what changed; for ID numbers only {"changed": True}."""
    changes = {}
    for name in REGISTRY_FIELDS:
        old, new = before[name], _audit_value(after, name)
        if old == new:
            continue
        changes[name] = {"changed": True} if name in SECRET_FIELDS else {"old": old, "new": new}
    return changes


def _shown(name, value):
    """An audited value as people read it: the label of a choice, yes/no, a dash for nothing."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(Person._meta.get_field(name).flatchoices)
    return str(choices.get(value, value)) if value not in (None, "") else "—"


def _changes_comment(changes):
    parts = []
    for name, change in changes.items():
        label = Person._meta.get_field(name).verbose_name
        if "old" in change:
            old, new = _shown(name, change["old"]), _shown(name, change["new"])
            parts.append(_("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new})
        else:
            parts.append(_("%(field)s: changed (not shown)") % {"field": label})
    return _("Data corrected.") + "\n" + "\n".join(parts)


@transaction.atomic
def person_update(*, actor, person, data):
    """Correct what staff recorded about a person. The name key follows the name (Person.save), and one audit
    entry lists each changed field, old → new, except ID numbers, of which it says only that they changed.
    Does not block on likely duplicates: the caller warns with `warn_if_duplicate(…, exclude=person)`."""
    person = Person.objects.select_for_update().filter(pk=person.pk).first()
    if person is None:
        raise ApplicationError(
            _("This record no longer exists (perhaps it was merged meanwhile). Search the registry for the person."),
            code="gone",
        )
    before = {name: _audit_value(person, name) for name in REGISTRY_FIELDS}
    _apply(person, data)
    _save_checked(person)
    changes = _changes(before, person)
    if changes:
        audit_record(
            actor=actor,
            action="accounts.person.updated",
            target=person,
            comment=_changes_comment(changes),
            data={"changes": changes},
        )
    return person
