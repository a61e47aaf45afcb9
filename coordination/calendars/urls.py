from django.urls import path

from coordination.calendars import views

urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="calendar_feed"),
    path("calendar/feed/", views.my_feed, name="calendar_my_feed"),
    path("calendar/feed/reset/", views.my_feed_reset, name="calendar_feed_reset"),
    path("projects/<str:code>/calendar/", views.project_feed, name="calendar_project_feed"),
    path(
        "projects/<str:code>/calendar/reset/",
        views.project_feed_reset,
        name="calendar_project_feed_reset",
    ),
]
