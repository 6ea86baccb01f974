"""Routes of the packages area (see municipal/urls.py): technical-assistance packages, their activities,
deliverables with versions, participants and hearing attendance."""

from django.urls import path

from municipal.views import packages

urlpatterns = [
    path("<slug:code>/packages/new/", packages.PackageCreateView.as_view(), name="ta_package_create"),
    path("packages/<int:pk>/", packages.PackageDetailView.as_view(), name="ta_package_detail"),
    path("packages/<int:pk>/edit/", packages.PackageEditView.as_view(), name="ta_package_edit"),
    path("packages/<int:pk>/activities/new/", packages.ActivityCreateView.as_view(), name="ta_activity_create"),
    path("activities/<int:pk>/", packages.ActivityDetailView.as_view(), name="ta_activity_detail"),
    path("activities/<int:pk>/edit/", packages.ActivityEditView.as_view(), name="ta_activity_edit"),
    path("activities/<int:pk>/status/<slug:action>/", packages.ActivityStatusView.as_view(), name="ta_activity_status"),
    path(
        "activities/<int:pk>/deliverables/new/",
        packages.DeliverableCreateView.as_view(),
        name="ta_deliverable_create",
    ),
    path(
        "deliverables/<int:pk>/versions/new/",
        packages.VersionCreateView.as_view(),
        name="ta_deliverable_version_create",
    ),
    path(
        "deliverable-versions/<int:pk>/download/",
        packages.VersionDownloadView.as_view(),
        name="ta_deliverable_version_download",
    ),
    path("activities/<int:pk>/participants/add/", packages.ParticipantAddView.as_view(), name="ta_participant_add"),
    path(
        "activities/<int:pk>/participants/<int:person_pk>/remove/",
        packages.ParticipantRemoveView.as_view(),
        name="ta_participant_remove",
    ),
    path("activities/<int:pk>/hearing/", packages.HearingAttendanceView.as_view(), name="ta_hearing_attendance"),
]
