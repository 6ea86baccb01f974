"""Every write to businesses: keyword-only, transactional, validated before saving and audited."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from businesses.models import (
    REGISTRATION_TRANSITIONS,
    Business,
    BusinessEmployee,
    BusinessManager,
    BusinessOwner,
    LegalForm,
    MarketLink,
    RegistrationStatus,
    Snapshot,
    SnapshotEmployment,
)
from businesses.permissions import can_manage_businesses
from core.choices import Community
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition

BUSINESS_FIELDS = (
    "name",
    "trade_name",
    "legal_form",
    "registration_status",
    "nui",
    "fiscal_number",
    "registration_date",
    "sector",
    "stage",
    "municipality",
    "settlement",
    "founded_on",
)
UNKNOWN_COMMUNITIES = {"", Community.NOT_STATED, Community.OTHER}


def _require_manager(actor):
    if not can_manage_businesses(actor):
        raise ApplicationError(_("You cannot change businesses."), code="not_allowed")


def _locked(business):
    return Business.objects.select_for_update().get(pk=business.pk)


@transaction.atomic
def business_create(*, actor, data):
    """Record a business. A registered one needs its NUI and registration date (Business.clean)."""
    _require_manager(actor)
    business = Business(**{key: data[key] for key in BUSINESS_FIELDS if key in data})
    business.full_clean()
    business.save()
    audit_record(
        actor=actor, action="businesses.business.created", target=business, to_status=business.registration_status
    )
    return business


@transaction.atomic
def business_update(*, actor, business, data):
    """Change a business's details. Its registration status changes only through business_formalise."""
    _require_manager(actor)
    business = _locked(business)
    changed = {}
    for key in BUSINESS_FIELDS:
        if key in data and key != "registration_status" and getattr(business, key) != data[key]:
            changed[key] = str(data[key] if data[key] is not None else "")
            setattr(business, key, data[key])
    business.full_clean()
    business.save()
    if changed:
        audit_record(actor=actor, action="businesses.business.updated", target=business, data=changed)
    return business


@transaction.atomic
def business_formalise(*, actor, business, nui, registration_date, legal_form, fiscal_number=""):
    """A business that registers during the programme: status, NUI and date change together, and it is counted.

    `formalised_on` is what the formalisation indicator (and the municipal component) count.
    """
    _require_manager(actor)
    business = _locked(business)
    if business.is_registered:
        raise ApplicationError(_("This business is registered already; nothing to formalise."), code="registered")
    if legal_form == LegalForm.NOT_REGISTERED:
        raise ApplicationError(_("Choose the legal form the business registered as."), code="legal_form")
    business.nui, business.registration_date, business.legal_form = nui, registration_date, legal_form
    business.fiscal_number = fiscal_number or business.fiscal_number
    business.formalised_on = registration_date
    business.registration_status = RegistrationStatus.REGISTERED
    business.full_clean()  # NUI format and uniqueness, before anything is written
    business.registration_status = RegistrationStatus.NOT_REGISTERED
    return transition(
        instance=business,
        to=RegistrationStatus.REGISTERED,
        actor=actor,
        transitions=REGISTRATION_TRANSITIONS,
        action="businesses.business.formalised",
        field="registration_status",
        data={"nui": nui, "registration_date": registration_date.isoformat()},
        save_fields=["nui", "registration_date", "legal_form", "fiscal_number", "formalised_on"],
    )


@transaction.atomic
def business_owner_add(*, actor, business, person, share_percent):
    """Add an owner; the owners' shares together may not pass 100%."""
    _require_manager(actor)
    business = _locked(business)
    share = Decimal(share_percent)
    if business.owners.filter(person=person).exists():
        raise ApplicationError(
            _("%(person)s is an owner of this business already; remove them first to change the share.")
            % {"person": person},
            code="owner_exists",
        )
    held = business.owners.aggregate(total=Sum("share_percent"))["total"] or Decimal("0")
    if held + share > 100:
        raise ApplicationError(
            _(
                "The owners would hold %(total)s%%, more than 100%%. "
                "Other owners hold %(held)s%%; enter at most %(free)s%%."
            )
            % {"total": held + share, "held": held, "free": Decimal(100) - held},
            code="shares_over_100",
        )
    owner = BusinessOwner(business=business, person=person, share_percent=share)
    owner.full_clean()
    owner.save()
    audit_record(
        actor=actor,
        action="businesses.owner.added",
        target=business,
        data={"person": person.pk, "share_percent": str(share)},
    )
    return owner


@transaction.atomic
def business_owner_remove(*, actor, owner):
    _require_manager(actor)
    business = _locked(owner.business)
    data = {"person": owner.person_id, "share_percent": str(owner.share_percent)}
    owner.delete()
    audit_record(actor=actor, action="businesses.owner.removed", target=business, data=data)


@transaction.atomic
def business_manager_add(*, actor, business, person, role_title):
    _require_manager(actor)
    business = _locked(business)
    manager = BusinessManager(business=business, person=person, role_title=role_title)
    try:
        manager.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            _("%(person)s is a manager of this business already.") % {"person": person}, code="manager_exists"
        ) from error
    manager.save()
    audit_record(
        actor=actor, action="businesses.manager.added", target=business, data={"person": person.pk, "role": role_title}
    )
    return manager


