"""The grantee's tranche requests and handover records, below /<lang>/my/grants/."""

from django.urls import path

from grants.views import tranches as views

urlpatterns = [
    path("<int:pk>/tranches/<int:tranche_pk>/request/", views.my_tranche_request, name="my_tranche_request"),
    path("<int:pk>/deliveries/<int:delivery_pk>/handover/", views.my_delivery_file, name="my_delivery_file"),
]
