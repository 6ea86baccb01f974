"""Indicators the donor asks for, their targets and recorded adjustments; the narratives staff write each quarter;
the branding of donor documents; and report runs (a document rendered by Celery, with the snapshot of the figures
it printed).

The numbers themselves are never stored here: each indicator names a registered calculation
(`reports/calculations/`) that computes it from the records for a period. Only adjustments, which a person
decides, are rows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import Component
from core.i18n import Localized
from core.models import TimeStampedModel
from core.storage import private_storage


class Unit(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percent")
    EUR = "eur", "EUR"
    USD = "usd", "USD"
    FTE = "fte", _("Full-time equivalent (FTE)")


class IndicatorType(models.TextChoices):
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Indicator(TimeStampedModel):
    """One indicator of the programme's monitoring plan. `calculation` is the key of a registered calculation."""

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("As the donor numbers it, e.g. EG.5.2-1 or AKT-CE-1.")
    )
    name_sq = models.CharField(_("name (Albanian)"), max_length=300)
    name_sr = models.CharField(_("name (Serbian, Latin script)"), max_length=300, blank=True)
    name_sr_cyrl = models.CharField(_("name (Serbian, Cyrillic script)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300)
    definition = models.TextField(_("definition"), blank=True, help_text=_("What counts, as in the reference sheet."))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    type = models.CharField(_("type"), max_length=10, choices=IndicatorType.choices, default=IndicatorType.OUTPUT)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    component = models.CharField(
        _("component"), max_length=30, choices=Component.choices, blank=True, help_text=_("Empty: cross-cutting.")
    )
    disaggregations = models.JSONField(
        _("disaggregations"), default=list, blank=True, help_text=_("Codes of the breakdowns this indicator reports.")
    )
    baseline_value = models.DecimalField(_("baseline value"), max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    lop_target = models.DecimalField(
        _("life-of-programme target"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    calculation = models.CharField(_("calculation"), max_length=60, unique=True)
    is_active = models.BooleanField(_("reported"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Localized("name")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("staff:indicator_detail", args=[self.pk])

    @property
    def calculation_obj(self):
        from reports.calculations import registry

        return registry.get(self.calculation)

    def clean(self):
        from reports.calculations import registry

        calculation = registry.get(self.calculation)
        if calculation is None:
            raise ValidationError({"calculation": _("Choose one of the calculations the system knows.")})
        unknown = [code for code in self.disaggregations or [] if code not in calculation.dimensions]
        if unknown:
            raise ValidationError(
                {
                    "disaggregations": _("This calculation cannot break the figure down by: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                }
            )


class IndicatorTarget(TimeStampedModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="indicator_target_once_per_year")
        ]

    def __str__(self):
        return f"{self.indicator.code} FY{self.fiscal_year}: {self.value}"


class Adjustment(models.Model):
    """A correction a person made to a computed figure (never an edit of it): shown beside the computed value."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="adjustments")
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    value = models.DecimalField(
        _("adjustment"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Added to the computed figure; negative to remove."),
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["indicator", "fiscal_year", "quarter", "recorded_at"]

    def __str__(self):
        return f"{self.indicator.code} FY{self.fiscal_year} Q{self.quarter}: {self.value:+}"


class NarrativeSection(models.TextChoices):
    EXECUTIVE_SUMMARY = "executive_summary", _("Executive summary")
    CIVIC_ENGAGEMENT = Component.CIVIC_ENGAGEMENT.value, Component.CIVIC_ENGAGEMENT.label
    BUSINESS_DEVELOPMENT = Component.BUSINESS_DEVELOPMENT.value, Component.BUSINESS_DEVELOPMENT.label
    MUNICIPAL_DEVELOPMENT = Component.MUNICIPAL_DEVELOPMENT.value, Component.MUNICIPAL_DEVELOPMENT.label
    CHALLENGES = "challenges", _("Challenges and lessons learned")
    NEXT_QUARTER = "next_quarter", _("Plans for the next quarter")


class Narrative(TimeStampedModel):
    """Text staff write for one section of one quarter's progress report (in English, the report's language)."""

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    section = models.CharField(_("section"), max_length=30, choices=NarrativeSection.choices)
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        ordering = ["fiscal_year", "quarter", "section"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "quarter", "section"], name="narrative_once_per_section")
        ]

    def __str__(self):
        return f"FY{self.fiscal_year} Q{self.quarter} {self.get_section_display()}"


class ReportBranding(TimeStampedModel):
    """The texts and logo on the cover of donor documents (one row, edited in the admin), so branding can change
    without code. Empty fields fall back to the defaults in settings."""

    programme_name = models.CharField(_("programme name"), max_length=200, blank=True)
    agreement_number = models.CharField(_("cooperative agreement number"), max_length=100, blank=True)
    submitted_by = models.CharField(_("submitted by"), max_length=300, blank=True)
    donor_line = models.CharField(_("donor identity line"), max_length=300, blank=True)
    disclaimer = models.TextField(_("disclaimer"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to="branding/", storage=private_storage, blank=True, help_text=_("PNG or JPEG.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("branding of donor documents")
        verbose_name_plural = _("branding of donor documents")

    def __str__(self):
        return str(self._meta.verbose_name)


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly progress report")
    INDICATOR_TABLE = "indicator_table", _("Indicator tracking table")
    GRANTS_LIST = "grants_list", _("Grants list")
    TRAINING = "training", _("Training report")
    MUNICIPALITY = "municipality", _("Municipality report")
    RECORDS = "records", _("Records behind a figure")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (XLSX)"
    CSV = "csv", "CSV"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", pgettext_lazy("report run status", "Failed")


RUN_TRANSITIONS = {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.FAILED},
    RunStatus.RUNNING: {RunStatus.SUCCEEDED, RunStatus.FAILED},
    RunStatus.FAILED: {RunStatus.QUEUED},
    RunStatus.SUCCEEDED: set(),
}


class ReportRun(TimeStampedModel):
    """One document a person asked for. The Celery task renders it; the row holds its state, its file and the
    snapshot of the figures it printed (so a report sent to the donor can be reproduced and compared)."""

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    format = models.CharField(_("format"), max_length=5, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=10)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="report_runs"
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="report_runs/", storage=private_storage, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    data_read_at = models.DateTimeField(_("data read at"), null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"]), models.Index(fields=["kind", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%d.%m.%Y}–{self.period_end:%d.%m.%Y}"

    def get_absolute_url(self):
        return reverse("staff:report_run_detail", args=[self.pk])