@transaction.atomic
def business_employee_add(*, actor, business, person, position, employment_type, started_on):
    """Name an employee of the business. The same person may be employed again after an earlier spell ended,
    never twice at once."""
    _require_manager(actor)
    business = _locked(business)
    if started_on > timezone.localdate():
        raise ApplicationError(
            _("The employment cannot start in the future; record it once the person has started."),
            code="future_start",
        )
    if business.employees.filter(person=person, ended_on__isnull=True).exists():
        raise ApplicationError(
            _("%(person)s is already recorded as a current employee of this business.") % {"person": person},
            code="employee_exists",
        )
    if business.employees.filter(person=person, ended_on__gte=started_on).exists():
        raise ApplicationError(
            _("%(person)s was employed here until after this start date; correct the start date.") % {"person": person},
            code="employee_overlap",
        )
    employee = BusinessEmployee(
        business=business, person=person, position=position, employment_type=employment_type, started_on=started_on
    )
    employee.full_clean()
    employee.save()
    audit_record(
        actor=actor,
        action="businesses.employee.added",
        target=business,
        data={"person": person.pk, "position": position, "since": started_on.isoformat()},
    )
    return employee


@transaction.atomic
def business_employee_end(*, actor, employee, ended_on):
    """Record the last day of an employment; a second call for an employment already ended changes nothing."""
    _require_manager(actor)
    business = _locked(employee.business)
    employee = BusinessEmployee.objects.select_for_update().get(pk=employee.pk)
    if employee.ended_on is not None:
        return employee
    if ended_on < employee.started_on:
        raise ApplicationError(
            _("The last day cannot be before the employment started (%(date)s).")
            % {"date": employee.started_on.strftime("%d.%m.%Y")},
            code="end_before_start",
        )
    if ended_on > timezone.localdate():
        raise ApplicationError(_("The last day cannot be in the future."), code="future_end")
    employee.ended_on = ended_on
    employee.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action="businesses.employee.ended",
        target=business,
        data={"person": employee.person_id, "until": ended_on.isoformat()},
    )
    return employee


@transaction.atomic
def snapshot_record(*, actor, business, data, employment):
    """Record a snapshot with its employment rows (dicts: sex, age_band, counts, hours, months).

    Full-time equivalents are never stored or typed: Snapshot.fte computes them from these rows.
    """
    _require_manager(actor)
    business = _locked(business)
    snapshot = Snapshot(business=business, **data)
    snapshot.full_clean()
    snapshot.save()
    seen = set()
    for row in employment:
        key = (row["sex"], row["age_band"])
        if key in seen:
            raise ApplicationError(
                _("Two employment rows have the same sex and age band; add their counts into one row."),
                code="employment_duplicate",
            )
        seen.add(key)
        line = SnapshotEmployment(snapshot=snapshot, **row)
        line.full_clean(exclude=["snapshot"])
        line.save()
    audit_record(
        actor=actor,
        action="businesses.snapshot.recorded",
        target=business,
        data={"snapshot": snapshot.pk, "kind": snapshot.kind, "date": snapshot.date.isoformat()},
    )
    return snapshot


def majority_owner_community(business):
    """The community of the owners who hold the largest share together; "" without owners or on a tie."""
    shares = defaultdict(Decimal)
    for owner in business.owners.select_related("person"):
        shares[owner.person.community] += owner.share_percent
    if not shares:
        return ""
    ranked = sorted(shares.items(), key=lambda item: item[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return ""
    return ranked[0][0]


def crosses(community_a, community_b):
    """Two known, different communities; an unknown side never counts as crossing."""
    if community_a in UNKNOWN_COMMUNITIES or community_b in UNKNOWN_COMMUNITIES:
        return False
    return community_a != community_b


@transaction.atomic
def market_link_record(*, actor, business, data):
    """Record a sale or supply agreement and mark it when it crosses communities.

    The counterpart is another supported Business (its community and municipality are read from it when not
    given), an Organisation, or a free-text name with its community typed.
    """
    _require_manager(actor)
    business = _locked(business)
    link = MarketLink(business=business, **data)
    other = link.counterpart_business
    if other is not None:
        if other.pk == business.pk:
            raise ApplicationError(_("A business cannot trade with itself; choose another counterpart."), code="self")
        link.counterpart_community = link.counterpart_community or majority_owner_community(other)
        link.counterpart_municipality = link.counterpart_municipality or other.municipality
    elif link.counterpart_organisation is not None and link.counterpart_municipality is None:
        link.counterpart_municipality = link.counterpart_organisation.municipality
    if not link.counterpart_community:
        raise ApplicationError(
            _("Choose the counterpart's community (of its majority owners), or “Prefer not to say”."),
            code="community",
        )
    link.business_community = majority_owner_community(business)
    link.crosses_communities = crosses(link.business_community, link.counterpart_community)
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action="businesses.market_link.recorded",
        target=business,
        data={"link": link.pk, "value": str(link.value), "crosses_communities": link.crosses_communities},
    )
    return link
