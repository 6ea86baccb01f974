"""Demo calls (open, upcoming and closed, per component) and applications in every status.

Built through the services, as applicants and staff would, so every record has its audit trail.
Idempotent: calls are found by code, applicants by e-mail, applications by call and applicant.
"""

import datetime
import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Person, User
from accounts.roles import Role
from accounts.services import staff_user_create
from core.choices import Community, Component
from core.models import EMAIL_TRANSITIONS, EmailStatus, OutgoingEmail
from core.workflow import transition
from grants import demo_grants, services
from grants.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    Call,
    CallCriterion,
    CallDocument,
    CallQuestion,
    CallStatus,
    Clarification,
)
from grants.services.applications import budget_totals
from grants.services.decisions import application_decide, committee_meeting_record
from grants.services.reviews import assignment_declare_no_conflict, review_assign, review_submit
from grants.services.screening import application_screen
from municipalities.selectors import partner_municipalities

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
S = ApplicationStatus
# How each demo application travels from "submitted" to the status it shows.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [],
    S.CLARIFICATION_REQUESTED: [S.CLARIFICATION_REQUESTED],
    S.ELIGIBLE: [S.ELIGIBLE],
    S.INELIGIBLE: [S.INELIGIBLE],
    S.UNDER_REVIEW: [S.ELIGIBLE, S.UNDER_REVIEW],
    S.REVIEWED: [S.ELIGIBLE, S.UNDER_REVIEW, S.REVIEWED],
    S.APPROVED: [S.ELIGIBLE, S.UNDER_REVIEW, S.REVIEWED, S.APPROVED],
    S.REJECTED: [S.ELIGIBLE, S.UNDER_REVIEW, S.REVIEWED, S.REJECTED],
    S.WAITLISTED: [S.ELIGIBLE, S.UNDER_REVIEW, S.REVIEWED, S.WAITLISTED],
    S.WITHDRAWN: [S.WITHDRAWN],
}
CALLS = {
    Component.CIVIC_ENGAGEMENT: (
        "CE",
        ["cso", "informal_group", "municipality"],
        (
            "Infrastrukturë e vogël për komunitetet",
            "Mala infrastruktura za zajednice",
            "Small community infrastructure",
        ),
        Decimal("5000"),
        Decimal("30000"),
        Decimal("10"),
    ),
    Component.BUSINESS_DEVELOPMENT: (
        "BD",
        ["startup", "existing_business", "informal_group"],
        (
            "Grante për biznese të reja dhe ekzistuese",
            "Grantovi za nova i postojeća preduzeća",
            "Grants for start-ups and businesses",
        ),
        Decimal("3000"),
        Decimal("15000"),
        Decimal("20"),
    ),
    Component.MUNICIPAL_DEVELOPMENT: (
        "MD",
        ["municipality"],
        ("Shërbime më të mira komunale", "Bolje opštinske usluge", "Better municipal services"),
        Decimal("10000"),
        Decimal("50000"),
        Decimal("15"),
    ),
}


def seed(*, password):
    now = timezone.now()
    rng = random.Random(2027)
    applicants = _applicants(password)
    made = 0
    for component, spec in CALLS.items():
        for number, phase in enumerate(["open", "upcoming", "closed"], start=1):
            call = _call(component, spec, number, phase, now)
            if phase != "upcoming":
                made += _applications(call, applicants, rng, closed=phase == "closed")
            yield f"call {call.code} ({phase})"
    yield f"{Application.objects.count()} applications ({made} new) by {len(applicants)} demo applicants"
    with transaction.atomic():
        yield from demo_grants.seed_implementation()
        _cancel_demo_emails()


def _applicants(password):
    """One applicant log-in per partner municipality, linked to a demo person living there."""
    group = Group.objects.get_or_create(name=Role.APPLICANT)[0]
    users = []
    for municipality in partner_municipalities():
        email = f"applicant.{municipality.code}@example.org"
        user = User.objects.filter(email=email).first()
        if user is None:
            person = Person.objects.filter(municipality=municipality, user__isnull=True).order_by("id").first()
            user = User.objects.create_user(
                email, password, first_name=person.first_name, last_name=person.last_name, language="sq"
            )
            user.groups.add(group)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            person.user = user
            person.save(update_fields=["user"])
        users.append(user)
    return users


