"""Writes of the registry of unique people: merging two records of one human, and marking two as different.

USAID counts unique people; a duplicate record counts a human twice. Merging moves every link (applications,
businesses, enrolments, whatever points to a person, found through Django's relation introspection) onto the
record kept, so nothing is lost and nothing needs to change here when new apps link to people.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from accounts.models import Person, PersonDistinct
from core.choices import Community, Sex
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from core.services import audit_record

# Fields of the kept record filled from the merged one when the kept one has no value.
FILLABLE_FIELDS = ("birth_date", "birth_year", "municipality", "personal_number", "jmbg", "phone", "email", "user")
# Fields whose "not stated" value counts as empty.
NOT_STATED = {"sex": Sex.NOT_STATED, "community": Community.NOT_STATED}


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
