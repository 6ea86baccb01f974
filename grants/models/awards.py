"""Grants: what an approved application becomes, with its agreement, budget, milestones and tranches.

The implementation records (payments, visits, progress reports, amendments) live in the sibling modules
`finance`, `monitoring` and `reporting`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from grants.models.applications import Application, BudgetCategory, CostShareKind, private_storage


class InstrumentType(models.TextChoices):
    STANDARD = "standard", _("Standard grant")
    FIXED_AMOUNT = "fixed_amount", _("Fixed-amount award")
    SIMPLIFIED = "simplified", _("Simplified grant")
    IN_KIND = "in_kind", _("In-kind grant")


class GrantStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    ACTIVE = "active", pgettext_lazy("grant status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", pgettext_lazy("grant status", "Closed")
    TERMINATED = "terminated", _("Terminated")


G = GrantStatus
GRANT_TRANSITIONS = {
    G.AWAITING_SIGNATURE: {G.ACTIVE, G.TERMINATED},
    G.ACTIVE: {G.SUSPENDED, G.COMPLETED, G.TERMINATED},
    G.SUSPENDED: {G.ACTIVE, G.TERMINATED},
    G.COMPLETED: {G.CLOSED},
    G.CLOSED: set(),
    G.TERMINATED: set(),
}


class ReportFrequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    PER_MILESTONE = "per_milestone", _("Per milestone")


class DocumentStatus(models.TextChoices):
    """A generated document (agreement, selection record): rendered by Celery, failure is state."""

    NONE = "none", _("Not generated")
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("document status", "Failed")


class Grant(TimeStampedModel):
    """A grant awarded on an approved application: `AKT-G-CE-001`."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="grant")
    number = models.CharField(_("grant number"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=30, choices=GrantStatus.choices, default=GrantStatus.AWAITING_SIGNATURE
    )
    instrument = models.CharField(
        _("instrument"), max_length=20, choices=InstrumentType.choices, default=InstrumentType.STANDARD
    )
    amount = models.DecimalField(
        _("grant amount (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    cost_share_committed = models.DecimalField(
        _("cost share committed (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    special_conditions = models.TextField(_("special conditions"), blank=True)
    agreement_status = models.CharField(
        _("agreement"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.NONE
    )
    agreement_file = models.FileField(storage=private_storage, upload_to="agreements/", blank=True, max_length=200)
    agreement_error = models.TextField(blank=True)
    signed_copy = models.FileField(
        _("signed agreement"), storage=private_storage, upload_to="agreements/signed/", blank=True, max_length=200
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    report_frequency = models.CharField(
        _("progress reports"), max_length=20, choices=ReportFrequency.choices, default=ReportFrequency.QUARTERLY
    )
    # Why the grant was last suspended or terminated (the audit trail keeps every earlier reason).
    status_reason = models.TextField(_("reason"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cost_share_reconciled_at = models.DateTimeField(_("cost share reconciled"), null=True, blank=True)
    cost_share_reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cost_share_reconciliation_note = models.TextField(_("cost share reconciliation"), blank=True)
    # Raised by every approved amendment; the agreement as signed is amendment 0.
    amendment_number = models.PositiveSmallIntegerField(_("amendment"), default=0)
    business = models.ForeignKey(
        "businesses.Business",
        verbose_name=_("business"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )

    history = HistoricalRecords(excluded_fields=["agreement_error"])

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=GrantStatus.values), name="grant_status_valid"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="grant_dates_order"),
        ]

    def __str__(self):
        return self.number


class GrantSequence(models.Model):
    """The last grant number per component prefix (locked while numbering, like references)."""

    prefix = models.CharField(max_length=4, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}: {self.last_number}"


class GrantBudgetLine(models.Model):
    """The approved budget: copied from the application, editable by finance before signature."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_cost = models.DecimalField(_("unit cost (EUR)"), max_digits=12, decimal_places=2)
    grant_amount = models.DecimalField(_("from the grant (EUR)"), max_digits=12, decimal_places=2)
    cost_share_amount = models.DecimalField(_("cost share (EUR)"), max_digits=12, decimal_places=2, default=0)
    cost_share_kind = models.CharField(
        _("cost share kind"), max_length=10, choices=CostShareKind.choices, default=CostShareKind.CASH
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.description


class VerificationSource(models.TextChoices):
    REPORT = "report", _("Accepted progress report")
    VISIT = "visit", _("Monitoring visit")


class GrantMilestone(models.Model):
    """A piece of work with a due date; a tranche that depends on it is approved only once it is verified."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(_("milestone"), max_length=300)
    due_date = models.DateField(_("due"))
    evidence = models.CharField(_("evidence expected"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_source = models.CharField(_("verified by"), max_length=10, choices=VerificationSource.choices, blank=True)
    verified_report = models.ForeignKey(
        "grants.ProgressReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_visit = models.ForeignKey(
        "grants.MonitoringVisit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.description

    @property
    def is_verified(self):
        return self.verified_at is not None


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("tranche status", "Planned")
    REQUESTED = "requested", pgettext_lazy("tranche status", "Requested")
    APPROVED = "approved", pgettext_lazy("tranche status", "Approved")
    PAID = "paid", pgettext_lazy("tranche status", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("tranche status", "Cancelled")


T = TrancheStatus
TRANCHE_TRANSITIONS = {
    T.PLANNED: {T.REQUESTED, T.CANCELLED},
    T.REQUESTED: {T.APPROVED, T.PLANNED, T.CANCELLED},
    T.APPROVED: {T.PAID, T.CANCELLED},
    T.PAID: set(),
    T.CANCELLED: set(),
}


class GrantTranche(models.Model):
    """A payment of the grant: planned → requested → approved (once its milestone is verified) → paid.

    An approved tranche may be paid in several payments (grants.models.finance.TranchePayment); it becomes paid
    when they add up to its amount. Cancelling an approved tranche stops what is left of it.
    """

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    planned_date = models.DateField(_("planned"))
    on_signature = models.BooleanField(_("paid on signature (advance)"), default=False)
    milestone = models.ForeignKey(
        GrantMilestone, on_delete=models.PROTECT, null=True, blank=True, related_name="tranches"
    )
    status = models.CharField(_("status"), max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PLANNED)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when finance approved the tranche before its milestone was verified, and why.
    override_reason = models.TextField(_("reason for approving without a verified milestone"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="tranche_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=TrancheStatus.values), name="tranche_status_valid"),
        ]

    def __str__(self):
        return f"{self.grant} · {self.number}"
