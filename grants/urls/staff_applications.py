"""Staff intake of applications, mounted at /<lang>/staff/applications/ inside the "staff" namespace."""

from django.urls import path

from grants.views import staff_applications as views

urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="applications_list"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("<int:pk>/documents/<int:document_pk>/", views.application_document, name="application_document"),
    path("exports/", views.ExportCreateView.as_view(), name="export_create"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export_detail"),
    path("exports/<int:pk>/retry/", views.ExportRetryView.as_view(), name="export_retry"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
]
