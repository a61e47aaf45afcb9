"""/api/v1/: each app contributes its own routes."""

from django.urls import include, path

from .views import ObtainTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("", include("projects.api.urls")),
    path("", include("handover.api_urls")),
    path("", include("coordination.api.meeting_urls")),
    path("", include("kpi.api_urls")),
]
