"""Breakdowns shared by many calculations. Each builder takes the path from the calculation's records to the field
(`""` when the records are the people themselves, `"person__"` from enrolments …) and returns a Dimension whose
expression gives every record exactly one part, `not_known` included."""

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import Community, Component, Sex
from reports.calculations.base import NOT_KNOWN, NOT_KNOWN_LABEL, Dimension

TEXT = CharField()


def sex(path=""):
    """Female, male, or not known (not recorded, or the person preferred not to say)."""
    return Dimension(
        code="sex",
        label=_("Sex"),
        expression=lambda period: Case(
            When(**{f"{path}sex__in": [Sex.FEMALE, Sex.MALE]}, then=F(f"{path}sex")),
            default=Value(NOT_KNOWN),
            output_field=TEXT,
        ),
        parts=lambda: [(Sex.FEMALE, Sex.FEMALE.label), (Sex.MALE, Sex.MALE.label), (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


YOUTH_PART, ADULT_PART, UNDER_15_PART = "15_29", "30_plus", "under_15"


def age_band(path=""):
    """Age on the last day of the period, by year of birth (the registry often knows only the year): under 15,
    15–29 (youth), 30 and over, not known."""

    def expression(period):
        year = period.end.year
        return Case(
            When(**{f"{path}birth_year__isnull": True}, then=Value(NOT_KNOWN)),
            When(**{f"{path}birth_year__gt": year - 15}, then=Value(UNDER_15_PART)),
            When(**{f"{path}birth_year__gt": year - 30}, then=Value(YOUTH_PART)),
            default=Value(ADULT_PART),
            output_field=TEXT,
        )

    return Dimension(
        code="age_band",
        label=_("Age"),
        expression=expression,
        parts=lambda: [
            (YOUTH_PART, _("15–29")),
            (ADULT_PART, _("30 and over")),
            (UNDER_15_PART, _("Under 15")),
            (NOT_KNOWN, NOT_KNOWN_LABEL),
        ],
    )


def community(path=""):
    """The person's community as they declared it; "prefer not to say" is its own part, unrecorded is not known."""
    return Dimension(
        code="community",
        label=_("Community"),
        expression=lambda period: Case(
            When(**{f"{path}community__in": Community.values}, then=F(f"{path}community")),
            default=Value(NOT_KNOWN),
            output_field=TEXT,
        ),
        parts=lambda: [*Community.choices, (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


def municipality(path="municipality__"):
    """The municipality by its code (`path` ends at the municipality relation, e.g. "application__municipality__")."""
    from municipalities.models import Municipality

    def parts():
        rows = Municipality.objects.filter(is_partner=True).order_by("sort_order", "code")
        return [*((m.code, m.name) for m in rows), (NOT_KNOWN, NOT_KNOWN_LABEL)]

    return Dimension(
        code="municipality",
        label=_("Municipality"),
        expression=lambda period: Coalesce(F(f"{path}code"), Value(NOT_KNOWN), output_field=TEXT),
        parts=parts,
    )


def component(path):
    """The programme component (`path` is the full path to the component field, e.g. "application__call__component")."""
    return Dimension(
        code="component",
        label=_("Component"),
        expression=lambda period: Coalesce(F(path), Value(NOT_KNOWN), output_field=TEXT),
        parts=lambda: [*Component.choices, (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


def choice(code, label, path, choices):
    """A breakdown by a choice field (`choices` a TextChoices class); empty or unlisted values are not known."""
    return Dimension(
        code=code,
        label=label,
        expression=lambda period: Case(
            When(**{f"{path}__in": choices.values}, then=F(path)), default=Value(NOT_KNOWN), output_field=TEXT
        ),
        parts=lambda: [*choices.choices, (NOT_KNOWN, NOT_KNOWN_LABEL)],
    )


def person_dimensions(path=""):
    """Sex, age band, community and municipality of people (records that are Person rows, or point to one)."""
    return {
        "sex": sex(path),
        "age_band": age_band(path),
        "community": community(path),
        "municipality": municipality(f"{path}municipality__"),
    }


NEW_PART, CONTINUING_PART = "new", "continuing"
NEW_CONTINUING_PARTS = [(NEW_PART, pgettext_lazy("beneficiary", "New")), (CONTINUING_PART, _("Continuing"))]
