from django.urls import path

from . import views

urlpatterns: list = [
    path("profile/", views.profile, name="profile"),
]

from .views_kickoff import kickoff_urlpatterns  # noqa: E402  (kickoff and commitment, issue 4)

urlpatterns += kickoff_urlpatterns

from django.urls import include  # noqa: E402

urlpatterns += [path("reviews/", include("coordination.views_reviews"))]  # review loop, issue 7
