"""What a civic infrastructure grant builds: type, settlement, optional coordinates, the municipality's co-funding
and the expected and actual users per community. The civic component reports the municipal contribution and the
cross-community use from these rows.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import Community, Component
from core.errors import ApplicationError
from core.services import audit_record
from grants.models import Grant, InfrastructureProject, InfrastructureUse
from grants.permissions import can_edit_infrastructure

# Kosovo's extent, as the model's validators have it (latitude first).
LATITUDE = (Decimal("41.8"), Decimal("43.3"))
LONGITUDE = (Decimal("19.9"), Decimal("21.8"))
PROJECT_FIELDS = ("kind", "settlement", "latitude", "longitude", "municipal_cofunding")


def is_civic(grant):
    return grant.application.call.component == Component.CIVIC_ENGAGEMENT


def _coordinate(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ApplicationError(
            _("“%(value)s” is not a coordinate. Write decimal degrees, such as 42.6629.") % {"value": value},
            code="coordinates_invalid",
        ) from error


def check_coordinates(latitude, longitude):
    """Both coordinates or neither, and the point inside Kosovo; an ApplicationError that says how to fix it."""
    latitude, longitude = _coordinate(latitude), _coordinate(longitude)
    if (latitude is None) != (longitude is None):
        raise ApplicationError(
            _("Enter both the latitude and the longitude, or leave both empty."), code="coordinates_incomplete"
        )
    if latitude is None:
        return None, None
    inside = LATITUDE[0] <= latitude <= LATITUDE[1] and LONGITUDE[0] <= longitude <= LONGITUDE[1]
    if inside:
        return latitude, longitude
    values = {"latitude": latitude, "longitude": longitude}
    swapped = LATITUDE[0] <= longitude <= LATITUDE[1] and LONGITUDE[0] <= latitude <= LONGITUDE[1]
    if swapped:
        message = _(
            "The point %(latitude)s, %(longitude)s is outside Kosovo, but it would be inside with the two numbers "
            "swapped: the latitude (about 42–43) comes first, then the longitude (about 20–21)."
        )
    else:
        message = _(
            "The point %(latitude)s, %(longitude)s is outside Kosovo. Kosovo lies between latitudes 41.8 and 43.3 "
            "and longitudes 19.9 and 21.8: check the numbers, or leave both empty."
        )
    raise ApplicationError(message % values, code="coordinates_outside_kosovo")


def _check_uses(uses):
    labels = dict(Community.choices)
    seen = set()
    rows = []
    for use in uses:
        community = use.get("community")
        if not community:
            continue
        if community not in labels:
            raise ApplicationError(_("Choose a community from the list."), code="community_invalid")
        if community in seen:
            raise ApplicationError(
                _("The community “%(community)s” is listed twice. Keep one row per community and add the numbers up.")
                % {"community": labels[community]},
                code="community_duplicate",
            )
        seen.add(community)
        expected, actual = use.get("expected_users") or 0, use.get("actual_users")
        if expected < 0 or (actual is not None and actual < 0):
            raise ApplicationError(_("The numbers of users cannot be negative."), code="users_negative")
        rows.append({"community": community, "expected_users": expected, "actual_users": actual})
    return rows


def _save_uses(project, rows):
    """Replace the use rows by `rows`; {community: [old, new]} of what changed, for the audit entry."""
    existing = {use.community: use for use in project.uses.all()}
    changed = {}
    for row in rows:
        use = existing.pop(row["community"], None) or InfrastructureUse(project=project, community=row["community"])
        before = [use.expected_users, use.actual_users] if use.pk else None
        after = [row["expected_users"], row["actual_users"]]
        if before != after:
            use.expected_users, use.actual_users = after
            use.save()
            changed[row["community"]] = [before, after]
    for community, use in existing.items():
        use.delete()
        changed[community] = [[use.expected_users, use.actual_users], None]
    return changed


@transaction.atomic
def infrastructure_save(*, actor, grant, data, uses):
    """Record or change what a civic grant builds and who uses it.

    `data` has kind, settlement, latitude, longitude (both optional) and municipal_cofunding (EUR); `uses` is a
    list of {"community", "expected_users", "actual_users"} rows, one per community (rows without a community are
    ignored; a community listed twice is refused).
    """
    grant = Grant.objects.select_for_update(of=("self",)).select_related("application__call").get(pk=grant.pk)
    if not is_civic(grant):
        raise ApplicationError(_("Only civic engagement grants record infrastructure."), code="not_civic")
    if not can_edit_infrastructure(actor, grant):
        raise ApplicationError(_("You may not change this grant's infrastructure."), code="not_allowed")
    latitude, longitude = check_coordinates(data.get("latitude"), data.get("longitude"))
    rows = _check_uses(uses)
    project = InfrastructureProject.objects.filter(grant=grant).first() or InfrastructureProject(grant=grant)
    values = {**data, "latitude": latitude, "longitude": longitude}
    changed = {}
    for field in PROJECT_FIELDS:
        if field in values and getattr(project, field) != values[field]:
            changed[field] = [str(getattr(project, field)), str(values[field])]
            setattr(project, field, values[field])
    if project.municipal_cofunding is None or project.municipal_cofunding < 0:
        raise ApplicationError(_("The municipality's co-funding cannot be negative; enter 0 if there is none."))
    try:
        project.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), code="invalid") from error
    adding = project.pk is None
    project.save()
    changed["uses"] = _save_uses(project, rows)
    if not changed["uses"]:
        del changed["uses"]
    if changed or adding:
        action = "grants.grant.infrastructure_recorded" if adding else "grants.grant.infrastructure_changed"
        audit_record(actor=actor, action=action, target=grant, data=changed)
    return project


def infrastructure_summary(project):
    """Totals of a project's use rows: expected and actual users, and how many communities use it."""
    uses = list(project.uses.all())
    actual = [use for use in uses if use.actual_users]
    return {
        "uses": uses,
        "expected_total": sum(use.expected_users for use in uses),
        "actual_total": sum(use.actual_users or 0 for use in uses),
        "actual_known": any(use.actual_users is not None for use in uses),
        "communities_expected": sum(1 for use in uses if use.expected_users),
        "communities_using": len(actual),
    }
