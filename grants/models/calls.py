from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import Component
from core.i18n import Localized
from core.models import TimeStampedModel


class CallStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("call status", "Draft")
    PUBLISHED = "published", pgettext_lazy("call status", "Published")
    CLOSED = "closed", pgettext_lazy("call status", "Closed")


# The whole lifecycle of a call on one screen. Only grants.services.calls changes it.
CALL_TRANSITIONS = {
    CallStatus.DRAFT: {CallStatus.PUBLISHED},
    CallStatus.PUBLISHED: {CallStatus.CLOSED},
    CallStatus.CLOSED: set(),
}


class CallPhase(models.TextChoices):
    """What the public sees, from the status and the dates."""

    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("call phase", "Closed")


class ApplicantType(models.TextChoices):
    CSO = "cso", _("Civil-society organisation")
    INFORMAL_GROUP = "informal_group", _("Informal group")
    STARTUP = "startup", _("Start-up")
    EXISTING_BUSINESS = "existing_business", _("Existing business")
    MUNICIPALITY = "municipality", _("Municipality")


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    WORKS = "works", _("Works and construction")
    EQUIPMENT = "equipment", _("Equipment")
    MATERIALS = "materials", _("Materials and supplies")
    SERVICES = "services", _("Services")
    TRAINING = "training", _("Training and events")
    TRAVEL = "travel", _("Travel and transport")
    VISIBILITY = "visibility", _("Visibility and communication")
    OTHER = "other", _("Other costs")


class DocumentType(models.TextChoices):
    """File types an applicant may upload; recognised by their content, not their name."""

    PDF = "pdf", "PDF"
    IMAGE = "image", _("Image (JPEG, PNG)")
    DOCX = "docx", "Word (DOCX)"
    XLSX = "xlsx", "Excel (XLSX)"


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes / no")
    DATE = "date", _("Date")


def _validate_codes(values, allowed, message):
    if not isinstance(values, list) or any(value not in allowed for value in values):
        raise ValidationError(message)


