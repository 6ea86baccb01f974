from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base of every model a person edits: when it was made and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One thing that happened to one object: a status change or another recorded action.

    Written only by `core.services.audit_record`, never changed afterwards. Object pages show
    their entries as a timeline; auditors read them years later, so the actor's e-mail is kept
    even if the account is deleted.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("from"), max_length=50, blank=True)
    to_status = models.CharField(_("to"), max_length=50, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action}"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    CANCELLED = "cancelled", _("Cancelled")


EMAIL_TRANSITIONS = {
    EmailStatus.PENDING: {EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.CANCELLED},
    EmailStatus.FAILED: {EmailStatus.PENDING},
    EmailStatus.SENT: set(),
    EmailStatus.CANCELLED: set(),
}


class OutgoingEmail(TimeStampedModel):
    """An e-mail the site owes someone: written in the same transaction as the event it reports.

    A Celery task sends it after commit; a periodic task sends what is still pending (Redis or the mail
    server may be down), so nothing is lost. `builder` is the dotted path of a function that, given `args`,
    returns the EmailMessage in its reader's language.
    """

    recipient = models.EmailField(_("to"))
    builder = models.CharField(_("message"), max_length=200)
    args = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="email_status_created_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=EmailStatus.values), name="email_status_valid"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.builder.rsplit('.', 1)[-1]} · {self.status}"
