from django.urls import path

from . import views

urlpatterns: list = [
    path("profile/", views.profile, name="profile"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]

from .views_kickoff import kickoff_urlpatterns  # noqa: E402  (kickoff and commitment, issue 4)

urlpatterns += kickoff_urlpatterns

from django.urls import include  # noqa: E402

urlpatterns += [path("reviews/", include("coordination.views_reviews"))]  # review loop, issue 7
