from django.urls import path

from coordination.rotations import api

urlpatterns = [
    path("job-rotations/", api.JobRotationListView.as_view(), name="api-job-rotations"),
    path("job-rotations/<int:pk>/", api.JobRotationDetailView.as_view(), name="api-job-rotation"),
    path(
        "job-rotations/<int:pk>/approve/",
        api.JobRotationApproveView.as_view(),
        name="api-job-rotation-approve",
    ),
    path(
        "job-rotations/<int:pk>/reject/",
        api.JobRotationRejectView.as_view(),
        name="api-job-rotation-reject",
    ),
    path(
        "job-rotations/<int:pk>/resubmit/",
        api.JobRotationResubmitView.as_view(),
        name="api-job-rotation-resubmit",
    ),
    path(
        "job-rotations/<int:pk>/start/",
        api.JobRotationStartView.as_view(),
        name="api-job-rotation-start",
    ),
    path(
        "job-rotations/<int:pk>/check-ins/",
        api.JobRotationCheckInsView.as_view(),
        name="api-job-rotation-check-ins",
    ),
    path(
        "job-rotations/<int:pk>/close/",
        api.JobRotationCloseView.as_view(),
        name="api-job-rotation-close",
    ),
    path(
        "job-rotations/<int:pk>/cancel/",
        api.JobRotationCancelView.as_view(),
        name="api-job-rotation-cancel",
    ),
]
