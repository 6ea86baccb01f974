"""Progress reports from grantees: scheduled when the grant is signed, written and revised by the grantee,
accepted by an officer; they carry beneficiaries, expenditures with receipts, cost share and photos."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import AgeBand, Community, Sex
from core.models import TimeStampedModel
from grants.models.applications import CostShareKind, private_storage
from grants.models.awards import Grant, GrantBudgetLine, GrantMilestone


def report_file_path(instance, filename):
    return f"reports/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class ReportKind(models.TextChoices):
    PERIODIC = "periodic", _("Quarterly report")
    MILESTONE = "milestone", _("Milestone report")
    FINAL = "final", _("Final report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report status", "Not submitted")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    ACCEPTED = "accepted", pgettext_lazy("report status", "Accepted")


R = ReportStatus
REPORT_TRANSITIONS = {
    R.DRAFT: {R.SUBMITTED},
    R.SUBMITTED: {R.ACCEPTED, R.REVISION_REQUESTED},
    R.REVISION_REQUESTED: {R.SUBMITTED},
    R.ACCEPTED: set(),
}


class ProgressReport(TimeStampedModel):
    """One report the grantee owes: its period and due date come from the schedule; the grantee fills it in."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reports")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    milestone = models.ForeignKey(
        GrantMilestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due"), db_index=True)
    status = models.CharField(_("status"), max_length=30, choices=ReportStatus.choices, default=R.DRAFT)
    # Optimistic lock: a second tab cannot silently overwrite the first (as with applications).
    version = models.PositiveIntegerField(default=1)

    narrative = models.TextField(_("what was done"), max_length=10000, blank=True)
    problems = models.TextField(_("problems met"), max_length=5000, blank=True)
    next_steps = models.TextField(_("next steps"), max_length=5000, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        _("project complete (%)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    milestones_completed = models.ManyToManyField(
        GrantMilestone, blank=True, related_name="reported_in", verbose_name=_("milestones completed")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["grant", "due_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="report_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="report_period_order"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="report_status_due_idx")]

    def __str__(self):
        return f"{self.grant} · {self.number}"


class ReportBeneficiary(models.Model):
    """People reached in the report's period, in one cell of community × sex × age band."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="beneficiaries")
    community = models.CharField(_("community"), max_length=20, choices=Community.choices)
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices)
    age_band = models.CharField(_("age"), max_length=20, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("people"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "community", "sex", "age_band"], name="report_beneficiary_cell")
        ]

    def __str__(self):
        return f"{self.community}/{self.sex}/{self.age_band}: {self.count}"


class ReportExpenditure(models.Model):
    """Money spent in the period on one line of the approved budget, with its receipts."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="expenditures")
    budget_line = models.ForeignKey(
        GrantBudgetLine, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("budget line")
    )
    description = models.CharField(_("what was bought or paid"), max_length=300)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    spent_on = models.DateField(_("date"))

    class Meta:
        ordering = ["spent_on", "id"]

    def __str__(self):
        return self.description


class ReportFileKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    COST_SHARE_EVIDENCE = "cost_share", _("Cost share evidence")
    PHOTO = "photo", _("Photo")


class ReportFile(models.Model):
    """A receipt (of an expenditure), evidence of a cost-share contribution, or a photo of the report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=ReportFileKind.choices)
    expenditure = models.ForeignKey(
        ReportExpenditure, on_delete=models.CASCADE, null=True, blank=True, related_name="receipts"
    )
    contribution = models.ForeignKey(
        "grants.CostShareContribution", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(storage=private_storage, upload_to=report_file_path, max_length=200)
    thumbnail = models.FileField(storage=private_storage, upload_to=report_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class CostShareContribution(models.Model):
    """What the grantee (or a partner) contributed in the period: cash or in kind, with evidence."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=10, choices=CostShareKind.choices)
    description = models.CharField(_("what was contributed"), max_length=300)
    value = models.DecimalField(
        _("value (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.description


class ReportMessageKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("report message", "Submitted")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    ACCEPTED = "accepted", pgettext_lazy("report message", "Accepted")


class ReportMessage(models.Model):
    """The thread of a report: each submission (with what was submitted), each request for revision, acceptance."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=30, choices=ReportMessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=5000, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.report} · {self.kind}"


class ReminderKind(models.TextChoices):
    WEEK_BEFORE = "week_before", _("Seven days before the due date")
    DUE_DAY = "due_day", _("On the due date")


class ReportReminder(models.Model):
    """That a reminder went out (queued in the outbox): the daily task sends each kind once per report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="report_reminder_once")]

    def __str__(self):
        return f"{self.report} · {self.kind}"
