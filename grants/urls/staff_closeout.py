"""A grant's status, closeout and civic infrastructure, below /<lang>/staff/grants/ ("staff" namespace)."""

from django.urls import path

from grants.views import closeout as views

urlpatterns = [
    path("<int:pk>/status/", views.GrantStatusView.as_view(), name="grant_status"),
    path("<int:pk>/closeout/", views.CloseoutView.as_view(), name="grant_closeout"),
    path("<int:pk>/closeout/cost-share/", views.CostShareReconcileView.as_view(), name="grant_cost_share_reconcile"),
    path("<int:pk>/closeout/complete/", views.GrantCompleteView.as_view(), name="grant_complete"),
    path("<int:pk>/closeout/close/", views.GrantCloseView.as_view(), name="grant_close"),
    path("<int:pk>/infrastructure/", views.InfrastructureEditView.as_view(), name="grant_infrastructure"),
]
