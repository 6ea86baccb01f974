"""Likely conflicts of interest: each rule fires with its name, stays quiet when it should, and an officer may
override only with a written reason that lands in the audit log."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.models import AuditEntry
from grants.models import ApplicationStatus, AssignmentStatus, Grant, ReviewAssignment
from grants.selectors_reviews import application_for_conflicts
from grants.services.conflicts import conflict_warnings
from grants.services.reviews import review_assign
from municipalities.models import Municipality
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.grants.application_factories import PartnerFactory
from tests.grants.review_factories import AssignmentFactory, eligible_application

pytestmark = pytest.mark.django_db


_numbers = itertools.count(1)


def _reviewer(**person):
    """A reviewer at a domain of their own (applicants of the factories are at example.org), with a Person."""
    reviewer = UserFactory(role="reviewer", email=f"reviewer{next(_numbers)}@review.example")
    PersonFactory(user=reviewer, **person)
    return reviewer


def _rules(reviewer, application):
    return [
        w["rule"]
        for w in conflict_warnings(reviewer=reviewer, application=application_for_conflicts(pk=application.pk))
    ]


def test_same_surname_and_municipality_fires_ignoring_case_and_diacritics():
    application = eligible_application(person__last_name="Krasniqi")
    reviewer = _reviewer(last_name="KRASNIQI", municipality=application.person.municipality)
    assert _rules(reviewer, application) == ["same_surname_municipality"]
    serbian = eligible_application(person__last_name="Petrović")
    cyrillic = _reviewer(last_name="ПЕТРОВИЋ", municipality=serbian.person.municipality)
    assert _rules(cyrillic, serbian) == ["same_surname_municipality"]
    accented = eligible_application(person__last_name="Đorđević")
    assert _rules(_reviewer(last_name="djordjevic", municipality=accented.person.municipality), accented) == [
        "same_surname_municipality"
    ]


def test_same_surname_in_another_municipality_or_without_a_person_record_is_no_warning():
    application = eligible_application(person__last_name="Krasniqi")
    elsewhere = _reviewer(last_name="Krasniqi", municipality=Municipality.objects.get(code="gracanica"))
    assert _rules(elsewhere, application) == []
    no_person = UserFactory(role="reviewer", email="plain@review.example", last_name="Krasniqi")
    assert _rules(no_person, application) == []


def test_member_of_the_applying_organisation_fires():
    organisation = OrganisationFactory(name="Shoqata Ura")
    application = eligible_application(organisation=organisation)
    reviewer = UserFactory(role="reviewer", email="member@review.example")
    organisation.members.add(reviewer)
    assert _rules(reviewer, application) == ["member_of_applicant"]


def test_member_of_an_organisation_named_like_a_partner_fires():
    application = eligible_application()
    PartnerFactory(application=application, name="Udruženje Most")
    reviewer = UserFactory(role="reviewer", email="partner@review.example")
    OrganisationFactory(name="udruzenje most").members.add(reviewer)
    warnings = conflict_warnings(reviewer=reviewer, application=application_for_conflicts(pk=application.pk))
    assert [w["rule"] for w in warnings] == ["member_of_partner"]
    assert "Udruženje Most" in warnings[0]["detail"]


def test_same_private_email_domain_fires_but_public_providers_do_not():
    application = eligible_application(applicant__email="chair@ngo-ura.org")
    assert _rules(UserFactory(role="reviewer", email="someone@ngo-ura.org"), application) == ["same_email_domain"]
    public = eligible_application(applicant__email="arta@gmail.com", person__email="arta@gmail.com")
    assert _rules(UserFactory(role="reviewer", email="other@gmail.com"), public) == []


def test_same_phone_by_its_last_eight_digits_fires():
    application = eligible_application(person__phone="+383 44 123 456")
    reviewer = _reviewer(phone="044 123 456", municipality=Municipality.objects.get(code="gracanica"))
    assert _rules(reviewer, application) == ["same_phone"]


def test_reviewer_of_an_earlier_application_that_became_a_grant_fires():
    reviewer = UserFactory(role="reviewer", email="old@review.example")
    earlier = eligible_application(status=ApplicationStatus.APPROVED)
    AssignmentFactory(application=earlier, reviewer=reviewer, status=AssignmentStatus.SUBMITTED)
    application = eligible_application(applicant=earlier.applicant, person=earlier.person)
    assert _rules(reviewer, application) == []  # no grant yet: no warning
    today = timezone.localdate()
    Grant.objects.create(
        application=earlier,
        number="AKT-G-CE-001",
        amount=Decimal("5000"),
        start_date=today,
        end_date=today + datetime.timedelta(days=90),
    )
    warnings = conflict_warnings(reviewer=reviewer, application=application_for_conflicts(pk=application.pk))
    assert [w["rule"] for w in warnings] == ["earlier_grant"]
    assert earlier.reference in warnings[0]["detail"]


def test_assignment_with_a_warning_is_refused_without_a_reason_and_recorded_with_one():
    officer = UserFactory(role="programme_officer")
    application = eligible_application(applicant__email="chair@ngo-ura.org")
    reviewer = UserFactory(role="reviewer", email="someone@ngo-ura.org")
    with pytest.raises(ApplicationError) as refused:
        review_assign(actor=officer, application=application, reviewer=reviewer)
    assert refused.value.code == "conflict_warnings"
    assert [w["rule"] for w in refused.value.extra["warnings"]] == ["same_email_domain"]
    assert not ReviewAssignment.objects.exists()

    assignment = review_assign(
        actor=officer, application=application, reviewer=reviewer, override_reason="Different department."
    )
    assert assignment.override_reason == "Different department."
    assert assignment.conflict_warnings[0]["rule"] == "same_email_domain"
    entry = AuditEntry.objects.get(action="grants.assignment.conflict_overridden")
    assert entry.comment == "Different department."
    assert entry.actor == officer
    assert entry.data["warnings"][0]["rule"] == "same_email_domain"


def test_staff_page_shows_each_candidates_warnings_with_the_rule_that_fired(client):
    application = eligible_application(applicant__email="chair@ngo-ura.org")
    flagged = UserFactory(role="reviewer", email="someone@ngo-ura.org")
    clean = UserFactory(role="reviewer", email="clean@review.example")
    client.force_login(UserFactory(role="programme_officer"))
    response = client.get(f"/en/staff/reviews/applications/{application.pk}/")
    candidates = {c["reviewer"].pk: c["warnings"] for c in response.context["candidates"]}
    assert [w["rule"] for w in candidates[flagged.pk]] == ["same_email_domain"]
    assert candidates[clean.pk] == []
    assert 'data-rule="same_email_domain"' in response.content.decode()
    assert "Same e-mail domain as the applicant" in response.content.decode()


def test_override_from_the_staff_page_needs_a_reason(client):
    application = eligible_application(applicant__email="chair@ngo-ura.org")
    flagged = UserFactory(role="reviewer", email="someone@ngo-ura.org")
    client.force_login(UserFactory(role="programme_officer"))
    url = f"/en/staff/reviews/applications/{application.pk}/assign/"
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(url, {"reviewer": flagged.pk, "due_date": due, "override_reason": ""})
    assert response.status_code == 400
    assert "likely conflict of interest" in response.content.decode()
    assert 'data-rule="same_email_domain"' in response.content.decode()
    response = client.post(url, {"reviewer": flagged.pk, "due_date": due, "override_reason": "Checked by phone."})
    assert response.status_code == 302
    assert ReviewAssignment.objects.get().override_reason == "Checked by phone."
