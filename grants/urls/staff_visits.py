"""Monitoring visits and their follow-up actions, at /<lang>/staff/grants/ in the "staff" namespace."""

from django.urls import path

from grants.views import visits as views

urlpatterns = [
    path("<int:pk>/visits/new/", views.VisitFormView.as_view(), name="visit_create"),
    path("<int:pk>/visits/<int:visit_pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("<int:pk>/visits/<int:visit_pk>/edit/", views.VisitFormView.as_view(), name="visit_edit"),
    path(
        "<int:pk>/visits/<int:visit_pk>/photos/<int:photo_pk>/",
        views.VisitPhotoView.as_view(),
        name="visit_photo",
    ),
    path(
        "<int:pk>/visits/<int:visit_pk>/photos/<int:photo_pk>/thumbnail/",
        views.VisitPhotoView.as_view(thumbnail=True),
        name="visit_photo_thumbnail",
    ),
    path(
        "<int:pk>/visits/<int:visit_pk>/photos/<int:photo_pk>/delete/",
        views.VisitPhotoDeleteView.as_view(),
        name="visit_photo_delete",
    ),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow_up_list"),
    path("follow-ups/<int:follow_up_pk>/done/", views.FollowUpDoneView.as_view(), name="follow_up_done"),
]
