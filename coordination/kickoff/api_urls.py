from django.urls import path

from coordination.kickoff import api

urlpatterns = [
    path("projects/<str:code>/kickoff/", api.KickoffView.as_view(), name="api-kickoff"),
    path(
        "projects/<str:code>/kickoff/hold/", api.KickoffHoldView.as_view(), name="api-kickoff-hold"
    ),
    path(
        "projects/<str:code>/commitment/",
        api.ProjectCommitmentView.as_view(),
        name="api-project-commitment",
    ),
    path("commitments/<int:pk>/", api.CommitmentDetailView.as_view(), name="api-commitment-detail"),
    path(
        "commitments/<int:pk>/sign/", api.CommitmentSignView.as_view(), name="api-commitment-sign"
    ),
    path(
        "commitments/<int:pk>/verify/",
        api.CommitmentVerifyView.as_view(),
        name="api-commitment-verify",
    ),
    path(
        "commitments/<int:pk>/amend/",
        api.CommitmentAmendView.as_view(),
        name="api-commitment-amend",
    ),
]
