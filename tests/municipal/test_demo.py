"""The municipal demo: every partner municipality has its partnership, package and services, and a second run adds
nothing."""

import pytest
from django.core.management import call_command

from core.models import AuditEntry
from municipal.demo import tiny_pdf
from municipal.models import (
    ActivityStatus,
    DeliverableVersion,
    HearingAttendance,
    MunicipalService,
    ServiceMeasure,
    TAActivity,
    TAPackage,
)
from municipal.selectors import municipalities_summary
from municipal.selectors_tracker import service_trends
from municipalities.models import FocalPerson, Memorandum, MouStatus, MunicipalityProfile, PopulationFigure

pytestmark = pytest.mark.django_db

MODELS = (
    MunicipalityProfile,
    PopulationFigure,
    Memorandum,
    FocalPerson,
    TAPackage,
    TAActivity,
    DeliverableVersion,
    HearingAttendance,
    MunicipalService,
    ServiceMeasure,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_covers_all_16_municipalities_and_runs_twice_without_duplicates(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    entries = AuditEntry.objects.filter(action__startswith="municipal.").count()
    call_command("seed_demo")
    assert _counts() == first
    assert AuditEntry.objects.filter(action__startswith="municipal.").count() == entries > 0

    summary = municipalities_summary()
    assert len(summary) == 16
    assert all(row.mou_status == MouStatus.SIGNED for row in summary)
    assert Memorandum.objects.filter(status=MouStatus.SIGNED).exclude(signed_file="").count() == 16
    assert MunicipalityProfile.objects.count() == 16
    assert PopulationFigure.objects.filter(community="").values("municipality").distinct().count() == 16
    assert all(1 <= FocalPerson.objects.filter(municipality=row.municipality).count() <= 2 for row in summary)
    assert TAPackage.objects.values("municipality").distinct().count() == 16

    assert set(TAActivity.objects.values_list("status", flat=True)) == set(ActivityStatus.values)
    for row in summary:
        statuses = set(
            TAActivity.objects.filter(package__municipality=row.municipality).values_list("status", flat=True)
        )
        assert statuses >= {ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS, ActivityStatus.DELIVERED}, row
        assert ActivityStatus.ACCEPTED in statuses, row
    accepted = TAActivity.objects.filter(status=ActivityStatus.ACCEPTED)
    assert all(DeliverableVersion.objects.filter(deliverable__activity=a).count() >= 2 for a in accepted)
    assert (
        TAActivity.objects.filter(participants__isnull=False).values("package__municipality").distinct().count() == 16
    )
    assert HearingAttendance.objects.values("activity__package__municipality").distinct().count() == 16
    assert HearingAttendance.objects.values("community").distinct().count() >= 3

    assert all(2 <= row.services <= 3 for row in summary)
    trends = service_trends(MunicipalService.objects.all())
    assert any(trend.improved for trend in trends) and any(not trend.improved for trend in trends)
    assert all(trend.kinds and all(kind.baseline and kind.latest for kind in trend.kinds) for trend in trends)


def test_the_demo_files_are_real_pdfs():
    import filetype

    data = tiny_pdf("Memorandum (signed) – Gjilan")
    assert filetype.guess(data).mime == "application/pdf"
    assert data.rstrip().endswith(b"%%EOF")
    assert b"startxref" in data