class Call(TimeStampedModel):
    """A call for proposals of one component, published for applicants between two local date-times."""

    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("For example CE-2027-01: component, year and number.")
    )
    component = models.CharField(_("component"), max_length=30, choices=Component.choices)
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    title_sq = models.CharField(_("title (Albanian)"), max_length=200)
    title_sr = models.CharField(_("title (Serbian, Latin)"), max_length=200, blank=True)
    title_sr_cyrl = models.CharField(
        _("title (Serbian, Cyrillic)"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to show the Latin title transliterated."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text_sq = models.TextField(_("full text (Albanian)"))
    text_sr = models.TextField(_("full text (Serbian, Latin)"), blank=True)
    text_sr_cyrl = models.TextField(_("full text (Serbian, Cyrillic)"), blank=True)
    text_en = models.TextField(_("full text (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at (deadline)"))
    eligible_municipalities = models.ManyToManyField(
        "municipalities.Municipality", verbose_name=_("eligible municipalities"), related_name="calls"
    )
    eligible_applicant_types = models.JSONField(_("who may apply"), default=list)
    min_amount = models.DecimalField(
        _("minimum grant (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    max_amount = models.DecimalField(
        _("maximum grant (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    min_cost_share_percent = models.DecimalField(
        _("minimum cost share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    budget_categories = models.JSONField(_("budget categories allowed"), default=list)
    min_reviewers = models.PositiveSmallIntegerField(_("reviewers per application"), default=2)
    divergence_threshold = models.DecimalField(
        _("divergence threshold (points of 100)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        help_text=_("Reviews further apart than this are flagged, and a third reviewer can be asked."),
    )
    budget_envelope = models.DecimalField(
        _("budget envelope (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The total the call may award; approvals beyond it need an explicit override."),
    )

    title = Localized("title")
    text = Localized("text")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        ordering = ["-opens_at", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CallStatus.values), name="call_status_valid"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_dates_order"),
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=models.F("min_amount")), name="call_amounts_order"
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.title}"

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The deadline must come after the opening; check both dates.")
        if self.min_amount is not None and self.max_amount is not None and self.max_amount < self.min_amount:
            errors["max_amount"] = _("The maximum grant must be at least the minimum grant.")
        try:
            _validate_codes(
                self.eligible_applicant_types, ApplicantType.values, _("Choose applicant types from the list.")
            )
        except ValidationError as error:
            errors["eligible_applicant_types"] = error
        try:
            _validate_codes(self.budget_categories, BudgetCategory.values, _("Choose budget categories from the list."))
        except ValidationError as error:
            errors["budget_categories"] = error
        if errors:
            raise ValidationError(errors)

    def phase_at(self, moment):
        if self.status == CallStatus.DRAFT:
            return None
        if self.status == CallStatus.CLOSED or moment >= self.closes_at:
            return CallPhase.CLOSED
        if moment < self.opens_at:
            return CallPhase.UPCOMING
        return CallPhase.OPEN

    @property
    def phase(self):
        return self.phase_at(timezone.now())

    @property
    def is_open(self):
        return self.phase == CallPhase.OPEN

    @property
    def reference_prefix(self):
        return Component(self.component).prefix

    def get_applicant_types_display(self):
        labels = dict(ApplicantType.choices)
        return [labels[code] for code in self.eligible_applicant_types if code in labels]

    def get_budget_categories_display(self):
        labels = dict(BudgetCategory.choices)
        return [(code, labels[code]) for code in self.budget_categories if code in labels]


class CallDocument(models.Model):
    """A document the call asks applicants to upload."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="documents")
    name_sq = models.CharField(_("name (Albanian)"), max_length=200)
    name_sr = models.CharField(_("name (Serbian, Latin)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=True)
    allowed_types = models.JSONField(_("allowed file types"), default=list)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Localized("name")

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.allowed_types:
            raise ValidationError({"allowed_types": _("Choose at least one file type.")})
        _validate_codes(self.allowed_types, DocumentType.values, _("Choose file types from the list."))


class CallQuestion(models.Model):
    """A question of the call's application form, defined as data."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=50, help_text=_("A short code that identifies the answer."))
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    label_sq = models.CharField(_("question (Albanian)"), max_length=300)
    label_sr = models.CharField(_("question (Serbian, Latin)"), max_length=300, blank=True)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_sq = models.CharField(_("help (Albanian)"), max_length=500, blank=True)
    help_sr = models.CharField(_("help (Serbian, Latin)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_("For a choice question: a list of options, each with value, label_sq, label_sr, label_en."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    label = Localized("label")
    help = Localized("help")

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "key"], name="question_key_unique_per_call")]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.kind == QuestionKind.CHOICE:
            options = self.choices if isinstance(self.choices, list) else []
            if len(options) < 2 or any(not isinstance(o, dict) or not o.get("value") for o in options):
                raise ValidationError(
                    {"choices": _("A choice question needs at least two options, each with a value.")}
                )

    def as_frozen(self):
        """The question as it is now, kept with an application so that later edits never change it."""
        return {
            "key": self.key,
            "kind": self.kind,
            "required": self.required,
            "label": {"sq": self.label_sq, "sr": self.label_sr, "en": self.label_en},
            "help": {"sq": self.help_sq, "sr": self.help_sr, "en": self.help_en},
            "choices": self.choices,
        }


class CallCriterion(models.Model):
    """A scoring criterion of the call, used by reviewers."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name_sq = models.CharField(_("criterion (Albanian)"), max_length=200)
    name_sr = models.CharField(_("criterion (Serbian, Latin)"), max_length=200, blank=True)
    name_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10, validators=[MinValueValidator(1)])
    allows_not_applicable = models.BooleanField(_("may be marked not applicable"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Localized("name")

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name
