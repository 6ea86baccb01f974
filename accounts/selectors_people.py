"""Reads of the registry of unique people: duplicate candidates, the staff list, and what is linked to a person.

Names are compared by `Person.name_key` (core.text.name_key): one indexed lookup finds Ђорђе Јовановић, Đorđe
Jovanović, Djordje Jovanovic and Dorde Jovanovic alike.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, PersonDistinct, person_name_key
from core.choices import AgeBand, Community, Sex
from core.text import name_key


class DuplicateReason:
    """Why two records may be one person (codes stay stable; labels are for people)."""

    PERSONAL_NUMBER = "personal_number"
    JMBG = "jmbg"
    NAME_AND_BIRTH_DATE = "name_birth_date"
    NAME_YEAR_AND_MUNICIPALITY = "name_year_municipality"

    LABELS = {
        PERSONAL_NUMBER: _("same Kosovo personal number"),
        JMBG: _("same JMBG"),
        NAME_AND_BIRTH_DATE: _("same name and date of birth"),
        NAME_YEAR_AND_MUNICIPALITY: _("same name, year of birth and municipality"),
    }


@dataclass
class DuplicateCandidate:
    person: Person
    reasons: list = field(default_factory=list)

    @property
    def reason_labels(self):
        return [DuplicateReason.LABELS[reason] for reason in self.reasons]


def _pk(value):
    return getattr(value, "pk", value)


def _name_keys(first_name, last_name):
    """The key of the name and of the name with first and last swapped (forms often get them the wrong way)."""
    return {person_name_key(first_name, last_name), person_name_key(last_name, first_name)} - {""}


def _distinct_from(person_pk):
    """Ids of the people checked and found different from `person_pk` (a subquery condition, no extra query)."""
    return Q(
        Exists(PersonDistinct.objects.filter(first=person_pk, second=OuterRef("pk")))
        | Exists(PersonDistinct.objects.filter(first=OuterRef("pk"), second=person_pk))
    )


def _reasons(person, *, keys, birth_date, birth_year, municipality_pk, personal_number, jmbg):
    reasons = []
    if personal_number and person.personal_number == personal_number:
        reasons.append(DuplicateReason.PERSONAL_NUMBER)
    if jmbg and person.jmbg == jmbg:
        reasons.append(DuplicateReason.JMBG)
    if person.name_key in keys:
        if birth_date and person.birth_date == birth_date:
            reasons.append(DuplicateReason.NAME_AND_BIRTH_DATE)
        elif (
            birth_year
            and municipality_pk
            and (person.birth_year, person.municipality_id)
            == (
                birth_year,
                municipality_pk,
            )
        ):
            reasons.append(DuplicateReason.NAME_YEAR_AND_MUNICIPALITY)
    return reasons


def person_duplicates(
    *,
    first_name,
    last_name,
    birth_date=None,
    birth_year=None,
    municipality=None,
    personal_number="",
    jmbg="",
    exclude=None,
):
    """People who are likely the one described: the same personal number or JMBG; or the same name (in any script,
    with or without diacritics) and the same date of birth, or the same year of birth and municipality. Pairs that
    staff marked as different people are left out. One query, whatever the size of the registry.
    """
    if isinstance(birth_date, datetime.datetime):
        birth_date = birth_date.date()
    birth_year = birth_year or (birth_date.year if birth_date else None)
    municipality_pk = _pk(municipality)
    personal_number, jmbg = (personal_number or "").strip(), (jmbg or "").strip()
    keys = _name_keys(first_name or "", last_name or "")
    condition = Q(pk__in=[])
    if personal_number:
        condition |= Q(personal_number=personal_number)
    if jmbg:
        condition |= Q(jmbg=jmbg)
    if keys and birth_date:
        condition |= Q(name_key__in=keys, birth_date=birth_date)
    if keys and birth_year and municipality_pk:
        condition |= Q(name_key__in=keys, birth_year=birth_year, municipality=municipality_pk)
    people = Person.objects.filter(condition).select_related("municipality")
    if exclude is not None:
        people = people.exclude(pk=_pk(exclude)).exclude(_distinct_from(_pk(exclude)))
    candidates = []
    for person in people.order_by("last_name", "first_name", "pk"):
        reasons = _reasons(
            person,
            keys=keys,
            birth_date=birth_date,
            birth_year=birth_year,
            municipality_pk=municipality_pk,
            personal_number=personal_number,
            jmbg=jmbg,
        )
        if reasons:
            candidates.append(DuplicateCandidate(person=person, reasons=reasons))
    return candidates


def people_for_staff(*, q=""):
    """The registry for the staff list: search by name in any script or spelling, or by the start of an ID number,
    e-mail or phone; one query for the rows of a page."""
    people = Person.objects.select_related("municipality", "user").order_by("last_name", "first_name", "pk")
    q = (q or "").strip()
    if q:
        words = name_key(q).split()
        by_name = Q()
        for word in words:
            by_name &= Q(name_key__contains=word)
        other = Q(personal_number__startswith=q) | Q(jmbg__startswith=q) | Q(email__iexact=q) | Q(phone=q)
        people = people.filter(by_name | other if words else other)
    return people


def _twin_condition():
    """A later person (higher id) with the same name key and date of birth, or year of birth and municipality, not
    marked as different from the outer person."""
    same_date = Q(birth_date=OuterRef("birth_date"))
    same_year_place = Q(birth_year=OuterRef("birth_year"), municipality=OuterRef("municipality"))
    checked = PersonDistinct.objects.filter(first=OuterRef(OuterRef("pk")), second=OuterRef("pk"))
    twins = (
        Person.objects.filter(name_key=OuterRef("name_key"), pk__gt=OuterRef("pk"))
        .filter(same_date | same_year_place)
        .exclude(Exists(checked))
    )
    return Exists(twins)


def duplicate_groups_queryset():
    """People who have at least one unresolved likely duplicate after them (by id), each once, ordered by name.

    A GROUP BY on the name key (with birth year) keeps only names that occur more than once before the
    correlated check runs. Same ID numbers cannot occur twice: the database refuses them.
    """
    repeated = (
        Person.objects.exclude(name_key="")
        .exclude(birth_year__isnull=True)
        .values("name_key", "birth_year")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values("name_key")
    )
    return (
        Person.objects.filter(name_key__in=repeated)
        .filter(_twin_condition())
        .select_related("municipality")
        .order_by("name_key", "pk")
    )


def duplicate_pairs_for(people):
    """For one page of `duplicate_groups_queryset()`: each person with their likely duplicates (two queries)."""
    people = list(people)
    keys = {person.name_key for person in people}
    namesakes = list(Person.objects.filter(name_key__in=keys).select_related("municipality").order_by("pk"))
    ids = [p.pk for p in namesakes]
    checked = set(PersonDistinct.objects.filter(first__in=ids, second__in=ids).values_list("first_id", "second_id"))
    rows = []
    for person in people:
        twins = [
            other
            for other in namesakes
            if other.pk > person.pk
            and other.name_key == person.name_key
            and (person.pk, other.pk) not in checked
            and (
                (person.birth_date and other.birth_date == person.birth_date)
                or (
                    person.birth_year
                    and person.municipality_id
                    and (other.birth_year, other.municipality_id) == (person.birth_year, person.municipality_id)
                )
            )
        ]
        rows.append({"person": person, "twins": twins})
    return rows


@dataclass
class LinkedRows:
    """The rows of one kind that point to a person (applications, businesses owned, enrolments …)."""

    label: str
    count: int
    rows: list


def person_links(person, *, limit=10):
    """Everything that points to `person`, found through Django's relation introspection: a model added later
    (businesses, trainings) appears here without code changes. Two queries per kind of link."""
    links = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many:
            rows = getattr(person, relation.get_accessor_name()).all()
        else:
            rows = model._default_manager.filter(**{relation.field.name: person})
        rows = rows.order_by("-pk")
        count = rows.count()
        label = model._meta.verbose_name_plural
        links.append(LinkedRows(label=label, count=count, rows=list(rows[:limit]) if count else []))
    return links


def warn_if_duplicate(form_data, *, exclude=None):
    """The likely duplicates of the person a form is about to create (for staff forms and imports): pass the
    form's cleaned data; an empty list means no warning is needed."""
    return person_duplicates(
        first_name=form_data.get("first_name", ""),
        last_name=form_data.get("last_name", ""),
        birth_date=form_data.get("birth_date"),
        birth_year=form_data.get("birth_year"),
        municipality=form_data.get("municipality"),
        personal_number=form_data.get("personal_number", ""),
        jmbg=form_data.get("jmbg", ""),
        exclude=exclude,
    )


