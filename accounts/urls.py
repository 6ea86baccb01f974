from django.urls import path

from accounts import views

urlpatterns = [
    path("start/", views.start, name="start"),
    path("my/", views.ApplicantHomeView.as_view(), name="my_home"),
    path("review/", views.ReviewerHomeView.as_view(), name="review_home"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
]

# The staff back office; every app adds its pages here under the "staff" namespace.
staff_urlpatterns = [
    path("", views.StaffHomeView.as_view(), name="home"),
]
