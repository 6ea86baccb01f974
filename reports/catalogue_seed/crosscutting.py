"""Catalogue entries of reports/calculations/crosscutting.py: codes, names, definitions, disaggregations, targets."""

from core.choices import Component

# --- Catalogue ------------------------------------------------------------------------------------------------
PROGRAMME_START = "2025-10-01"
BUSINESS = Component.BUSINESS_DEVELOPMENT.value
PERSON_DISAGGREGATIONS = ["sex", "age_band", "community", "municipality"]

SEED = [
    {
        "calculation": "grants_awarded",
        "code": "AKT-X-1",
        "name_en": "Number of grants awarded",
        "name_sq": "Numri i granteve të dhëna",
        "name_sr": "Broj dodeljenih grantova",
        "definition": "Grants whose agreement was signed during the reporting period. A grant counts once, in the "
        "period its agreement was signed, whatever its later status (suspended, completed, terminated).",
        "unit": "number",
        "type": "output",
        "component": "",
        "disaggregations": ["component", "municipality", "instrument"],
        "order": 900,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 45, 2027: 60},
        "lop_target": 220,
    },
    {
        "calculation": "eur_committed",
        "code": "AKT-X-2",
        "name_en": "EUR committed in grant agreements",
        "name_sq": "EUR të angazhuara në marrëveshjet e grantit",
        "name_sr": "EUR obavezani ugovorima o grantu",
        "definition": "The sum of the grant amounts (EUR, as signed) of the grants whose agreement was signed during "
        "the reporting period. Later amendments do not move the amount to another period.",
        "unit": "eur",
        "type": "output",
        "component": "",
        "disaggregations": ["component", "municipality", "instrument"],
        "order": 905,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 900000, 2027: 1200000},
        "lop_target": 4500000,
    },
    {
        "calculation": "eur_disbursed",
        "code": "AKT-X-3",
        "name_en": "EUR disbursed to grantees",
        "name_sq": "EUR të disbursuara për përfituesit e granteve",
        "name_sr": "EUR isplaćeni korisnicima grantova",
        "definition": "Money that reached grantees during the reporting period: tranche payments (by payment date) "
        "for cash grants and the value of goods and services handed over (by delivery date) for in-kind grants. "
        'The same rule as the finance pages\' "paid": a payment recorded against an in-kind grant or a delivery '
        "against a cash grant does not count.",
        "unit": "eur",
        "type": "output",
        "component": "",
        "disaggregations": ["component", "municipality"],
        "order": 910,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 600000, 2027: 1100000},
        "lop_target": 4500000,
    },
    {
        "calculation": "cost_share_contributed",
        "code": "AKT-X-4",
        "name_en": "Cost share contributed by grantees (EUR)",
        "name_sq": "Bashkëfinancimi i kontribuuar nga përfituesit (EUR)",
        "name_sr": "Sufinansiranje koje su korisnici doprineli (EUR)",
        "definition": "Cash and in-kind contributions (EUR) that grantees reported in progress reports accepted "
        "during the reporting period (by the date of acceptance). Contributions in reports not yet accepted do not "
        "count.",
        "unit": "eur",
        "type": "output",
        "component": "",
        "disaggregations": ["component", "kind"],
        "order": 915,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 90000, 2027: 150000},
        "lop_target": 600000,
    },
    {
        "calculation": "people_reached",
        "code": "AKT-X-5",
        "name_en": "Number of people reached (unique)",
        "name_sq": "Numri i personave të arritur (unikë)",
        "name_sr": "Broj dosegnutih osoba (jedinstvenih)",
        "definition": "Unique people who, in the reporting period, took part in a training event or a municipal "
        "technical-assistance activity that started in the period (enrolled, whether or not they completed), owned "
        "a business whose grant was signed by the end of the period and ran during it, or received a grant in their "
        "own name (no organisation) signed in the period. A person reached several ways counts once.",
        "unit": "number",
        "type": "output",
        "component": "",
        "disaggregations": PERSON_DISAGGREGATIONS,
        "order": 920,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 2500, 2027: 4000},
        "lop_target": 15000,
    },
    {
        "calculation": "persons_trained",
        "code": "AKT-BD-T1",
        "name_en": "Number of persons trained",
        "name_sq": "Numri i personave të trajnuar",
        "name_sr": "Broj obučenih osoba",
        "definition": "Unique people who completed (met the event's attendance rule) a training event that started "
        "during the reporting period. A person who completed several trainings counts once; by topic, a person "
        "counts under the topic of their first completed training in the period, so the topics add up to the "
        "total. Age on the last day of the period, by year of birth.",
        "unit": "number",
        "type": "output",
        "component": BUSINESS,
        "disaggregations": [*PERSON_DISAGGREGATIONS, "topic"],
        "order": 400,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 400, 2027: 600},
        "lop_target": 2500,
    },
    {
        "calculation": "female_participants_share",
        "code": "GNDR-2",
        "name_en": "Percentage of female participants in USG-assisted trainings",
        "name_sq": "Përqindja e pjesëmarrëseve femra në trajnimet e mbështetura nga USAID",
        "name_sr": "Procenat učesnica u obukama koje podržava USAID",
        "definition": "Women as a percentage of the persons trained in the reporting period (numerator: women "
        "trained; denominator: all persons trained, including those who did not state their sex).",
        "unit": "percent",
        "type": "output",
        "component": BUSINESS,
        "disaggregations": [],
        "order": 405,
        "targets": {2026: 40, 2027: 45},
        "lop_target": 45,
    },
    {
        "calculation": "youth_participants_share",
        "code": "YOUTH-3",
        "name_en": "Percentage of participants who are youth (15–29)",
        "name_sq": "Përqindja e pjesëmarrësve të rinj (15–29)",
        "name_sr": "Procenat učesnika koji su mladi (15–29)",
        "definition": "People aged 15–29 on the last day of the reporting period (by year of birth) as a percentage "
        "of the persons trained in the period. People whose year of birth is not known stay in the denominator.",
        "unit": "percent",
        "type": "output",
        "component": BUSINESS,
        "disaggregations": [],
        "order": 410,
        "targets": {2026: 30, 2027: 35},
        "lop_target": 35,
    },
    {
        "calculation": "training_events_held",
        "code": "AKT-BD-T2",
        "name_en": "Number of training events held",
        "name_sq": "Numri i trajnimeve të mbajtura",
        "name_sr": "Broj održanih obuka",
        "definition": "Training events that started during the reporting period and were held (attendance and "
        "completion recorded). An event that was never held does not count.",
        "unit": "number",
        "type": "output",
        "component": BUSINESS,
        "disaggregations": ["municipality", "topic"],
        "order": 415,
        "baseline_value": 0,
        "baseline_date": PROGRAMME_START,
        "targets": {2026: 30, 2027: 45},
        "lop_target": 180,
    },
]
