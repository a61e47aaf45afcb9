from django.urls import path

from projects.changes import views

app_name = "changes"

urlpatterns = [
    path("changes/inbox/", views.inbox, name="inbox"),
    path("changes/<int:pk>/", views.detail, name="detail"),
    path("changes/<int:pk>/edit/", views.edit, name="edit"),
    path("changes/<int:pk>/assess/", views.assess, name="assess"),
    path("changes/<int:pk>/apply-to-tasks/", views.apply_to_tasks, name="apply_to_tasks"),
    path("changes/<int:pk>/<str:action>/", views.act, name="act"),
    path("projects/<str:code>/changes/", views.project_page, name="project"),
    path("projects/<str:code>/changes/panel/", views.project_panel, name="panel"),
    path("projects/<str:code>/changes/new/", views.create, name="create"),
]
