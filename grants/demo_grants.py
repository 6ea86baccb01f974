"""Demo grants after award: planned and signed, then taken through implementation — tranches requested, approved
and paid, monitoring visits with photos, progress reports (submitted, sent back, accepted), an amendment, a
suspension, an in-kind grant with deliveries, and one grant completed and closed.

Everything goes through the services, as staff and grantees would, so each record has its audit trail.
Idempotent: a grant is planned once (when it has no tranches) and taken further once (when nothing was paid on
it and it has no visit).
"""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from core.choices import AgeBand, Community, Component, Sex
from grants.models import (
    Grant,
    GrantStatus,
    GrantTranche,
    InKindDelivery,
    InstrumentType,
    MonitoringVisit,
    ReportKind,
    TranchePayment,
)
from grants.services import tranches as money
from grants.services.amendments import amendment_approve, amendment_propose
from grants.services.closeout import cost_share_reconcile, grant_close, grant_complete, grant_suspend
from grants.services.exchange_rates import exchange_rate_set
from grants.services.grants import (
    grant_agreement_render,
    grant_agreement_request,
    grant_milestone_save,
    grant_sign,
    grant_terms_update,
    grant_tranche_save,
)
from grants.services.infrastructure import infrastructure_save
from grants.services.reports import (
    report_accept,
    report_beneficiaries_save,
    report_contribution_add,
    report_expenditure_add,
    report_progress_save,
    report_request_revision,
    report_submit,
)
from grants.services.visits import visit_record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CENT = Decimal("0.01")


