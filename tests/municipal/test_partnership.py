"""A municipality's partnership: memoranda of understanding (overlap, signature with its PDF, end), focal persons,
profile and population figures; who may change them (404 for everyone else) and the panel of the municipality page.
"""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import AuditEntry
from municipal.selectors_partnership import partnership_for_page
from municipal.services.partnership import (
    focal_person_retire,
    memorandum_end,
    memorandum_save,
    memorandum_sign,
    population_figure_record,
    profile_save,
)
from municipalities.models import FocalPerson, Memorandum, MouStatus, Municipality, PopulationFigure
from tests.factories import UserFactory
from tests.municipal.factories_partnership import (
    PDF_BYTES,
    FocalPersonFactory,
    MemorandumFactory,
    MunicipalityProfileFactory,
    PopulationFigureFactory,
    pdf_upload,
    png_upload,
)
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


@pytest.fixture
def gjilan():
    return Municipality.objects.get(code="gjilan")


def _mou_data(**changes):
    data = {
        "reference": "MoU-NEW",
        "starts_on": datetime.date(2029, 1, 1),
        "ends_on": datetime.date(2030, 12, 31),
        "signatories": "Mayor\nChief of Party",
        "programme_commitments": "Advice on permits.",
        "municipality_commitments": "A help desk.",
        "programme_ceiling": Decimal("100000.00"),
        "ceiling_purpose": "infrastructure envelope",
        "cofunding_pledge": Decimal("20000.00"),
    }
    data.update(changes)
    return data


def _form_post(data):
    return {key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in data.items()}


def _actions(target):
    return list(
        AuditEntry.objects.filter(object_id=str(target.pk), action__startswith="municipal.memorandum")
        .order_by("id")
        .values_list("action", "from_status", "to_status", "comment")
    )


# Memoranda ----------------------------------------------------------------------------------------------------


def test_an_overlapping_memorandum_is_refused_naming_the_other_ones_term_and_nothing_is_saved(officer, gjilan):
    MemorandumFactory(municipality=gjilan, signed=True)  # 2026-01-15 → 2028-12-31
    with pytest.raises(ApplicationError) as refused:
        memorandum_save(actor=officer, municipality=gjilan, data=_mou_data(starts_on=datetime.date(2028, 6, 1)))
    assert refused.value.code == "term_overlaps"
    assert "01/15/2026" in refused.value.message and "12/31/2028" in refused.value.message
    assert Memorandum.objects.filter(municipality=gjilan).count() == 1
    assert not AuditEntry.objects.filter(action="municipal.memorandum.created").exists()


def test_a_memorandum_starting_the_day_after_the_last_one_ends_is_recorded_as_a_draft_with_an_audit_entry(
    officer, gjilan
):
    MemorandumFactory(municipality=gjilan, signed=True)
    memorandum = memorandum_save(actor=officer, municipality=gjilan, data=_mou_data())
    assert memorandum.status == MouStatus.DRAFT and memorandum.programme_ceiling == Decimal("100000.00")
    assert _actions(memorandum) == [("municipal.memorandum.created", "", "draft", "")]


def test_another_municipalitys_memorandum_does_not_count_as_an_overlap(officer, gjilan):
    MemorandumFactory(municipality=Municipality.objects.get(code="gracanica"))
    memorandum_save(actor=officer, municipality=gjilan, data=_mou_data(starts_on=datetime.date(2026, 1, 15)))
    assert Memorandum.objects.filter(municipality=gjilan).count() == 1


def test_a_term_that_ends_before_it_starts_is_refused(officer, gjilan):
    with pytest.raises(ApplicationError, match="must end after it starts"):
        memorandum_save(actor=officer, municipality=gjilan, data=_mou_data(ends_on=datetime.date(2028, 1, 1)))
    assert not Memorandum.objects.exists()


def test_a_signed_memorandum_keeps_its_date_of_signature_which_cannot_be_in_the_future(officer, gjilan):
    memorandum = MemorandumFactory(municipality=gjilan, signed=True)
    with pytest.raises(ApplicationError, match="needs the date it was signed"):
        memorandum_save(actor=officer, municipality=gjilan, memorandum=memorandum, data={"signed_on": None})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError, match="in the future"):
        memorandum_save(actor=officer, municipality=gjilan, memorandum=memorandum, data={"signed_on": tomorrow})
    memorandum.refresh_from_db()
    assert memorandum.signed_on == datetime.date(2026, 1, 10)


