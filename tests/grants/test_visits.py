"""Monitoring visits: recording one (checklist, photos, follow-ups) verifies milestones so finance can approve their
tranches, bad input is refused with what was typed kept, photos are real images with EXIF-free thumbnails seen only
by staff, follow-ups are marked done once, and the grant page and follow-up list cost the same whatever their rows."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants.models import FollowUpAction, GrantStatus, MonitoringVisit, TrancheStatus, VisitPhoto
from grants.services.tranches import tranche_approve, tranche_request
from grants.services.visits import follow_up_done, visit_photo_delete, visit_record, visit_update
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory, GrantMilestoneFactory
from tests.grants.visit_factories import (
    FollowUpActionFactory,
    MonitoringVisitFactory,
    VisitPhotoFactory,
    jpeg_upload,
    png_upload,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def grant():
    return GrantFactory(
        active=True,
        with_plan=True,
        start_date=TODAY() - datetime.timedelta(days=60),
        end_date=TODAY() + datetime.timedelta(days=120),
    )


def _data(grant, visitor, **changes):
    data = {
        "visit_date": TODAY() - datetime.timedelta(days=1),
        "visited_by": visitor,
        "people_present": "Arta Krasniqi (chair), Milan Petrović (municipality)",
        "milestones_checked": [],
        "verified_milestones": [],
        "progress_percent": 60,
        "quality": "good",
        "donor_sign": "no",
        "shared_use": "yes",
        "safety": "yes",
        "findings": "Workshops held in the community centre.",
        "is_final": False,
    }
    return {**data, **changes}


def _post(grant, visitor, **changes):
    """The visit form as a browser sends it (three follow-up rows, only those given filled in)."""
    data = _data(grant, visitor)
    data.update(visit_date=data["visit_date"].isoformat(), visited_by=visitor.pk)
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not False}
    data.update({"follow_ups-TOTAL_FORMS": "3", "follow_ups-INITIAL_FORMS": "0", "follow_ups-MAX_NUM_FORMS": "3"})
    data["milestones_checked"] = [m.pk for m in data["milestones_checked"]]
    data["verified_milestones"] = [m.pk for m in data["verified_milestones"]]
    return data


def _workshops(grant):
    return grant.milestones.get(description="Workshops held")


# --- Recording and verifying --------------------------------------------------------------------------------------
def test_recording_a_visit_verifies_its_milestone_and_finance_then_approves_the_tranche_without_override(
    grant, officer
):
    finance = UserFactory(role=Role.FINANCE_OFFICER)
    milestone = _workshops(grant)
    tranche = grant.tranches.get(number=2)
    tranche_request(actor=officer, tranche=tranche)
    visit = visit_record(
        actor=officer,
        grant=grant,
        data=_data(grant, officer, milestones_checked=[milestone], verified_milestones=[milestone]),
        photos=[jpeg_upload()],
        follow_ups=[{"action": "Put up the USAID sign", "responsible": "Grantee", "due_date": TODAY()}],
    )
    milestone.refresh_from_db()
    assert milestone.is_verified and milestone.verified_source == "visit" and milestone.verified_visit == visit
    assert list(visit.verified_milestones.all()) == [milestone]
    tranche_approve(actor=finance, tranche=tranche)
    tranche.refresh_from_db()
    assert tranche.status == TrancheStatus.APPROVED and tranche.override_reason == ""
    assert "grants.visit.recorded" in [entry.action for entry in audit_entries_for(target=visit)]
    assert visit.photos.count() == 1 and visit.follow_ups.count() == 1


def test_a_milestone_can_be_verified_only_if_it_was_checked_and_belongs_to_the_grant(grant, officer):
    milestone = _workshops(grant)
    other = GrantMilestoneFactory(grant=GrantFactory(active=True))
    with pytest.raises(ApplicationError) as error:
        visit_record(actor=officer, grant=grant, data=_data(grant, officer, verified_milestones=[milestone]))
    assert error.value.code == "verified_not_checked"
    with pytest.raises(ApplicationError) as error:
        visit_record(actor=officer, grant=grant, data=_data(grant, officer, milestones_checked=[other]))
    assert error.value.code == "milestone_foreign"
    milestone.refresh_from_db()
    assert not milestone.is_verified and not MonitoringVisit.objects.exists()


def test_dates_in_the_future_or_before_the_grant_started_and_progress_above_100_are_refused(grant, officer):
    cases = {
        "visit_in_future": {"visit_date": TODAY() + datetime.timedelta(days=1)},
        "visit_before_start": {"visit_date": grant.start_date - datetime.timedelta(days=1)},
        "progress_out_of_range": {"progress_percent": 101},
    }
    for code, changes in cases.items():
        with pytest.raises(ApplicationError) as error:
            visit_record(actor=officer, grant=grant, data=_data(grant, officer, **changes))
        assert error.value.code == code
    assert not MonitoringVisit.objects.exists()


def test_a_visit_cannot_be_recorded_for_a_grant_awaiting_signature(officer):
    grant = GrantFactory(start_date=TODAY() - datetime.timedelta(days=5))
    with pytest.raises(ApplicationError) as error:
        visit_record(actor=officer, grant=grant, data=_data(grant, officer))
    assert error.value.code == "grant_not_followed"


def test_a_follow_up_without_a_due_date_is_refused_and_nothing_is_saved(grant, officer):
    with pytest.raises(ApplicationError) as error:
        visit_record(
            actor=officer,
            grant=grant,
            data=_data(grant, officer),
            photos=[jpeg_upload()],
            follow_ups=[{"action": "Fence the site", "responsible": "Grantee", "due_date": None}],
        )
    assert error.value.code == "follow_up_incomplete"
    assert not MonitoringVisit.objects.exists() and not VisitPhoto.objects.exists()


def test_officer_records_a_visit_on_the_phone_form_with_photos_and_follow_ups(client, grant, officer):
    milestone = _workshops(grant)
    client.force_login(officer)
    page = client.get(f"/en/staff/grants/{grant.pk}/visits/new/")
    html = page.content.decode()
    assert page.status_code == 200 and nested_forms(html) == 0
    assert 'capture="environment"' in html and "multiple" in html and 'accept="image/jpeg,image/png"' in html
    assert page.context["form"]["visited_by"].value() == officer.pk
    data = _post(grant, officer, milestones_checked=[milestone], verified_milestones=[milestone])
    data.update({"follow_ups-0-action": "Fix the fence", "follow_ups-0-responsible": "Grantee"})
    data["follow_ups-0-due_date"] = (TODAY() + datetime.timedelta(days=10)).isoformat()
    data["photos"] = [jpeg_upload("one.jpg"), png_upload("two.png")]
    response = client.post(f"/en/staff/grants/{grant.pk}/visits/new/", data)
    visit = MonitoringVisit.objects.get(grant=grant)
    assert response.status_code == 302 and response["Location"] == f"/en/staff/grants/{grant.pk}/visits/{visit.pk}/"
    assert sorted(visit.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]
    assert list(visit.follow_ups.values_list("action", flat=True)) == ["Fix the fence"]
    milestone.refresh_from_db()
    assert milestone.verified_visit == visit
    detail = client.get(response["Location"]).content.decode()
    assert "Fix the fence" in detail and detail.count("/thumbnail/") == 2 and nested_forms(detail) == 0


def test_a_visit_dated_in_the_future_is_refused_with_everything_typed_kept(client, grant, officer):
    client.force_login(officer)
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    data = _post(grant, officer, visit_date=future, findings="The roof is not finished yet.")
    data.update({"follow_ups-0-action": "Finish the roof", "follow_ups-0-responsible": "Contractor"})
    data["follow_ups-0-due_date"] = (TODAY() + datetime.timedelta(days=30)).isoformat()
    data["photos"] = [jpeg_upload()]
    response = client.post(f"/en/staff/grants/{grant.pk}/visits/new/", data)
    html = response.content.decode()
    assert response.status_code == 400 and not MonitoringVisit.objects.exists()
    assert "is in the future" in html
    assert response.context["form"].errors["visit_date"]
    for typed in (future, "The roof is not finished yet.", "Finish the roof", "Contractor", "Milan Petrović"):
        assert typed in html, typed
    assert "data-photos-lost" in html  # the photos must be chosen again, and the page says so


def test_a_file_that_is_not_an_image_is_refused_even_when_it_is_named_jpg(client, grant, officer):
    client.force_login(officer)
    fake = SimpleUploadedFile("site.jpg", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF", content_type="image/jpeg")
    data = {**_post(grant, officer), "photos": [jpeg_upload(), fake]}
    response = client.post(f"/en/staff/grants/{grant.pk}/visits/new/", data)
    assert response.status_code == 400 and "is not a photo" in response.content.decode()
    assert not MonitoringVisit.objects.exists() and not VisitPhoto.objects.exists()
    text = SimpleUploadedFile("notes.jpg", b"just some text, not a picture", content_type="image/jpeg")
    with pytest.raises(ApplicationError) as error:
        visit_record(actor=officer, grant=grant, data=_data(grant, officer), photos=[text])
    assert error.value.code == "file_type_not_allowed"


def test_more_than_twenty_photos_on_a_visit_are_refused(grant, officer):
    visit = visit_record(
        actor=officer, grant=grant, data=_data(grant, officer), photos=[jpeg_upload(size=(8, 8)) for _ in range(19)]
    )
    with pytest.raises(ApplicationError) as error:
        visit_update(
            actor=officer, visit=visit, data=_data(grant, officer), photos=[jpeg_upload(size=(8, 8)) for _ in range(2)]
        )
    assert error.value.code == "too_many_photos" and visit.photos.count() == 19


def test_each_photo_gets_a_small_thumbnail_without_exif_and_the_original_is_kept(grant, officer):
    upload = jpeg_upload(exif=True, size=(1600, 1200))
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif()  # the test photo does carry EXIF (camera and GPS)
    upload.seek(0)
    visit = visit_record(actor=officer, grant=grant, data=_data(grant, officer), photos=[upload])
    photo = visit.photos.get()
    with photo.thumbnail.open("rb") as file, Image.open(file) as thumbnail:
        assert thumbnail.format == "JPEG" and max(thumbnail.size) <= 320
        assert not thumbnail.getexif() and "exif" not in thumbnail.info
    with photo.image.open("rb") as file, Image.open(file) as image:
        assert image.size == (1600, 1200)
    assert photo.image.name != photo.thumbnail.name and "site" not in photo.image.name


# --- Correcting ---------------------------------------------------------------------------------------------------
def test_a_correction_adds_verifications_photos_and_follow_ups_but_never_undoes_a_verification(grant, officer):
    first = _workshops(grant)
    second = GrantMilestoneFactory(grant=grant, description="Equipment delivered")
    visit = visit_record(
        actor=officer,
        grant=grant,
        data=_data(grant, officer, milestones_checked=[first], verified_milestones=[first]),
    )
    visit_update(
        actor=officer,
        visit=visit,
        data=_data(grant, officer, progress_percent=80, milestones_checked=[second], verified_milestones=[second]),
        photos=[jpeg_upload()],
        follow_ups=[{"action": "Label the equipment", "responsible": "Grantee", "due_date": TODAY()}],
    )
    visit.refresh_from_db()
    assert visit.progress_percent == 80
    assert set(visit.verified_milestones.all()) == {first, second}
    assert set(visit.milestones_checked.all()) == {first, second}  # the verified one stays checked
    first.refresh_from_db()
    assert first.is_verified and first.verified_visit == visit
    actions = [entry.action for entry in audit_entries_for(target=visit)]
    for action in ("recorded", "changed", "photo_added", "follow_up_added"):
        assert f"grants.visit.{action}" in actions


def test_a_correction_from_an_outdated_page_is_refused(grant, officer):
    visit = MonitoringVisitFactory(grant=grant)
    seen = visit.updated_at
    visit_update(actor=officer, visit=visit, data=_data(grant, officer, findings="First correction."))
    with pytest.raises(ApplicationError) as error:
        visit_update(
            actor=officer, visit=visit, data=_data(grant, officer, findings="Second."), expected_updated_at=seen
        )
    assert error.value.code == "visit_changed_meanwhile"
    visit.refresh_from_db()
    assert visit.findings == "First correction."


def test_removing_a_photo_deletes_its_files_and_is_audited(grant, officer):
    visit = visit_record(actor=officer, grant=grant, data=_data(grant, officer), photos=[jpeg_upload()])
    photo = visit.photos.get()
    storage, names = photo.image.storage, (photo.image.name, photo.thumbnail.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda callback, *args, **kwargs: callback())
        visit_photo_delete(actor=officer, photo=photo)
    assert not VisitPhoto.objects.filter(visit=visit).exists()
    assert not any(storage.exists(name) for name in names)
    assert "grants.visit.photo_removed" in [entry.action for entry in audit_entries_for(target=visit)]


# --- Who may ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.ME_OFFICER, Role.FINANCE_OFFICER, Role.APPLICANT])
def test_only_programme_staff_record_visits_everyone_else_gets_404(client, grant, role):
    user = grant.application.applicant if role == Role.APPLICANT else UserFactory(role=role)
    client.force_login(user)
    url = f"/en/staff/grants/{grant.pk}/visits/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, _post(grant, UserFactory(role=Role.PROGRAMME_OFFICER))).status_code == 404
    assert not MonitoringVisit.objects.exists()
    with pytest.raises(ApplicationError):
        visit_record(actor=user, grant=grant, data=_data(grant, UserFactory(role=Role.PROGRAMME_OFFICER)))


def test_the_grantee_cannot_see_visit_photos_and_staff_get_them_inline_and_private(client, grant, officer):
    visit = visit_record(actor=officer, grant=grant, data=_data(grant, officer), photos=[jpeg_upload()])
    photo = visit.photos.get()
    base = f"/en/staff/grants/{grant.pk}/visits/{visit.pk}/"
    urls = [base, f"{base}photos/{photo.pk}/", f"{base}photos/{photo.pk}/thumbnail/"]
    client.force_login(grant.application.applicant)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(urls[1])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"].startswith("private")
    assert not response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    other = GrantFactory(active=True)
    assert client.get(f"/en/staff/grants/{other.pk}/visits/{visit.pk}/photos/{photo.pk}/").status_code == 404


# --- Follow-ups ---------------------------------------------------------------------------------------------------
def test_a_follow_up_is_marked_done_once_and_a_second_click_is_told_who_did_it(client, grant, officer):
    follow_up = FollowUpActionFactory(visit=MonitoringVisitFactory(grant=grant), action="Paint the sign")
    client.force_login(officer)
    response = client.post(f"/en/staff/grants/follow-ups/{follow_up.pk}/done/")
    follow_up.refresh_from_db()
    assert response.status_code == 302 and follow_up.done_at is not None and follow_up.done_by == officer
    assert "grants.visit.follow_up_done" in [entry.action for entry in audit_entries_for(target=follow_up.visit)]
    with pytest.raises(ApplicationError) as error:
        follow_up_done(actor=UserFactory(role=Role.MANAGER), follow_up=follow_up)
    assert error.value.code == "follow_up_already_done" and officer.email in error.value.message
    other = FollowUpActionFactory(visit=follow_up.visit, action="Fence the site")
    listing = client.get("/en/staff/grants/follow-ups/").content.decode()
    assert f'data-follow-up="{other.pk}"' in listing and f'data-follow-up="{follow_up.pk}"' not in listing
    assert nested_forms(listing) == 0
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    assert client.post(f"/en/staff/grants/follow-ups/{other.pk}/done/").status_code == 404
    other.refresh_from_db()
    assert other.done_at is None


def _follow_up_list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/staff/grants/follow-ups/")
    assert response.status_code == 200
    return len(queries), response


def test_the_follow_up_list_flags_overdue_actions_pages_and_costs_the_same_whatever_its_rows(client, officer):
    client.force_login(officer)
    grants = [GrantFactory(active=True) for _ in range(3)]
    FollowUpActionFactory(visit=MonitoringVisitFactory(grant=grants[0]), due_date=TODAY() - datetime.timedelta(1))
    FollowUpActionFactory(
        visit=MonitoringVisitFactory(grant=grants[0]), due_date=TODAY(), done_at=timezone.now(), action="Done one"
    )
    few, response = _follow_up_list_queries(client)
    assert len(response.context["follow_ups"]) == 1 and "data-overdue" in response.content.decode()
    assert "Done one" not in response.content.decode()
    for index in range(30):
        FollowUpActionFactory(visit=MonitoringVisitFactory(grant=grants[index % 3]))
    many, response = _follow_up_list_queries(client)
    assert many == few
    assert response.context["page_obj"].paginator.count == 31 and len(response.context["follow_ups"]) == 25
    overdue = client.get("/en/staff/grants/follow-ups/?overdue=1").context["follow_ups"]
    assert [f.due_date for f in overdue] == [TODAY() - datetime.timedelta(1)]


# --- The grant page -----------------------------------------------------------------------------------------------
def _add_visits(grant, count):
    milestone = _workshops(grant)
    for _ in range(count):
        visit = MonitoringVisitFactory(grant=grant, donor_sign="no")
        visit.milestones_checked.add(milestone)
        visit.verified_milestones.add(milestone)
        VisitPhotoFactory(visit=visit)
        VisitPhotoFactory(visit=visit)
        FollowUpActionFactory(visit=visit)


def _grant_page(client, grant):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/staff/grants/{grant.pk}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_grant_page_shows_visits_and_costs_the_same_with_one_visit_or_many(
    client, grant, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    _add_visits(grant, 1)
    one, html = _grant_page(client, grant)
    assert 'id="visits"' in html and "No donor sign" in html and "Record a visit" in html
    assert "/staff/grants/follow-ups/" in html
    _add_visits(grant, 7)
    many, html = _grant_page(client, grant)
    assert many == one and nested_forms(html) == 0
    assert html.count("data-visit=") == 8 and html.count("data-follow-up=") == 8
    assert "2 photos" in html and "Monitoring visit recorded" not in html  # factories write no audit entries
    with django_assert_max_num_queries(one):
        client.get(f"/en/staff/grants/{grant.pk}/")


def test_the_grant_page_labels_visit_entries_on_its_timeline_and_hides_the_button_from_finance(client, grant, officer):
    visit_record(actor=officer, grant=grant, data=_data(grant, officer))
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert "Monitoring visit recorded" in html and "Record a visit" not in html


def test_a_grant_awaiting_signature_has_no_visits_panel(client, officer):
    grant = GrantFactory(with_plan=True)
    assert grant.status == GrantStatus.AWAITING_SIGNATURE
    client.force_login(officer)
    html = client.get(f"/en/staff/grants/{grant.pk}/").content.decode()
    assert 'data-panel="visits"' not in html
    assert not FollowUpAction.objects.exists()


def test_the_grantee_sees_findings_and_open_follow_ups_but_not_photos_or_the_checklist(client, grant, officer):
    _add_visits(grant, 1)
    client.force_login(grant.application.applicant)
    html = client.get(f"/en/my/grants/{grant.pk}/").content.decode()
    assert 'data-panel="visits"' in html and html.count("data-follow-up=") == 1
    assert "No donor sign" not in html and "/visits/" not in html and "Record a visit" not in html
