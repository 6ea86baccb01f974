"""The staff back office (/<lang>/staff/…), under the "staff" namespace; each app adds its pages here."""

from django.urls import include, path

from akt_ls.views import StaffHomeView

urlpatterns = [
    path("", StaffHomeView.as_view(), name="home"),
    path("calls/", include("grants.urls.staff_calls")),
    path("applications/", include("grants.urls.staff_applications")),
]
