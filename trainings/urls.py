"""Training pages, mounted at /<lang>/staff/trainings/ inside the "staff" namespace."""

from django.urls import include, path

from trainings import views

urlpatterns = [
    path("", views.EventListView.as_view(), name="training_events"),
    path("new/", views.EventCreateView.as_view(), name="training_event_create"),
    path("<int:pk>/", views.EventDetailView.as_view(), name="training_event_detail"),
    path("<int:pk>/edit/", views.EventEditView.as_view(), name="training_event_edit"),
    path("<int:pk>/status/<slug:action>/", views.EventStatusView.as_view(), name="training_event_status"),
    path("<int:pk>/sessions/add/", views.SessionCreateView.as_view(), name="training_session_create"),
    path("<int:pk>/sessions/<int:session_pk>/edit/", views.SessionEditView.as_view(), name="training_session_edit"),
    path(
        "<int:pk>/sessions/<int:session_pk>/delete/", views.SessionDeleteView.as_view(), name="training_session_delete"
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/attendance/",
        views.AttendanceView.as_view(),
        name="training_attendance",
    ),
    path("<int:pk>/enrol/", views.EnrolView.as_view(), name="training_enrol"),
    path("<int:pk>/register/", views.RegisterView.as_view(), name="training_register"),
    path("<int:pk>/enrolments/<int:enrolment_pk>/scores/", views.ScoresView.as_view(), name="training_scores"),
    path("courses/", views.CourseListView.as_view(), name="training_courses"),
    path("courses/new/", views.CourseFormView.as_view(), name="training_course_create"),
    path("courses/<int:pk>/edit/", views.CourseFormView.as_view(), name="training_course_edit"),
    path("", include("trainings.urls_imports")),
    path("", include("trainings.urls_certificates")),
]
