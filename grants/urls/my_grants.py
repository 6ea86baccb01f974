"""The grantee's own grants, at /<lang>/my/grants/ (not namespaced)."""

from django.urls import include, path

from grants.views import my_grants as views

urlpatterns = [
    path("<int:pk>/", views.my_grant_detail, name="my_grant_detail"),
    path("<int:pk>/agreement/", views.my_grant_agreement, name="my_grant_agreement"),
    path("<int:pk>/agreement/signed/", views.my_grant_signed_copy, name="my_grant_signed_copy"),
    path("", include("grants.urls.my_tranches")),
    path("", include("grants.urls.my_reports")),
]
