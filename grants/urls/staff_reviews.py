"""Staff pages for reviewer assignment and reviews, at /<lang>/staff/reviews/ in the "staff" namespace."""

from django.urls import path

from grants.views import staff_reviews as views

urlpatterns = [
    path("", views.ReviewsHomeView.as_view(), name="reviews_home"),
    path("calls/<str:code>/", views.CallBulkAssignView.as_view(), name="reviews_call"),
    path("applications/<int:pk>/", views.ApplicationReviewsView.as_view(), name="reviews_application"),
    path("applications/<int:pk>/panel/", views.ReviewsPanelView.as_view(), name="reviews_panel"),
    path("applications/<int:pk>/assign/", views.AssignView.as_view(), name="reviews_assign"),
    path("applications/<int:pk>/third/", views.AssignView.as_view(third=True), name="reviews_third"),
    path("applications/<int:pk>/reviewed/", views.MarkReviewedView.as_view(), name="reviews_mark_reviewed"),
    path("assignments/<int:pk>/remove/", views.RemoveView.as_view(), name="reviews_remove"),
]
