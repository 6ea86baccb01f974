"""Tranche and in-kind delivery pages of a signed grant, below /<lang>/staff/grants/ ("staff" namespace)."""

from django.urls import path

from grants.views import tranches as views

urlpatterns = [
    path("<int:pk>/tranches/<int:tranche_pk>/", views.TrancheView.as_view(), name="grant_tranche"),
    path("<int:pk>/deliveries/new/", views.DeliveryCreateView.as_view(), name="grant_delivery_add"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/handover/",
        views.DeliveryFileView.as_view(),
        name="grant_delivery_file",
    ),
]
