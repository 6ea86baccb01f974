"""How an application is shown to people: answers against the questions it was submitted with, labels of
communities and beneficiaries in the reader's language, and a readable timeline. Used by the applicant's
and the staff's pages alike."""

import datetime

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.permissions import can_view_personal_data
from core.choices import Community
from core.i18n import COLUMN_OF_LANGUAGE
from core.transliteration import transliterate_text
from grants.models import ApplicationStatus, QuestionKind
from grants.services.clarifications import SECTION_LABELS


def application_display(application, *, user):
    """Questions with their answers, community mixes, beneficiaries and the personal-data flag, in the page's
    language, for templates/grants/_application_content.html (pass it as `display`).
    """
    partner_communities = {code for partner in application.partners.all() for code in partner.communities or []}
    organisation_communities = set(application.organisation.communities_represented if application.organisation else [])
    partners = [(partner, _community_labels(partner.communities or [])) for partner in application.partners.all()]
    return {
        "show_personal_data": can_view_personal_data(user, application.person),
        "partners": partners,
        "questions": _questions(application),
        "communities_involved": _community_labels(application.communities_involved or []),
        "partner_communities": _community_labels(partner_communities),
        "all_communities": _community_labels(partner_communities | organisation_communities),
        "beneficiaries": _beneficiaries(application.beneficiaries or {}),
        "unlocked_sections": [str(SECTION_LABELS.get(s, s)) for s in application.unlocked_sections or []],
    }


ACTION_LABELS = {
    "grants.application.started": gettext_lazy("Draft started"),
    "grants.application.submitted": gettext_lazy("Submitted"),
    "grants.application.document_uploaded": gettext_lazy("Document uploaded"),
    "grants.application.withdrawn": gettext_lazy("Withdrawn"),
    "grants.application.clarification_requested": gettext_lazy("Clarification requested"),
    "grants.application.clarification_answered": gettext_lazy("Clarification answered"),
    "grants.application.screened_eligible": gettext_lazy("Screened: eligible"),
    "grants.application.screened_ineligible": gettext_lazy("Screened: ineligible"),
    "grants.application.review_started": gettext_lazy("Review started"),
    "grants.application.reviewed": gettext_lazy("Reviews complete"),
    "grants.application.approved": gettext_lazy("Approved"),
    "grants.application.waitlisted": gettext_lazy("Waitlisted"),
    "grants.application.rejected": gettext_lazy("Rejected"),
}


def labelled_timeline(entries):
    """Audit entries with `action_label`, `from_label` and `to_label` in the page's language (codes otherwise)."""
    statuses = dict(ApplicationStatus.choices)
    entries = list(entries)
    for entry in entries:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
        entry.from_label = statuses.get(entry.from_status, entry.from_status)
        entry.to_label = statuses.get(entry.to_status, entry.to_status)
    return entries


def _community_labels(codes):
    codes = set(codes)
    return [label for code, label in Community.choices if code in codes]


def _beneficiaries(data):
    def number(value):
        try:
            return int(value or 0)
        except (TypeError, ValueError):
            return 0

    rows, female_total, male_total = [], 0, 0
    for code, label in Community.choices:
        counts = data.get(code) or {}
        female, male = number(counts.get("female")), number(counts.get("male"))
        if female or male:
            rows.append({"label": label, "female": female, "male": male, "total": female + male})
            female_total, male_total = female_total + female, male_total + male
    total = {"female": female_total, "male": male_total, "total": female_total + male_total}
    return {"rows": rows, "total": total} if rows else None


def _pick(labels, language):
    """The text of `labels` ({"sq": …, "sr": …, "en": …}) for the page's language, as Localized does for calls."""
    column = COLUMN_OF_LANGUAGE.get(language, "sq")
    text = labels.get(column) or ""
    if text and language == "sr":
        return transliterate_text(text)
    return text or labels.get("sq") or labels.get("en") or ""


def _questions(application):
    """The questions as they were when the application was submitted (else the call's current ones) with answers."""
    frozen = application.frozen_questions or [question.as_frozen() for question in application.call.questions.all()]
    language = get_language()
    answers = application.answers or {}
    return [
        {
            "label": _pick(question.get("label") or {}, language),
            "kind": question.get("kind"),
            "answer": _answer_text(question, answers.get(question.get("key")), language),
            "long": question.get("kind") == QuestionKind.LONG_TEXT,
        }
        for question in frozen
    ]


def _answer_text(question, answer, language):
    if answer in (None, "", []):
        return ""
    kind = question.get("kind")
    if kind == QuestionKind.YES_NO:
        return _("Yes") if answer in (True, "yes", "true", "True") else _("No")
    if kind == QuestionKind.CHOICE:
        options = {o.get("value"): o for o in question.get("choices") or [] if isinstance(o, dict)}
        values = answer if isinstance(answer, list) else [answer]
        return ", ".join(_option_label(options.get(value), value, language) for value in values)
    if kind == QuestionKind.DATE:
        try:
            return datetime.date.fromisoformat(str(answer)).strftime("%d.%m.%Y")
        except ValueError:
            return str(answer)
    return str(answer)


def _option_label(option, value, language):
    if not option:
        return str(value)
    labels = {"sq": option.get("label_sq"), "sr": option.get("label_sr"), "en": option.get("label_en")}
    return _pick(labels, language) or str(value)


# --- Exports -------------------------------------------------------------------------------------------------------
