"""Money after signature: payments of tranches, in-kind deliveries, monthly exchange rates and amendments."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from grants.models.applications import private_storage
from grants.models.awards import Grant, GrantTranche


def grant_file_path(instance, filename):
    """A random name under the grant's folder; the uploader's file name is kept in `original_name`."""
    return f"grants/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class TranchePayment(models.Model):
    """One bank transfer against an approved tranche; several may pay one tranche (partial payments)."""

    tranche = models.ForeignKey(GrantTranche, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("payment date"))
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    bank_reference = models.CharField(_("bank reference"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tranche", "bank_reference"], name="payment_reference_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.tranche} · {self.amount} · {self.bank_reference}"


class InKindDelivery(models.Model):
    """Goods or services the programme procured and handed over to an in-kind grantee, instead of a payment."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="deliveries")
    item = models.CharField(_("item"), max_length=300)
    supplier = models.CharField(_("supplier"), max_length=200)
    value = models.DecimalField(
        _("value (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    delivered_on = models.DateField(_("delivery date"))
    handover_file = models.FileField(
        _("handover record signed by the grantee"), storage=private_storage, upload_to=grant_file_path, max_length=200
    )
    handover_name = models.CharField(_("file name"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("in-kind delivery")
        verbose_name_plural = _("in-kind deliveries")
        ordering = ["delivered_on", "id"]

    def __str__(self):
        return self.item


class ExchangeRate(models.Model):
    """The programme's EUR→USD rate for one month (finance keeps them; reports to USAID show USD beside EUR)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    usd_per_eur = models.DecimalField(
        _("USD for 1 EUR"), max_digits=10, decimal_places=6, validators=[MinValueValidator(Decimal("0.000001"))]
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=models.Q(month__day=1), name="exchange_rate_first_of_month")]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.usd_per_eur}"


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("amendment status", "Proposed")
    APPROVED = "approved", pgettext_lazy("amendment status", "Approved")
    REJECTED = "rejected", pgettext_lazy("amendment status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("amendment status", "Withdrawn")


A = AmendmentStatus
AMENDMENT_TRANSITIONS = {
    A.PROPOSED: {A.APPROVED, A.REJECTED, A.WITHDRAWN},
    A.APPROVED: set(),
    A.REJECTED: set(),
    A.WITHDRAWN: set(),
}


class GrantAmendment(TimeStampedModel):
    """A change to a signed grant (amount, end date, budget lines, milestones, tranches) with its reason.

    Proposed values are kept in `changes`; approval applies them in one transaction and stores the grant as it
    was (`before`) and as it became (`after`), so the previous version stays readable.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=20, choices=AmendmentStatus.choices, default=A.PROPOSED)
    reason = models.TextField(_("reason"), max_length=5000)
    new_amount = models.DecimalField(
        _("new grant amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    # {"budget": {line id: grant amount}, "milestones": {id: {"description", "due_date"}},
    #  "tranches": {id: amount}, "new_tranches": [{"amount", "planned_date", "milestone"}]}
    changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    before = models.JSONField(_("grant before"), default=dict, blank=True)
    after = models.JSONField(_("grant after"), default=dict, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="amendment_number_unique"),
            models.UniqueConstraint(
                fields=["grant"], condition=models.Q(status="proposed"), name="one_proposed_amendment_per_grant"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AmendmentStatus.values), name="amendment_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.grant} · {self.number}"
