from django.urls import path

from coordination.conversations import views

app_name = "conversations"

urlpatterns = [
    path("comments/thread/", views.thread_panel, name="thread"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/mentions/", views.mention_suggestions, name="mentions"),
]
urlpatterns += [
    path("projects/<str:code>/activity/", views.activity_panel, name="activity"),
]
