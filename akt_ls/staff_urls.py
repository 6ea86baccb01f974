"""The staff back office (/<lang>/staff/…), under the "staff" namespace; each app adds its pages here."""

from django.urls import include, path

from accounts.urls import staff_urlpatterns as accounts_staff

urlpatterns = [
    *accounts_staff,
    path("calls/", include("grants.urls.staff_calls")),
    path("applications/", include("grants.urls.staff_applications")),
]
