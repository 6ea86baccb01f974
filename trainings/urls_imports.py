"""Import of participant sheets and export of participant lists, included by trainings/urls.py ("staff" namespace)."""

from django.urls import path

from trainings import views_imports

urlpatterns = [
    path("<int:pk>/import/", views_imports.ImportUploadView.as_view(), name="training_import"),
    path("<int:pk>/import/preview/", views_imports.ImportPreviewView.as_view(), name="training_import_preview"),
    path("<int:pk>/import/template/", views_imports.ImportTemplateView.as_view(), name="training_import_template"),
    path(
        "<int:pk>/participants.xlsx", views_imports.ParticipantExportView.as_view(), name="training_participants_export"
    ),
]