def test_signing_needs_a_real_pdf_a_png_named_pdf_is_refused_and_the_draft_stays(officer, gjilan):
    memorandum = MemorandumFactory(municipality=gjilan)
    with pytest.raises(ApplicationError) as refused:
        memorandum_sign(
            actor=officer, memorandum=memorandum, signed_on=datetime.date(2026, 1, 10), signed_file=png_upload()
        )
    assert "is not a PDF file" in refused.value.message and "memorandum.pdf" in refused.value.message
    memorandum.refresh_from_db()
    assert memorandum.status == MouStatus.DRAFT and not memorandum.signed_file and memorandum.signed_on is None


def test_signing_stores_the_pdf_privately_under_a_random_name_and_records_who_signed(officer, gjilan):
    memorandum = MemorandumFactory(municipality=gjilan)
    memorandum_sign(
        actor=officer,
        memorandum=memorandum,
        signed_on=datetime.date(2026, 1, 10),
        signed_file=pdf_upload("Memorandumi Gjilan (final).pdf"),
    )
    memorandum.refresh_from_db()
    assert memorandum.status == MouStatus.SIGNED and memorandum.signed_on == datetime.date(2026, 1, 10)
    assert memorandum.signed_file.name.startswith("memoranda/") and "Gjilan" not in memorandum.signed_file.name
    assert memorandum.signed_file.read() == PDF_BYTES
    entry = AuditEntry.objects.get(action="municipal.memorandum.signed", object_id=str(memorandum.pk))
    assert (entry.actor, entry.from_status, entry.to_status) == (officer, "draft", "signed")


def test_a_signed_memorandum_ends_with_its_reason_in_the_audit_trail_and_is_then_kept_as_it_was(officer, gjilan):
    memorandum = memorandum_save(actor=officer, municipality=gjilan, data=_mou_data())
    memorandum_sign(
        actor=officer, memorandum=memorandum, signed_on=datetime.date(2026, 1, 10), signed_file=pdf_upload()
    )
    memorandum_end(actor=officer, memorandum=memorandum, reason="Replaced by the 2031 memorandum.")
    memorandum.refresh_from_db()
    assert memorandum.status == MouStatus.ENDED
    assert _actions(memorandum) == [
        ("municipal.memorandum.created", "", "draft", ""),
        ("municipal.memorandum.signed", "draft", "signed", ""),
        ("municipal.memorandum.ended", "signed", "ended", "Replaced by the 2031 memorandum."),
    ]
    with pytest.raises(ApplicationError, match="has ended"):
        memorandum_save(actor=officer, municipality=gjilan, memorandum=memorandum, data={"reference": "X"})


def test_a_draft_cannot_end_and_an_end_needs_a_reason(officer, gjilan):
    draft = MemorandumFactory(municipality=gjilan)
    with pytest.raises(ApplicationError, match="cannot become"):
        memorandum_end(actor=officer, memorandum=draft, reason="No longer needed.")
    signed = MemorandumFactory(
        municipality=gjilan, signed=True, starts_on=datetime.date(2029, 1, 1), ends_on=datetime.date(2030, 1, 1)
    )
    with pytest.raises(ApplicationError, match="Write why"):
        memorandum_end(actor=officer, memorandum=signed, reason="  ")
    draft.refresh_from_db()
    signed.refresh_from_db()
    assert (draft.status, signed.status) == (MouStatus.DRAFT, MouStatus.SIGNED)


def test_ending_early_shortens_the_term_so_the_next_memorandum_can_follow(officer, gjilan):
    first = MemorandumFactory(municipality=gjilan, signed=True)
    memorandum_end(actor=officer, memorandum=first, reason="Renegotiated.", ended_on=datetime.date(2027, 6, 30))
    second = memorandum_save(actor=officer, municipality=gjilan, data=_mou_data(starts_on=datetime.date(2027, 7, 1)))
    first.refresh_from_db()
    assert first.ends_on == datetime.date(2027, 6, 30) and second.pk


def test_a_role_without_municipal_ta_cannot_change_a_memorandum_through_the_service(gjilan):
    with pytest.raises(ApplicationError):
        memorandum_save(actor=UserFactory(role=Role.FINANCE_OFFICER), municipality=gjilan, data=_mou_data())
    assert not Memorandum.objects.exists()


