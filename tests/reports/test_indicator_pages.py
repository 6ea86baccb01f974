"""The indicator pages (/staff/indicators/…): who sees, edits and adjusts what; the catalogue's figures and their
query bound; adjustments recorded with a reason and a name and shown beside the computed value; the edit form's
refusals (duplicate code, breakdowns the calculation cannot give) with what was typed kept; figures formatted by
unit."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from core.models import AuditEntry
from reports.models import Adjustment, Indicator, IndicatorTarget
from reports.templatetags.reports_tags import figure
from tests.factories import UserFactory
from tests.reports import test_drilldown as drilldown
from tests.reports.test_drilldown import FY, make_indicator, people

pytestmark = pytest.mark.django_db

# The fixtures shared with the drill-down tests (hand-built grants, test-only calculations).
_no_two_factor = drilldown._no_two_factor
grants_indicator = drilldown.grants_indicator
test_calculations = drilldown.test_calculations

LIST = "staff:indicators_list"


def detail_url(indicator, fy=FY):
    return reverse("staff:indicator_detail", args=[indicator.pk]) + f"?fy={fy}"


def edit_data(indicator, targets=(), **changes):
    data = {
        "code": indicator.code,
        "name_sq": indicator.name_sq,
        "name_sr": indicator.name_sr,
        "name_sr_cyrl": indicator.name_sr_cyrl,
        "name_en": indicator.name_en,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "type": indicator.type,
        "direction": indicator.direction,
        "component": indicator.component,
        "calculation": indicator.calculation,
        "disaggregations": list(indicator.disaggregations),
        "baseline_value": "",
        "baseline_date": "",
        "lop_target": "",
        "is_active": "on",
        "order": indicator.order,
        "targets-TOTAL_FORMS": str(len(targets) + 1),
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for index, (year, value) in enumerate(targets):
        data[f"targets-{index}-fiscal_year"] = str(year)
        data[f"targets-{index}-value"] = str(value)
    data.update(changes)
    return data


# --- Who sees what ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "view", "edit", "adjust"),
    [
        (Role.ME_OFFICER, 200, 200, True),
        (Role.ADMIN, 200, 200, True),
        (Role.MANAGER, 200, 200, False),
        (Role.PROGRAMME_OFFICER, 200, 404, False),
        (Role.FINANCE_OFFICER, 200, 404, False),
        (Role.USAID_VIEWER, 200, 404, False),
        (Role.APPLICANT, 404, 404, False),
        (Role.REVIEWER, 404, 404, False),
    ],
)
def test_each_role_sees_edits_and_adjusts_what_it_may(client, grants_indicator, role, view, edit, adjust):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse(LIST)).status_code == view
    response = client.get(detail_url(grants_indicator))
    assert response.status_code == view
    if view == 200:
        html = response.content.decode()
        assert ("data-edit" in html) == (edit == 200)
        assert (reverse("staff:indicator_adjust", args=[grants_indicator.pk]) in html) == adjust
    assert client.get(reverse("staff:indicator_edit", args=[grants_indicator.pk])).status_code == edit
    adjust_post = client.post(
        reverse("staff:indicator_adjust", args=[grants_indicator.pk]),
        {"fiscal_year": FY, "quarter": 1, "value": "1", "reason": "Late agreement"},
    )
    assert adjust_post.status_code == (302 if adjust else 404)
    assert Adjustment.objects.exists() == adjust


def test_usaid_viewer_sees_the_figures_but_no_link_to_records(client, grants_indicator):
    client.force_login(UserFactory(role=Role.USAID_VIEWER))
    records = reverse("staff:indicator_records", args=["grants_awarded"])
    for url in (reverse(LIST) + f"?fy={FY}", detail_url(grants_indicator)):
        response = client.get(url)
        html = response.content.decode()
        assert records not in html, url
    figures = response.context["row"]
    assert figures.year.value == 3
    assert "<span data-figure>3</span>" in html


def test_staff_who_may_open_records_get_every_number_as_a_link(client, grants_indicator):
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    response = client.get(detail_url(grants_indicator))
    html = response.content.decode()
    row = response.context["row"]
    for cell in [*row.quarters, row.year, row.cumulative]:
        assert cell.url.replace("&", "&amp;") in html
    for _dimension, parts in row.breakdowns:
        for _part, url in parts:
            assert url.replace("&", "&amp;") in html
    # The breakdown tables show a total row equal to the sum of their parts.
    for _dimension, parts in row.breakdowns:
        assert sum(part.value for part, _url in parts) == row.year.computed == 3


# --- The catalogue ----------------------------------------------------------------------------------------------
def test_the_catalogue_groups_indicators_by_component_cross_cutting_last(client, grants_indicator, test_calculations):
    make_indicator("test_people", "AKT-CE-9", component="civic_engagement", name_en="People reached")
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse(LIST) + f"?fy={FY}")
    html = response.content.decode()
    labels = [label for label, _rows in response.context["groups"]]
    assert labels == ["Civic Engagement", "Cross-cutting"]
    assert html.index("AKT-CE-9") < html.index("AKT-X-1")


def test_the_catalogue_shows_target_value_and_progress(client, grants_indicator):
    IndicatorTarget.objects.create(indicator=grants_indicator, fiscal_year=FY, value=Decimal("4"))
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse(LIST) + f"?fy={FY}")
    (row,) = response.context["groups"][0][1]
    assert row.year.value == 3 and row.target == 4
    assert row.percent_of_target == Decimal("75.0")
    assert row.on_track is False  # the whole year is gone: 75 % is below 90 % of it
    html = response.content.decode()
    assert "75.0%" in html and 'data-on-track="no"' in html


def test_the_catalogue_up_to_a_quarter_counts_only_that_far(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse(LIST) + f"?fy={FY}&q=2")
    (row,) = response.context["groups"][0][1]
    assert row.year.value == 2  # Q1 and Q2 grants; the Q3 one is left out


def test_a_bad_fiscal_year_on_the_catalogue_is_answered_with_a_message(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse(LIST) + "?fy=1066")
    assert response.status_code == 400
    assert "Choose a fiscal year between 2000 and 2100." in response.content.decode()


def test_the_catalogue_costs_a_constant_number_of_queries_per_indicator(client, grants_indicator, test_calculations):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    client.get(reverse(LIST) + f"?fy={FY}")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(LIST) + f"?fy={FY}")
    people(30)
    make_indicator("test_people", "AKT-T-1")
    make_indicator("test_women_share", "AKT-T-2", unit="percent")
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse(LIST) + f"?fy={FY}")
    assert sum(len(rows) for _label, rows in response.context["groups"]) == 3
    # Four quarters, the year and life of programme: six aggregates per indicator, whatever the number of records.
    assert len(three) - len(one) <= 2 * 6
    assert len(three) <= 12 + 3 * 6


# --- Adjustments ------------------------------------------------------------------------------------------------
def test_an_adjustment_is_recorded_with_reason_and_name_and_shown_beside_the_computed_value(client, grants_indicator):
    officer = UserFactory(role=Role.ME_OFFICER, first_name="Drita", last_name="Hoxha")
    client.force_login(officer)
    response = client.post(
        reverse("staff:indicator_adjust", args=[grants_indicator.pk]),
        {"fiscal_year": FY, "quarter": 2, "value": "2", "reason": "Two agreements signed on paper, entered late."},
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert adjustment.recorded_by == officer and adjustment.value == 2 and adjustment.quarter == 2
    entry = AuditEntry.objects.get(action="reports.indicator.adjusted")
    assert entry.actor == officer and entry.comment == adjustment.reason
    response = client.get(response.url)
    html = response.content.decode()
    row = response.context["row"]
    assert row.year.computed == 3 and row.year.value == 5
    assert row.quarters[1].computed == 1 and row.quarters[1].value == 3
    assert "Two agreements signed on paper, entered late." in html
    assert "Drita Hoxha" in html
    assert 'data-row="computed"' in html and "data-adjusted" in html


def test_an_adjustment_without_a_reason_is_refused_and_what_was_typed_stays(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.post(
        reverse("staff:indicator_adjust", args=[grants_indicator.pk]),
        {"fiscal_year": FY, "quarter": 3, "value": "-7.50", "reason": "   "},
    )
    assert response.status_code == 400
    assert not Adjustment.objects.exists()
    html = response.content.decode()
    assert "Say why the computed figure needs this adjustment: the reason is shown beside it." in html
    assert 'value="-7.50"' in html
    form = response.context["adjust_form"]
    assert form["quarter"].value() == "3" and form["fiscal_year"].value() == str(FY)


def test_an_adjustment_of_zero_is_refused(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.post(
        reverse("staff:indicator_adjust", args=[grants_indicator.pk]),
        {"fiscal_year": FY, "quarter": 3, "value": "0", "reason": "Nothing"},
    )
    assert response.status_code == 400
    assert "An adjustment of 0 changes nothing." in response.content.decode()
    assert not Adjustment.objects.exists()


# --- Editing the catalogue --------------------------------------------------------------------------------------
def test_editing_saves_the_fields_and_targets_with_an_audit_entry(client, grants_indicator):
    IndicatorTarget.objects.create(indicator=grants_indicator, fiscal_year=2025, value=Decimal("5"))
    officer = UserFactory(role=Role.ME_OFFICER)
    client.force_login(officer)
    data = edit_data(
        grants_indicator,
        targets=[(2026, "12"), (2027, "15.50")],
        code="EG.3.2-27",
        name_sr_cyrl="Број додељених грантова",
        disaggregations=["instrument"],
        lop_target="40",
    )
    response = client.post(reverse("staff:indicator_edit", args=[grants_indicator.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(pk=grants_indicator.pk)
    assert indicator.code == "EG.3.2-27" and indicator.disaggregations == ["instrument"]
    assert indicator.lop_target == Decimal("40")
    assert dict(indicator.targets.values_list("fiscal_year", "value")) == {2026: Decimal("12"), 2027: Decimal("15.50")}
    changed = AuditEntry.objects.get(action="reports.indicator.updated").data["changed"]
    assert changed["code"] == ["AKT-X-1", "EG.3.2-27"]
    assert changed["disaggregations"] == [["municipality", "component"], ["instrument"]]
    assert "name_en" not in changed
    targets = AuditEntry.objects.get(action="reports.indicator.targets_set").data["targets"]
    assert targets == {"2025": ["5.00", None], "2026": [None, "12"], "2027": [None, "15.50"]}


def test_a_duplicate_code_is_refused_with_a_clear_message(client, grants_indicator, test_calculations):
    make_indicator("test_people", "AKT-T-1")
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.post(
        reverse("staff:indicator_edit", args=[grants_indicator.pk]),
        edit_data(grants_indicator, code="AKT-T-1", name_en="Grants (renamed)"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Another indicator already has this code. Codes must be unique: choose another." in html
    assert 'value="Grants (renamed)"' in html
    assert Indicator.objects.get(pk=grants_indicator.pk).code == "AKT-X-1"
    assert not AuditEntry.objects.filter(action="reports.indicator.updated").exists()


def test_only_the_calculation_s_breakdowns_are_offered_and_accepted(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.get(reverse("staff:indicator_edit", args=[grants_indicator.pk]))
    offered = {value for value, _label in response.context["form"].fields["disaggregations"].choices}
    assert offered == {"component", "municipality", "instrument"}
    assert 'value="sex"' not in response.content.decode()
    response = client.post(
        reverse("staff:indicator_edit", args=[grants_indicator.pk]),
        edit_data(grants_indicator, disaggregations=["municipality", "sex"]),
    )
    assert response.status_code == 400
    assert "The chosen calculation cannot break its figure down by sex." in response.content.decode()
    assert Indicator.objects.get(pk=grants_indicator.pk).disaggregations == ["municipality", "component"]


def test_two_targets_for_one_year_are_refused(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    response = client.post(
        reverse("staff:indicator_edit", args=[grants_indicator.pk]),
        edit_data(grants_indicator, targets=[(2026, "10"), (2026, "11")]),
    )
    assert response.status_code == 400
    assert "FY2026 has two targets. Keep one row per fiscal year." in response.content.decode()
    assert not IndicatorTarget.objects.exists()


def test_add_a_row_keeps_what_was_typed_and_saves_nothing(client, grants_indicator):
    client.force_login(UserFactory(role=Role.ME_OFFICER))
    data = edit_data(grants_indicator, targets=[(2026, "10")], name_en="Typed but not saved", add_target="1")
    response = client.post(reverse("staff:indicator_edit", args=[grants_indicator.pk]), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 3
    assert 'value="Typed but not saved"' in response.content.decode()
    assert Indicator.objects.get(pk=grants_indicator.pk).name_en == "Number of grants awarded"


# --- Figures by unit --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234567, "number", "1,234,567"),
        (Decimal("12.5"), "number", "12.50"),
        (Decimal("25000"), "eur", "25,000.00 EUR"),
        (Decimal("1234.565"), "usd", "1,234.57 USD"),
        (Decimal("45.25"), "percent", "45.3%"),
        (Decimal("7.04"), "fte", "7.0"),
        (None, "number", "—"),
    ],
)
def test_figures_are_written_by_their_unit(value, unit, text):
    assert figure(value, unit) == text


def test_figures_follow_the_language_s_separators():
    with translation.override("sq"):
        assert figure(Decimal("25000"), "eur") == "25.000,00 EUR"
