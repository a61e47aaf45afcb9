"""The site's URLs plus the bare comparison views of the benchmarks (never in production)."""

from django.urls import include, path

from bench import bare

urlpatterns = [
    path("bench/bare-projects/", bare.bare_projects),
    path("", include("coordination.urls")),
]
