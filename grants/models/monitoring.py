"""Monitoring visits (with photos and follow-up actions) and the civic infrastructure a grant builds."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import Community
from core.models import TimeStampedModel
from grants.models.applications import private_storage
from grants.models.awards import Grant, GrantMilestone


def photo_path(instance, filename):
    return f"photos/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Quality(models.TextChoices):
    GOOD = "good", pgettext_lazy("quality", "Good")
    ACCEPTABLE = "acceptable", pgettext_lazy("quality", "Acceptable")
    POOR = "poor", pgettext_lazy("quality", "Poor")


class Check(models.TextChoices):
    """A yes/no checklist answer that may not apply (a training grant has no donor sign on a building)."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class MonitoringVisit(TimeStampedModel):
    """An officer's visit to a grant's site: what was checked, found and photographed; it may verify milestones."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="visits")
    visit_date = models.DateField(_("date of the visit"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    people_present = models.TextField(_("people present"), max_length=2000)
    milestones_checked = models.ManyToManyField(
        GrantMilestone, blank=True, related_name="visits_checked", verbose_name=_("milestones checked")
    )
    verified_milestones = models.ManyToManyField(
        GrantMilestone, blank=True, related_name="visits_verified", verbose_name=_("milestones this visit verifies")
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("work progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    quality = models.CharField(_("quality of the work"), max_length=20, choices=Quality.choices)
    donor_sign = models.CharField(_("donor sign present on the infrastructure"), max_length=20, choices=Check.choices)
    shared_use = models.CharField(_("facility used by more than one community"), max_length=20, choices=Check.choices)
    safety = models.CharField(_("site is safe"), max_length=20, choices=Check.choices)
    findings = models.TextField(_("findings"), max_length=10000)
    is_final = models.BooleanField(_("final monitoring visit (closeout)"), default=False)

    class Meta:
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress_percent__lte=100), name="visit_progress_at_most_100")
        ]

    def __str__(self):
        return f"{self.grant} · {self.visit_date}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=private_storage, upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(storage=private_storage, upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.caption or f"photo {self.pk}"


class FollowUpAction(models.Model):
    """Something the visit found that someone must do by a date; done when they did it."""

    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("action"), max_length=500)
    responsible = models.CharField(_("who does it"), max_length=200)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.action


class InfrastructureType(models.TextChoices):
    ROAD = "road", _("Road")
    WATER = "water", _("Water supply")
    SCHOOL = "school", _("School")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    SPORTS = "sports", _("Sports facility")
    PUBLIC_SPACE = "public_space", _("Public space")
    OTHER = "other", pgettext_lazy("infrastructure type", "Other")


class InfrastructureProject(TimeStampedModel):
    """What a civic infrastructure grant builds, where, with what municipal co-funding, for whom."""

    grant = models.OneToOneField(Grant, on_delete=models.CASCADE, related_name="infrastructure")
    kind = models.CharField(_("type"), max_length=20, choices=InfrastructureType.choices)
    settlement = models.CharField(_("settlement"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("41.8")), MaxValueValidator(Decimal("43.3"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("19.9")), MaxValueValidator(Decimal("21.8"))],
    )
    municipal_cofunding = models.DecimalField(
        _("municipality's co-funding (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("infrastructure project")
        verbose_name_plural = _("infrastructure projects")

    def __str__(self):
        return f"{self.grant} · {self.get_kind_display()}"


class InfrastructureUse(models.Model):
    """Expected and actual users of the facility from one community."""

    project = models.ForeignKey(InfrastructureProject, on_delete=models.CASCADE, related_name="uses")
    community = models.CharField(_("community"), max_length=20, choices=Community.choices)
    expected_users = models.PositiveIntegerField(_("expected users"), default=0)
    actual_users = models.PositiveIntegerField(_("actual users"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "community"], name="infrastructure_use_unique")]

    def __str__(self):
        return f"{self.project} · {self.community}"