def _call(component, spec, number, phase, now):
    prefix, types, titles, minimum, maximum, share = spec
    year = timezone.localtime(now).year + (1 if phase != "closed" else 0)
    code = f"{prefix}-{year}-{number:02d}"
    call = Call.objects.filter(code=code).first()
    if call:
        return call
    opens = {"open": now - datetime.timedelta(days=10), "upcoming": now + datetime.timedelta(days=14)}
    opens_at = opens.get(phase, now - datetime.timedelta(days=1))  # closed calls close after their applications
    call = Call(
        code=code,
        component=component,
        title_sq=f"{titles[0]} {number}",
        title_sr=f"{titles[1]} {number}",
        title_en=f"{titles[2]} {number}",
        text_sq="Thirrja mbështet projekte që i bashkojnë komunitetet rreth nevojave të përbashkëta.",
        text_sr="Poziv podržava projekte koji okupljaju zajednice oko zajedničkih potreba.",
        text_en="The call supports projects that bring communities together around shared needs.",
        opens_at=opens_at,
        closes_at=opens_at + datetime.timedelta(days=30),
        eligible_applicant_types=types,
        min_amount=minimum,
        max_amount=maximum,
        min_cost_share_percent=share,
        budget_categories=["works", "equipment", "materials", "services", "training", "visibility"],
    )
    services.call_save(actor=None, call=call, municipalities=partner_municipalities())
    _call_form(call)
    services.call_publish(actor=None, call=call)
    return call


def _call_form(call):
    CallQuestion.objects.create(
        call=call,
        key="experience",
        kind="long_text",
        label_sq="Çfarë përvoje keni me projekte të ngjashme?",
        label_sr="Kakvo iskustvo imate sa sličnim projektima?",
        label_en="What experience do you have with similar projects?",
        order=1,
    )
    CallQuestion.objects.create(
        call=call,
        key="youth",
        kind="yes_no",
        label_sq="A përfshin projekti të rinjtë?",
        label_sr="Da li projekat uključuje mlade?",
        label_en="Does the project involve young people?",
        order=2,
    )
    for order, (sq, sr, en, weight) in enumerate(
        [
            ("Bashkëpunimi ndëretnik", "Međuetnička saradnja", "Inter-ethnic cooperation", Decimal("0.4")),
            ("Qëndrueshmëria", "Održivost", "Sustainability", Decimal("0.3")),
            ("Vlera për para", "Vrednost za novac", "Value for money", Decimal("0.3")),
        ]
    ):
        CallCriterion.objects.create(call=call, name_sq=sq, name_sr=sr, name_en=en, weight=weight, order=order)
    CallDocument.objects.create(
        call=call,
        name_sq="Certifikata e regjistrimit",
        name_sr="Potvrda o registraciji",
        name_en="Registration certificate",
        allowed_types=["pdf", "image"],
        order=1,
    )
    CallDocument.objects.create(
        call=call,
        name_sq="Letër mbështetëse nga komuna",
        name_sr="Pismo podrške opštine",
        name_en="Letter of support from the municipality",
        required=False,
        allowed_types=["pdf", "docx"],
        order=2,
    )


def _applications(call, applicants, rng, *, closed):
    # Closed calls: one application in every status, and two more approved (grants at every stage of implementation).
    statuses = (
        [*PATHS, S.APPROVED, S.APPROVED]
        if closed
        else [S.DRAFT, S.DRAFT, S.SUBMITTED, S.CLARIFICATION_REQUESTED, S.WITHDRAWN]
    )
    made = 0
    for index, status in enumerate(statuses):
        user = applicants[(index + sum(map(ord, call.code))) % len(applicants)]
        if Application.objects.filter(call=call, applicant=user).exists():
            continue
        with transaction.atomic():
            _application(call, user, status, rng)
        made += 1
    if closed and call.status != CallStatus.CLOSED:
        Call.objects.filter(pk=call.pk).update(
            opens_at=call.opens_at - datetime.timedelta(days=90), closes_at=timezone.now() - datetime.timedelta(days=30)
        )
        services.call_close(actor=None, call=call, comment="Demo: deadline passed")
    return made


