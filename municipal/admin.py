from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from municipal.models import (
    Deliverable,
    DeliverableVersion,
    HearingAttendance,
    MunicipalService,
    ServiceMeasure,
    TAActivity,
    TAPackage,
)


class ActivityInline(admin.TabularInline):
    model = TAActivity
    extra = 0
    fields = ["title", "type", "department", "starts_on", "ends_on", "status", "cost"]
    readonly_fields = ["status"]
    show_change_link = True


@admin.register(TAPackage)
class TAPackageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "starts_on", "ends_on", "budget"]
    list_filter = ["municipality"]
    search_fields = ["title"]
    inlines = [ActivityInline]


class VersionInline(admin.TabularInline):
    model = DeliverableVersion
    extra = 0
    readonly_fields = ["number", "file", "original_name", "size", "uploaded_by", "created_at"]
    can_delete = False


class HearingInline(admin.TabularInline):
    model = HearingAttendance
    extra = 0


@admin.register(TAActivity)
class TAActivityAdmin(SimpleHistoryAdmin):
    """Status and acceptance change only through municipal.services.packages, with an audit entry."""

    list_display = ["title", "package", "type", "status", "starts_on", "cost"]
    list_filter = ["status", "type", "package__municipality"]
    search_fields = ["title", "department"]
    readonly_fields = ["status", "accepted_on", "accepted_by"]
    autocomplete_fields = ["participants"]
    inlines = [HearingInline]


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["title", "activity"]
    inlines = [VersionInline]


class MeasureInline(admin.TabularInline):
    model = ServiceMeasure
    extra = 0
    readonly_fields = ["recorded_by"]


@admin.register(MunicipalService)
class MunicipalServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "category"]
    list_filter = ["category", "municipality"]
    search_fields = ["name"]
    inlines = [MeasureInline]
