"""Likely conflicts of interest between a reviewer and an application, found before the officer assigns.

Each rule is a small function `(reviewer, application, facts) -> [{"rule": code, "detail": text}]`; the officer
sees which rule fired and may still assign with a written reason (grants.services.reviews). `facts` are loaded
once per application and pool of reviewers by `conflict_facts`, so a page of candidates costs the same queries
whatever its length.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import fold

# E-mail providers shared by thousands of unrelated people: the same domain there means nothing.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
        "msn.com",
    }
)
PHONE_DIGITS = 8

RULE_LABELS = {
    "same_surname_municipality": gettext_lazy("Same surname and municipality as the applicant"),
    "member_of_applicant": gettext_lazy("Member of the applying organisation"),
    "member_of_partner": gettext_lazy("Member of a partner organisation"),
    "same_email_domain": gettext_lazy("Same e-mail domain as the applicant"),
    "same_phone": gettext_lazy("Same phone number as the applicant"),
    "earlier_grant": gettext_lazy("Reviewed an earlier application of this applicant that became a grant"),
}


@dataclass
class ConflictFacts:
    """What the rules compare, loaded in a constant number of queries."""

    # reviewer id -> ids of applications of the same applicant (user or organisation) that became grants
    earlier_grants: dict = field(default_factory=dict)


def _warning(rule, detail):
    return {"rule": rule, "detail": str(detail)}


def _person_of(user):
    return getattr(user, "person", None) if user is not None else None


def email_domain(address):
    address = (address or "").strip().lower()
    return address.rsplit("@", 1)[1] if "@" in address else ""


def phone_key(number):
    digits = re.sub(r"\D", "", number or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else ""


def rule_same_surname_municipality(reviewer, application, facts):
    person, applicant = _person_of(reviewer), application.person
    if person is None or applicant is None or not person.municipality_id:
        return []
    if fold(person.last_name).strip() != fold(applicant.last_name).strip():
        return []
    if person.municipality_id != applicant.municipality_id:
        return []
    return [
        _warning(
            "same_surname_municipality",
            _("%(reviewer)s and the applicant %(applicant)s share the surname and live in %(municipality)s.")
            % {"reviewer": person, "applicant": applicant, "municipality": person.municipality},
        )
    ]


def rule_organisation_member(reviewer, application, facts):
    organisations = list(reviewer.organisations.all())
    warnings = []
    if application.organisation_id and any(o.pk == application.organisation_id for o in organisations):
        warnings.append(
            _warning(
                "member_of_applicant",
                _("The reviewer is a member of the applying organisation %(name)s.")
                % {"name": application.organisation.name},
            )
        )
    partner_names = {fold(p.name).strip(): p.name for p in application.partners.all()}
    for organisation in organisations:
        name = partner_names.get(fold(organisation.name).strip())
        if name:
            warnings.append(
                _warning(
                    "member_of_partner",
                    _("The reviewer is a member of %(name)s, a partner in this application.") % {"name": name},
                )
            )
    return warnings


def _applicant_contacts(application):
    emails = [application.applicant.email, getattr(application.person, "email", "")]
    phones = [getattr(application.person, "phone", "")]
    if application.organisation_id:
        emails.append(application.organisation.email)
        phones.append(application.organisation.phone)
    return emails, phones


def rule_contact_details(reviewer, application, facts):
    person = _person_of(reviewer)
    emails, phones = _applicant_contacts(application)
    domains = {email_domain(e) for e in emails} - {""} - PUBLIC_EMAIL_DOMAINS
    reviewer_domains = {email_domain(reviewer.email), email_domain(getattr(person, "email", ""))}
    warnings = [
        _warning(
            "same_email_domain",
            _("The reviewer's e-mail address is at %(domain)s, as the applicant's.") % {"domain": domain},
        )
        for domain in sorted(domains & reviewer_domains)
    ]
    reviewer_phone = phone_key(getattr(person, "phone", ""))
    if reviewer_phone and reviewer_phone in {phone_key(p) for p in phones}:
        warnings.append(
            _warning(
                "same_phone",
                _("The reviewer's phone number ends in the same %(digits)s digits as the applicant's.")
                % {"digits": PHONE_DIGITS},
            )
        )
    return warnings


def rule_earlier_grant(reviewer, application, facts):
    earlier = facts.earlier_grants.get(reviewer.pk)
    if not earlier:
        return []
    return [
        _warning(
            "earlier_grant",
            _("The reviewer reviewed %(references)s of the same applicant, which became a grant.")
            % {"references": ", ".join(sorted(earlier))},
        )
    ]


RULES = (rule_same_surname_municipality, rule_organisation_member, rule_contact_details, rule_earlier_grant)


def _earlier_grants(application, reviewer_ids):
    """Reviewer id -> references of this applicant's earlier applications they reviewed and that became grants."""
    from django.db.models import Q

    from grants.models import AssignmentStatus, ReviewAssignment

    same_applicant = Q(application__applicant_id=application.applicant_id)
    if application.organisation_id:
        same_applicant |= Q(application__organisation_id=application.organisation_id)
    rows = (
        ReviewAssignment.objects.filter(same_applicant, reviewer_id__in=reviewer_ids, application__grant__isnull=False)
        .filter(status__in=(AssignmentStatus.DECLARED, AssignmentStatus.SUBMITTED))
        .exclude(application_id=application.pk)
        .values_list("reviewer_id", "application__reference")
    )
    found = {}
    for reviewer_id, reference in rows:
        found.setdefault(reviewer_id, set()).add(reference or "")
    return found


def conflict_facts(*, application, reviewers):
    return ConflictFacts(earlier_grants=_earlier_grants(application, [r.pk for r in reviewers]))


def conflict_warnings(*, reviewer, application, facts=None):
    """Every warning for one reviewer on one application: [{"rule": code, "detail": text}]."""
    if facts is None:
        facts = conflict_facts(application=application, reviewers=[reviewer])
    warnings = []
    for rule in RULES:
        warnings.extend(rule(reviewer, application, facts))
    return warnings


def conflict_warnings_for_reviewers(*, application, reviewers):
    """{reviewer id: warnings} for a pool of reviewers loaded with `reviewers_for_conflict_check`."""
    facts = conflict_facts(application=application, reviewers=reviewers)
    return {
        reviewer.pk: conflict_warnings(reviewer=reviewer, application=application, facts=facts)
        for reviewer in reviewers
    }


def rule_label(code):
    return RULE_LABELS.get(code, code)