def person_timeline(person, *, limit=100):
    """The person's audit entries, with those of the records merged into it (newest first, two queries)."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditEntry

    content_type = ContentType.objects.get_for_model(Person)
    own = list(AuditEntry.objects.filter(content_type=content_type, object_id=str(person.pk)).select_related("actor"))
    merged_ids = [str(pk) for e in own if e.action == "accounts.person.merged" for pk in e.data.get("merged_ids", [])]
    if merged_ids:
        own += AuditEntry.objects.filter(content_type=content_type, object_id__in=merged_ids).select_related("actor")
    return sorted(own, key=lambda e: (e.created_at, e.pk), reverse=True)[:limit]


def people_search(*, q, limit=20, by_number=True):
    """At most `limit` people for a picker (a business owner, a trainee …): every word of `q` starts a word of the
    folded name (so "djordje jovanovic" finds Ђорђе Јовановић), or, with `by_number`, `q` starts a personal number
    or JMBG. Pass `by_number=False` for users who may not see ID numbers, so a search cannot confirm one.
    Fewer than two characters find no one: a picker never lists the whole registry.
    """
    q = (q or "").strip()
    words = name_key(q).split()
    if len(q) < 2 or not words:
        return Person.objects.none()
    by_name = Q()
    for word in words:
        by_name &= Q(name_key__startswith=word) | Q(name_key__contains=f" {word}")
    condition = by_name
    if by_number and q.isdigit():
        condition |= Q(personal_number__startswith=q) | Q(jmbg__startswith=q)
    return (
        Person.objects.filter(condition)
        .select_related("municipality")
        .order_by("last_name", "first_name", "pk")[: max(int(limit), 0)]
    )


def age_band_of_year(birth_year, on_day):
    """The age band of someone born in `birth_year`, on `on_day` (by year: the registry often knows only the year)."""
    if not birth_year:
        return AgeBand.NOT_KNOWN
    age = on_day.year - birth_year
    if age < 15:
        return AgeBand.UNDER_15
    if age < 30:
        return AgeBand.YOUTH
    if age < 65:
        return AgeBand.ADULT
    return AgeBand.SENIOR


def people_breakdown(people, *, on_day=None):
    """Unique people of a Person queryset, counted by sex, age band (on `on_day`, today by default), community, and
    community × sex (`community_sex`, keyed by (community, sex)).

    Every count is of Person rows, so someone trained twice, or owner of two businesses, counts once; after a merge
    of duplicates the merged record is gone and cannot count twice. One query (a GROUP BY over the three columns).
    """
    on_day = on_day or timezone.localdate()
    rows = (
        Person.objects.filter(pk__in=people.values("pk"))
        .values_list("sex", "birth_year", "community")
        .annotate(count=Count("pk"))
        .order_by()
    )
    total = 0
    by_sex = dict.fromkeys(Sex.values, 0)
    by_band = dict.fromkeys(AgeBand.values, 0)
    by_community = dict.fromkeys(Community.values, 0)
    by_community_sex = {}
    for sex, birth_year, community, count in rows:
        total += count
        by_sex[sex] = by_sex.get(sex, 0) + count
        by_band[age_band_of_year(birth_year, on_day)] += count
        by_community[community] = by_community.get(community, 0) + count
        by_community_sex[(community, sex)] = by_community_sex.get((community, sex), 0) + count
    return {
        "total": total,
        "sex": by_sex,
        "age_band": by_band,
        "community": by_community,
        "community_sex": by_community_sex,
    }
