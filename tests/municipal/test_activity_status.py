"""An activity's lifecycle: planned → in progress → delivered → accepted (or back to work, or cancelled), each step
with its audit entry; wrong steps and an acceptance without deliverables are refused with what to do."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.selectors import audit_entries_for
from municipal.models import ActivityStatus
from municipal.services import packages as services
from tests.factories import UserFactory
from tests.municipal.factories_packages import DeliverableVersionFactory, TAActivityFactory
from tests.test_html_forms import nested_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def officer():
    return UserFactory(role=Role.PROGRAMME_OFFICER)


def _with_document(activity):
    DeliverableVersionFactory(deliverable__activity=activity)
    return activity


def _last_entry(activity):
    return audit_entries_for(target=activity).order_by("-id").first()


@pytest.mark.parametrize(
    ("start", "call", "end", "action"),
    [
        ("planned", lambda a, u: services.activity_start(actor=u, activity=a), "in_progress", "started"),
        ("in_progress", lambda a, u: services.activity_deliver(actor=u, activity=a), "delivered", "delivered"),
        (
            "delivered",
            lambda a, u: services.activity_reopen(actor=u, activity=a, reason="The municipality wants a chapter more."),
            "in_progress",
            "reopened",
        ),
        (
            "planned",
            lambda a, u: services.activity_cancel(actor=u, activity=a, reason="Mayor changed."),
            "cancelled",
            "cancelled",
        ),
        (
            "in_progress",
            lambda a, u: services.activity_cancel(actor=u, activity=a, reason="No budget."),
            "cancelled",
            "cancelled",
        ),
        (
            "delivered",
            lambda a, u: services.activity_accept(
                actor=u, activity=a, accepted_on=datetime.date(2026, 3, 20), accepted_by="Director of economy"
            ),
            "accepted",
            "accepted",
        ),
    ],
)
def test_every_allowed_step_changes_the_status_and_records_from_to_and_who(officer, start, call, end, action):
    activity = _with_document(TAActivityFactory(status=start))
    call(activity, officer)
    activity.refresh_from_db()
    assert activity.status == end
    entry = _last_entry(activity)
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        f"municipal.activity.{action}",
        start,
        end,
        officer,
    )


def test_the_reason_of_a_reopening_or_cancellation_stays_in_the_history(officer):
    activity = TAActivityFactory(delivered=True)
    services.activity_reopen(actor=officer, activity=activity, reason="Add the fee schedule.")
    assert _last_entry(activity).comment == "Add the fee schedule."
    with pytest.raises(ApplicationError) as refused:
        services.activity_cancel(actor=officer, activity=activity, reason="   ")
    assert refused.value.code == "reason_required"
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("start", "call"),
    [
        ("planned", lambda a, u: services.activity_deliver(actor=u, activity=a)),
        ("in_progress", lambda a, u: services.activity_start(actor=u, activity=a)),
        ("accepted", lambda a, u: services.activity_reopen(actor=u, activity=a, reason="Again")),
        ("delivered", lambda a, u: services.activity_cancel(actor=u, activity=a, reason="Late")),
        ("cancelled", lambda a, u: services.activity_start(actor=u, activity=a)),
        (
            "planned",
            lambda a, u: services.activity_accept(
                actor=u, activity=a, accepted_on=datetime.date(2026, 3, 1), accepted_by="X"
            ),
        ),
    ],
)
def test_a_step_the_lifecycle_does_not_allow_is_refused_and_nothing_is_recorded(officer, start, call):
    activity = _with_document(TAActivityFactory(status=start))
    with pytest.raises(ApplicationError) as refused:
        call(activity, officer)
    assert refused.value.code == "invalid_transition"
    activity.refresh_from_db()
    assert activity.status == start
    assert not audit_entries_for(target=activity).exists()


def test_acceptance_without_a_deliverable_document_is_refused_with_what_to_do(officer):
    activity = TAActivityFactory(delivered=True)
    with pytest.raises(ApplicationError) as refused:
        services.activity_accept(
            actor=officer, activity=activity, accepted_on=datetime.date(2026, 3, 20), accepted_by="Director"
        )
    assert refused.value.message == (
        "An activity is accepted with its deliverables: upload at least one document first."
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DELIVERED and activity.accepted_on is None


def test_acceptance_dated_before_the_start_or_in_the_future_is_refused(officer):
    activity = _with_document(TAActivityFactory(delivered=True))
    for day, code in [
        (activity.starts_on - datetime.timedelta(days=1), "accepted_before_start"),
        (timezone.localdate() + datetime.timedelta(days=1), "accepted_in_future"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            services.activity_accept(actor=officer, activity=activity, accepted_on=day, accepted_by="Director")
        assert refused.value.code == code
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DELIVERED


def test_acceptance_keeps_the_date_and_the_official(officer):
    activity = _with_document(TAActivityFactory(delivered=True))
    services.activity_accept(
        actor=officer, activity=activity, accepted_on=datetime.date(2026, 3, 20), accepted_by="Drejtori i ekonomisë"
    )
    activity.refresh_from_db()
    assert (activity.accepted_on, activity.accepted_by) == (datetime.date(2026, 3, 20), "Drejtori i ekonomisë")


def test_the_buttons_of_the_activity_page_move_it_along(client, officer):
    activity = TAActivityFactory()
    client.force_login(officer)
    response = client.post(reverse("staff:ta_activity_status", args=[activity.pk, "start"]), follow=True)
    assert "The work on the activity started." in response.content.decode()
    client.post(reverse("staff:ta_activity_status", args=[activity.pk, "deliver"]))
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DELIVERED
    page = client.get(reverse("staff:ta_activity_detail", args=[activity.pk])).content.decode()
    assert "upload at least one document first" in page and nested_forms(page) == 0
    accept_url = reverse("staff:ta_activity_status", args=[activity.pk, "accept"])
    refused = client.post(accept_url, {"accepted_on": "2026-03-20", "accepted_by": "Director Hasani"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "upload at least one document first" in body and 'value="Director Hasani"' in body
    _with_document(activity)
    client.post(accept_url, {"accepted_on": "2026-03-20", "accepted_by": "Director Hasani"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ACCEPTED
    timeline = client.get(reverse("staff:ta_activity_detail", args=[activity.pk])).content.decode()
    assert "Accepted by the municipality" in timeline and "Delivered to the municipality" in timeline


def test_a_wrong_step_from_the_page_shows_the_refusal(client, officer):
    activity = TAActivityFactory()
    client.force_login(officer)
    response = client.post(reverse("staff:ta_activity_status", args=[activity.pk, "deliver"]), follow=True)
    assert "it cannot become" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_cancelling_from_the_page_needs_a_reason(client, officer):
    activity = TAActivityFactory()
    client.force_login(officer)
    url = reverse("staff:ta_activity_status", args=[activity.pk, "cancel"])
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "The municipality withdrew the request."})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED


@pytest.mark.parametrize("role", [Role.USAID_VIEWER, Role.FINANCE_OFFICER])
def test_viewers_without_municipal_ta_cannot_change_the_status(client, role):
    activity = TAActivityFactory()
    client.force_login(UserFactory(role=role))
    assert client.post(reverse("staff:ta_activity_status", args=[activity.pk, "start"])).status_code == 404
    assert client.get(reverse("staff:ta_activity_status", args=[activity.pk, "cancel"])).status_code == 404
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED
