from django.urls import path

from coordination.conversations import api

urlpatterns = [
    path("comments/", api.CommentListView.as_view(), name="api-comments"),
    path("comments/<int:pk>/", api.CommentDetailView.as_view(), name="api-comment-detail"),
]