# Focal persons, profile, population --------------------------------------------------------------------------


def test_a_retired_focal_person_keeps_their_row_and_shows_as_former(officer, gjilan):
    person = FocalPersonFactory(municipality=gjilan, name="Besnik Gashi")
    focal_person_retire(actor=officer, focal_person=person, reason="Moved to the tax office.")
    person = FocalPerson.objects.get(pk=person.pk)
    assert person.is_active is False and person.name == "Besnik Gashi"
    assert AuditEntry.objects.filter(action="municipal.focal_person.retired", object_id=str(person.pk)).exists()
    html = render_to_string(
        "municipal/partnership/_panel.html",
        {"municipality": gjilan, **partnership_for_page(gjilan), "may_manage": True, "aggregate_only": False},
    )
    assert f'data-focal-person="{person.pk}" data-retired' in html and "Besnik Gashi" in html


def test_the_profile_keeps_known_languages_in_a_fixed_order_and_refuses_unknown_ones(officer, gjilan):
    profile = profile_save(
        actor=officer, municipality=gjilan, data={"mayor": "Alban Hyseni", "official_languages": ["tr", "sq", "sr"]}
    )
    assert profile.official_languages == ["sq", "sr", "tr"]
    assert profile.official_language_labels() == ["Albanian", "Serbian", "Turkish"]
    with pytest.raises(ApplicationError, match="Unknown language"):
        profile_save(actor=officer, municipality=gjilan, data={"official_languages": ["xx"]})
    profile.refresh_from_db()
    assert profile.official_languages == ["sq", "sr", "tr"]
    assert AuditEntry.objects.filter(action="municipal.profile.created").count() == 1


def test_a_population_figure_twice_for_the_same_year_source_and_community_is_refused_clearly(officer, gjilan):
    data = {"year": 2024, "source": "Kosovo Agency of Statistics, census 2024", "community": "serb", "count": 1200}
    population_figure_record(actor=officer, municipality=gjilan, data=data)
    with pytest.raises(ApplicationError) as refused:
        population_figure_record(
            actor=officer, municipality=gjilan, data={**data, "source": "kosovo agency of statistics, census 2024"}
        )
    assert "2024" in refused.value.message and "Serb" in refused.value.message and "1200" in refused.value.message
    assert PopulationFigure.objects.filter(municipality=gjilan).count() == 1
    population_figure_record(actor=officer, municipality=gjilan, data={**data, "community": ""})
    assert PopulationFigure.objects.filter(municipality=gjilan).count() == 2


# Pages ---------------------------------------------------------------------------------------------------------


def _pages(memorandum, signed, person):
    code = memorandum.municipality.code
    return [
        reverse("staff:memorandum_create", args=[code]),
        reverse("staff:memorandum_edit", args=[code, memorandum.pk]),
        reverse("staff:memorandum_sign", args=[code, memorandum.pk]),
        reverse("staff:memorandum_end", args=[code, signed.pk]),
        reverse("staff:focal_person_create", args=[code]),
        reverse("staff:focal_person_edit", args=[code, person.pk]),
        reverse("staff:focal_person_retire", args=[code, person.pk]),
        reverse("staff:municipality_profile_edit", args=[code]),
        reverse("staff:population_figure_create", args=[code]),
    ]


@pytest.fixture
def records(gjilan):
    draft = MemorandumFactory(
        municipality=gjilan, starts_on=datetime.date(2029, 1, 1), ends_on=datetime.date(2030, 1, 1)
    )
    signed = MemorandumFactory(municipality=gjilan, signed=True)
    person = FocalPersonFactory(municipality=gjilan)
    return draft, signed, person


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.USAID_VIEWER, Role.APPLICANT, Role.REVIEWER])
def test_roles_without_municipal_ta_get_404_on_every_form_page_and_the_signed_pdf(client, records, role):
    draft, signed, person = records
    client.force_login(UserFactory(role=role))
    for url in _pages(draft, signed, person):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _form_post(_mou_data())).status_code == 404, url
    assert client.get(reverse("staff:memorandum_file", args=["gjilan", signed.pk])).status_code == 404
    assert Memorandum.objects.count() == 2 and FocalPerson.objects.get().is_active


