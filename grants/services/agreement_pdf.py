"""The agreement PDF: its clauses in the grantee's language beside English, and its annexes (budget, tranches).

Rendered by grants.services.grants.grant_agreement_render (a Celery task) from one locked state of the grant.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.pdf import render_pdf
from grants.models import InstrumentType
from grants.services.tranches import money


def grantee_name(application):
    return application.organisation.name if application.organisation_id else str(application.person)


def grantee_language(grant):
    language = getattr(grant.application.applicant, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _setting_text(name, language, default):
    """A donor text from settings: one text, or {language code: text} (English as fallback); else `default`."""
    value = getattr(settings, name, None)
    if isinstance(value, dict):
        return value.get(language) or value.get("en") or default
    return value or default


def _in_languages(languages, function):
    """`function()` evaluated under each language, joined as "local / English" (once when they are the same)."""
    texts = []
    for language in languages:
        with translation.override(language):
            texts.append(str(function()))
    return " / ".join(dict.fromkeys(texts))


def _payments_clause(grant):
    if grant.instrument == InstrumentType.IN_KIND:
        return _(
            "The grant is given in kind: the programme procures the goods and services of the approved budget and "
            "hands them over to the grantee, who signs a handover record for each delivery."
        )
    return _(
        "The grant is paid in the tranches of annex 2, each on signature or after the milestone named there is met."
    )


def _agreement_half(grant, language):
    """The agreement's clauses in one language (one column of the PDF)."""
    application = grant.application
    with translation.override(language):
        values = {
            "donor": getattr(settings, "AGREEMENT_DONOR_NAME", "USAID"),
            "programme": getattr(settings, "AGREEMENT_PROGRAMME_NAME", "Advancing Kosovo Together – Local Solutions"),
            "grantee": grantee_name(application),
            "title": application.title,
            "reference": application.reference,
            "call": f"{application.call.code} · {application.call.title}",
            "municipality": application.municipality.name if application.municipality_id else "—",
            "instrument": grant.get_instrument_display(),
            "amount": money(grant.amount),
            "cost_share": money(grant.cost_share_committed),
            "start": formats.date_format(grant.start_date, "d.m.Y"),
            "end": formats.date_format(grant.end_date, "d.m.Y"),
        }
        clauses = [
            (
                _("Parties"),
                _(
                    "This agreement is made between the %(programme)s programme, funded by %(donor)s, and "
                    "%(grantee)s (the grantee)."
                ),
            ),
            (
                _("Project"),
                _(
                    "The grant supports the project “%(title)s” (application %(reference)s, call %(call)s) in "
                    "%(municipality)s."
                ),
            ),
            (_("Type of grant"), _("The grant is awarded as: %(instrument)s.")),
            (
                _("Grant amount"),
                _("The grant amount is %(amount)s EUR. The grantee commits a cost share of %(cost_share)s EUR."),
            ),
            (_("Period"), _("The project runs from %(start)s to %(end)s.")),
            (
                _("Budget"),
                _(
                    "The grantee spends the grant as set out in the approved budget (annex 1). Changes need the "
                    "programme's written approval."
                ),
            ),
            (_("Payments"), _payments_clause(grant)),
            (
                _("Reporting and records"),
                _(
                    "The grantee reports on progress as the programme asks, and keeps receipts and records of the "
                    "project for at least three years after it ends."
                ),
            ),
            (
                _("Marking"),
                _(
                    "The grantee acknowledges %(donor)s's support on the project's materials and events, as the "
                    "programme instructs."
                ),
            ),
        ]
        return {
            "language": language,
            "title": _("Grant agreement"),
            "clauses": [{"heading": heading, "text": text % values} for heading, text in clauses],
            "branding": _setting_text("AGREEMENT_BRANDING_LINE", language, _("From the American people")),
            "disclaimer": _setting_text(
                "AGREEMENT_DISCLAIMER",
                language,
                _(
                    "This agreement is made possible by the support of the American people through %(donor)s. "
                    "The contents are the sole responsibility of the grantee and do not necessarily reflect the "
                    "views of %(donor)s or the United States Government."
                )
                % values,
            ),
        }


def _agreement_tables(grant, languages):
    """The annexes (budget, tranches) with headings and labels in both languages, amounts as numbers."""
    both = lambda function: _in_languages(languages, function)  # noqa: E731
    lines = list(grant.budget_lines.all())
    tranches = list(grant.tranches.select_related("milestone"))
    return {
        "labels": {
            key: both(function)
            for key, function in {
                "annex_budget": lambda: _("Annex 1: approved budget"),
                "annex_tranches": lambda: _("Annex 2: tranches and milestones"),
                "category": lambda: _("Category"),
                "description": lambda: _("Description"),
                "quantity": lambda: _("Quantity"),
                "unit_cost": lambda: _("Unit cost (EUR)"),
                "grant": lambda: _("From the grant (EUR)"),
                "cost_share": lambda: _("Cost share (EUR)"),
                "total": lambda: _("Total"),
                "number": lambda: _("Tranche"),
                "amount": lambda: _("Amount (EUR)"),
                "planned": lambda: _("Planned date"),
                "when": lambda: _("Paid"),
                "special_conditions": lambda: _("Special conditions"),
                "signatures": lambda: _("Signatures"),
                "for_programme": lambda: _("For the programme"),
                "for_grantee": lambda: _("For the grantee"),
                "name_signature_date": lambda: _("Name, signature, date"),
            }.items()
        },
        "budget": [{"line": line, "category": both(line.get_category_display), "unit": line.unit} for line in lines],
        "budget_total": sum((line.grant_amount for line in lines), Decimal("0")),
        "cost_share_total": sum((line.cost_share_amount for line in lines), Decimal("0")),
        "tranches": [
            {
                "tranche": tranche,
                "when": both(lambda: _("On signature"))
                if tranche.on_signature
                else both(lambda t=tranche: _("After: %(milestone)s") % {"milestone": t.milestone.description}),
            }
            for tranche in tranches
        ],
    }


def agreement_pdf(grant):
    """The agreement's PDF bytes: the grantee's language beside English (English alone for English grantees)."""
    language = grantee_language(grant)
    languages = [language, "en"] if language != "en" else ["en"]
    halves = [_agreement_half(grant, code) for code in languages]
    context = {
        "grant": grant,
        "halves": halves,
        "clause_rows": list(zip(*(half["clauses"] for half in halves), strict=True)),
        "branding": " · ".join(dict.fromkeys(half["branding"] for half in halves)),
        "disclaimers": list(dict.fromkeys(half["disclaimer"] for half in halves)),
        "logo": getattr(settings, "AGREEMENT_LOGO_STATIC", ""),
        **_agreement_tables(grant, languages),
    }
    return render_pdf("pdf/grant_agreement.html", context, language=language)
