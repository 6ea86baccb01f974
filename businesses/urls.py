"""Business pages, mounted at /<lang>/staff/businesses/ inside the "staff" namespace."""

from django.urls import path

from businesses import views

urlpatterns = [
    path("", views.BusinessListView.as_view(), name="businesses_list"),
    path("new/", views.BusinessCreateView.as_view(), name="business_create"),
    path("<int:pk>/", views.BusinessProfileView.as_view(), name="business_detail"),
    path("<int:pk>/edit/", views.BusinessEditView.as_view(), name="business_edit"),
    path("<int:pk>/owners/add/", views.OwnerAddView.as_view(), name="business_owner_add"),
    path("<int:pk>/owners/<int:owner_pk>/remove/", views.OwnerRemoveView.as_view(), name="business_owner_remove"),
    path("<int:pk>/managers/add/", views.ManagerAddView.as_view(), name="business_manager_add"),
    path("<int:pk>/employees/add/", views.EmployeeAddView.as_view(), name="business_employee_add"),
    path("<int:pk>/employees/<int:employee_pk>/end/", views.EmployeeEndView.as_view(), name="business_employee_end"),
    path("<int:pk>/snapshots/add/", views.SnapshotAddView.as_view(), name="business_snapshot_add"),
    path("<int:pk>/market-links/add/", views.MarketLinkAddView.as_view(), name="business_market_link_add"),
    path("<int:pk>/formalise/", views.FormaliseView.as_view(), name="business_formalise"),
    path("exports/", views.BusinessExportCreateView.as_view(), name="business_export_create"),
    path("exports/<int:pk>/", views.BusinessExportDetailView.as_view(), name="business_export_detail"),
    path("exports/<int:pk>/retry/", views.BusinessExportRetryView.as_view(), name="business_export_retry"),
    path("exports/<int:pk>/download/", views.BusinessExportDownloadView.as_view(), name="business_export_download"),
]
