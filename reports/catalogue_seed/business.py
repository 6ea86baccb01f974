"""Catalogue entries of reports/calculations/business.py: codes, names, definitions, disaggregations, targets."""

# --- Catalogue entries ----------------------------------------------------------------------------------------------

_COMPONENT = "business_development"
_BASELINE = {"baseline_value": 0, "baseline_date": "2025-10-01"}

SEED = [
    {
        "calculation": "firms_assisted",
        "code": "EG.5.2-1",
        "name_en": "Number of firms receiving USG-funded assistance to improve their business performance",
        "name_sq": "Numri i firmave që marrin asistencë të financuar nga USG për të përmirësuar performancën e "
        "biznesit",
        "name_sr": "Broj firmi koje primaju pomoć finansiranu od strane USG za unapređenje poslovanja",
        "definition": "Unique firms that received assistance during the reporting period: a grant to the business "
        "whose agreement was signed on or before the last day of the period and that was not completed or "
        "terminated before its first day, or a training event that started in the period and that an owner, a "
        "manager or a named employee (employed on the event's first day) attended for at least one session. A firm "
        "counts once "
        "however much assistance it received. Firm size is by full-time equivalents in the firm's latest snapshot "
        "on or before the period's end (micro under 10, small 10–49, medium 50–249, large 250 and more). A firm is "
        "new when its first assistance falls in the period and continuing when it was assisted earlier.",
        "unit": "number",
        "type": "output",
        "component": _COMPONENT,
        "disaggregations": ["municipality", "firm_size", "owner_sex", "new_continuing"],
        "order": 200,
        "targets": {2026: 120, 2027: 180},
        "lop_target": 250,
        **_BASELINE,
    },
    {
        "calculation": "fte_jobs_created",
        "code": "EG.5.2-2",
        "name_en": "Number of full-time-equivalent (FTE) jobs created with USG assistance",
        "name_sq": "Numri i vendeve të punës me kohë të plotë ekuivalente (FTE) të krijuara me asistencën e USG",
        "name_sr": "Broj radnih mesta u ekvivalentu punog radnog vremena (FTE) otvorenih uz pomoć USG",
        "definition": "For each firm with a baseline snapshot: the full-time equivalents in its latest follow-up "
        "(yearly or closeout) snapshot dated after the baseline and on or before the period's end, minus the "
        "full-time equivalents at baseline; summed over firms (a firm that lost jobs lowers the figure). One FTE is "
        "40 hours a week for 12 months: full-time employees × months/12 plus part-time employees × weekly hours/40 "
        "× months/12. Sex and age band come from the snapshots' employment rows.",
        "unit": "fte",
        "type": "outcome",
        "component": _COMPONENT,
        "disaggregations": ["municipality", "sex", "age_band"],
        "order": 210,
        "targets": {2026: 60, 2027: 150},
        "lop_target": 300,
        **_BASELINE,
    },
    {
        "calculation": "sales_change",
        "code": "EG.3.2-26",
        "name_en": "Value of annual sales of assisted firms, change from baseline (EUR)",
        "name_sq": "Vlera e shitjeve vjetore të firmave të asistuara, ndryshimi nga vlera bazë (EUR)",
        "name_sr": "Vrednost godišnje prodaje podržanih firmi, promena u odnosu na početno stanje (EUR)",
        "definition": "For each firm with a baseline snapshot: annual sales in its latest follow-up (yearly or "
        "closeout) snapshot dated after the baseline and on or before the period's end, minus annual sales at "
        "baseline; summed over firms, in EUR.",
        "unit": "eur",
        "type": "outcome",
        "component": _COMPONENT,
        "disaggregations": ["municipality"],
        "order": 220,
        "targets": {2026: 400000, 2027: 1200000},
        "lop_target": 2000000,
        **_BASELINE,
    },
    {
        "calculation": "market_links_cross_community",
        "code": "AKT-BD-1",
        "name_en": "Number of market links established across communities",
        "name_sq": "Numri i lidhjeve të tregut të krijuara ndërmjet komuniteteve",
        "name_sr": "Broj tržišnih veza uspostavljenih između zajednica",
        "definition": "Sale or supply agreements dated in the reporting period between a supported business and a "
        "buyer or supplier whose majority owners belong to another community than the business's majority owners "
        "(as recorded when the link was entered). Each agreement counts once.",
        "unit": "number",
        "type": "output",
        "component": _COMPONENT,
        "disaggregations": ["municipality", "direction"],
        "order": 230,
        "targets": {2026: 40, 2027: 80},
        "lop_target": 150,
        **_BASELINE,
    },
    {
        "calculation": "market_link_value",
        "code": "AKT-BD-2",
        "name_en": "Value of market links established across communities (EUR)",
        "name_sq": "Vlera e lidhjeve të tregut ndërmjet komuniteteve (EUR)",
        "name_sr": "Vrednost tržišnih veza između zajednica (EUR)",
        "definition": "The total value in EUR of the cross-community sale or supply agreements dated in the "
        "reporting period (see AKT-BD-1).",
        "unit": "eur",
        "type": "outcome",
        "component": _COMPONENT,
        "disaggregations": ["municipality", "direction"],
        "order": 240,
        "targets": {2026: 150000, 2027: 350000},
        "lop_target": 600000,
        **_BASELINE,
    },
    {
        "calculation": "businesses_formalised",
        "code": "AKT-BD-3",
        "name_en": "Number of businesses formalised",
        "name_sq": "Numri i bizneseve të formalizuara",
        "name_sr": "Broj formalizovanih preduzeća",
        "definition": "Businesses that were not registered when the programme started supporting them and "
        "registered (the date they were formalised) during the reporting period.",
        "unit": "number",
        "type": "outcome",
        "component": _COMPONENT,
        "disaggregations": ["municipality", "owner_sex"],
        "order": 250,
        "targets": {2026: 10, 2027: 25},
        "lop_target": 40,
        **_BASELINE,
    },
]
