"""Certificate pages of an event, included in trainings/urls.py (namespace "staff")."""

from django.urls import path

from trainings import views_certificates as views

urlpatterns = [
    path("<int:pk>/certificates/issue/", views.CertificatesIssueView.as_view(), name="training_certificates_issue"),
    path("<int:pk>/certificates/retry/", views.CertificatesRetryView.as_view(), name="training_certificates_retry"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/certificate/",
        views.CertificateIssueOneView.as_view(),
        name="training_certificate_issue",
    ),
    path(
        "<int:pk>/certificates/<int:certificate_pk>/retry/",
        views.CertificateRetryOneView.as_view(),
        name="training_certificate_retry",
    ),
    path(
        "<int:pk>/certificates/<int:certificate_pk>/download/",
        views.CertificateDownloadView.as_view(),
        name="training_certificate_download",
    ),
]
