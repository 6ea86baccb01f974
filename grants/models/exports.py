from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.spreadsheets import EXPORT_TRANSITIONS, ExportFormat, ExportStatus  # noqa: F401 (re-exported)
from grants.models.applications import private_storage


class ApplicationExport(TimeStampedModel):
    """A spreadsheet of a filtered list of applications, written by a Celery task; failure is state."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="sq")
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    file = models.FileField(storage=private_storage, upload_to="exports/", max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("why it failed"), blank=True)

    class Meta:
        verbose_name = _("export of applications")
        verbose_name_plural = _("exports of applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ExportStatus.values), name="export_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_format_display()} · {self.created_at:%Y-%m-%d %H:%M}"
