"""The grantee's progress reports, below /<lang>/my/grants/ (not namespaced)."""

from django.urls import path

from grants.views import report_steps as views

urlpatterns = [
    path("<int:pk>/reports/<int:report_pk>/", views.MyReportView.as_view(), name="my_report_detail"),
    path("<int:pk>/reports/<int:report_pk>/edit/", views.MyReportEditView.as_view(), name="my_report_edit"),
    path("<int:pk>/reports/<int:report_pk>/edit/<slug:step>/", views.MyReportStepView.as_view(), name="my_report_step"),
    path(
        "<int:pk>/reports/<int:report_pk>/files/<int:file_pk>/", views.MyReportFileView.as_view(), name="my_report_file"
    ),
]
