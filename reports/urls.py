"""Indicators (/staff/indicators/…) and reports (/staff/reports/…), included by akt_ls/staff_urls.py."""

from django.urls import path

from reports.views import indicators, narratives, runs

urlpatterns = [
    path("indicators/", indicators.IndicatorListView.as_view(), name="indicators_list"),
    path("indicators/<int:pk>/", indicators.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("indicators/<int:pk>/edit/", indicators.IndicatorEditView.as_view(), name="indicator_edit"),
    path("indicators/<int:pk>/adjust/", indicators.AdjustmentCreateView.as_view(), name="indicator_adjust"),
    path("indicators/records/<slug:key>/", indicators.RecordsView.as_view(), name="indicator_records"),
    path("reports/", runs.ReportHomeView.as_view(), name="reports_home"),
    path("reports/runs/<int:pk>/", runs.RunDetailView.as_view(), name="report_run_detail"),
    path("reports/runs/<int:pk>/progress/", runs.RunProgressView.as_view(), name="report_run_progress"),
    path("reports/runs/<int:pk>/retry/", runs.RunRetryView.as_view(), name="report_run_retry"),
    path("reports/runs/<int:pk>/download/", runs.RunDownloadView.as_view(), name="report_run_download"),
    path("reports/runs/<int:pk>/compare/", runs.RunCompareView.as_view(), name="report_run_compare"),
    path("reports/narratives/", narratives.NarrativeListView.as_view(), name="narratives"),
    path(
        "reports/narratives/<int:fiscal_year>/<int:quarter>/<slug:section>/",
        narratives.NarrativeEditView.as_view(),
        name="narrative_edit",
    ),
]
