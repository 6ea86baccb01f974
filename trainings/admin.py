from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trainings.models import Course, Enrolment, Session, TrainingEvent


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["title_sq", "topic", "sector"]
    list_filter = ["topic"]


@admin.register(TrainingEvent)
class TrainingEventAdmin(SimpleHistoryAdmin):
    list_display = ["course", "municipality", "start_date", "status"]
    list_filter = ["status", "municipality"]
    list_select_related = ["course", "municipality"]
    readonly_fields = ["status"]


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ["event", "date", "start_time", "end_time"]
    list_select_related = ["event__course", "event__municipality"]


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ["person", "event", "completed"]
    list_select_related = ["person", "event__course", "event__municipality"]
    raw_id_fields = ["person", "event"]
    readonly_fields = ["completed"]
