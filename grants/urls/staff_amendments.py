"""Amendments of a grant, below /<lang>/staff/grants/ ("staff" namespace)."""

from django.urls import path

from grants.views import amendments as views

urlpatterns = [
    path("<int:pk>/amendments/new/", views.AmendmentCreateView.as_view(), name="grant_amendment_add"),
    path("<int:pk>/amendments/<int:amendment_pk>/", views.AmendmentDetailView.as_view(), name="grant_amendment"),
    path(
        "<int:pk>/amendments/<int:amendment_pk>/decide/",
        views.AmendmentDecideView.as_view(),
        name="grant_amendment_decide",
    ),
    path(
        "<int:pk>/amendments/<int:amendment_pk>/withdraw/",
        views.AmendmentWithdrawView.as_view(),
        name="grant_amendment_withdraw",
    ),
]
