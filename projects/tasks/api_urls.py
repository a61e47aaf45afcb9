from django.urls import path

from projects.tasks import api

urlpatterns = [
    path("projects/<str:code>/tasks/", api.ProjectTaskView.as_view(), name="api-project-tasks"),
    path(
        "projects/<str:code>/schedule/",
        api.ProjectScheduleView.as_view(),
        name="api-project-schedule",
    ),
    path("tasks/<int:pk>/", api.TaskDetailView.as_view(), name="api-task-detail"),
    path(
        "tasks/<int:pk>/dependencies/",
        api.TaskDependencyCreateView.as_view(),
        name="api-task-dependencies",
    ),
    path(
        "task-dependencies/<int:pk>/",
        api.TaskDependencyDetailView.as_view(),
        name="api-task-dependency-detail",
    ),
]
