from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import Adjustment, Indicator, IndicatorTarget, Narrative, ReportBranding, ReportRun


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 1


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "component", "unit", "type", "calculation", "is_active", "order")
    list_filter = ("component", "type", "unit", "is_active")
    search_fields = ("code", "name_en", "name_sq", "name_sr")
    inlines = [TargetInline]


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    """Read-only here: adjustments are recorded on the indicator page, with the M&E officer's name."""

    list_display = ("indicator", "fiscal_year", "quarter", "value", "recorded_by", "recorded_at")
    list_filter = ("fiscal_year", "quarter")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Narrative)
class NarrativeAdmin(SimpleHistoryAdmin):
    list_display = ("fiscal_year", "quarter", "section", "updated_by", "updated_at")
    list_filter = ("fiscal_year", "quarter", "section")


@admin.register(ReportBranding)
class ReportBrandingAdmin(SimpleHistoryAdmin):
    list_display = ("programme_name", "agreement_number", "updated_at")

    def has_add_permission(self, request):
        return not ReportBranding.objects.exists()


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ("kind", "format", "language", "period_start", "period_end", "status", "requested_by", "created_at")
    list_filter = ("kind", "status", "format")
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False
