urlpatterns: list = []

from .reviews import review_urlpatterns  # noqa: E402  (review loop, issue 7)

urlpatterns += review_urlpatterns

from .kickoff import kickoff_urlpatterns  # noqa: E402  (kickoff and commitment, issue 4)

urlpatterns += kickoff_urlpatterns
