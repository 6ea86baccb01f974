"""The staff registry of people, mounted at /<lang>/staff/people/ inside the "staff" namespace."""

from django.urls import path

from accounts import views_people as views

urlpatterns = [
    path("", views.PeopleListView.as_view(), name="people_list"),
    path("new/", views.PersonRegisterView.as_view(), name="person_create"),
    path("duplicates/", views.DuplicateListView.as_view(), name="people_duplicates"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("compare/<int:first>/<int:second>/", views.PersonCompareView.as_view(), name="people_compare"),
    path(
        "compare/<int:first>/<int:second>/different/", views.PersonMarkDifferentView.as_view(), name="people_different"
    ),
]
