"""E-mails about money to a grantee, built in the grantee's language when the outbox sends them."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from grants.models import TranchePayment


def payment_recorded(payment_id):
    """Tell the grantee that a payment went out (amount, date, bank reference, what is left of the tranche)."""
    payment = (
        TranchePayment.objects.select_related("tranche__grant__application__applicant").filter(pk=payment_id).first()
    )
    if payment is None:
        return None
    tranche = payment.tranche
    grant = tranche.grant
    applicant = grant.application.applicant
    paid = sum(p.amount for p in tranche.payments.all())
    with translation.override(applicant.language or settings.LANGUAGE_CODE):
        values = {
            "number": grant.number,
            "tranche": tranche.number,
            "amount": formats.number_format(payment.amount, 2, use_l10n=True, force_grouping=True),
            "date": formats.date_format(payment.paid_on, "d.m.Y"),
            "reference": payment.bank_reference,
            "left": formats.number_format(tranche.amount - paid, 2, use_l10n=True, force_grouping=True),
            "link": settings.SITE_URL.rstrip("/") + reverse("my_grant_detail", kwargs={"pk": grant.pk}),
        }
        subject = "[AKT-LS] " + _("Payment of tranche %(tranche)s of grant %(number)s") % values
        body = (
            _(
                "A payment of %(amount)s EUR for tranche %(tranche)s of your grant %(number)s was made on %(date)s "
                "(bank reference %(reference)s).\n\n"
                "Still to be paid on this tranche: %(left)s EUR.\n\n"
                "Your grant: %(link)s\n"
            )
            % values
        )
    return EmailMessage(subject=subject, body=body)
