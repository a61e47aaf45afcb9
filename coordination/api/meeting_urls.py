urlpatterns: list = []

from .kickoff import kickoff_urlpatterns  # noqa: E402  (kickoff and commitment, issue 4)

urlpatterns += kickoff_urlpatterns
