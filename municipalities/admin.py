from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from municipalities.models import FocalPerson, Memorandum, Municipality, MunicipalityProfile, PopulationFigure


class PopulationInline(admin.TabularInline):
    model = PopulationFigure
    fk_name = "municipality"
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name_sq", "name_sr_latn", "name_sr_cyrl", "programme_group", "majority_community", "is_partner"]
    list_filter = ["programme_group", "is_partner"]
    search_fields = ["code", "name_sq", "name_sr_latn", "name_sr_cyrl", "name_en"]
    ordering = ["sort_order"]
    inlines = [PopulationInline]


@admin.register(Memorandum)
class MemorandumAdmin(SimpleHistoryAdmin):
    """The status changes only through municipal.services.partnership (sign, end), with an audit entry."""

    list_display = ["municipality", "starts_on", "ends_on", "status", "programme_ceiling", "cofunding_pledge"]
    list_filter = ["status", "municipality"]
    readonly_fields = ["status", "signed_file"]


@admin.register(FocalPerson)
class FocalPersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "position", "department", "municipality", "is_active"]
    list_filter = ["is_active", "municipality"]
    search_fields = ["name", "position", "department"]


@admin.register(MunicipalityProfile)
class MunicipalityProfileAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "mayor", "phone", "email"]
