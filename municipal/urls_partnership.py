"""Routes of the partnership area (see municipal/urls.py): memoranda, focal persons, profile, population."""

from django.urls import path

from municipal.views import partnership as views

urlpatterns = [
    path("<slug:code>/mou/new/", views.MemorandumCreateView.as_view(), name="memorandum_create"),
    path("<slug:code>/mou/<int:pk>/edit/", views.MemorandumEditView.as_view(), name="memorandum_edit"),
    path("<slug:code>/mou/<int:pk>/sign/", views.MemorandumSignView.as_view(), name="memorandum_sign"),
    path("<slug:code>/mou/<int:pk>/end/", views.MemorandumEndView.as_view(), name="memorandum_end"),
    path("<slug:code>/mou/<int:pk>/file/", views.MemorandumFileView.as_view(), name="memorandum_file"),
    path("<slug:code>/focal-persons/new/", views.FocalPersonCreateView.as_view(), name="focal_person_create"),
    path("<slug:code>/focal-persons/<int:pk>/edit/", views.FocalPersonEditView.as_view(), name="focal_person_edit"),
    path(
        "<slug:code>/focal-persons/<int:pk>/retire/",
        views.FocalPersonRetireView.as_view(),
        name="focal_person_retire",
    ),
    path("<slug:code>/profile/edit/", views.ProfileEditView.as_view(), name="municipality_profile_edit"),
    path("<slug:code>/population/new/", views.PopulationFigureCreateView.as_view(), name="population_figure_create"),
    path(
        "<slug:code>/population/<int:pk>/remove/",
        views.PopulationFigureRemoveView.as_view(),
        name="population_figure_remove",
    ),
]
