"""Tranches after signature: planned → requested → approved (only on a verified milestone, unless finance
overrides with a reason) → paid in one or more payments; who may do what; what two people at once get."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.errors import ApplicationError
from core.models import OutgoingEmail
from core.selectors import audit_entries_for
from grants.models import GrantTranche, InstrumentType, TranchePayment, TrancheStatus, VerificationSource
from grants.services import tranches as services
from tests.factories import UserFactory
from tests.grants.grant_factories import GrantFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _no_two_factor(settings):
    settings.STAFF_REQUIRE_2FA = False


def active_grant(**kwargs):
    """An active grant of 10,000 EUR: tranche 1 (advance, 5,000) and tranche 2 (5,000, after a milestone)."""
    return GrantFactory(active=True, with_plan=True, **kwargs)


def tranche(grant, number):
    return GrantTranche.objects.select_related("grant__application", "milestone").get(grant=grant, number=number)


def requested(grant, number, actor=None):
    return services.tranche_request(actor=actor or grant.application.applicant, tranche=tranche(grant, number))


def approved(grant, number, finance):
    requested(grant, number)
    return services.tranche_approve(actor=finance, tranche=tranche(grant, number), override_reason="advance")


@pytest.fixture
def finance():
    return UserFactory(role=Role.FINANCE_OFFICER)


def test_the_grantee_requests_and_finance_approves_the_advance_without_any_milestone(finance):
    grant = active_grant()
    requested(grant, 1)
    approved_tranche = services.tranche_approve(actor=finance, tranche=tranche(grant, 1))
    assert approved_tranche.status == TrancheStatus.APPROVED
    assert approved_tranche.override_reason == ""
    assert [e.action for e in audit_entries_for(target=approved_tranche)][:2] == [
        "grants.tranche.approved",
        "grants.tranche.requested",
    ]


def test_a_tranche_on_an_unverified_milestone_is_refused_until_verified(finance):
    grant = active_grant()
    requested(grant, 2)
    with pytest.raises(ApplicationError) as refusal:
        services.tranche_approve(actor=finance, tranche=tranche(grant, 2))
    assert refusal.value.code == "milestone_not_verified"
    assert "Workshops held" in refusal.value.message
    assert tranche(grant, 2).status == TrancheStatus.REQUESTED

    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    milestone = tranche(grant, 2).milestone
    assert services.milestone_verify(actor=officer, milestone=milestone, source=VerificationSource.VISIT)
    assert services.tranche_approve(actor=finance, tranche=tranche(grant, 2)).status == TrancheStatus.APPROVED


def test_finance_may_override_an_unverified_milestone_only_with_a_reason_which_is_kept(finance):
    grant = active_grant()
    requested(grant, 2)
    result = services.tranche_approve(actor=finance, tranche=tranche(grant, 2), override_reason="Flood; works done")
    assert result.override_reason == "Flood; works done"
    entry = audit_entries_for(target=result).first()
    assert entry.action == "grants.tranche.approved_override"
    assert entry.comment == "Flood; works done"


def test_programme_officers_and_grantees_cannot_approve_or_pay():
    grant = active_grant()
    requested(grant, 1)
    for actor in (UserFactory(role=Role.PROGRAMME_OFFICER), grant.application.applicant):
        with pytest.raises(ApplicationError) as refusal:
            services.tranche_approve(actor=actor, tranche=tranche(grant, 1))
        assert refusal.value.code == "not_allowed"
    assert tranche(grant, 1).status == TrancheStatus.REQUESTED


def test_a_second_approval_is_told_who_approved_it_first(finance):
    grant = active_grant()
    approved(grant, 1, finance)
    other = UserFactory(role=Role.MANAGER)
    with pytest.raises(ApplicationError) as refusal:
        services.tranche_approve(actor=other, tranche=tranche(grant, 1))
    assert refusal.value.code == "tranche_moved"
    assert finance.email in refusal.value.message
    assert audit_entries_for(target=tranche(grant, 1)).filter(action__startswith="grants.tranche.approved").count() == 1


def test_partial_payments_leave_a_balance_and_the_last_one_pays_the_tranche(finance):
    grant = active_grant()
    approved(grant, 1, finance)
    services.tranche_payment_record(
        actor=finance, tranche=tranche(grant, 1), paid_on=TODAY(), amount=Decimal("2000.00"), bank_reference="TR-1"
    )
    assert tranche(grant, 1).status == TrancheStatus.APPROVED
    assert services.tranche_paid_amount(tranche(grant, 1)) == Decimal("2000.00")
    services.tranche_payment_record(
        actor=finance, tranche=tranche(grant, 1), paid_on=TODAY(), amount=Decimal("3000.00"), bank_reference="TR-2"
    )
    assert tranche(grant, 1).status == TrancheStatus.PAID
    assert OutgoingEmail.objects.filter(builder="grants.mail_tranches.payment_recorded").count() == 2


@pytest.mark.parametrize(
    ("amount", "paid_on", "reference", "code"),
    [
        (Decimal("5000.01"), 0, "TR-9", "payment_too_large"),
        (Decimal("100.00"), 1, "TR-9", "payment_in_future"),
        (Decimal("100.00"), 0, "TR-1", "payment_duplicate"),
    ],
)
def test_overpayment_future_dates_and_a_repeated_bank_reference_are_refused(finance, amount, paid_on, reference, code):
    grant = active_grant()
    approved(grant, 1, finance)
    approved(grant, 2, finance)
    services.tranche_payment_record(
        actor=finance, tranche=tranche(grant, 2), paid_on=TODAY(), amount=Decimal("10.00"), bank_reference="TR-1"
    )
    with pytest.raises(ApplicationError) as refusal:
        services.tranche_payment_record(
            actor=finance,
            tranche=tranche(grant, 1),
            paid_on=TODAY() + datetime.timedelta(days=paid_on),
            amount=amount,
            bank_reference=reference,
        )
    assert refusal.value.code == code
    assert TranchePayment.objects.filter(tranche__grant=grant).count() == 1


def test_a_planned_tranche_cannot_be_paid_and_a_cancelled_one_stops_what_is_left(finance):
    grant = active_grant()
    with pytest.raises(ApplicationError) as refusal:
        services.tranche_payment_record(
            actor=finance, tranche=tranche(grant, 1), paid_on=TODAY(), amount=Decimal("1.00"), bank_reference="X"
        )
    assert refusal.value.code == "tranche_not_approved"
    approved(grant, 1, finance)
    services.tranche_payment_record(
        actor=finance, tranche=tranche(grant, 1), paid_on=TODAY(), amount=Decimal("1000.00"), bank_reference="A"
    )
    with pytest.raises(ApplicationError):
        services.tranche_cancel(actor=finance, tranche=tranche(grant, 1), reason=" ")
    cancelled = services.tranche_cancel(actor=finance, tranche=tranche(grant, 1), reason="Project reduced")
    assert cancelled.status == TrancheStatus.CANCELLED
    assert audit_entries_for(target=cancelled).first().data == {"paid": "1000.00", "not_paid": "4000.00"}


def test_finance_sends_a_request_back_with_a_reason_and_the_grantee_can_request_again(finance):
    grant = active_grant()
    requested(grant, 2)
    services.tranche_return(actor=finance, tranche=tranche(grant, 2), reason="Send the attendance lists first")
    assert tranche(grant, 2).status == TrancheStatus.PLANNED
    assert requested(grant, 2).status == TrancheStatus.REQUESTED


def test_nothing_moves_while_the_grant_is_suspended(finance):
    grant = active_grant()
    grant.status = "suspended"
    grant.save()
    with pytest.raises(ApplicationError) as refusal:
        requested(grant, 1)
    assert refusal.value.code == "grant_not_active"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_paying_the_same_tranche_at_once_cannot_pay_it_twice():
    finance, manager = UserFactory(role=Role.FINANCE_OFFICER), UserFactory(role=Role.MANAGER)
    grant = active_grant()
    approved(grant, 1, finance)
    barrier = threading.Barrier(2)
    done, refused = [], []

    def pay(actor, reference):
        try:
            barrier.wait(timeout=10)
            services.tranche_payment_record(
                actor=actor,
                tranche=tranche(grant, 1),
                paid_on=TODAY(),
                amount=Decimal("5000.00"),
                bank_reference=reference,
            )
            done.append(reference)
        except ApplicationError as error:
            refused.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=args) for args in ((finance, "B-1"), (manager, "B-2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(done) == 1
    assert refused == ["tranche_not_approved"]
    assert TranchePayment.objects.filter(tranche__grant=grant).count() == 1
    assert tranche(grant, 1).status == TrancheStatus.PAID


# --- Pages ---------------------------------------------------------------------------------------------------------
def test_finance_approves_and_pays_through_the_tranche_page(client, finance):
    grant = active_grant()
    requested(grant, 1)
    client.force_login(finance)
    url = reverse("staff:grant_tranche", args=[grant.pk, tranche(grant, 1).pk])
    assert client.post(url, {"action": "approve", "approve-override_reason": ""}).status_code == 302
    response = client.post(
        url, {"action": "pay", "pay-paid_on": TODAY().isoformat(), "pay-amount": "6000", "pay-bank_reference": "R1"}
    )
    assert response.status_code == 400
    assert "more than what is left" in response.content.decode()
    assert 'value="R1"' in response.content.decode()  # what was typed is kept
    response = client.post(
        url, {"action": "pay", "pay-paid_on": TODAY().isoformat(), "pay-amount": "5000", "pay-bank_reference": "R1"}
    )
    assert response.status_code == 302
    assert tranche(grant, 1).status == TrancheStatus.PAID


def test_a_double_click_on_approve_is_answered_with_what_happened(client, finance):
    grant = active_grant()
    requested(grant, 1)
    client.force_login(finance)
    url = reverse("staff:grant_tranche", args=[grant.pk, tranche(grant, 1).pk])
    client.post(url, {"action": "approve"})
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "already approved" in response.content.decode()
    assert audit_entries_for(target=tranche(grant, 1)).filter(action="grants.tranche.approved").count() == 1


def test_a_programme_officer_gets_404_for_approving(client):
    grant = active_grant()
    requested(grant, 1)
    client.force_login(UserFactory(role=Role.PROGRAMME_OFFICER))
    url = reverse("staff:grant_tranche", args=[grant.pk, tranche(grant, 1).pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "approve"}).status_code == 404
    assert tranche(grant, 1).status == TrancheStatus.REQUESTED


def test_the_grantee_requests_from_their_page_and_nobody_else_can(client):
    grant = active_grant()
    other = active_grant()
    client.force_login(grant.application.applicant)
    page = client.get(reverse("my_grant_detail", args=[grant.pk]))
    assert page.status_code == 200
    assert "Request this tranche" in page.content.decode()
    url = reverse("my_tranche_request", args=[other.pk, tranche(other, 1).pk])
    assert client.post(url, {"comment": ""}).status_code == 404
    assert client.get(reverse("my_grant_detail", args=[other.pk])).status_code == 404
    client.post(reverse("my_tranche_request", args=[grant.pk, tranche(grant, 1).pk]), {"comment": "Signed"})
    assert tranche(grant, 1).status == TrancheStatus.REQUESTED
    assert tranche(other, 1).status == TrancheStatus.PLANNED


def test_the_grant_page_costs_the_same_with_many_payments(client, finance, django_assert_max_num_queries):
    grant = active_grant()
    client.force_login(finance)
    url = reverse("staff:grant_detail", args=[grant.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    approved(grant, 1, finance)
    approved(grant, 2, finance)
    for number in range(8):
        services.tranche_payment_record(
            actor=finance,
            tranche=tranche(grant, 1 + number % 2),
            paid_on=TODAY(),
            amount=Decimal("100.00"),
            bank_reference=f"P{number}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-tranche=") == 2


# --- In-kind grants ------------------------------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_in_kind_deliveries_are_recorded_with_a_handover_record_and_cannot_exceed_the_grant():
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    grant = GrantFactory(active=True, instrument=InstrumentType.IN_KIND)
    delivery = services.delivery_record(
        actor=officer,
        grant=grant,
        item="Greenhouse",
        supplier="Agro Sh.p.k.",
        value=Decimal("9000.00"),
        delivered_on=TODAY(),
        handover_file=SimpleUploadedFile("handover.pdf", PDF),
    )
    assert delivery.handover_name == "handover.pdf"
    assert services.delivered_value(grant) == Decimal("9000.00")
    with pytest.raises(ApplicationError) as refusal:
        services.delivery_record(
            actor=officer,
            grant=grant,
            item="Tools",
            supplier="X",
            value=Decimal("1000.01"),
            delivered_on=TODAY(),
            handover_file=SimpleUploadedFile("handover.pdf", PDF),
        )
    assert refusal.value.code == "delivery_too_large"
    with pytest.raises(ApplicationError) as refusal:
        services.delivery_record(
            actor=officer,
            grant=grant,
            item="Tools",
            supplier="X",
            value=Decimal("10.00"),
            delivered_on=TODAY(),
            handover_file=SimpleUploadedFile("handover.pdf", b"just some text, not a scan"),
        )
    assert refusal.value.code == "file_type_not_allowed"


def test_the_grantee_downloads_their_handover_record_and_others_get_404(client):
    officer = UserFactory(role=Role.PROGRAMME_OFFICER)
    grant = GrantFactory(active=True, instrument=InstrumentType.IN_KIND)
    delivery = services.delivery_record(
        actor=officer,
        grant=grant,
        item="Greenhouse",
        supplier="Agro",
        value=Decimal("100.00"),
        delivered_on=TODAY(),
        handover_file=SimpleUploadedFile("handover.pdf", PDF),
    )
    url = reverse("my_delivery_file", args=[grant.pk, delivery.pk])
    client.force_login(grant.application.applicant)
    assert b"".join(client.get(url).streaming_content) == PDF
    client.force_login(GrantFactory(active=True).application.applicant)
    assert client.get(url).status_code == 404
