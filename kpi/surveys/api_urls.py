"""Survey link routes under /api/v1/ (see /work/shared/API.md)."""

from django.urls import path

from kpi.surveys import api

urlpatterns = [
    path(
        "projects/<str:code>/survey-invitations/",
        api.InvitationList.as_view(),
        name="api-kpi-survey-invitations",
    ),
    path(
        "projects/<str:code>/survey-invitations/<int:pk>/revoke/",
        api.InvitationRevoke.as_view(),
        name="api-kpi-survey-invitation-revoke",
    ),
]
