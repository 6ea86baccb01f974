"""Eligibility screening, mounted at /<lang>/staff/screening/ inside the "staff" namespace."""

from django.urls import path

from grants.views import staff_screening as views

urlpatterns = [
    path("applications/<int:pk>/", views.ScreeningApplicationView.as_view(), name="screening_application"),
    path("calls/<str:code>/", views.ScreeningCallView.as_view(), name="screening_call"),
]
