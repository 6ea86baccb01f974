"""Demo businesses for `manage.py seed_demo`: two in each partner municipality (women- and youth-owned among them),
snapshots over two years, market links across communities and one formalisation.

Deterministic and idempotent: a business is looked up by its demo name before it is created. Runs after accounts'
demo (INSTALLED_APPS order), whose people in each municipality become the owners.
"""

import datetime
from decimal import Decimal

from accounts.models import Person, User
from businesses.models import Business, EmploymentType, LegalForm, RegistrationStatus, Sector, SnapshotKind, Stage
from businesses.services import (
    business_create,
    business_employee_add,
    business_formalise,
    business_owner_add,
    market_link_record,
    snapshot_record,
)
from core.choices import AgeBand, Sex
from municipalities.selectors import partner_municipalities

SECTORS = list(Sector.values)
PRODUCTS = ["Honey", "Ajvar", "Cheese", "Furniture", "Software services", "Bread", "Raspberries", "Wool carpets"]


def seed(*, password):
    actor = User.objects.filter(email="admin@example.org").first()
    if actor is None:
        return
    created = []
    for index, municipality in enumerate(partner_municipalities()):
        people = list(Person.objects.filter(municipality=municipality).order_by("id")[:6])
        if len(people) < 2:
            continue
        for number, owner in enumerate((_woman(people) or people[0], people[-1])):
            name = f"Demo {municipality.name_sq} {number + 1}"
            if Business.objects.filter(name=name).exists():
                continue
            business = _business(actor, name, municipality, owner, index * 2 + number)
            created.append(business)
            employee = people[1 + number] if len(people) > 2 + number else None
            if employee is not None and employee.pk != owner.pk and number == 0:
                business_employee_add(
                    actor=actor,
                    business=business,
                    person=employee,
                    position="Asistent shitjesh",
                    employment_type=EmploymentType.FULL_TIME if index % 2 else EmploymentType.PART_TIME,
                    started_on=datetime.date(2025, 1 + index % 12, 1),
                )
    businesses = list(Business.objects.filter(name__startswith="Demo ").order_by("id"))
    for first, second in zip(businesses, businesses[3:], strict=False):
        if not first.market_links.exists():
            _link(actor, first, second)
    unregistered = [b for b in businesses if not b.is_registered and b.formalised_on is None]
    if unregistered and not Business.objects.filter(formalised_on__isnull=False).exists():
        business_formalise(
            actor=actor,
            business=unregistered[0],
            nui="819000001",
            registration_date=datetime.date(2026, 3, 15),
            legal_form=LegalForm.INDIVIDUAL,
        )
    yield f"{len(created)} businesses with owners, named employees, snapshots and market links"


def _woman(people):
    return next((person for person in people if person.sex == Sex.FEMALE), None)


def _business(actor, name, municipality, owner, index):
    registered = index % 3 != 0
    business = business_create(
        actor=actor,
        data={
            "name": name,
            "legal_form": LegalForm.LLC if registered else LegalForm.NOT_REGISTERED,
            "registration_status": RegistrationStatus.REGISTERED if registered else RegistrationStatus.NOT_REGISTERED,
            "nui": f"{811000000 + index}" if registered else "",
            "registration_date": datetime.date(2020, 1 + index % 12, 1) if registered else None,
            "sector": SECTORS[index % len(SECTORS)],
            "stage": Stage.EXISTING if registered else Stage.STARTUP,
            "municipality": municipality,
        },
    )
    business_owner_add(actor=actor, business=business, person=owner, share_percent=100)
    for year, kind in ((2025, SnapshotKind.BASELINE), (2026, SnapshotKind.YEARLY)):
        growth = year - 2024
        snapshot_record(
            actor=actor,
            business=business,
            data={"date": datetime.date(year, 12, 31), "kind": kind, "annual_sales": Decimal(15000 * growth + index)},
            employment=[
                {"sex": Sex.FEMALE, "age_band": AgeBand.YOUTH, "full_time_count": growth, "months_worked": 12},
                {
                    "sex": Sex.MALE,
                    "age_band": AgeBand.ADULT,
                    "part_time_count": 1,
                    "part_time_weekly_hours": 20,
                    "months_worked": 6,
                },
            ],
        )
    return business


def _link(actor, business, counterpart):
    market_link_record(
        actor=actor,
        business=business,
        data={
            "counterpart_business": counterpart,
            "direction": "sale",
            "product": PRODUCTS[business.pk % len(PRODUCTS)],
            "value": Decimal(1200 + business.pk * 10),
            "date": datetime.date(2026, 6, 1),
        },
    )
