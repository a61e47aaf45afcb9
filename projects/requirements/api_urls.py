from django.urls import path

from projects.requirements import api

urlpatterns = [
    path("requirements/parse/", api.ParseRequirementsView.as_view(), name="api-requirements-parse"),
]
