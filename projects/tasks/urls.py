from django.urls import path

from projects.tasks import views

app_name = "tasks"

urlpatterns = [
    path("projects/<str:code>/tasks/", views.task_list, name="list"),
    path("projects/<str:code>/tasks/board/", views.task_board, name="board"),
    path("projects/<str:code>/tasks/gantt/", views.task_gantt, name="gantt"),
    path("projects/<str:code>/tasks/new/", views.task_create, name="create"),
    path("tasks/<int:pk>/", views.task_detail, name="detail"),
    path("tasks/<int:pk>/status/", views.task_status, name="status"),
    path("tasks/<int:pk>/move/", views.task_move, name="move"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="delete"),
    path("tasks/<int:pk>/dependencies/", views.dependency_add, name="dependency_add"),
    path("task-dependencies/<int:pk>/delete/", views.dependency_remove, name="dependency_remove"),
]
