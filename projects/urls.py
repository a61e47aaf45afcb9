from django.urls import include, path

from . import views

# Mounted at the site root (coordination/urls.py): "home" stays un-namespaced, the project
# pages live under /projects/ with the "projects:" namespace.
project_patterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<str:code>/", views.project_detail, name="detail"),
    path("<str:code>/edit/", views.project_edit, name="edit"),
    path("<str:code>/transition/", views.project_transition, name="transition"),
    path("<str:code>/milestones/new/", views.milestone_form, name="milestone_create"),
    path("<str:code>/milestones/<int:pk>/edit/", views.milestone_form, name="milestone_edit"),
    path("<str:code>/risks/new/", views.risk_form, name="risk_create"),
    path("<str:code>/risks/<int:pk>/edit/", views.risk_form, name="risk_edit"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", include((project_patterns, "projects"))),
    path("projects/", include("projects.views_presales", namespace="presales")),
    path("", include("projects.views_changes", namespace="changes")),  # change requests
    path("", include("projects.views_dashboard", namespace="dashboard")),  # portfolio, issue 9
]
