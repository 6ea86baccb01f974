"""Staff pages for calls for proposals, at /<lang>/staff/calls/ in the "staff" namespace."""

from django.urls import path

from grants.views import staff_calls as views

urlpatterns = [
    path("", views.CallListView.as_view(), name="calls_list"),
    path("new/", views.CallFormView.as_view(), name="call_create"),
    path("<str:code>/", views.CallDetailView.as_view(), name="call_detail"),
    path("<str:code>/edit/", views.CallFormView.as_view(), name="call_edit"),
    path("<str:code>/preview/", views.CallPreviewView.as_view(), name="call_preview"),
    path("<str:code>/publish/", views.CallPublishView.as_view(), name="call_publish"),
    path("<str:code>/close/", views.CallCloseView.as_view(), name="call_close"),
]
