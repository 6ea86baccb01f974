from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from municipalities.models import Municipality


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name_sq", "name_sr_latn", "name_sr_cyrl", "programme_group", "majority_community", "is_partner"]
    list_filter = ["programme_group", "is_partner"]
    search_fields = ["code", "name_sq", "name_sr_latn", "name_sr_cyrl", "name_en"]
    ordering = ["sort_order"]
