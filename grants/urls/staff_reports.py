"""Staff pages of progress reports, below /<lang>/staff/grants/ in the "staff" namespace."""

from django.urls import path

from grants.views import reports as views

urlpatterns = [
    path("reports/", views.ReportQueueView.as_view(), name="reports_queue"),
    path("<int:pk>/reports/<int:report_pk>/", views.StaffReportView.as_view(), name="grant_report"),
    path("<int:pk>/reports/<int:report_pk>/review/", views.StaffReportReviewView.as_view(), name="grant_report_review"),
    path(
        "<int:pk>/reports/<int:report_pk>/files/<int:file_pk>/",
        views.StaffReportFileView.as_view(),
        name="grant_report_file",
    ),
]
