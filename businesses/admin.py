from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from businesses.models import (
    Business,
    BusinessEmployee,
    BusinessManager,
    BusinessOwner,
    MarketLink,
    Snapshot,
    SnapshotEmployment,
)


class OwnerInline(admin.TabularInline):
    model = BusinessOwner
    extra = 0
    autocomplete_fields = ["person"]


class ManagerInline(admin.TabularInline):
    model = BusinessManager
    extra = 0
    autocomplete_fields = ["person"]


class EmployeeInline(admin.TabularInline):
    model = BusinessEmployee
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Business)
class BusinessAdmin(SimpleHistoryAdmin):
    """Registration status and formalisation change only through businesses.services.business_formalise."""

    list_display = ["name", "municipality", "sector", "stage", "registration_status", "nui"]
    list_filter = ["sector", "stage", "registration_status", "municipality"]
    search_fields = ["name", "trade_name", "nui", "fiscal_number"]
    readonly_fields = ["registration_status", "formalised_on"]
    inlines = [OwnerInline, ManagerInline, EmployeeInline]


class EmploymentInline(admin.TabularInline):
    model = SnapshotEmployment
    extra = 0


@admin.register(Snapshot)
class SnapshotAdmin(SimpleHistoryAdmin):
    list_display = ["business", "kind", "date", "annual_sales"]
    list_filter = ["kind"]
    search_fields = ["business__name"]
    inlines = [EmploymentInline]


@admin.register(MarketLink)
class MarketLinkAdmin(SimpleHistoryAdmin):
    list_display = ["business", "counterpart_label", "direction", "value", "date", "crosses_communities"]
    list_filter = ["direction", "crosses_communities"]
    search_fields = ["business__name", "counterpart_name", "product"]
    readonly_fields = ["business_community", "crosses_communities"]
