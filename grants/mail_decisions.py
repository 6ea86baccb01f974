"""The decision letter to an applicant, built in the applicant's language when the outbox sends it."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from grants.models import Decision, DecisionOutcome


def decision_letter(decision_id, outcome=None):
    """The committee's decision; None when the decision has changed since the letter was queued (a waitlisted
    application approved before the first letter went out gets only the second)."""
    decision = (
        Decision.objects.select_related("application__applicant", "application__grant").filter(pk=decision_id).first()
    )
    if decision is None or (outcome and decision.outcome != outcome):
        return None
    with translation.override(decision.application.applicant.language or settings.LANGUAGE_CODE):
        subject, body = decision_email(decision)
    return EmailMessage(subject=subject, body=body)


def _money(amount):
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


def decision_email(decision):
    """Subject and body of the letter, in the language active when called."""
    application = decision.application
    values = {
        "reference": application.reference,
        "title": application.title,
        "link": settings.SITE_URL.rstrip("/") + reverse("application_detail", kwargs={"pk": application.pk}),
    }
    subject = "[AKT-LS] " + _("Decision on your application %(reference)s") % values
    if decision.outcome == DecisionOutcome.APPROVED:
        grant = getattr(application, "grant", None)
        values.update(
            amount=_money(decision.approved_amount),
            conditions=decision.conditions.strip() or _("None."),
            number=grant.number if grant else "—",
        )
        text = (
            _(
                "Congratulations: the evaluation committee approved your application %(reference)s (“%(title)s”).\n\n"
                "Approved amount: %(amount)s EUR\n"
                "Grant number: %(number)s\n\n"
                "Conditions of the approval:\n%(conditions)s\n\n"
                "The programme team will contact you to prepare and sign the grant agreement. The grant starts only "
                "once the agreement is signed."
            )
            % values
        )
    elif decision.outcome == DecisionOutcome.WAITLISTED:
        text = (
            _(
                "The evaluation committee placed your application %(reference)s (“%(title)s”) on the waiting list.\n\n"
                "This means your project was found worth funding, but the call's budget does not reach it now. "
                "If money becomes available (for example when an approved project does not go ahead), "
                "waitlisted applications are considered again in the order of their score, and you will receive "
                "a further letter. You do not need to do anything now."
            )
            % values
        )
    else:
        values["reasons"] = decision.reasons.strip()
        text = (
            _(
                "The evaluation committee did not approve your application %(reference)s (“%(title)s”).\n\n"
                "The reasons:\n%(reasons)s\n\n"
                "Thank you for your work on the proposal. You are welcome to apply to future calls of the programme."
            )
            % values
        )
    body = (
        _("Hello,")
        + "\n\n"
        + text
        + "\n\n"
        + _("Your application: %(link)s") % values
        + "\n\n"
        + _("The AKT-LS Grants team")
        + "\n"
    )
    return subject, body
