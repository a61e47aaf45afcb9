from django.urls import path

from projects.warning import api

urlpatterns = [
    path(
        "projects/<str:code>/warning/",
        api.ProjectWarningView.as_view(),
        name="api-project-warning",
    ),
]
