from django.urls import path

from coordination.notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read/", api.NotificationReadView.as_view(), name="api-notifications-read"),
    path(
        "notifications/preferences/",
        api.NotificationPreferencesView.as_view(),
        name="api-notifications-preferences",
    ),
]
