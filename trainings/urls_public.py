"""Public verification of training certificates, mounted at /<lang>/certificates/."""

from django.urls import path

from trainings import views_certificates as views

urlpatterns = [
    path("<str:code>/", views.certificate_verify, name="certificate_verify"),
]
