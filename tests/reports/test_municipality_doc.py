"""The municipality report PDF in Serbian Cyrillic: the municipality's Cyrillic name, only its own grants of the
period, and the figures of its snapshot."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import GrantStatus
from municipalities.models import Municipality
from reports import documents
from reports.models import ReportRun
from tests.factories import PersonFactory
from tests.grants.grant_factories import GrantFactory
from tests.trainings.factories import EnrolmentFactory, EventFactory

pytestmark = pytest.mark.django_db


def _grant(day, title, municipality):
    return GrantFactory(
        status=GrantStatus.ACTIVE,
        signed_at=datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=timezone.get_current_timezone()),
        amount=Decimal("4200.50"),
        start_date=day,
        end_date=day + datetime.timedelta(days=200),
        application__title=title,
        application__municipality=municipality,
    )


def test_municipality_pdf_in_cyrillic_shows_only_that_municipality(tmp_path):
    gjilan = Municipality.objects.get(code="gjilan")
    gracanica = Municipality.objects.get(code="gracanica")
    own = _grant(datetime.date(2026, 11, 3), "Čišćenje parka Đurđevdan", gjilan)
    other = _grant(datetime.date(2026, 11, 4), "Other town square", gracanica)
    earlier = _grant(datetime.date(2026, 9, 1), "Last year's fountain", gjilan)
    event = EventFactory(
        held=True, municipality=gjilan, start_date=datetime.date(2026, 10, 20), end_date=datetime.date(2026, 10, 22)
    )
    EnrolmentFactory(event=event, person=PersonFactory(sex="female"))
    EnrolmentFactory(event=event, person=PersonFactory(sex="male", first_name="Marko"))

    run = ReportRun(
        kind="municipality",
        format="pdf",
        language="sr",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 12, 31),
        fiscal_year=2027,
        quarter=1,
        municipality=gjilan,
    )
    rendered = documents.get("municipality").render(run, progress=lambda *args: None)
    path = tmp_path / "municipality.pdf"
    path.write_bytes(rendered.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    flat = " ".join(text.split())

    assert gjilan.name_sr_cyrl in flat
    assert own.number in flat and "Čišćenje parka Đurđevdan" in flat
    assert other.number not in flat and gracanica.name_sr_cyrl not in flat
    assert earlier.number not in flat
    assert rendered.figures["grants"] == [own.number]
    assert rendered.figures["trainings"]["people"] == 2
    assert rendered.figures["trainings"]["people_by_sex"] == {"female": 1, "male": 1, "not_stated": 0}
    assert rendered.figures["to_date"]["committed"] == "8401.00"  # both Gjilan grants, also the earlier one
    assert "8.401,00" in flat or "8 401,00" in flat or "8401,00" in flat
