"""Catalogue entries of reports/calculations/civic.py: codes, names, definitions, disaggregations, targets."""

from core.choices import Component

PERSON_DISAGGREGATIONS = ["sex", "age_band", "community", "municipality"]

SEED = [
    {
        "calculation": "infrastructure_completed",
        "code": "AKT-CE-1",
        "name_en": "Number of small community infrastructure projects completed",
        "name_sq": "Numri i projekteve të vogla të infrastrukturës komunitare të përfunduara",
        "name_sr": "Broj završenih malih projekata komunalne infrastrukture",
        "definition": "Small infrastructure projects financed by a civic-engagement grant (road, water supply, "
        "school, community centre, sports facility, public space) whose grant was completed during the reporting "
        'period, i.e. the closeout checklist was done and the grant moved to "completed" on a day in the period. '
        "Each project counts once, in the period of its completion; projects of terminated grants never count.",
        "unit": "number",
        "type": "output",
        "component": Component.CIVIC_ENGAGEMENT,
        "disaggregations": ["municipality", "infrastructure_type"],
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 4, 2027: 10},
        "lop_target": 30,
        "order": 100,
    },
    {
        "calculation": "joint_activity_people",
        "code": "AKT-CE-2",
        "name_en": "Number of people from different communities taking part in joint activities",
        "name_sq": "Numri i personave nga komunitete të ndryshme që marrin pjesë në aktivitete të përbashkëta",
        "name_sr": "Broj osoba iz različitih zajednica koje učestvuju u zajedničkim aktivnostima",
        "definition": "Unique people enrolled in a training event whose first day falls in the period, or named as "
        "a participant of a municipal technical-assistance activity (not cancelled) that starts in the period, when "
        'that event or activity has named participants from at least two communities ("prefer not to say" does '
        "not count as a community). A person taking part in several joint activities counts once per period.",
        "unit": "number",
        "type": "output",
        "component": Component.CIVIC_ENGAGEMENT,
        "disaggregations": PERSON_DISAGGREGATIONS,
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 800, 2027: 1500},
        "lop_target": 5000,
        "order": 110,
    },
    {
        "calculation": "first_time_cross_community",
        "code": "AKT-CE-3",
        "name_en": "Number of people taking part in a joint activity with other communities for the first time",
        "name_sq": "Numri i personave që marrin pjesë për herë të parë në një aktivitet të përbashkët me "
        "komunitete të tjera",
        "name_sr": "Broj osoba koje prvi put učestvuju u zajedničkoj aktivnosti sa drugim zajednicama",
        "definition": "Of the people counted by AKT-CE-2 in the period, those who took part in no joint activity "
        "(as defined there) that started before the period: their first joint activity ever falls in the period. "
        "Each person counts once over the life of the programme, in the period of their first joint activity.",
        "unit": "number",
        "type": "outcome",
        "component": Component.CIVIC_ENGAGEMENT,
        "disaggregations": PERSON_DISAGGREGATIONS,
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 500, 2027: 800},
        "lop_target": 2500,
        "order": 120,
    },
    {
        "calculation": "csos_supported",
        "code": "AKT-CE-4",
        "name_en": "Number of civil-society organisations receiving USG assistance",
        "name_sq": "Numri i organizatave të shoqërisë civile që marrin ndihmë nga USG",
        "name_sr": "Broj organizacija civilnog društva koje primaju pomoć USG",
        "definition": "Civil-society organisations (registered CSOs/NGOs and informal citizen groups) that held a "
        "civic-engagement grant active at any time in the period: the agreement was signed on or before the "
        "period's last day and the grant was not completed, closed or terminated before its first day. An "
        "organisation with several grants counts once per period.",
        "unit": "number",
        "type": "output",
        "component": Component.CIVIC_ENGAGEMENT,
        "disaggregations": ["municipality", "organisation_type"],
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 20, 2027: 35},
        "lop_target": 60,
        "order": 130,
    },
]