def _application(call, user, status, rng):
    applicant_type = "informal_group" if "informal_group" in call.eligible_applicant_types else None
    organisation = None
    if applicant_type is None:
        applicant_type = call.eligible_applicant_types[0]
        organisation = services_organisation_for(user, applicant_type)
    application = services.application_start(
        actor=user, call=call, person=user.person, applicant_type=applicant_type, organisation=organisation
    )
    municipality = user.person.municipality
    second = Community.SERB if municipality.majority_community == Community.ALBANIAN else Community.ALBANIAN
    application = services.application_project_save(
        actor=user,
        application=application,
        version=application.version,
        data={
            "title": rng.choice(PROJECT_TITLES),
            "summary": "Një projekt i përbashkët i komuniteteve.",
            "problem": "Komunitetet nuk kanë një hapësirë të përbashkët.",
            "solution": "Rregullimi i hapësirës me punë të përbashkët.",
            "municipality": municipality,
            "start_date": datetime.date(2027, 3, 1),
            "end_date": datetime.date(2027, 10, 31),
            "communities_involved": [municipality.majority_community, second],
            "inter_ethnic_description": "Të rinjtë nga të dy komunitetet punojnë së bashku.",
            "beneficiaries": {municipality.majority_community: {"female": 60, "male": 55}, second: {"female": 20}},
        },
    )
    if status == S.DRAFT:
        return application
    services.application_answers_save(
        actor=user,
        application=application,
        version=application.version,
        answers={"experience": "Kemi organizuar aksione vullnetare që nga viti 2019.", "youth": "yes"},
    )
    total = call.min_amount * 2
    share = (total * call.min_cost_share_percent / 100).quantize(Decimal("0.01"))
    services.application_budget_line_save(
        actor=user,
        application=application,
        data={
            "category": "works",
            "description": "Punime ndërtimore",
            "unit": "lot",
            "quantity": Decimal("1"),
            "unit_cost": total,
            "requested_amount": total - share,
            "cost_share_amount": share,
            "cost_share_kind": "in_kind",
            "contributor": "Komuna",
        },
    )
    document = call.documents.get(required=True)
    services.application_document_upload(
        actor=user,
        application=application,
        call_document=document,
        uploaded_file=SimpleUploadedFile("certifikata.pdf", PDF),
    )
    application = services.application_submit(actor=user, application=application, declaration=True)
    # Demo applicants get no confirmation e-mails (they would fill the console of `make run`).
    _cancel_demo_emails()
    if status in SELECTION:
        return _select(application, status)
    for step in PATHS[status]:
        application = Application.objects.select_for_update().get(pk=application.pk)
        if step == S.CLARIFICATION_REQUESTED:
            # As the clarification service would, without e-mailing the demo applicant.
            Clarification.objects.create(
                application=application,
                requested_by=User.objects.get(email="officer@example.org"),
                message="Ju lutemi sqaroni kontributin e komunës në buxhet dhe ngarkoni letrën mbështetëse.",
                sections=["budget", "documents"],
            )
            application.unlocked_sections = ["budget", "documents"]
            application.save(update_fields=["unlocked_sections"])
        transition(
            instance=application,
            to=step,
            actor=None,
            transitions=APPLICATION_TRANSITIONS,
            action=f"grants.application.{step}",
            comment="Demo data",
        )
    return application


def services_organisation_for(user, applicant_type):
    from accounts.models import OrganisationType
    from accounts.services import organisation_save_for_member

    kind = {"municipality": OrganisationType.MUNICIPALITY, "existing_business": OrganisationType.BUSINESS}.get(
        applicant_type, OrganisationType.CSO
    )
    existing = user.organisations.filter(type=kind).first()
    if existing:
        return existing
    municipality = user.person.municipality
    return organisation_save_for_member(
        actor=user,
        data={
            "name": f"{kind.label} – {municipality.name_sq}",
            "type": kind,
            "municipality": municipality,
            "registration_number": f"81{municipality.pk:07d}" if kind == OrganisationType.BUSINESS else "",
            "communities_represented": [municipality.majority_community],
        },
    )


