"""Municipal development: technical-assistance packages and their activities, deliverables with versions, public
hearings with attendance by community and sex, and the tracker of municipal services with measures over time.

This app sits above accounts, businesses, trainings and grants (it reads them for the municipality page); nothing
below imports it. Status changes only through municipal/services.py, each with an audit entry.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import Community, Sex
from core.models import TimeStampedModel
from core.storage import private_storage


class TAPackage(TimeStampedModel):
    """The technical assistance agreed with one municipality for a period."""

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="ta_packages"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    objectives = models.TextField(_("objectives"))
    planned_activities = models.TextField(_("planned activities"), blank=True)
    budget = models.DecimalField(_("budget (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("programme staff assigned"), blank=True, related_name="ta_packages"
    )
    consultants = models.TextField(_("consultants"), blank=True, help_text=_("Name and expertise, one per line."))

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("technical-assistance package")
        verbose_name_plural = _("technical-assistance packages")
        ordering = ["municipality__sort_order", "-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="ta_package_period_order"
            ),
        ]

    def __str__(self):
        return self.title

    def get_staff_url(self):
        return reverse("staff:ta_package_detail", args=[self.pk])


class ActivityType(models.TextChoices):
    NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
    SERVICE_DESIGN = "service_design", _("Service design")
    STAFF_TRAINING = "staff_training", _("Training of municipal staff")
    PROCESS_IMPROVEMENT = "process_improvement", _("Process or one-stop-shop improvement")
    DIGITALISATION = "digitalisation", _("Digitalisation")
    PLAN_DRAFTING = "plan_drafting", _("Plan or regulation drafting")
    PUBLIC_HEARING = "public_hearing", _("Public consultation or hearing")
    EQUIPMENT = "equipment", _("Equipment")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    ACCEPTED = "accepted", _("Accepted by the municipality")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVITY_TRANSITIONS = {
    ActivityStatus.PLANNED: {ActivityStatus.IN_PROGRESS, ActivityStatus.CANCELLED},
    ActivityStatus.IN_PROGRESS: {ActivityStatus.DELIVERED, ActivityStatus.CANCELLED},
    ActivityStatus.DELIVERED: {ActivityStatus.ACCEPTED, ActivityStatus.IN_PROGRESS},
    ActivityStatus.ACCEPTED: set(),
    ActivityStatus.CANCELLED: set(),
}


class TAActivity(TimeStampedModel):
    package = models.ForeignKey(TAPackage, on_delete=models.CASCADE, related_name="activities")
    type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.CharField(_("department served"), max_length=150)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    cost = models.DecimalField(
        _("cost (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.CharField(
        _("accepted by"), max_length=200, blank=True, help_text=_("The municipal official who accepted it.")
    )
    participants = models.ManyToManyField(
        "accounts.Person",
        verbose_name=_("municipal staff trained"),
        blank=True,
        related_name="ta_activities",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("technical-assistance activity")
        verbose_name_plural = _("technical-assistance activities")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="ta_activity_dates_order"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ActivityStatus.values), name="ta_activity_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(type__in=ActivityType.values), name="ta_activity_type_valid"),
        ]

    def __str__(self):
        return self.title

    def get_staff_url(self):
        return reverse("staff:ta_activity_detail", args=[self.pk])

    @property
    def is_hearing(self):
        return self.type == ActivityType.PUBLIC_HEARING


class Deliverable(TimeStampedModel):
    """A document an activity produces; every upload is a new version, none is ever replaced."""

    activity = models.ForeignKey(TAActivity, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class DeliverableVersion(TimeStampedModel):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="deliverables/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("deliverable version")
        verbose_name_plural = _("deliverable versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["deliverable", "number"], name="deliverable_version_once")]

    def __str__(self):
        return f"{self.deliverable} v{self.number}"


class HearingAttendance(models.Model):
    """How many citizens of a community and sex took part in a public hearing or consultation."""

    activity = models.ForeignKey(TAActivity, on_delete=models.CASCADE, related_name="hearing_attendance")
    community = models.CharField(_("community"), max_length=20, choices=Community.choices)
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices)
    count = models.PositiveIntegerField(_("people"))

    class Meta:
        verbose_name = _("hearing attendance")
        verbose_name_plural = _("hearing attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "community", "sex"], name="hearing_attendance_once"),
        ]

    def __str__(self):
        return f"{self.activity}: {self.count}"


class ServiceCategory(models.TextChoices):
    BUSINESS_REGISTRATION = "business_registration", _("Business registration help desk")
    CONSTRUCTION_PERMITS = "construction_permits", _("Construction permits")
    PROPERTY_TAX = "property_tax", _("Property-tax collection")
    MARKET_INSPECTION = "market_inspection", _("Market inspections")
    TRANSLATION = "translation", _("Translation of municipal acts into both official languages")
    CITIZEN_SERVICE_CENTRE = "citizen_service_centre", _("Citizen service centre")
    OTHER = "other", _("Other")


class MunicipalService(TimeStampedModel):
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="tracked_services"
    )
    category = models.CharField(_("kind of service"), max_length=30, choices=ServiceCategory.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    activities = models.ManyToManyField(
        TAActivity, verbose_name=_("activities that worked on it"), blank=True, related_name="services"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipal service")
        verbose_name_plural = _("municipal services")
        ordering = ["municipality__sort_order", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="municipal_service_name_once")]

    def __str__(self):
        return self.name

    def get_staff_url(self):
        return reverse("staff:municipal_service_detail", args=[self.pk])


class MeasureKind(models.TextChoices):
    PROCESSING_DAYS = "processing_days", _("Processing time (days)")
    SERVICES_PER_MONTH = "services_per_month", _("Services per month")
    BUSINESSES_REGISTERED = "businesses_registered", _("Businesses registered or formalised")
    REVENUE = "revenue", _("Own-source revenue collected (EUR)")
    BOTH_LANGUAGES = "both_languages", _("Available in both official languages")
    SATISFACTION = "satisfaction", _("Citizen satisfaction (%)")


# Which way is better for each kind: -1 lower is better, +1 higher is better.
BETTER_DIRECTION = {
    MeasureKind.PROCESSING_DAYS: -1,
    MeasureKind.SERVICES_PER_MONTH: 1,
    MeasureKind.BUSINESSES_REGISTERED: 1,
    MeasureKind.REVENUE: 1,
    MeasureKind.BOTH_LANGUAGES: 1,
    MeasureKind.SATISFACTION: 1,
}


class ServiceMeasure(TimeStampedModel):
    """One value of one kind of measure of a service on a date; the first (baseline) comes before all others."""

    service = models.ForeignKey(MunicipalService, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=30, choices=MeasureKind.choices)
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    is_baseline = models.BooleanField(_("baseline"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    evidence = models.FileField(_("evidence"), storage=private_storage, upload_to="service_evidence/", blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("service measure")
        verbose_name_plural = _("service measures")
        ordering = ["kind", "measured_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "kind", "measured_on"], name="service_measure_once_a_day"),
            models.UniqueConstraint(
                fields=["service", "kind"], condition=models.Q(is_baseline=True), name="service_measure_one_baseline"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=MeasureKind.values), name="service_measure_kind_valid"),
        ]

    def __str__(self):
        return f"{self.service} · {self.get_kind_display()} · {self.measured_on}"
