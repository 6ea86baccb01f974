"""Staff pages of grants, at /<lang>/staff/grants/ in the "staff" namespace."""

from django.urls import include, path

from grants.views import business_link, selection_record
from grants.views import grants as views

urlpatterns = [
    path("", views.GrantListView.as_view(), name="grants_list"),
    path("<int:pk>/", views.GrantDetailView.as_view(), name="grant_detail"),
    path("<int:pk>/terms/", views.GrantTermsEditView.as_view(), name="grant_edit"),
    path("<int:pk>/agreement/", views.GrantAgreementRequestView.as_view(), name="grant_agreement_request"),
    path("<int:pk>/agreement/download/", views.GrantAgreementDownloadView.as_view(), name="grant_agreement"),
    path(
        "<int:pk>/agreement/signed/",
        views.GrantAgreementDownloadView.as_view(signed=True),
        name="grant_signed_copy",
    ),
    path("<int:pk>/sign/", views.GrantSignView.as_view(), name="grant_sign"),
    path("<int:pk>/business/", business_link.GrantBusinessCreateView.as_view(), name="grant_business_create"),
    path("<int:pk>/business/search/", business_link.GrantBusinessSearchView.as_view(), name="grant_business_search"),
    path("<int:pk>/business/link/", business_link.GrantBusinessLinkView.as_view(), name="grant_business_link"),
    # Implementation pages, one module per part (each defines its full paths below /staff/grants/).
    path("", include("grants.urls.staff_tranches")),
    path("", include("grants.urls.staff_visits")),
    path("", include("grants.urls.staff_reports")),
    path("", include("grants.urls.staff_amendments")),
    path("", include("grants.urls.staff_closeout")),
    path("selection-record/<str:code>/", selection_record.SelectionRecordView.as_view(), name="selection_record"),
    path(
        "selection-record/<str:code>/download/",
        selection_record.SelectionRecordDownloadView.as_view(),
        name="selection_record_download",
    ),
]
for kind, name in views.ROW_URL_NAMES.items():
    urlpatterns += [
        path(f"<int:pk>/{kind}/add/", views.GrantRowView.as_view(kind=kind), name=f"{name}_add"),
        path(f"<int:pk>/{kind}/<int:row_pk>/", views.GrantRowView.as_view(kind=kind), name=f"{name}_edit"),
        path(
            f"<int:pk>/{kind}/<int:row_pk>/delete/",
            views.GrantRowDeleteView.as_view(kind=kind),
            name=f"{name}_delete",
        ),
    ]
