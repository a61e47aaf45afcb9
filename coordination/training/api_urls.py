from django.urls import path

from coordination.training import api

urlpatterns = [
    path("training/sessions/", api.SessionListView.as_view(), name="api-training-sessions"),
    path(
        "training/sessions/<int:pk>/",
        api.SessionDetailView.as_view(),
        name="api-training-session",
    ),
    path(
        "training/sessions/<int:pk>/attendance/",
        api.SessionAttendanceView.as_view(),
        name="api-training-attendance",
    ),
    path(
        "training/sessions/<int:pk>/feedback/",
        api.SessionFeedbackView.as_view(),
        name="api-training-feedback",
    ),
    path("training/coverage/", api.CoverageView.as_view(), name="api-training-coverage"),
    path(
        "training/people/<str:username>/",
        api.PersonRecordView.as_view(),
        name="api-training-person",
    ),
    path(
        "training/material-versions/<int:pk>/download/",
        api.MaterialDownloadView.as_view(),
        name="api-training-material-download",
    ),
]
