"""Demo people, organisations and one log-in per role, for `manage.py seed_demo`.

Deterministic (a fixed random seed) and idempotent: records are looked up by natural keys
before they are created.
"""

import datetime
import random

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import Organisation, OrganisationType, Person, User
from accounts.roles import Role
from accounts.services import organisation_create, person_create, staff_user_create, user_set_role
from core.choices import Community, Sex
from municipalities.selectors import partner_municipalities

DEMO_USERS = [
    ("applicant@example.org", Role.APPLICANT, "Arta", "Krasniqi", "sq"),
    ("reviewer@example.org", Role.REVIEWER, "Milica", "Stojanović", "sr-latn"),
    ("officer@example.org", Role.PROGRAMME_OFFICER, "Besnik", "Gashi", "sq"),
    ("me@example.org", Role.ME_OFFICER, "Jelena", "Petrović", "sr"),
    ("finance@example.org", Role.FINANCE_OFFICER, "Drita", "Berisha", "sq"),
    ("manager@example.org", Role.MANAGER, "Nenad", "Jovanović", "sr-latn"),
    ("usaid@example.org", Role.USAID_VIEWER, "Sarah", "Miller", "en"),
    ("admin@example.org", Role.ADMIN, "Admin", "AKT-LS", "en"),
]

ALBANIAN_FIRST = {
    Sex.FEMALE: ["Arta", "Blerta", "Drita", "Fjolla", "Mimoza", "Vjosa", "Teuta", "Albana", "Shqipe", "Valbona"],
    Sex.MALE: ["Arben", "Besnik", "Driton", "Fatmir", "Gëzim", "Ilir", "Kushtrim", "Labinot", "Valon", "Agron"],
}
ALBANIAN_LAST = ["Krasniqi", "Gashi", "Berisha", "Morina", "Hoxha", "Shala", "Bytyçi", "Kelmendi", "Rexhepi", "Hasani"]
SERBIAN_FIRST = {
    Sex.FEMALE: ["Milica", "Jelena", "Dragana", "Snežana", "Ivana", "Marija", "Jovana", "Tijana", "Gordana", "Ana"],
    Sex.MALE: ["Nenad", "Dragan", "Miloš", "Nikola", "Stefan", "Đorđe", "Vladimir", "Zoran", "Dejan", "Marko"],
}
SERBIAN_LAST = ["Jovanović", "Petrović", "Stojanović", "Nikolić", "Ristić", "Đorđević", "Simić", "Milić", "Kostić"]
SERBIAN_CYRILLIC = {"Милица Јовановић": Sex.FEMALE, "Никола Ристић": Sex.MALE, "Јелена Симић": Sex.FEMALE}
OTHER_NAMES = {
    Community.ROMA: (["Elvis", "Sabina", "Senad"], ["Berisha", "Mustafa", "Ademi"]),
    Community.ASHKALI: (["Bekim", "Shpresa", "Agim"], ["Rama", "Salihu", "Krasniqi"]),
    Community.BOSNIAK: (["Amir", "Emina", "Edin"], ["Hadžić", "Kurtić", "Mehmedović"]),
    Community.TURKISH: (["Emre", "Ayşe", "Mehmet"], ["Yılmaz", "Şahin", "Doğan"]),
    Community.GORANI: (["Ramiz", "Sadete", "Ismet"], ["Bajrami", "Kurteši", "Idrizi"]),
    Community.EGYPTIAN: (["Bajram", "Fatime", "Ramadan"], ["Gashi", "Jashari", "Berisha"]),
}
# Deliberate near-duplicates for /staff/people/duplicates/: the same person typed twice, with and without
# diacritics or in another script. (first name, last name, sex, community, municipality code, birth date, birth year)
NEAR_DUPLICATES = [
    ("Đorđe", "Jovanović", Sex.MALE, Community.SERB, "gracanica", datetime.date(1991, 4, 12), None),
    ("Djordje", "Jovanovic", Sex.MALE, Community.SERB, "gracanica", datetime.date(1991, 4, 12), None),
    ("Arbër", "Krasniqi", Sex.MALE, Community.ALBANIAN, "gjilan", None, 1996),
    ("Arber", "Krasniqi", Sex.MALE, Community.ALBANIAN, "gjilan", None, 1996),
    ("Снежана", "Стојановић", Sex.FEMALE, Community.SERB, "shterpce", datetime.date(1984, 9, 3), None),
    ("Snezana", "Stojanovic", Sex.FEMALE, Community.SERB, "shterpce", datetime.date(1984, 9, 3), None),
]
# Organisation names in the majority language of their municipality: (language, patterns).
CSO_NAMES = {
    Community.ALBANIAN: ("sq", ["Shoqata “Ura” – {m}", "Qendra për Zhvillim Komunitar – {m}"]),
    Community.SERB: ("sr-latn", ["Udruženje građana „Most“ – {m}", "Centar za razvoj zajednice – {m}"]),
}


