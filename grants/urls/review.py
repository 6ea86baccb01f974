"""The reviewer's space, mounted at /<lang>/review/ (outside the staff namespace: log-in lands on `review_home`)."""

from django.urls import path

from grants.views import review as views

urlpatterns = [
    path("", views.ReviewHomeView.as_view(), name="review_home"),
    path("assignments/<int:pk>/", views.DeclarationView.as_view(), name="review_declare"),
    path("assignments/<int:pk>/application/", views.ApplicationView.as_view(), name="review_application"),
    path("assignments/<int:pk>/score/", views.ScoreView.as_view(), name="review_score"),
    # `pk` is the application's, as templates/grants/_application_content.html builds document links with it.
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        views.review_document,
        name="review_document",
    ),
]
