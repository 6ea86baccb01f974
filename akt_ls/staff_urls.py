"""The staff back office (/<lang>/staff/…), under the "staff" namespace; each app adds its pages here."""

from django.urls import include, path

from akt_ls.views import StaffHomeView

urlpatterns = [
    path("", StaffHomeView.as_view(), name="home"),
    path("calls/", include("grants.urls.staff_calls")),
    path("applications/", include("grants.urls.staff_applications")),
    path("screening/", include("grants.urls.staff_screening")),
    path("reviews/", include("grants.urls.staff_reviews")),
    path("selection/", include("grants.urls.staff_decisions")),
    path("grants/", include("grants.urls.staff_grants")),
    path("money/", include("grants.urls.staff_money")),
    path("people/", include("accounts.urls_staff_people")),
    path("businesses/", include("businesses.urls")),
    path("trainings/", include("trainings.urls")),
    path("municipalities/", include("municipal.urls")),
    path("", include("reports.urls")),
]
