"""Municipal pages, mounted at /<lang>/staff/municipalities/ inside the "staff" namespace.

Each area keeps its routes in its own file: partnership (MoU, focal persons, profile), packages (TA packages,
activities, deliverables, hearings) and tracker (municipal services and their measures). Their routes start with a
fixed word ("packages/", "activities/", "services/") or with "<code>/<word>/", so they come before the
municipality page's "<code>/".
"""

from django.urls import include, path

from municipal.views import overview

urlpatterns = [
    path("", overview.MunicipalityListView.as_view(), name="municipalities_list"),
    path("", include("municipal.urls_partnership")),
    path("", include("municipal.urls_packages")),
    path("", include("municipal.urls_tracker")),
    path("<slug:code>/", overview.MunicipalityOverviewView.as_view(), name="municipality_detail"),
]