PROJECT_TITLES = [
    "Këndi i lojërave për fëmijët e lagjes",
    "Rregullimi i rrugës drejt shkollës",
    "Qendra rinore e përbashkët",
    "Ndriçimi publik në fshat",
    "Tregu i fermerëve në qendër",
    "Parku i qytetit për të gjithë",
    "Punëtoria e përpunimit të frutave",
    "Zyra me një ndalesë për bizneset",
]


def _cancel_demo_emails():
    for email in OutgoingEmail.objects.filter(status=EmailStatus.PENDING, recipient__endswith="@example.org"):
        transition(
            instance=email,
            to=EmailStatus.CANCELLED,
            actor=None,
            transitions=EMAIL_TRANSITIONS,
            action="core.email.cancelled",
            comment="Demo data",
        )


# Statuses reached through the selection services: screening, reviews, committee decisions and grants.
SELECTION = {S.ELIGIBLE, S.INELIGIBLE, S.UNDER_REVIEW, S.REVIEWED, S.APPROVED, S.REJECTED, S.WAITLISTED}


def _staff():
    officer = User.objects.get(email="officer@example.org")
    manager = User.objects.get(email="manager@example.org")
    reviewers = [User.objects.get(email="reviewer@example.org")]
    second = User.objects.filter(email="reviewer2@example.org").first() or staff_user_create(
        actor=None,
        email="reviewer2@example.org",
        role=Role.REVIEWER,
        password=None,
        first_name="Fatmire",
        last_name="Hoxha",
        language="sq",
    )
    reviewers.append(second)
    return officer, manager, reviewers


def _select(application, status):
    """Take a submitted application through screening, reviews and the committee, as staff would."""
    officer, manager, reviewers = _staff()
    if status == S.INELIGIBLE:
        return application_screen(
            actor=officer,
            application=application,
            eligible=False,
            reasons=["documents_illegible"],
            comment="Certifikata e regjistrimit nuk lexohet.",
        )
    application_screen(
        actor=officer,
        application=application,
        eligible=True,
        checks={"documents_legible": True, "registration": True},
    )
    if status == S.ELIGIBLE:
        return application
    for reviewer in reviewers:
        review_assign(actor=officer, application=application, reviewer=reviewer, override_reason="Demo data")
    if status == S.UNDER_REVIEW:
        return application
    criteria = list(application.call.criteria.all())
    for offset, assignment in enumerate(application.assignments.all()):
        assignment_declare_no_conflict(actor=assignment.reviewer, assignment=assignment)
        scores = {
            criterion.pk: {
                "score": max(criterion.max_score - 2 - offset, 0),
                "not_applicable": False,
                "comment": "Argumentim i qartë, buxhet realist.",
            }
            for criterion in criteria
        }
        review_submit(actor=assignment.reviewer, assignment=assignment, scores=scores)
    application.refresh_from_db()
    if status == S.REVIEWED:
        return application
    meeting = application.call.meetings.first() or committee_meeting_record(
        actor=manager,
        call=application.call,
        held_on=timezone.localdate(),
        members=[manager, officer],
        other_members="Përfaqësues i komunës (vëzhgues)",
        minutes="Komisioni shqyrtoi renditjen dhe vendosi.",
    )
    totals = budget_totals(application)
    application_decide(
        actor=manager,
        application=application,
        outcome=status,
        meeting=meeting,
        approved_amount=totals["requested"] if status == S.APPROVED else None,
        conditions="Raport i ndërmjetëm pas gjashtë muajve." if status == S.APPROVED else "",
        reasons="Pikët nën pragun e financimit." if status == S.REJECTED else "",
        envelope_override_reason="Demo data",
    )
    application.refresh_from_db()
    if status == S.APPROVED:
        demo_grants.activate(application.grant, officer)
    return application
