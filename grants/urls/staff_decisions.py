"""Selection (ranking, committee meetings, decisions), mounted at /<lang>/staff/selection/ in the "staff" namespace."""

from django.urls import path

from grants.views import staff_decisions as views

urlpatterns = [
    path("calls/<str:code>/", views.RankingView.as_view(), name="ranking"),
    path("calls/<str:code>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("applications/<int:pk>/decide/", views.DecisionApplicationView.as_view(), name="decision_application"),
]
