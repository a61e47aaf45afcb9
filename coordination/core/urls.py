from django.urls import path

from coordination.core import views

urlpatterns: list = [
    path("profile/", views.profile, name="profile"),
    path(
        "profile/tokens/<int:pk>/revoke/", views.profile_token_revoke, name="profile_token_revoke"
    ),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
