"""Reads of businesses for pages, exports and (later) indicators: SQL filters and joins, constant queries per page."""

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from accounts.models import Organisation, Person
from accounts.permissions import can_view_personal_data
from businesses.models import (
    Business,
    BusinessEmployee,
    BusinessManager,
    BusinessOwner,
    MarketLink,
    RegistrationStatus,
    Sector,
    Snapshot,
    Stage,
)
from businesses.permissions import can_view_businesses
from core.choices import Community, Sex

FILTER_KEYS = (
    "q",
    "municipality",
    "sector",
    "owner_sex",
    "owner_youth",
    "owner_community",
    "stage",
    "registered",
    "grant_status",
)
# The list's "grant status" filter: value -> grant status codes (grants.models.GrantStatus, which this app may not
# import: grants sits above businesses). "none" means no grant at all.
GRANT_STATUS_FILTERS = {"active": ("active",), "completed": ("completed", "closed"), "none": ()}
YOUTH_MIN_AGE, YOUTH_MAX_AGE = 15, 29


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def youth_q(today=None, prefix="person__"):
    """People aged 15–29 on `today`: by birth date when known, else by year of birth."""
    today = today or timezone.localdate()
    youngest_birth = _years_before(today, YOUTH_MIN_AGE)  # born on or before this day: at least 15
    oldest_birth = _years_before(today, YOUTH_MAX_AGE + 1) + datetime.timedelta(days=1)  # not yet 30
    by_date = Q(**{f"{prefix}birth_date__gte": oldest_birth, f"{prefix}birth_date__lte": youngest_birth})
    by_year = Q(
        **{
            f"{prefix}birth_date__isnull": True,
            f"{prefix}birth_year__gte": today.year - YOUTH_MAX_AGE,
            f"{prefix}birth_year__lte": today.year - YOUTH_MIN_AGE,
        }
    )
    return by_date | by_year


def clean_filters(raw):
    """Known values only; anything else is dropped (a stale link never breaks the list)."""
    filters = {key: (raw.get(key) or "").strip() for key in FILTER_KEYS}
    allowed = {
        "sector": Sector.values,
        "owner_sex": Sex.values,
        "owner_community": Community.values,
        "stage": Stage.values,
        "registered": ("yes", "no"),
        "owner_youth": ("yes",),
        "grant_status": tuple(GRANT_STATUS_FILTERS),
    }
    for key, values in allowed.items():
        if filters[key] not in values:
            filters[key] = ""
    if not filters["municipality"].isdigit():
        filters["municipality"] = ""
    return filters


def _owners(**conditions):
    return Exists(BusinessOwner.objects.filter(business=OuterRef("pk"), **conditions))


def _grants(**conditions):
    """An Exists() over the business's grants, through the reverse relation (no import of grants)."""
    grant_model = Business._meta.get_field("grants").related_model
    return Exists(grant_model._default_manager.filter(business=OuterRef("pk"), **conditions))


def _filter_grant_status(queryset, value):
    if value == "none":
        return queryset.filter(~_grants())
    return queryset.filter(_grants(status__in=GRANT_STATUS_FILTERS[value]))


def filter_businesses(queryset, filters):
    filters = clean_filters(filters or {})
    if filters["q"]:
        queryset = queryset.filter(
            Q(name__icontains=filters["q"]) | Q(trade_name__icontains=filters["q"]) | Q(nui=filters["q"])
        )
    if filters["municipality"]:
        queryset = queryset.filter(municipality_id=int(filters["municipality"]))
    for key in ("sector", "stage"):
        if filters[key]:
            queryset = queryset.filter(**{key: filters[key]})
    if filters["registered"]:
        status = RegistrationStatus.REGISTERED if filters["registered"] == "yes" else RegistrationStatus.NOT_REGISTERED
        queryset = queryset.filter(registration_status=status)
    if filters["owner_sex"]:
        queryset = queryset.filter(_owners(person__sex=filters["owner_sex"]))
    if filters["owner_community"]:
        queryset = queryset.filter(_owners(person__community=filters["owner_community"]))
    if filters["owner_youth"]:
        queryset = queryset.filter(Exists(BusinessOwner.objects.filter(youth_q(), business=OuterRef("pk"))))
    if filters["grant_status"]:
        queryset = _filter_grant_status(queryset, filters["grant_status"])
    return queryset


