"""Demo reporting data for `manage.py seed_demo`: the indicator catalogue, the branding of donor documents (marked
as demo), and English narratives for every section of FY2026 Q4 and FY2027 Q1, so a quarterly report can be
rendered straight away.

Narratives are saved through reports.services.narratives.narrative_save by the demo administrator, as staff would
write them. Idempotent: the catalogue only adds missing calculations, the branding row is created only when there
is none, and a section already written (by the demo or by someone trying the demo) is left as it is.
"""

from accounts.models import User
from reports.models import Narrative, NarrativeSection, ReportBranding
from reports.services.catalogue import seed_indicators
from reports.services.narratives import narrative_save

DEMO_AGREEMENT_NUMBER = "DEMO-72016727CA00001 (demo)"
QUARTERS = ((2026, 4), (2027, 1))

S = NarrativeSection
NARRATIVES = {
    S.EXECUTIVE_SUMMARY: (
        "In {label} the programme kept working in all sixteen partner municipalities. New grant agreements were "
        "signed under the civic engagement and business development calls, trainings for small businesses "
        "continued, and municipal technical assistance moved from needs assessments to service improvements.\n\n"
        "The figures in this report are computed from the programme's records; each one can be opened in the "
        "system to see the grants, people and activities behind it."
    ),
    S.CIVIC_ENGAGEMENT: (
        "Civic engagement grants supported joint activities of Albanian, Serb, Roma, Ashkali and Egyptian "
        "communities: youth centres, sports and culture events, and small infrastructure works chosen at public "
        "meetings.\n\nCivil-society organisations reported on their projects on time; two monitoring visits found "
        "the works progressing as planned."
    ),
    S.BUSINESS_DEVELOPMENT: (
        "Business development grants and trainings reached micro and small enterprises in agriculture, food "
        "processing and services. Participants followed business-planning, financial-planning and marketing "
        "courses; several firms registered with the Kosovo Business Registration Agency during the quarter."
    ),
    S.MUNICIPAL_DEVELOPMENT: (
        "Technical assistance packages helped municipal departments redesign services at the one-stop shops, "
        "train staff and hold public hearings on budgets and local plans. Municipalities accepted the deliverables "
        "of completed activities and the service tracker recorded the first follow-up measures."
    ),
    S.CHALLENGES: (
        "Delays in co-financing decisions of some municipal assemblies slowed two infrastructure projects. "
        "Lesson learned: agree the municipality's contribution before the call closes, not after selection."
    ),
    S.NEXT_QUARTER: (
        "Next quarter the programme will open the second round of business development grants, complete the "
        "pending infrastructure works, and run the first joint training for municipal staff of the northern "
        "municipalities."
    ),
}


def seed(*, password):
    created = seed_indicators()
    yield f"{len(created)} indicators added to the catalogue"
    if not ReportBranding.objects.exists():
        ReportBranding.objects.create(agreement_number=DEMO_AGREEMENT_NUMBER)
        yield "branding of donor documents (demo agreement number)"
    actor = User.objects.filter(email="admin@example.org").first()
    if actor is None:
        return
    written = 0
    for fiscal_year, quarter in QUARTERS:
        existing = set(
            Narrative.objects.filter(fiscal_year=fiscal_year, quarter=quarter).values_list("section", flat=True)
        )
        label = f"FY{fiscal_year} Q{quarter}"
        for section, text in NARRATIVES.items():
            if section in existing:
                continue
            narrative_save(
                actor=actor,
                fiscal_year=fiscal_year,
                quarter=quarter,
                section=section,
                text=text.format(label=label),
                version=0,
            )
            written += 1
    yield f"{written} narrative sections for FY2026 Q4 and FY2027 Q1"
