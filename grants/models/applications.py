import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import Community
from core.models import TimeStampedModel
from grants.models.calls import ApplicantType, BudgetCategory, Call, CallDocument

MAX_AMOUNT = Decimal("10000000")  # no line or total in this programme comes near ten million euros


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    CLARIFICATION_REQUESTED = "clarification_requested", _("Clarification requested")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    UNDER_REVIEW = "under_review", _("Under review")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationStatus
# The whole lifecycle of an application on one screen (architecture.md). Only services change it.
APPLICATION_TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.CLARIFICATION_REQUESTED, S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN},
    S.CLARIFICATION_REQUESTED: {S.SUBMITTED, S.WITHDRAWN},
    S.ELIGIBLE: {S.UNDER_REVIEW, S.WITHDRAWN},
    S.INELIGIBLE: set(),
    S.UNDER_REVIEW: {S.REVIEWED, S.WITHDRAWN},
    S.REVIEWED: {S.APPROVED, S.REJECTED, S.WAITLISTED, S.WITHDRAWN},
    S.WAITLISTED: {S.APPROVED, S.REJECTED},
    S.APPROVED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}


class CostShareKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")


class Application(TimeStampedModel):
    """An applicant's proposal to a call: a draft until submitted, then frozen and followed to a decision."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("contact person"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("applying organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    applicant_type = models.CharField(_("applicant type"), max_length=30, choices=ApplicantType.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True, null=True, blank=True)
    # Optimistic lock: every save of a step raises it, so a second tab cannot silently overwrite the first.
    version = models.PositiveIntegerField(default=1)

    title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=1500, blank=True)
    problem = models.TextField(_("the problem"), max_length=5000, blank=True)
    solution = models.TextField(_("the solution"), max_length=5000, blank=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("location (municipality)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    location_detail = models.CharField(_("settlement or address"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    communities_involved = models.JSONField(_("communities taking part"), default=list, blank=True)
    inter_ethnic_description = models.TextField(_("how the communities take part"), max_length=5000, blank=True)
    beneficiaries = models.JSONField(
        _("expected beneficiaries"),
        default=dict,
        blank=True,
        help_text=_("By community and sex: {community: {female: n, male: n}}."),
    )
    answers = models.JSONField(_("answers to the call's questions"), default=dict, blank=True)
    frozen_questions = models.JSONField(_("questions as answered"), default=list, blank=True)
    declaration_accepted = models.BooleanField(_("declaration accepted"), default=False)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    submitted_snapshot = models.JSONField(_("content as submitted"), default=dict, blank=True)
    unlocked_sections = models.JSONField(_("sections reopened for clarification"), default=list, blank=True)
    # Reference, title, applicant and place, folded (core.text.fold) so that search ignores script and accents.
    search_text = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["version", "search_text"])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call", "status"], name="application_call_status_idx"),
            models.Index(fields=["applicant", "status"], name="application_owner_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=ApplicationStatus.DRAFT) | models.Q(reference__isnull=False),
                name="application_submitted_has_reference",
            ),
        ]

    def __str__(self):
        return self.reference or self.title or str(_("Draft application"))

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must come after the start date.")})
        unknown = [c for c in self.communities_involved or [] if c not in Community.values]
        if unknown:
            raise ValidationError({"communities_involved": _("Choose communities from the list only.")})

    @property
    def is_editable(self):
        return self.status == ApplicationStatus.DRAFT


class ReferenceSequence(models.Model):
    """The last reference number used per component prefix and year; its row is locked while numbering."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_number}"


class Partner(models.Model):
    """A partner organisation or informal group named in an application, possibly of another community."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=30, choices=ApplicantType.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality", verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    communities = models.JSONField(_("communities represented"), default=list)
    contact = models.CharField(_("contact person"), max_length=200, blank=True)
    role = models.CharField(_("role in the project"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.communities or any(c not in Community.values for c in self.communities):
            raise ValidationError({"communities": _("Choose at least one community from the list.")})


class BudgetLine(models.Model):
    """One line of an application's budget: what it costs, what the grant pays and who shares the rest."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1000000"))],
    )
    unit_cost = models.DecimalField(
        _("unit cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    requested_amount = models.DecimalField(
        _("requested from the grant (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    cost_share_amount = models.DecimalField(
        _("cost share (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    cost_share_kind = models.CharField(
        _("cost share kind"), max_length=10, choices=CostShareKind.choices, default=CostShareKind.CASH
    )
    contributor = models.CharField(_("who contributes the cost share"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(requested_amount__gte=0), name="budget_requested_not_negative"),
            models.CheckConstraint(condition=models.Q(cost_share_amount__gte=0), name="budget_share_not_negative"),
        ]

    def __str__(self):
        return self.description

    @property
    def total(self):
        return (self.quantity or 0) * (self.unit_cost or 0)

    def clean(self):
        super().clean()
        if self.quantity is None or self.unit_cost is None or self.requested_amount is None:
            return
        if self.cost_share_amount is None:
            return
        total = (self.quantity * self.unit_cost).quantize(Decimal("0.01"))
        if self.requested_amount + self.cost_share_amount != total:
            raise ValidationError(
                _(
                    "Requested amount (%(requested)s) and cost share (%(share)s) must add up to the line total "
                    "%(total)s (quantity × unit cost)."
                )
                % {"requested": self.requested_amount, "share": self.cost_share_amount, "total": total}
            )
        if self.cost_share_amount > 0 and not self.contributor:
            raise ValidationError({"contributor": _("Say who contributes the cost share.")})


class PrivateStorage(FileSystemStorage):
    """Uploaded applicant files: under MEDIA_ROOT/private, never behind a public URL.

    Files go out only through views that check who may see the application.
    """

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


private_storage = PrivateStorage()


def application_document_path(instance, filename):
    # A random name: the applicant's file name is kept in `original_name`, never used as a path.
    return f"applications/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    """A file uploaded for one of the call's required documents (or as another attachment)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    call_document = models.ForeignKey(
        CallDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="uploads"
    )
    file = models.FileField(storage=private_storage, upload_to=application_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["call_document__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "call_document"],
                condition=models.Q(call_document__isnull=False),
                name="one_upload_per_required_document",
            )
        ]

    def __str__(self):
        return self.original_name


class Clarification(TimeStampedModel):
    """Staff ask the applicant to fix named sections; the applicant answers and resubmits."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clarifications")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("what to clarify"), max_length=5000)
    sections = models.JSONField(_("sections reopened"), default=list)
    response = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("clarification request")
        verbose_name_plural = _("clarification requests")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.message[:60]
