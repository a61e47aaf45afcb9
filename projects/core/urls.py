from django.urls import path

from projects.core import team_views, views

app_name = "projects"

# Mounted under /projects/ (coordination/urls.py).
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<str:code>/", views.project_detail, name="detail"),
    path("<str:code>/edit/", views.project_edit, name="edit"),
    path("<str:code>/transition/", views.project_transition, name="transition"),
    path("<str:code>/milestones/new/", views.milestone_form, name="milestone_create"),
    path("<str:code>/milestones/<int:pk>/edit/", views.milestone_form, name="milestone_edit"),
    path("<str:code>/risks/new/", views.risk_form, name="risk_create"),
    path("<str:code>/risks/<int:pk>/edit/", views.risk_form, name="risk_edit"),
    path("<str:code>/members/", team_views.members_panel, name="members"),
    path("<str:code>/members/add/", team_views.member_add, name="member_add"),
    path("<str:code>/members/<int:pk>/remove/", team_views.member_remove, name="member_remove"),
]