def test_every_form_page_opens_for_a_programme_officer_without_a_form_inside_another(client, records, officer):
    client.force_login(officer)
    for url in _pages(*records):
        response = client.get(url)
        assert response.status_code == 200, url
        assert nested_forms(response.content.decode()) == 0, url


def test_a_programme_officer_changes_a_memorandum_and_returns_to_the_municipality_page(client, records, officer):
    draft = records[0]
    client.force_login(officer)
    data = _mou_data(starts_on=draft.starts_on, ends_on=draft.ends_on, programme_ceiling="175000.50")
    response = client.post(reverse("staff:memorandum_edit", args=["gjilan", draft.pk]), _form_post(data))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:municipality_detail", args=["gjilan"])
    draft.refresh_from_db()
    assert draft.programme_ceiling == Decimal("175000.50") and draft.reference == "MoU-NEW"
    entry = AuditEntry.objects.get(action="municipal.memorandum.updated", object_id=str(draft.pk))
    assert entry.actor == officer and entry.data["programme_ceiling"] == "175000.50"


def test_a_refused_memorandum_keeps_what_was_typed_and_says_what_overlaps(client, records, officer):
    client.force_login(officer)
    data = _mou_data(starts_on=datetime.date(2027, 1, 1), signatories="Ardita Rexhepi, deputy mayor")
    response = client.post(reverse("staff:memorandum_create", args=["gjilan"]), _form_post(data))
    assert response.status_code == 400
    html = response.content.decode()
    assert "overlaps the memorandum of" in html and "Ardita Rexhepi, deputy mayor" in html
    assert 'value="2027-01-01"' in html
    assert Memorandum.objects.count() == 2


def test_a_memorandum_of_another_municipality_answers_404_under_this_ones_address(client, records, officer):
    client.force_login(officer)
    draft = records[0]
    assert client.get(reverse("staff:memorandum_edit", args=["gracanica", draft.pk])).status_code == 404
    assert client.get(reverse("staff:memorandum_sign", args=["gjilan", records[1].pk])).status_code == 404


