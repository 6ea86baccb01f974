"""Businesses the business-development component supports: owners, managers, yearly snapshots, market links.

A business is counted once however many grants, snapshots or links it has. Its owners and managers are
`accounts.Person` rows, so USAID's counts of unique people include them. Full-time equivalents are computed
from the employment rows of a snapshot, never typed.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from businesses.validators import validate_fiscal_number, validate_nui
from core.choices import AgeBand, Community, Sex
from core.models import TimeStampedModel
from core.spreadsheets import ExportFormat, ExportStatus
from core.storage import private_storage

ZERO = Decimal("0")
HOURS_PER_FULL_WEEK = Decimal("40")
MONTHS_PER_YEAR = Decimal("12")


class LegalForm(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual business")
    PARTNERSHIP = "partnership", _("Partnership")
    LLC = "llc", _("Limited liability company (LLC)")
    JSC = "jsc", _("Joint-stock company (JSC)")
    NOT_REGISTERED = "not_registered", _("Not yet registered")


class RegistrationStatus(models.TextChoices):
    NOT_REGISTERED = "not_registered", _("Not registered")
    REGISTERED = "registered", _("Registered")


# Formalisation is the only status change; a registered business is not "unregistered" by the programme.
REGISTRATION_TRANSITIONS = {
    RegistrationStatus.NOT_REGISTERED: {RegistrationStatus.REGISTERED},
    RegistrationStatus.REGISTERED: set(),
}


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    FOOD_PROCESSING = "food_processing", _("Food processing")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    TRADE = "trade", _("Trade")
    TOURISM = "tourism", _("Tourism and hospitality")
    ICT = "ict", _("ICT")
    SERVICES = "services", _("Services")
    CRAFTS = "crafts", _("Crafts")
    OTHER = "other", pgettext_lazy("sector", "Other")


class Stage(models.TextChoices):
    STARTUP = "startup", _("Start-up")
    EXISTING = "existing", _("Existing business")


class Business(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    registration_status = models.CharField(
        _("registration status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.NOT_REGISTERED,
    )
    nui = models.CharField(
        _("NUI (business number)"),
        max_length=9,
        blank=True,
        validators=[validate_nui],
        help_text=_("9 digits, as on the business registration certificate."),
    )
    fiscal_number = models.CharField(
        _("fiscal number"), max_length=9, blank=True, validators=[validate_fiscal_number], help_text=_("9 digits.")
    )
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    formalised_on = models.DateField(
        _("formalised during the programme on"),
        null=True,
        blank=True,
        help_text=_("Set when a business that was not registered registers while the programme supports it."),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    settlement = models.CharField(_("settlement"), max_length=100, blank=True)
    founded_on = models.DateField(_("founded"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nui"], condition=~models.Q(nui=""), name="business_nui_unique"),
            models.UniqueConstraint(
                fields=["fiscal_number"], condition=~models.Q(fiscal_number=""), name="business_fiscal_number_unique"
            ),
            models.CheckConstraint(condition=models.Q(legal_form__in=LegalForm.values), name="business_form_valid"),
            models.CheckConstraint(
                condition=models.Q(registration_status__in=RegistrationStatus.values), name="business_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(sector__in=Sector.values), name="business_sector_valid"),
            models.CheckConstraint(condition=models.Q(stage__in=Stage.values), name="business_stage_valid"),
            models.CheckConstraint(
                condition=models.Q(registration_status=RegistrationStatus.NOT_REGISTERED) | ~models.Q(nui=""),
                name="business_registered_has_nui",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_registered(self):
        return self.registration_status == RegistrationStatus.REGISTERED

    def clean(self):
        super().clean()
        errors = {}
        if self.is_registered:
            if not self.nui:
                errors["nui"] = _("A registered business needs its NUI; enter the 9 digits from its certificate.")
            if self.legal_form == LegalForm.NOT_REGISTERED:
                errors["legal_form"] = _("Choose the legal form the business registered as.")
        elif self.legal_form != LegalForm.NOT_REGISTERED:
            errors["legal_form"] = _(
                "A business that is not registered has the legal form “Not yet registered”; "
                "choose it, or mark the business as registered."
            )
        if errors:
            raise ValidationError(errors)


class BusinessOwner(TimeStampedModel):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="owners")
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="business_ownerships"
    )
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["-share_percent", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "person"], name="business_owner_once"),
            models.CheckConstraint(
                condition=models.Q(share_percent__gt=0, share_percent__lte=100), name="business_owner_share_range"
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.share_percent}%)"


class BusinessManager(TimeStampedModel):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="managers")
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="business_roles"
    )
    role_title = models.CharField(_("role"), max_length=100)

    class Meta:
        verbose_name = _("manager")
        verbose_name_plural = _("managers")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["business", "person"], name="business_manager_once")]

    def __str__(self):
        return f"{self.person} – {self.role_title}"


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    SEASONAL = "seasonal", _("Seasonal")


class BusinessEmployee(TimeStampedModel):
    """A named employee (optional: snapshots count jobs without names). Naming one makes them a Person of the
    registry, so their trainings show on the business page and they are counted once across the programme."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="employees")
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="employments"
    )
    position = models.CharField(_("position"), max_length=100)
    employment_type = models.CharField(
        _("employment"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    started_on = models.DateField(_("employed since"))
    ended_on = models.DateField(_("employed until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["ended_on", "-started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "person", "started_on"], name="business_employee_once"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="business_employee_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.position}"

    @property
    def is_current(self):
        return self.ended_on is None


class SnapshotKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    YEARLY = "yearly", _("Yearly")
    CLOSEOUT = "closeout", _("Closeout")


class Snapshot(TimeStampedModel):
    """What a business looked like on a date: jobs (as employment rows), sales, exports, new products, financing."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=SnapshotKind.choices)
    annual_sales = models.DecimalField(
        _("annual sales (EUR)"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    exports = models.DecimalField(
        _("exports (EUR)"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    new_products_count = models.PositiveIntegerField(_("new products or technologies adopted"), default=0)
    new_products = models.TextField(_("which new products or technologies"), blank=True)
    financing_obtained = models.DecimalField(
        _("financing obtained (EUR)"),
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SnapshotKind.values), name="snapshot_kind_valid"),
            models.CheckConstraint(condition=models.Q(exports__lte=models.F("annual_sales")), name="snapshot_exports"),
        ]

    def __str__(self):
        return f"{self.business} · {self.get_kind_display()} · {self.date}"

    @property
    def fte(self):
        """Full-time equivalents of all employment rows (reads `employment.all()`, so prefetch it on lists)."""
        return sum((row.fte for row in self.employment.all()), ZERO)

    @property
    def employees(self):
        return sum(row.full_time_count + row.part_time_count for row in self.employment.all())


class SnapshotEmployment(models.Model):
    """People employed in one sex and age band: full-time and part-time counts, part-time hours, months worked."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="employment")
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=20, choices=AgeBand.choices)
    full_time_count = models.PositiveIntegerField(_("full-time employees"), default=0)
    part_time_count = models.PositiveIntegerField(_("part-time employees"), default=0)
    part_time_weekly_hours = models.DecimalField(
        _("part-time hours a week (each)"),
        max_digits=4,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HOURS_PER_FULL_WEEK)],
    )
    months_worked = models.DecimalField(
        _("months worked in the year"),
        max_digits=4,
        decimal_places=1,
        default=MONTHS_PER_YEAR,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MONTHS_PER_YEAR)],
    )

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employment")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "sex", "age_band"], name="snapshot_employment_once"),
            models.CheckConstraint(
                condition=models.Q(months_worked__gte=0, months_worked__lte=12), name="employment_months_range"
            ),
            models.CheckConstraint(
                condition=models.Q(part_time_weekly_hours__gte=0, part_time_weekly_hours__lte=40),
                name="employment_hours_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_sex_display()} · {self.get_age_band_display()}"

    @property
    def fte(self):
        """full-time × months/12 + part-time × hours/40 × months/12."""
        year_share = Decimal(self.months_worked) / MONTHS_PER_YEAR
        part = Decimal(self.part_time_count) * Decimal(self.part_time_weekly_hours) / HOURS_PER_FULL_WEEK
        return (Decimal(self.full_time_count) + part) * year_share


class Direction(models.TextChoices):
    SALE = "sale", _("Sale (the business sells)")
    SUPPLY = "supply", _("Supply (the business buys)")


class MarketLink(TimeStampedModel):
    """A sale or supply agreement with a buyer or supplier: another business, an organisation, or a named one.

    `business_community` is the supported business's majority owner community when the link was recorded, and
    `crosses_communities` compares it with the counterpart's community; both are set by `market_link_record`.
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="market_links")
    counterpart_business = models.ForeignKey(
        Business,
        verbose_name=_("counterpart business"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_links_as_counterpart",
    )
    counterpart_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("counterpart organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_links",
    )
    counterpart_name = models.CharField(_("counterpart name"), max_length=200, blank=True)
    counterpart_community = models.CharField(
        _("counterpart's community"),
        max_length=20,
        choices=Community.choices,
        help_text=_("The community of the counterpart's majority owners."),
    )
    counterpart_municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("counterpart's municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    business_community = models.CharField(
        _("business's community"), max_length=20, choices=Community.choices, blank=True
    )
    crosses_communities = models.BooleanField(_("crosses communities"), default=False, editable=False)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    product = models.CharField(_("product"), max_length=200)
    value = models.DecimalField(
        _("value (EUR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    date = models.DateField(_("date"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("market link")
        verbose_name_plural = _("market links")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(direction__in=Direction.values), name="market_link_direction"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="market_link_value_positive"),
            models.CheckConstraint(
                condition=models.Q(counterpart_business__isnull=False)
                | models.Q(counterpart_organisation__isnull=False)
                | ~models.Q(counterpart_name=""),
                name="market_link_has_counterpart",
            ),
            models.CheckConstraint(
                condition=~models.Q(counterpart_business=models.F("business")), name="market_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.business} → {self.counterpart_label}"

    @property
    def counterpart_label(self):
        if self.counterpart_business_id:
            return str(self.counterpart_business)
        if self.counterpart_organisation_id:
            return str(self.counterpart_organisation)
        return self.counterpart_name


class BusinessExport(TimeStampedModel):
    """A spreadsheet of the filtered business list, written by a Celery task; failure is state with a retry."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="sq")
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    file = models.FileField(storage=private_storage, upload_to="exports/businesses/", max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("why it failed"), blank=True)

    class Meta:
        verbose_name = _("export of businesses")
        verbose_name_plural = _("exports of businesses")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExportStatus.values), name="business_export_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_format_display()} · {self.created_at:%Y-%m-%d %H:%M}"