def businesses_for_user(*, user, filters=None):
    """The staff list: businesses with municipality, owners (one prefetch) and counts of grants and links."""
    if not can_view_businesses(user):
        return Business.objects.none()
    queryset = Business.objects.select_related("municipality").annotate(
        grant_count=Count("grants", distinct=True),
        link_count=Count("market_links", distinct=True),
    )
    queryset = queryset.prefetch_related(
        Prefetch("owners", queryset=BusinessOwner.objects.select_related("person").order_by("-share_percent", "id"))
    )
    return filter_businesses(queryset, filters).order_by("name", "id")


def business_for_profile(*, user, pk):
    """One business with everything its profile shows, in a constant number of queries; None if not visible."""
    if not can_view_businesses(user):
        return None
    links = MarketLink.objects.select_related(
        "counterpart_business", "counterpart_organisation", "counterpart_municipality"
    ).order_by("-date", "-id")
    return (
        Business.objects.select_related("municipality")
        .prefetch_related(
            Prefetch("owners", queryset=BusinessOwner.objects.select_related("person__municipality")),
            Prefetch("managers", queryset=BusinessManager.objects.select_related("person")),
            Prefetch("employees", queryset=BusinessEmployee.objects.select_related("person")),
            Prefetch("snapshots", queryset=Snapshot.objects.prefetch_related("employment").order_by("date", "id")),
            Prefetch("market_links", queryset=links),
            "grants",
        )
        .filter(pk=pk)
        .first()
    )


def trainings_of_business_people(business):
    """Enrolments of the business's owners, managers and named employees, newest event first, with event, course,
    municipality and person in one query. Trainings are read through the Person reverse relation: businesses never
    imports trainings.
    """
    enrolment_model = Person._meta.get_field("enrolments").related_model
    people = (
        Q(person__in=BusinessOwner.objects.filter(business=business).values("person"))
        | Q(person__in=BusinessManager.objects.filter(business=business).values("person"))
        | Q(person__in=BusinessEmployee.objects.filter(business=business).values("person"))
    )
    return (
        enrolment_model._default_manager.filter(people)
        .select_related("person", "event__course", "event__municipality")
        .order_by("-event__start_date", "-event_id", "person__last_name", "person__first_name", "id")
    )


def counterpart_businesses(*, q, exclude=None, limit=20):
    """At most `limit` businesses whose name or trade name contains `q` (any case) or whose NUI is `q`, for the
    market-link picker; `exclude` (the business itself) never trades with itself. Under two characters: none.
    """
    q = (q or "").strip()
    if len(q) < 2:
        return Business.objects.none()
    queryset = filter_businesses(Business.objects.select_related("municipality"), {"q": q})
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.order_by("name", "id")[: max(int(limit), 0)]


def counterpart_organisations(*, q, limit=20):
    """At most `limit` organisations whose name contains `q` (any case), for the market-link picker."""
    q = (q or "").strip()
    if len(q) < 2:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(name__icontains=q)
        .select_related("municipality")
        .order_by("name", "id")[: max(int(limit), 0)]
    )


def market_link_summary(links):
    """Totals of already-loaded links: count, value, and the part that crosses communities."""
    links = list(links)
    crossing = [link for link in links if link.crosses_communities]
    return {
        "count": len(links),
        "value": sum((link.value for link in links), Decimal("0")),
        "crossing_count": len(crossing),
        "crossing_value": sum((link.value for link in crossing), Decimal("0")),
    }


def market_link_counts(queryset=None):
    """SQL counts for reports: links, links across communities, and their values."""
    queryset = MarketLink.objects.all() if queryset is None else queryset
    return queryset.aggregate(
        count=Count("id"),
        crossing_count=Count("id", filter=Q(crosses_communities=True)),
        total_value=Sum("value"),
        crossing_value=Sum("value", filter=Q(crosses_communities=True)),
    )


def formalised_businesses(*, start=None, end=None):
    """Businesses that registered during the programme (between `start` and `end` when given)."""
    queryset = Business.objects.filter(formalised_on__isnull=False)
    if start:
        queryset = queryset.filter(formalised_on__gte=start)
    if end:
        queryset = queryset.filter(formalised_on__lte=end)
    return queryset


def may_see_owner_details(user):
    return can_view_personal_data(user)
