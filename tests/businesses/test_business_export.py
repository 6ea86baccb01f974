"""The filtered business list exported by a Celery task to CSV or XLSX, with formulas made inert."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from businesses.models import BusinessExport
from core.choices import Sex
from core.spreadsheets import ExportStatus
from tests.businesses.factories import BusinessFactory, BusinessOwnerFactory
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def businesses():
    evil = BusinessFactory(name='=HYPERLINK("http://x")')
    BusinessOwnerFactory(business=evil, person=PersonFactory(sex=Sex.FEMALE))
    plain = BusinessFactory(name="Plain")
    BusinessOwnerFactory(business=plain, person=PersonFactory(sex=Sex.MALE))
    return evil, plain


def test_the_export_button_follows_the_filters_and_the_csv_downloads(
    client, businesses, django_capture_on_commit_callbacks
):
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    client.force_login(officer)
    page = client.get(reverse("staff:businesses_list"), {"owner_sex": "female"}).content.decode()
    assert 'name="query" value="owner_sex=female"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:business_export_create"), {"query": "owner_sex=female", "format": "csv"})
    export = BusinessExport.objects.get()
    assert response.status_code == 302 and export.status == ExportStatus.SUCCEEDED and export.row_count == 1
    download = client.get(reverse("staff:business_export_download", args=[export.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and rows[1][0] == '\'=HYPERLINK("http://x")' and rows[1][12] == "1"


def test_the_xlsx_export_writes_every_business_and_another_person_cannot_open_it(
    client, businesses, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:business_export_create"), {"query": "", "format": "xlsx"})
    export = BusinessExport.objects.get()
    sheet = load_workbook(export.file.open("rb")).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(['\'=HYPERLINK("http://x")', "Plain"])
    client.force_login(UserFactory(role=Role.MANAGER))
    assert client.get(reverse("staff:business_export_detail", args=[export.pk])).status_code == 404
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert client.post(reverse("staff:business_export_create"), {"format": "csv"}).status_code == 404
    assert BusinessExport.objects.count() == 1
