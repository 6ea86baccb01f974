"""The demo reporting data: catalogue, branding and the narratives of FY2026 Q4 and FY2027 Q1, added once."""

import pytest

from reports import demo
from reports.models import Indicator, Narrative, NarrativeSection, ReportBranding
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_writes_every_section_of_two_quarters_and_adds_nothing_twice():
    UserFactory(email="admin@example.org", role="admin")

    first = list(demo.seed(password="x"))
    counts = (Indicator.objects.count(), ReportBranding.objects.count(), Narrative.objects.count())
    second = list(demo.seed(password="x"))

    assert counts[0] >= 1 and Indicator.objects.filter(calculation="grants_awarded").exists()
    assert counts[1:] == (1, 2 * len(NarrativeSection.values))
    assert (Indicator.objects.count(), ReportBranding.objects.count(), Narrative.objects.count()) == counts
    assert ReportBranding.objects.get().agreement_number == demo.DEMO_AGREEMENT_NUMBER
    for fiscal_year, quarter in ((2026, 4), (2027, 1)):
        sections = set(
            Narrative.objects.filter(fiscal_year=fiscal_year, quarter=quarter).values_list("section", flat=True)
        )
        assert sections == set(NarrativeSection.values)
    summary = Narrative.objects.get(fiscal_year=2027, quarter=1, section=NarrativeSection.EXECUTIVE_SUMMARY)
    assert summary.text.startswith("In FY2027 Q1 the programme") and summary.version == 1
    assert "12 narrative sections" in first[-1] and "0 narrative sections" in second[-1]


def test_demo_seed_keeps_a_section_someone_already_wrote():
    UserFactory(email="admin@example.org", role="admin")
    Narrative.objects.create(fiscal_year=2027, quarter=1, section=NarrativeSection.CHALLENGES, text="Our own words.")

    list(demo.seed(password="x"))

    assert (
        Narrative.objects.get(fiscal_year=2027, quarter=1, section=NarrativeSection.CHALLENGES).text == "Our own words."
    )
    assert Narrative.objects.count() == 2 * len(NarrativeSection.values)
