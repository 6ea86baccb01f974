"""Public pages of calls for proposals, mounted at /<lang>/calls/."""

from django.urls import path

from grants.views import public

urlpatterns = [
    path("", public.CallListView.as_view(), name="calls_list"),
    path("<str:code>/", public.CallDetailView.as_view(), name="call_detail"),
    path("<str:code>/pdf/", public.CallPdfView.as_view(), name="call_pdf"),
]