def _today():
    return timezone.localdate()


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _photo(label, colour):
    """A small real JPEG (a coloured card with a label), as a phone would upload it."""
    image = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(image).text((40, 220), label, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")


# --- Planning and signature --------------------------------------------------------------------------------------
def activate(grant, officer):
    """Plan the grant (period that started months ago; an advance and two milestones), generate the agreement and
    sign it. The first municipal grant stays awaiting signature (agreement ready), and the first business grant is
    an in-kind grant (paid in goods, so no tranches)."""
    if grant.tranches.exists() or grant.status != GrantStatus.AWAITING_SIGNATURE:
        return
    component = grant.application.call.component
    in_kind = component == Component.BUSINESS_DEVELOPMENT and not _exists(component, instrument=InstrumentType.IN_KIND)
    start = _today() - datetime.timedelta(days=150)
    grant_terms_update(
        actor=officer,
        grant=grant,
        data={
            "start_date": start,
            "end_date": _today() + datetime.timedelta(days=210),
            "instrument": InstrumentType.IN_KIND if in_kind else InstrumentType.STANDARD,
        },
    )
    first = grant_milestone_save(
        actor=officer,
        grant=grant,
        data={
            "description": "Punimet e para përfunduan (50%)",
            "due_date": start + datetime.timedelta(days=90),
            "evidence": "Fotografi, procesverbal i mbikëqyrësit",
        },
    )
    second = grant_milestone_save(
        actor=officer,
        grant=grant,
        data={
            "description": "Objekti u dorëzua dhe përdoret nga komunitetet",
            "due_date": start + datetime.timedelta(days=300),
            "evidence": "Procesverbal i pranimit, lista e përdoruesve",
        },
    )
    if not in_kind:
        advance = (grant.amount * Decimal("0.4")).quantize(CENT)
        plan = [(advance, start, True, None), (advance, first.due_date, False, first)]
        plan.append((grant.amount - 2 * advance, second.due_date, False, second))
        for number, (amount, planned, on_signature, milestone) in enumerate(plan, start=1):
            grant_tranche_save(
                actor=officer,
                grant=grant,
                data={
                    "number": number,
                    "amount": amount,
                    "planned_date": planned,
                    "on_signature": on_signature,
                    "milestone": milestone,
                },
            )
    grant_agreement_request(actor=officer, grant=grant)
    grant_agreement_render(grant_id=grant.pk)  # the task's work, done now: the seed runs in one transaction
    grant.refresh_from_db()
    leave_unsigned = (
        component == Component.MUNICIPAL_DEVELOPMENT
        and not Grant.objects.filter(application__call__component=component, status=GrantStatus.AWAITING_SIGNATURE)
        .exclude(pk=grant.pk)
        .exists()
    )
    if grant.agreement_file and not leave_unsigned:
        with grant.agreement_file.open("rb") as agreement:
            grant_sign(actor=officer, grant=grant, signed_file=SimpleUploadedFile("signed.pdf", agreement.read()))


def _exists(component, **filters):
    return Grant.objects.filter(application__call__component=component, **filters).exists()


# --- Implementation ----------------------------------------------------------------------------------------------
def seed_implementation():
    """Take the active demo grants to different stages, once; yields what it did."""
    people = {email.split("@")[0]: User.objects.get(email=email) for email in STAFF}
    grants = list(
        Grant.objects.filter(status=GrantStatus.ACTIVE)
        .select_related("application__call", "application__applicant", "application__municipality")
        .order_by("number")
    )
    _exchange_rates(people["finance"])
    fresh = [g for g in grants if not _touched(g)]
    stages = list(STAGES)
    for grant in fresh:
        if grant.application.call.component == Component.CIVIC_ENGAGEMENT and not hasattr(grant, "infrastructure"):
            _infrastructure(grant, people)
        if grant.instrument == InstrumentType.IN_KIND:
            _in_kind(grant, people)
            yield f"grant {grant.number}: in-kind deliveries"
            continue
        if not stages:
            break
        name, stage = stages.pop(0)
        stage(grant, people)
        yield f"grant {grant.number}: {name}"


STAFF = ("officer@example.org", "finance@example.org", "manager@example.org")


def _exchange_rates(finance):
    """The monthly EUR→USD rates finance keeps, for the last 14 months (the same values on every run)."""
    month = _today().replace(day=1)
    for step in range(14):
        rate = Decimal("1.0850") + Decimal(step % 5) * Decimal("0.0125")
        exchange_rate_set(actor=finance, month=month, usd_per_eur=rate, source="ECB, monthly average")
        month = (month - datetime.timedelta(days=1)).replace(day=1)


def _touched(grant):
    return (
        TranchePayment.objects.filter(tranche__grant=grant).exists()
        or InKindDelivery.objects.filter(grant=grant).exists()
        or MonitoringVisit.objects.filter(grant=grant).exists()
        or GrantTranche.objects.filter(grant=grant).exclude(status="planned").exists()
    )


def _tranche(grant, number):
    return GrantTranche.objects.select_related("grant__application", "milestone").get(grant=grant, number=number)


def _pay(grant, number, people, *, amount=None, days_ago=20, reference=None):
    """The grantee requests, finance approves and pays (all of it, or `amount`)."""
    tranche = _tranche(grant, number)
    if tranche.status == "planned":
        money.tranche_request(actor=grant.application.applicant, tranche=tranche, comment="Kërkojmë pagesën.")
    tranche = _tranche(grant, number)
    if tranche.status == "requested":
        money.tranche_approve(actor=people["finance"], tranche=tranche)
    tranche = _tranche(grant, number)
    money.tranche_payment_record(
        actor=people["finance"],
        tranche=tranche,
        paid_on=_today() - datetime.timedelta(days=days_ago),
        amount=amount or tranche.amount - money.tranche_paid_amount(tranche),
        bank_reference=reference or f"RAIF-{grant.number[-6:]}-{number}-{days_ago}",
    )


def _visit(grant, people, *, verify, final=False, days_ago=10, donor_sign="yes"):
    milestones = list(grant.milestones.all())
    verified = [m for m in milestones if m.description in verify]
    return visit_record(
        actor=people["officer"],
        grant=grant,
        data={
            "visit_date": _today() - datetime.timedelta(days=days_ago),
            "visited_by": people["officer"],
            "people_present": "Kryetari i shoqatës; mbikëqyrësi i komunës; dy banorë të fshatit",
            "progress_percent": 100 if final else 55,
            "quality": "good",
            "donor_sign": donor_sign,
            "shared_use": "yes",
            "safety": "yes",
            "findings": "Punimet përparojnë sipas planit. Shenja e donatorit duhet vendosur te hyrja."
            if donor_sign == "no"
            else "Punimet janë kryer sipas planit dhe cilësia është e mirë.",
            "is_final": final,
            "milestones_checked": verified or milestones[:1],
            "verified_milestones": verified,
        },
        photos=[_photo("kantieri", (70, 110, 90)), _photo("hyrja", (90, 80, 140))],
        follow_ups=[]
        if final
        else [
            {
                "action": "Vendosni tabelën e donatorit te hyrja",
                "responsible": "Grantmarrësi",
                "due_date": _today() + datetime.timedelta(days=14),
            }
        ],
    )


def _write_report(grant, report, *, people, percent, milestones=()):
    """The grantee fills in a report (text, people reached, a receipt, cost share with evidence) and submits it."""
    grantee = grant.application.applicant
    report = report_progress_save(
        actor=grantee,
        report=report,
        version=report.version,
        data={
            "narrative": "Përfunduan punimet e themelit dhe muret. Të rinjtë nga të dy komunitetet punuan së bashku.",
            "problems": "Shirat e tetorit vonuan punimet dy javë.",
            "next_steps": "Çatia dhe instalimet elektrike.",
            "percent_complete": percent,
            "milestones_completed": [m for m in grant.milestones.all() if m.description in milestones],
        },
    )
    majority = grant.application.municipality.majority_community if grant.application.municipality_id else None
    second = Community.SERB if majority == Community.ALBANIAN else Community.ALBANIAN
    report = report_beneficiaries_save(
        actor=grantee,
        report=report,
        version=report.version,
        rows=[
            {"community": majority or Community.ALBANIAN, "sex": Sex.FEMALE, "age_band": AgeBand.YOUTH, "count": 24},
            {"community": majority or Community.ALBANIAN, "sex": Sex.MALE, "age_band": AgeBand.ADULT, "count": 31},
            {"community": second, "sex": Sex.FEMALE, "age_band": AgeBand.YOUTH, "count": 12},
            {"community": Community.ROMA, "sex": Sex.MALE, "age_band": AgeBand.UNDER_15, "count": 6},
        ],
    )
    line = grant.budget_lines.first()
    spent_on = min(report.period_end, _today()) - datetime.timedelta(days=3)
    report_expenditure_add(
        actor=grantee,
        report=report,
        budget_line=line,
        description="Material ndërtimi (çimento, tulla)",
        spent_on=max(spent_on, report.period_start),
        amount=(grant.amount * Decimal("0.3")).quantize(CENT),
        receipts=[_pdf("fatura-001.pdf")],
    )
    report_contribution_add(
        actor=grantee,
        report=report,
        kind="in_kind",
        description="Puna vullnetare e banorëve",
        value=(grant.cost_share_committed * Decimal("0.6")).quantize(CENT) or Decimal("100.00"),
        evidence=[_pdf("lista-vullnetareve.pdf")],
    )
    report.refresh_from_db()
    return report_submit(actor=grantee, report=report, version=report.version)


def _first_report(grant):
    return grant.reports.filter(kind=ReportKind.PERIODIC).order_by("number").first()


def _stage_advance_requested(grant, people):
    money.tranche_request(
        actor=grant.application.applicant, tranche=_tranche(grant, 1), comment="Marrëveshja u nënshkrua."
    )


def _stage_report_waiting(grant, people):
    """Advance paid; a visit verified the first milestone; report 1 waits for the officer; tranche 2 requested."""
    _pay(grant, 1, people, days_ago=120)
    _visit(grant, people, verify=["Punimet e para përfunduan (50%)"], donor_sign="no")
    _write_report(grant, _first_report(grant), people=people, percent=50)
    money.tranche_request(actor=grant.application.applicant, tranche=_tranche(grant, 2))


def _stage_partly_paid_revision(grant, people):
    """Advance partly paid (a balance is left); report 1 sent back for revision."""
    tranche = _tranche(grant, 1)
    _pay(grant, 1, people, amount=(tranche.amount * Decimal("0.6")).quantize(CENT), days_ago=100)
    report = _write_report(grant, _first_report(grant), people=people, percent=30)
    report_request_revision(
        actor=people["officer"],
        report=report,
        comment="Ju lutemi bashkëngjitni faturën e plotë dhe ndani përfituesit sipas moshës.",
    )


def _stage_amended(grant, people):
    """Advance paid, report 1 accepted (it verifies the first milestone), an approved amendment."""
    _pay(grant, 1, people, days_ago=110)
    report = _write_report(grant, _first_report(grant), people=people, percent=50, milestones=["Punimet e para"])
    report_accept(actor=people["officer"], report=report, comment="Raporti pranohet. Faleminderit.")
    last = _tranche(grant, 3)
    extra = (grant.amount * Decimal("0.1")).quantize(CENT)
    line = grant.budget_lines.first()
    amendment = amendment_propose(
        actor=people["officer"],
        grant=grant,
        reason="Komuna kërkoi zgjerimin e rrugës së qasjes; kostoja shtesë u vërtetua nga mbikëqyrësi.",
        new_amount=grant.amount + extra,
        new_end_date=grant.end_date + datetime.timedelta(days=60),
        changes={
            "budget": {str(line.pk): str(line.grant_amount + extra)},
            "tranches": {str(last.pk): str(last.amount + extra)},
        },
    )
    amendment_approve(actor=people["manager"], amendment=amendment, comment="Miratuar nga menaxheri i programit.")


def _stage_suspended(grant, people):
    _pay(grant, 1, people, days_ago=90)
    grant_suspend(
        actor=people["manager"],
        grant=grant,
        reason="Leja e ndërtimit nga komuna ka skaduar; pezullohet deri në ripërtëritjen e saj.",
    )


def _stage_closed(grant, people):
    """Everything done: all tranches paid on verified milestones, final report accepted, final visit, cost share
    reconciled; the grant is completed and closed."""
    _pay(grant, 1, people, days_ago=140)
    _visit(grant, people, verify=[m.description for m in grant.milestones.all()], final=True, days_ago=5)
    _pay(grant, 2, people, days_ago=4)
    _pay(grant, 3, people, days_ago=3)
    final = grant.reports.get(kind=ReportKind.FINAL)
    report = _write_report(grant, final, people=people, percent=100)
    report_accept(actor=people["officer"], report=report)
    cost_share_reconcile(
        actor=people["finance"], grant=grant, note="Kontributi në natyrë u verifikua gjatë vizitës përfundimtare."
    )
    grant_complete(actor=people["officer"], grant=grant)
    grant_close(actor=people["finance"], grant=grant)


def _in_kind(grant, people):
    for item, supplier, share, days_ago in (
        ("Serrë 200 m² me sistem ujitjeje", "Agro-Tech Sh.p.k.", Decimal("0.6"), 60),
        ("Pajisje për paketimin e perimeve", "Pack-Kos L.L.C.", Decimal("0.25"), 20),
    ):
        money.delivery_record(
            actor=people["officer"],
            grant=grant,
            item=item,
            supplier=supplier,
            value=(grant.amount * share).quantize(CENT),
            delivered_on=_today() - datetime.timedelta(days=days_ago),
            handover_file=_pdf("procesverbal-dorezimi.pdf"),
        )


def _infrastructure(grant, people):
    municipality = grant.application.municipality
    majority = municipality.majority_community if municipality else Community.ALBANIAN
    second = Community.SERB if majority == Community.ALBANIAN else Community.ALBANIAN
    infrastructure_save(
        actor=people["officer"],
        grant=grant,
        data={
            "kind": "community_centre",
            "settlement": "Fshati i demonstrimit",
            "latitude": Decimal("42.462900"),
            "longitude": Decimal("21.469400"),
            "municipal_cofunding": (grant.amount * Decimal("0.2")).quantize(CENT),
        },
        uses=[
            {"community": majority, "expected_users": 400, "actual_users": 380},
            {"community": second, "expected_users": 150, "actual_users": 170},
        ],
    )


def _stage_advance_paid(grant, people):
    _pay(grant, 1, people, days_ago=80)


STAGES = [
    ("closed after a complete closeout", _stage_closed),
    ("report waiting for review, tranche 2 requested", _stage_report_waiting),
    ("amendment approved", _stage_amended),
    ("advance requested", _stage_advance_requested),
    ("advance partly paid, report sent back", _stage_partly_paid_revision),
    ("suspended", _stage_suspended),
    ("advance paid", _stage_advance_paid),
]
