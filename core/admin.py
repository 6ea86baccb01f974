from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.emails import email_retry
from core.models import AuditEntry, EmailStatus, OutgoingEmail


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services and never edited."""

    list_display = ["created_at", "actor_label", "action", "content_type", "object_id", "from_status", "to_status"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "action", "object_id", "comment"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The e-mail outbox: what went out, what waits, what failed and why; failed ones can be sent again."""

    list_display = ["created_at", "recipient", "builder", "status", "attempts", "sent_at"]
    list_filter = ["status", "builder"]
    search_fields = ["recipient"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed e-mails again"))
    def send_again(self, request, queryset):
        failed = list(queryset.filter(status=EmailStatus.FAILED))
        for email in failed:
            email_retry(actor=request.user, email=email)
        self.message_user(request, _("%(count)d e-mails queued again.") % {"count": len(failed)})
