"""Demo municipal development for `manage.py seed_demo`: for each of the 16 partner municipalities a profile,
population figures, a signed memorandum, focal persons, a technical-assistance package with activities at every
status (deliverables with versions, municipal staff trained, a public hearing with attendance) and two or three
tracked services with a baseline and follow-up measures — some improved with evidence, some not.

Everything goes through the services of municipal/services/, as staff would record it, by the demo administrator.
Deterministic and idempotent: a profile, a memorandum, focal persons, the package and a service are looked up
before they are created, and the parts of a municipality that exist are left as they are. Runs last (`municipal`
is last in INSTALLED_APPS), so the demo people of accounts are there to be trained.

Mayors and focal persons are invented names; population figures are invented, plausible numbers.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Person, User
from core.choices import Community, Sex
from municipal.models import ActivityStatus, ActivityType, MeasureKind, MunicipalService, ServiceCategory, TAPackage
from municipal.services.packages import (
    activity_accept,
    activity_cancel,
    activity_deliver,
    activity_save,
    activity_start,
    deliverable_add,
    deliverable_version_add,
    hearing_attendance_set,
    package_save,
    participants_add,
)
from municipal.services.partnership import (
    focal_person_save,
    memorandum_save,
    memorandum_sign,
    population_figure_record,
    profile_save,
)
from municipal.services.tracker import measure_record, service_save
from municipalities.models import FocalPerson, Memorandum, MunicipalityProfile, OfficialLanguage, PopulationFigure
from municipalities.selectors import partner_municipalities

CENSUS = "Kosovo Agency of Statistics, census 2024"
MOU_START, MOU_END, MOU_SIGNED = datetime.date(2026, 1, 15), datetime.date(2028, 12, 31), datetime.date(2026, 1, 15)
PACKAGE_START, PACKAGE_END = datetime.date(2026, 2, 1), datetime.date(2027, 12, 31)

A, S, B, R, AS, E, G = (
    Community.ALBANIAN,
    Community.SERB,
    Community.BOSNIAK,
    Community.ROMA,
    Community.ASHKALI,
    Community.EGYPTIAN,
    Community.GORANI,
)
# code: (mayor, population by community (census 2024, invented), extra languages in official use, focal persons)
MUNICIPALITIES = {
    "gracanica": ("Dragan Stevanović", {S: 7400, A: 2900, R: 620, AS: 180}, [], ["Jelena Marković", "Bekim Rama"]),
    "kllokot": ("Milan Ilić", {S: 1650, A: 820, R: 40}, [], ["Ivana Đorić"]),
    "novoberde": ("Predrag Lazić", {S: 3950, A: 2980, R: 90}, [], ["Nikola Tasić", "Fjolla Berisha"]),
    "partesh": ("Goran Stanković", {S: 1790, R: 20}, [], ["Marija Stanić"]),
    "ranillug": ("Saša Milenković", {S: 3500, A: 310, R: 30}, [], ["Dejan Stojković"]),
    "shterpce": ("Bratislav Nikolić", {S: 3900, A: 2950, R: 40}, [], ["Snežana Petković", "Ardian Sopi"]),
    "gjilan": ("Arbër Rexhepi", {A: 76800, S: 420, R: 760, AS: 310, Community.TURKISH: 720}, [], ["Teuta Ismaili"]),
    "istog": (
        "Besim Kastrati",
        {A: 31400, B: 1650, S: 560, R: 420, E: 680},
        [OfficialLanguage.BOSNIAN],
        ["Edona Hoti"],
    ),
    "kline": ("Zenun Bytyçi", {A: 33700, S: 190, R: 320, AS: 290, E: 410}, [], ["Valon Krasniqi", "Shqipe Lleshi"]),
    "obiliq": ("Xhafer Gashi", {A: 19200, S: 620, R: 430, AS: 680}, [], ["Mimoza Hajdari"]),
    "peje": (
        "Gazmend Kelmendi",
        {A: 77100, B: 3600, R: 1050, E: 2600, S: 330},
        [OfficialLanguage.BOSNIAN],
        ["Alban Lajçi"],
    ),
    "vushtrri": ("Valdet Hasani", {A: 60100, AS: 920, S: 320, R: 260}, [], ["Blerta Mehmeti", "Ilir Osmani"]),
    "mitrovica-north": (
        "Nebojša Vuković",
        {S: 17600, A: 2900, B: 1100, G: 390, R: 280},
        [OfficialLanguage.BOSNIAN],
        ["Vesna Pavlović", "Emina Hadžić"],
    ),
    "leposaviq": ("Dušan Marinković", {S: 12600, A: 420, B: 60}, [], ["Miloš Ristić"]),
    "zubin-potok": ("Vladimir Perić", {S: 6100, A: 380}, [], ["Tijana Vuletić"]),
    "zvecan": ("Bojan Lazarević", {S: 7200, A: 310, R: 60}, [], ["Stefan Jakšić", "Gordana Milić"]),
}


def seed(*, password):
    actor = User.objects.filter(email="admin@example.org").first()
    if actor is None:
        return
    officer = User.objects.filter(email="officer@example.org").first()
    made = {"profiles": 0, "memoranda": 0, "packages": 0, "services": 0}
    for index, municipality in enumerate(partner_municipalities()):
        plan = MUNICIPALITIES.get(municipality.code)
        if plan is None:
            continue
        made["profiles"] += _profile(actor, municipality, plan)
        made["memoranda"] += _memorandum(actor, municipality, index)
        _focal_persons(actor, municipality, plan[3])
        package = TAPackage.objects.filter(municipality=municipality, starts_on=PACKAGE_START).first()
        if package is None:
            package = _package(actor, municipality, officer, index)
            made["packages"] += 1
        made["services"] += _services(actor, municipality, package, index)
    yield (
        f"{made['profiles']} municipality profiles, {made['memoranda']} signed memoranda, {made['packages']} TA "
        f"packages with activities at every status and {made['services']} tracked services with measures"
    )


# --- Partnership ---------------------------------------------------------------------------------------------------
def _profile(actor, municipality, plan):
    mayor, population, extra_languages, _focal = plan
    if MunicipalityProfile.objects.filter(municipality=municipality).exists():
        return 0
    profile_save(
        actor=actor,
        municipality=municipality,
        data={
            "mayor": mayor,
            "address": f"Sheshi i Komunës 1, {municipality.name_sq}",
            "phone": f"+383 28 {200 + municipality.sort_order:03d} {100 + len(municipality.code):03d}",
            "email": f"info@{municipality.code}.example.org",
            "website": f"https://{municipality.code}.example.org",
            "official_languages": [OfficialLanguage.ALBANIAN, OfficialLanguage.SERBIAN, *extra_languages],
        },
    )
    for community, count in [("", sum(population.values())), *population.items()]:
        if not PopulationFigure.objects.filter(
            municipality=municipality, year=2024, source=CENSUS, community=community
        ).exists():
            population_figure_record(
                actor=actor,
                municipality=municipality,
                data={"year": 2024, "source": CENSUS, "community": community, "count": count},
            )
    return 1


def _memorandum(actor, municipality, index):
    if Memorandum.objects.filter(municipality=municipality).exists():
        return 0
    ceiling = Decimal(120000 + 10000 * (index % 4))
    pledge = (ceiling * Decimal(20 + 5 * (index % 3)) / 100).quantize(Decimal("0.01"))
    memorandum = memorandum_save(
        actor=actor,
        municipality=municipality,
        data={
            "reference": f"AKT-LS/MoU/{index + 1:02d}",
            "starts_on": MOU_START,
            "ends_on": MOU_END,
            "signatories": f"{MUNICIPALITIES[municipality.code][0]}, Mayor of {municipality.name_en}\n"
            "Chief of Party, AKT-LS (Community Development Fund)",
            "programme_commitments": "Technical assistance for better services to businesses and citizens; "
            "an infrastructure envelope for civic and municipal projects; training of municipal staff.",
            "municipality_commitments": "Staff time and premises for the activities; co-funding of infrastructure "
            "projects; publication of municipal acts in both official languages.",
            "programme_ceiling": ceiling,
            "ceiling_purpose": "infrastructure envelope",
            "cofunding_pledge": pledge,
        },
    )
    memorandum_sign(
        actor=actor,
        memorandum=memorandum,
        signed_on=MOU_SIGNED,
        signed_file=_pdf_upload(f"mou-{municipality.code}.pdf", f"Memorandum of understanding - {municipality.code}"),
    )
    return 1


def _focal_persons(actor, municipality, names):
    if FocalPerson.objects.filter(municipality=municipality).exists():
        return
    positions = [
        ("Director of Economic Development", "Economic development"),
        ("Municipal Coordinator", "Mayor's office"),
    ]
    for number, name in enumerate(names):
        position, department = positions[number % len(positions)]
        focal_person_save(
            actor=actor,
            municipality=municipality,
            data={
                "name": name,
                "position": position,
                "department": department,
                "email": f"focal{number + 1}@{municipality.code}.example.org",
                "phone": f"+383 44 {300 + municipality.sort_order:03d} {500 + number:03d}",
            },
        )


# --- Technical assistance ------------------------------------------------------------------------------------------
# (type, title, department, start, end, cost, status reached); every package has one of each status but cancelled,
# which every fourth municipality has instead of its equipment.
ACTIVITIES = [
    (
        ActivityType.NEEDS_ASSESSMENT,
        "Assessment of services for businesses",
        "Economic development",
        (2, 10),
        (3, 20),
        3200,
        ActivityStatus.ACCEPTED,
    ),
    (
        ActivityType.PROCESS_IMPROVEMENT,
        "One-stop shop for business registration",
        "Economic development",
        (4, 1),
        (7, 31),
        8500,
        ActivityStatus.ACCEPTED,
    ),
    (
        ActivityType.STAFF_TRAINING,
        "Training of front-desk staff in customer service",
        "Citizen service centre",
        (5, 4),
        (6, 26),
        4200,
        ActivityStatus.DELIVERED,
    ),
    (
        ActivityType.PUBLIC_HEARING,
        "Public hearing on the local economic development plan",
        "Economic development",
        (9, 16),
        (9, 16),
        900,
        ActivityStatus.DELIVERED,
    ),
    (
        ActivityType.DIGITALISATION,
        "Online requests for construction permits",
        "Urban planning",
        (9, 1),
        (12, 15),
        9800,
        ActivityStatus.IN_PROGRESS,
    ),
    (
        ActivityType.PLAN_DRAFTING,
        "Regulation on market inspections",
        "Inspections",
        (2027, 2, 1),
        (2027, 5, 31),
        3600,
        ActivityStatus.PLANNED,
    ),
    (
        ActivityType.EQUIPMENT,
        "Queue-management equipment for the service centre",
        "Citizen service centre",
        (2027, 3, 1),
        (2027, 4, 30),
        6400,
        ActivityStatus.PLANNED,
    ),
]


def _day(parts):
    return datetime.date(*parts) if len(parts) == 3 else datetime.date(2026, *parts)


def _package(actor, municipality, officer, index):
    package = package_save(
        actor=actor,
        municipality=municipality,
        data={
            "title": f"Technical assistance 2026–2027 – {municipality.name_en}",
            "starts_on": PACKAGE_START,
            "ends_on": PACKAGE_END,
            "objectives": "Faster and bilingual services for businesses and citizens; more own-source revenue; "
            "a local economic development plan consulted with all communities.",
            "planned_activities": "\n".join(item[1] for item in ACTIVITIES),
            "budget": Decimal("45000.00"),
            "consultants": "Lirim Dervishi – public administration\nMirjana Kostić – e-government",
        },
        staff_users=[officer] if officer else [],
    )
    trainees = list(Person.objects.filter(municipality=municipality).order_by("id")[2:5])
    for kind, title, department, start, end, cost, status in ACTIVITIES:
        if kind == ActivityType.EQUIPMENT and index % 4 == 0:
            status = ActivityStatus.CANCELLED
        activity = activity_save(
            actor=actor,
            package=package,
            data={
                "type": kind,
                "title": title,
                "department": department,
                "starts_on": _day(start),
                "ends_on": _day(end),
                "cost": Decimal(cost),
            },
        )
        _advance(actor, activity, status, trainees, municipality)
    return package


def _advance(actor, activity, status, trainees, municipality):
    """Take an activity to `status` the way staff would: start, record what it produced, deliver, accept."""
    if status == ActivityStatus.CANCELLED:
        activity_cancel(actor=actor, activity=activity, reason="The municipality bought the equipment itself.")
        return
    if status == ActivityStatus.PLANNED:
        return
    activity_start(actor=actor, activity=activity)
    if activity.type == ActivityType.STAFF_TRAINING:
        for person in trainees:
            participants_add(actor=actor, activity=activity, person=person)
    if activity.type == ActivityType.PUBLIC_HEARING:
        hearing_attendance_set(actor=actor, activity=activity, rows=_attendance(municipality))
    if status == ActivityStatus.IN_PROGRESS:
        return
    deliverable = deliverable_add(
        actor=actor,
        activity=activity,
        title=f"Report: {activity.title}",
        uploaded_file=_pdf_upload("report-v1.pdf", f"{activity.title} - draft"),
        note="First draft for the municipality's comments.",
    )
    if status == ActivityStatus.ACCEPTED:
        deliverable_version_add(
            actor=actor,
            deliverable=deliverable,
            uploaded_file=_pdf_upload("report-v2.pdf", f"{activity.title} - final"),
            note="Final version with the municipality's comments.",
        )
    activity_deliver(actor=actor, activity=activity)
    if status == ActivityStatus.ACCEPTED:
        activity_accept(
            actor=actor,
            activity=activity,
            accepted_on=activity.ends_on + datetime.timedelta(days=7),
            accepted_by=MUNICIPALITIES[municipality.code][3][0],
        )


def _attendance(municipality):
    """Citizens at the hearing: most from the majority community, some from the others, women and men."""
    base = 14 + municipality.sort_order % 5
    majority = municipality.majority_community
    second = Community.ALBANIAN if majority == Community.SERB else Community.SERB
    return [
        {"community": majority, "sex": Sex.FEMALE, "count": base},
        {"community": majority, "sex": Sex.MALE, "count": base + 6},
        {"community": second, "sex": Sex.FEMALE, "count": 3 + municipality.sort_order % 3},
        {"community": second, "sex": Sex.MALE, "count": 4},
        {"community": Community.ROMA, "sex": Sex.FEMALE, "count": 2},
    ]


# --- Services tracker ----------------------------------------------------------------------------------------------
BASELINE_DAY, FOLLOW_UP_DAY, LATEST_DAY = (
    datetime.date(2026, 2, 15),
    datetime.date(2026, 6, 30),
    datetime.date(2026, 10, 15),
)


def _services(actor, municipality, package, index):
    """Two or three services; the help desk improves with evidence everywhere, the others in some places only."""
    activities = {activity.type: activity for activity in package.activities.all()}
    plans = [
        (
            ServiceCategory.BUSINESS_REGISTRATION,
            "Business registration help desk",
            [ActivityType.NEEDS_ASSESSMENT, ActivityType.PROCESS_IMPROVEMENT],
            [(MeasureKind.PROCESSING_DAYS, 14, 9, 5, True), (MeasureKind.BUSINESSES_REGISTERED, 6, 9, 14, True)],
        ),
        (
            ServiceCategory.PROPERTY_TAX,
            "Property-tax collection",
            [ActivityType.DIGITALISATION],
            # Revenue grows everywhere, but the receipts are attached only in every other municipality.
            [
                (
                    MeasureKind.REVENUE,
                    410000 + 5000 * index,
                    418000 + 5000 * index,
                    452000 + 5000 * index,
                    index % 2 == 0,
                )
            ],
        ),
    ]
    if index % 3 == 0:
        plans.append(
            (
                ServiceCategory.TRANSLATION,
                "Translation of municipal acts into both official languages",
                [ActivityType.STAFF_TRAINING],
                [(MeasureKind.BOTH_LANGUAGES, 0, 0, 1, True)],
            )
        )
    elif index % 3 == 1:
        plans.append(
            (
                ServiceCategory.CITIZEN_SERVICE_CENTRE,
                "Citizen service centre",
                [ActivityType.STAFF_TRAINING],
                # Satisfaction fell while the centre was being reorganised: not an improvement.
                [(MeasureKind.SATISFACTION, 64, 61, 58, True), (MeasureKind.PROCESSING_DAYS, 3, 3, 3, True)],
            )
        )
    made = 0
    for category, name, activity_types, measures in plans:
        if MunicipalService.objects.filter(municipality=municipality, name=name).exists():
            continue
        service = service_save(
            actor=actor,
            municipality=municipality,
            data={"category": category, "name": name},
            activities=[activities[kind] for kind in activity_types if kind in activities],
        )
        for kind, baseline, follow_up, latest, with_evidence in measures:
            _measure(actor, service, kind, BASELINE_DAY, baseline, is_baseline=True)
            _measure(actor, service, kind, FOLLOW_UP_DAY, follow_up)
            _measure(actor, service, kind, LATEST_DAY, latest, evidence=with_evidence)
        made += 1
    return made


def _measure(actor, service, kind, day, value, *, is_baseline=False, evidence=False):
    measure_record(
        actor=actor,
        service=service,
        kind=kind,
        measured_on=day,
        value=Decimal(value),
        is_baseline=is_baseline,
        source="Municipal records" if is_baseline else "Municipal records, checked by the programme",
        evidence=_pdf_upload(f"evidence-{kind}.pdf", f"{service.name}: {kind} on {day}") if evidence else None,
    )


# --- Files ---------------------------------------------------------------------------------------------------------
def tiny_pdf(text):
    """A valid one-page PDF showing `text` (ASCII), built by hand: quicker than rendering ~150 files with WeasyPrint."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 760 Td (AKT-LS demo) Tj 0 -24 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_upload(name, text):
    return SimpleUploadedFile(name, tiny_pdf(text), content_type="application/pdf")
