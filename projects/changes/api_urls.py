from django.urls import path

from projects.changes import api

urlpatterns = [
    path(
        "projects/<str:code>/change-requests/",
        api.ProjectChangeRequestView.as_view(),
        name="api-project-change-requests",
    ),
    path(
        "projects/<str:code>/change-requests/measures/",
        api.ProjectChangeMeasuresView.as_view(),
        name="api-project-change-request-measures",
    ),
    path("change-requests/", api.ChangeRequestListView.as_view(), name="api-change-request-list"),
    path(
        "change-requests/<int:pk>/",
        api.ChangeRequestDetailView.as_view(),
        name="api-change-request-detail",
    ),
    path(
        "change-requests/<int:pk>/submit/",
        api.SubmitView.as_view(),
        name="api-change-request-submit",
    ),
    path(
        "change-requests/<int:pk>/assess/",
        api.AssessView.as_view(),
        name="api-change-request-assess",
    ),
    path(
        "change-requests/<int:pk>/approve/",
        api.ApproveView.as_view(),
        name="api-change-request-approve",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        api.RejectView.as_view(),
        name="api-change-request-reject",
    ),
    path(
        "change-requests/<int:pk>/withdraw/",
        api.WithdrawView.as_view(),
        name="api-change-request-withdraw",
    ),
    path(
        "change-requests/<int:pk>/implement/",
        api.ImplementView.as_view(),
        name="api-change-request-implement",
    ),
]
