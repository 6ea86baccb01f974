from django.urls import path

from accounts import views

urlpatterns = [
    path("start/", views.start, name="start"),
    path("my/profile/", views.ProfileView.as_view(), name="profile"),
    path("my/profile/organisations/new/", views.OrganisationFormView.as_view(), name="organisation_create"),
    path("my/profile/organisations/<int:pk>/", views.OrganisationFormView.as_view(), name="organisation_edit"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
]
