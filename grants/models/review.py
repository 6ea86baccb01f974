"""Selection: eligibility screening, reviewer assignments with conflict declarations, scores, committee decisions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from grants.models.applications import Application, private_storage
from grants.models.calls import Call, CallCriterion


class IneligibilityReason(models.TextChoices):
    MUNICIPALITY = "municipality", _("The project is not in an eligible municipality")
    APPLICANT_TYPE = "applicant_type", _("The applicant is not of an eligible type")
    AMOUNT = "amount", _("The amount requested is outside the call's limits")
    COST_SHARE = "cost_share", _("The cost share is below the call's minimum")
    DOCUMENTS_MISSING = "documents_missing", _("Required documents are missing")
    DOCUMENTS_ILLEGIBLE = "documents_illegible", _("Required documents are illegible")
    REGISTRATION = "registration", _("The registration is not valid")
    OTHER = "other", pgettext_lazy("ineligibility reason", "Other reason")


class Screening(TimeStampedModel):
    """The administrative eligibility check of one application, by a programme officer."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="screening")
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # [{"code": ..., "passed": true|false|null, "automatic": bool, "why": "..."}], as shown to the officer.
    checklist = models.JSONField(_("checklist"), default=list)
    eligible = models.BooleanField(_("eligible"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("eligibility screening")
        verbose_name_plural = _("eligibility screenings")

    def __str__(self):
        return f"{self.application} · {'eligible' if self.eligible else 'ineligible'}"


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Waiting for the declaration")
    DECLARED = "declared", _("No conflict declared")
    CONFLICT = "conflict", _("Conflict of interest declared")
    SUBMITTED = "submitted", _("Review submitted")
    REMOVED = "removed", _("Removed")


ASSIGNMENT_TRANSITIONS = {
    AssignmentStatus.ASSIGNED: {AssignmentStatus.DECLARED, AssignmentStatus.CONFLICT, AssignmentStatus.REMOVED},
    AssignmentStatus.DECLARED: {AssignmentStatus.SUBMITTED, AssignmentStatus.REMOVED},
    AssignmentStatus.CONFLICT: set(),
    AssignmentStatus.SUBMITTED: set(),
    AssignmentStatus.REMOVED: set(),
}


class ReviewAssignment(TimeStampedModel):
    """A reviewer asked to score one application. Nothing but title and municipality shows before the declaration."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    due_date = models.DateField(_("review due"), null=True, blank=True)
    # Likely conflicts the system found before assigning: [{"rule": ..., "detail": ...}].
    conflict_warnings = models.JSONField(_("conflict warnings"), default=list, blank=True)
    override_reason = models.TextField(_("why the warnings were overridden"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    conflict_note = models.TextField(_("conflict declared"), blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.reviewer}"

    @property
    def may_read_application(self):
        return self.status in (AssignmentStatus.DECLARED, AssignmentStatus.SUBMITTED)


class Review(TimeStampedModel):
    """A reviewer's scores for one application: a draft until submitted, then locked."""

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Weighted total on 0–100, computed by grants.services.reviews from the scores (n/a excluded).
    total = models.DecimalField(_("weighted score"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.assignment} · {self.total}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(CallCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, help_text=_("Empty means n/a."))
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), max_length=3000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(not_applicable=True, score__isnull=True) | models.Q(not_applicable=False),
                name="score_na_has_no_value",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {'n/a' if self.not_applicable else self.score}"


class CommitteeMeeting(TimeStampedModel):
    """The evaluation committee's meeting on a call: who sat, what was said."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="+")
    other_members = models.TextField(_("other members (names and roles)"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(
        _("signed minutes"), storage=private_storage, upload_to="minutes/", blank=True, max_length=200
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.call.code} · {self.held_on:%d.%m.%Y}"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")


class Decision(TimeStampedModel):
    """The committee's decision on one application, recorded by a manager."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=DecisionOutcome.choices)
    approved_amount = models.DecimalField(
        _("approved amount (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    conditions = models.TextField(_("conditions"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    envelope_override_reason = models.TextField(_("why the call's budget envelope may be exceeded"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="approved") | models.Q(approved_amount__isnull=False),
                name="approval_has_amount",
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.outcome}"
