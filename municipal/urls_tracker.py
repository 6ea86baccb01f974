"""Routes of the tracker area (see municipal/urls.py)."""

from django.urls import path

from municipal.views import tracker

urlpatterns = [
    path("<slug:code>/services/new/", tracker.ServiceCreateView.as_view(), name="municipal_service_create"),
    path("services/<int:pk>/", tracker.ServiceDetailView.as_view(), name="municipal_service_detail"),
    path("services/<int:pk>/edit/", tracker.ServiceEditView.as_view(), name="municipal_service_edit"),
    path("services/<int:pk>/measures/new/", tracker.MeasureCreateView.as_view(), name="municipal_measure_create"),
    path("measures/<int:pk>/remove/", tracker.MeasureRemoveView.as_view(), name="municipal_measure_remove"),
    path("measures/<int:pk>/evidence/", tracker.MeasureEvidenceView.as_view(), name="municipal_measure_evidence"),
]
