from django.urls import path

from grants.views import applicant as views
from grants.views import application_steps as steps
from grants.views.documents import application_document_download

urlpatterns = [
    path("", views.MyDashboardView.as_view(), name="my_home"),
    path("applications/start/<str:code>/", views.ApplyStartView.as_view(), name="apply_start"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/edit/<slug:step>/", steps.StepView.as_view(), name="application_step"),
    path(
        "applications/<int:pk>/partners/<int:partner_pk>/delete/",
        steps.PartnerDeleteView.as_view(),
        name="application_partner_delete",
    ),
    path("applications/<int:pk>/budget/preview/", steps.BudgetPreviewView.as_view(), name="application_budget_preview"),
    path(
        "applications/<int:pk>/budget/<int:line_pk>/",
        steps.BudgetLineEditView.as_view(),
        name="application_budget_line",
    ),
    path(
        "applications/<int:pk>/budget/<int:line_pk>/delete/",
        steps.BudgetLineDeleteView.as_view(),
        name="application_budget_line_delete",
    ),
    path("applications/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/clarification/", views.ClarificationAnswerView.as_view(), name="clarification_answer"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        application_document_download,
        name="application_document",
    ),
]