def seed(*, password):
    rng = random.Random(2026)
    yield from _seed_users(password)
    _seed_people(rng)
    duplicates = _seed_near_duplicates()
    people = Person.objects.count()
    organisations = _seed_organisations()
    yield f"{people} people and {organisations} organisations in the 16 partner municipalities"
    yield f"{duplicates} deliberate near-duplicate people to check on /staff/people/duplicates/"


def _seed_users(password):
    for email, role, first_name, last_name, language in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            if role == Role.APPLICANT:
                user = User.objects.create_user(
                    email, password, first_name=first_name, last_name=last_name, language=language
                )
                user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            else:
                user = staff_user_create(
                    actor=None,
                    email=email,
                    role=role,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    language=language,
                )
        elif not user.groups.filter(name=role).exists():
            user_set_role(actor=None, user=user, role=role)
        yield f"log-in {email} ({role})"


def _person_names(rng, community, index):
    sex = Sex.FEMALE if index % 2 == 0 else Sex.MALE
    if community == Community.ALBANIAN:
        return rng.choice(ALBANIAN_FIRST[sex]), rng.choice(ALBANIAN_LAST), sex
    if community == Community.SERB:
        return rng.choice(SERBIAN_FIRST[sex]), rng.choice(SERBIAN_LAST), sex
    first_names, last_names = OTHER_NAMES[community]
    return first_names[index % len(first_names)], rng.choice(last_names), sex


def _seed_people(rng):
    minorities = list(OTHER_NAMES)
    for m_index, municipality in enumerate(partner_municipalities()):
        majority = municipality.majority_community
        second = Community.ALBANIAN if majority == Community.SERB else Community.SERB
        communities = [majority, majority, majority, second, second, minorities[m_index % len(minorities)]]
        for index, community in enumerate(communities):
            first_name, last_name, sex = _person_names(rng, community, index + m_index)
            birth = datetime.date(rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28))
            _person_get_or_create(
                first_name=first_name,
                last_name=last_name,
                municipality=municipality,
                sex=sex,
                community=community,
                birth_date=birth,
                consent_given=True,
                phone=f"+383 4{rng.randint(3, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            )
    for full_name, sex in SERBIAN_CYRILLIC.items():
        first_name, last_name = full_name.split(" ")
        _person_get_or_create(
            first_name=first_name,
            last_name=last_name,
            municipality=partner_municipalities().get(code="gracanica"),
            sex=sex,
            community=Community.SERB,
            birth_year=rng.randint(1970, 2004),
            consent_given=True,
        )
    return Person.objects.count()


def _seed_near_duplicates():
    """Pairs of records of one person as field staff type them twice; looked up by every identifying field, so a
    random demo person of the same name does not stand in for one of them, and a second run adds nothing."""
    municipalities = {m.code: m for m in partner_municipalities()}
    for first_name, last_name, sex, community, code, birth_date, birth_year in NEAR_DUPLICATES:
        fields = {
            "first_name": first_name,
            "last_name": last_name,
            "municipality": municipalities[code],
            "birth_date": birth_date,
            "birth_year": birth_year or birth_date.year,
        }
        if not Person.objects.filter(**fields).exists():
            person_create(actor=None, sex=sex, community=community, consent_given=True, **fields)
    return len(NEAR_DUPLICATES)


def _person_get_or_create(**fields):
    keys = {k: fields[k] for k in ("first_name", "last_name", "municipality")}
    existing = Person.objects.filter(**keys).first()
    if existing:
        return existing
    return person_create(actor=None, **fields)


def _seed_organisations():
    for municipality in partner_municipalities():
        language, patterns = CSO_NAMES[municipality.majority_community]
        for index, pattern in enumerate(patterns):
            name = pattern.format(m=municipality.name_in(language))
            if Organisation.objects.filter(name=name).exists():
                continue
            organisation_create(
                actor=None,
                name=name,
                type=OrganisationType.CSO if index == 0 else OrganisationType.INFORMAL_GROUP,
                municipality=municipality,
                registration_number=f"5{municipality.pk:03d}{index:02d}" if index == 0 else "",
                communities_represented=[Community.ALBANIAN, Community.SERB],
            )
    return Organisation.objects.count()