def test_signing_through_the_page_refuses_a_png_and_accepts_the_pdf(client, records, officer):
    draft = records[0]
    client.force_login(officer)
    url = reverse("staff:memorandum_sign", args=["gjilan", draft.pk])
    response = client.post(url, {"signed_on": "2026-01-10", "signed_file": png_upload("scan.pdf")})
    assert response.status_code == 400 and "is not a PDF file" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == MouStatus.DRAFT
    response = client.post(url, {"signed_on": "2026-01-10", "signed_file": pdf_upload()})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == MouStatus.SIGNED and draft.signed_file


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.ME_OFFICER, Role.MANAGER])
def test_the_signed_pdf_downloads_as_an_attachment_for_municipal_staff(client, records, role):
    signed = records[1]
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("staff:memorandum_file", args=["gjilan", signed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_memorandum_without_a_signed_pdf_has_no_download(client, records, officer):
    client.force_login(officer)
    assert client.get(reverse("staff:memorandum_file", args=["gjilan", records[0].pk])).status_code == 404


def test_a_duplicate_population_figure_on_the_page_keeps_what_was_typed(client, officer, gjilan):
    PopulationFigureFactory(municipality=gjilan, year=2024, community="")
    client.force_login(officer)
    response = client.post(
        reverse("staff:population_figure_create", args=["gjilan"]),
        {"year": "2024", "source": "Kosovo Agency of Statistics, census 2024", "community": "", "count": "81234"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is recorded already" in html and 'value="81234"' in html
    assert PopulationFigure.objects.count() == 1


def test_the_profile_page_saves_languages_ticked(client, officer, gjilan):
    client.force_login(officer)
    response = client.post(
        reverse("staff:municipality_profile_edit", args=["gjilan"]),
        {"mayor": "Alban Hyseni", "official_languages": ["sq", "sr"], "email": "info@gjilan.example.org"},
    )
    assert response.status_code == 302
    assert gjilan.profile.official_languages == ["sq", "sr"] and gjilan.profile.mayor == "Alban Hyseni"


def test_retiring_through_the_page_keeps_the_person_and_the_retired_one_can_no_longer_be_edited(
    client, records, officer
):
    person = records[2]
    client.force_login(officer)
    response = client.post(reverse("staff:focal_person_retire", args=["gjilan", person.pk]), {"reason": "Left."})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active is False
    assert client.get(reverse("staff:focal_person_edit", args=["gjilan", person.pk])).status_code == 404


# The panel of the municipality page ---------------------------------------------------------------------------


def _many(gjilan, n):
    for i in range(n):
        start = datetime.date(2000 + 2 * i, 1, 1)
        MemorandumFactory(municipality=gjilan, starts_on=start, ends_on=start.replace(year=start.year + 1))
        FocalPersonFactory(municipality=gjilan)
        PopulationFigureFactory(municipality=gjilan, year=2000 + i)
    MunicipalityProfileFactory(municipality=gjilan)


@pytest.mark.parametrize("n", [1, 8])
def test_the_panel_costs_four_queries_whatever_the_number_of_records(django_assert_max_num_queries, gjilan, n):
    _many(gjilan, n)
    with django_assert_max_num_queries(4):
        context = partnership_for_page(gjilan)
        html = render_to_string(
            "municipal/partnership/_panel.html",
            {"municipality": gjilan, **context, "may_manage": True, "aggregate_only": False},
        )
    assert html.count("data-focal-person=") == n and html.count("data-population-figure=") == n


def test_the_panel_shows_the_memorandum_in_force_first_with_its_terms(gjilan):
    MemorandumFactory(municipality=gjilan, starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1))
    today = timezone.localdate()
    current = MemorandumFactory(
        municipality=gjilan,
        signed=True,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
        ceiling_purpose="infrastructure envelope",
    )
    context = partnership_for_page(gjilan)
    assert context["memoranda"][0] == current and context["memoranda"][0].is_current
    html = render_to_string(
        "municipal/partnership/_panel.html",
        {"municipality": gjilan, **context, "may_manage": False, "aggregate_only": False},
    )
    assert "data-current-memorandum" in html and "150,000.00 EUR" in html
    assert "infrastructure envelope" in html and "Download the signed PDF" in html
    assert "New memorandum" not in html  # no action buttons without may_manage


def test_usaids_viewer_sees_the_memoranda_terms_and_money_but_no_names_contacts_or_documents(gjilan):
    MemorandumFactory(municipality=gjilan, signed=True, signatories="Lutfi Haziri, mayor")
    FocalPersonFactory(municipality=gjilan, name="Besnik Gashi")
    MunicipalityProfileFactory(municipality=gjilan, mayor="Alban Hyseni")
    html = render_to_string(
        "municipal/partnership/_panel.html",
        {"municipality": gjilan, **partnership_for_page(gjilan), "may_manage": False, "aggregate_only": True},
    )
    assert "150,000.00" in html and "37,500.00" in html and "Signed" in html
    for hidden in ("Lutfi Haziri", "Besnik Gashi", "Alban Hyseni", "/file/", "focal", "mailto:"):
        assert hidden not in html, hidden


def test_a_figure_recorded_in_error_is_removed_with_a_reason_and_the_right_one_recorded(client, officer, gjilan):
    wrong = PopulationFigureFactory(municipality=gjilan, year=2024, community="", count=8123)
    client.force_login(officer)
    url = reverse("staff:population_figure_remove", args=["gjilan", wrong.pk])
    page = client.get(reverse("staff:municipality_detail", args=["gjilan"])).content.decode()
    assert url in page

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and PopulationFigure.objects.filter(pk=wrong.pk).exists()

    assert client.post(url, {"reason": "Typed one digit too few"}).status_code == 302
    assert not PopulationFigure.objects.filter(pk=wrong.pk).exists()
    entry = AuditEntry.objects.get(action="municipal.population_figure.removed")
    assert entry.comment == "Typed one digit too few" and entry.data["count"] == 8123
    response = client.post(
        reverse("staff:population_figure_create", args=["gjilan"]),
        {"year": "2024", "source": wrong.source, "community": "", "count": "81234"},
    )
    assert response.status_code == 302 and PopulationFigure.objects.get(municipality=gjilan).count == 81234


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.USAID_VIEWER])
def test_only_municipal_staff_remove_a_population_figure(client, gjilan, role):
    figure = PopulationFigureFactory(municipality=gjilan, year=2024, community="")
    client.force_login(UserFactory(role=role))
    url = reverse("staff:population_figure_remove", args=["gjilan", figure.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"reason": "x"}).status_code == 404 and PopulationFigure.objects.filter(pk=figure.pk).exists()
    )
    assert url not in client.get(reverse("staff:municipality_detail", args=["gjilan"])).content.decode()
