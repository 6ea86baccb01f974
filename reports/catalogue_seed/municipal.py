"""Catalogue entries of reports/calculations/municipal.py: codes, names, definitions, disaggregations, targets."""

from core.choices import Component

SEED = [
    {
        "calculation": "municipalities_assisted",
        "code": "AKT-MD-1",
        "name_en": "Number of municipalities receiving USG assistance to improve their performance",
        "name_sq": "Numri i komunave që marrin ndihmë nga USG për të përmirësuar performancën e tyre",
        "name_sr": "Broj opština koje primaju pomoć USG za unapređenje svog rada",
        "definition": "Partner municipalities with at least one technical-assistance activity in progress, "
        "delivered or accepted whose dates (first to last day) overlap the reporting period. Planned and cancelled "
        "activities do not count. Each municipality counts once per period.",
        "unit": "number",
        "type": "output",
        "component": Component.MUNICIPAL_DEVELOPMENT,
        "disaggregations": ["programme_group"],
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 10, 2027: 16},
        "lop_target": 16,
        "order": 300,
    },
    {
        "calculation": "services_improved",
        "code": "AKT-MD-2",
        "name_en": "Number of municipal services improved",
        "name_sq": "Numri i shërbimeve komunale të përmirësuara",
        "name_sr": "Broj unapređenih opštinskih usluga",
        "definition": 'Tracked municipal services that are "improved" on the last day of the period thanks to a '
        "measure dated in the period: for at least one kind of measure (processing days, services per month, "
        "businesses registered, revenue, both official languages, satisfaction), the latest follow-up on or before "
        "the period's end is dated in the period, is better than the baseline in the direction that is better for "
        "that kind, and has its evidence attached. Each service counts once per period.",
        "unit": "number",
        "type": "outcome",
        "component": Component.MUNICIPAL_DEVELOPMENT,
        "disaggregations": ["municipality", "category"],
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 6, 2027: 14},
        "lop_target": 32,
        "order": 310,
    },
    {
        "calculation": "municipal_staff_trained",
        "code": "AKT-MD-3",
        "name_en": "Number of municipal staff trained",
        "name_sq": "Numri i stafit komunal të trajnuar",
        "name_sr": "Broj obučenih opštinskih službenika",
        "definition": "Unique people named as participants of a municipal technical-assistance activity (not "
        "cancelled) that starts in the period. A person taking part in several activities counts once per period.",
        "unit": "number",
        "type": "output",
        "component": Component.MUNICIPAL_DEVELOPMENT,
        "disaggregations": ["sex", "age_band", "community", "municipality"],
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 150, 2027: 250},
        "lop_target": 700,
        "order": 320,
    },
    {
        "calculation": "hearing_participants",
        "code": "AKT-MD-4",
        "name_en": "Number of citizens taking part in public hearings",
        "name_sq": "Numri i qytetarëve që marrin pjesë në dëgjime publike",
        "name_sr": "Broj građana koji učestvuju u javnim raspravama",
        "definition": "Citizens attending public hearings and consultations organised with programme assistance that "
        "are held (start) in the period and were not cancelled: the sum of the attendance counts recorded for each "
        "community and sex. These are head counts, not named people: a citizen attending two hearings counts twice.",
        "unit": "number",
        "type": "output",
        "component": Component.MUNICIPAL_DEVELOPMENT,
        "disaggregations": ["community", "sex", "municipality"],
        "baseline_value": 0,
        "baseline_date": "2025-10-01",
        "targets": {2026: 1200, 2027: 2000},
        "lop_target": 6000,
        "order": 330,
    },
    {
        "calculation": "own_source_revenue_change",
        "code": "AKT-MD-5",
        "name_en": "Change in own-source revenue collected by tracked municipal services (EUR)",
        "name_sq": "Ndryshimi i të hyrave vetanake të mbledhura nga shërbimet komunale të përcjella (EUR)",
        "name_sr": "Promena sopstvenih prihoda prikupljenih kroz praćene opštinske usluge (EUR)",
        "definition": "For each tracked municipal service with an own-source revenue baseline and at least one "
        "revenue follow-up measured on or before the last day of the period: the latest follow-up minus the "
        "baseline, in EUR, summed over the services. Each service's own baseline is the reference, so the "
        "indicator has no single baseline value; a decrease counts as negative. The figure is the change reached by "
        "the end of the period, not the change within it.",
        "unit": "eur",
        "type": "outcome",
        "component": Component.MUNICIPAL_DEVELOPMENT,
        "disaggregations": ["municipality", "category"],
        "targets": {2026: 40000, 2027: 120000},
        "lop_target": 300000,
        "order": 340,
    },
]
