"""Helpers that build applications the way an applicant does: through the services."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import applicant_profile_save
from core.choices import Community
from grants import services
from municipalities.models import Municipality
from tests.factories import UserFactory
from tests.grants.factories import CallFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name="statute.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_applicant(**user_fields):
    user = UserFactory(role="applicant", **user_fields)
    applicant_profile_save(
        actor=user,
        data={
            "first_name": "Arta",
            "last_name": "Krasniqi",
            "sex": "female",
            "birth_date": datetime.date(1994, 4, 2),
            "community": Community.ALBANIAN,
            "municipality": Municipality.objects.get(code="gjilan"),
            "phone": "+383 44 123 456",
            "email": user.email,
            "consent_given": True,
        },
    )
    user.refresh_from_db()
    return user


def open_call(**fields):
    fields.setdefault("open", True)
    fields.setdefault("with_form", True)
    return CallFactory(**fields)


def draft_application(user=None, call=None):
    user = user or make_applicant()
    call = call or open_call()
    return services.application_start(
        actor=user, call=call, person=user.person, applicant_type="informal_group", organisation=None
    )


def complete_application(user=None, call=None):
    """A draft with everything the call asks for: ready to submit."""
    application = draft_application(user, call)
    user, call = application.applicant, application.call
    application = services.application_project_save(
        actor=user,
        application=application,
        version=application.version,
        data={
            "title": "Këndi i lojërave në Graçanicë",
            "summary": "A playground built together.",
            "problem": "Children of both communities have nowhere to play.",
            "solution": "Build a playground next to the school.",
            "municipality": Municipality.objects.get(code="gracanica"),
            "start_date": datetime.date(2027, 4, 1),
            "end_date": datetime.date(2027, 9, 30),
            "communities_involved": [Community.ALBANIAN, Community.SERB],
            "inter_ethnic_description": "Parents of both communities plan and build it together.",
            "beneficiaries": {"albanian": {"female": 40, "male": 35}, "serb": {"female": 30, "male": 28}},
        },
    )
    answers = {question.key: "Our answer." for question in call.questions.all()}
    application = services.application_answers_save(
        actor=user, application=application, version=application.version, answers=answers
    )
    services.application_budget_line_save(
        actor=user,
        application=application,
        data={
            "category": "works",
            "description": "Playground equipment",
            "unit": "set",
            "quantity": Decimal("1"),
            "unit_cost": Decimal("6000.00"),
            "requested_amount": Decimal("5000.00"),
            "cost_share_amount": Decimal("1000.00"),
            "cost_share_kind": "cash",
            "contributor": "Municipality of Graçanicë",
        },
    )
    for document in call.documents.all():
        services.application_document_upload(
            actor=user, application=application, call_document=document, uploaded_file=pdf_file()
        )
    application.refresh_from_db()
    return application
