"""The customer's survey page: /s/<token>/, outside any namespace (a public route,
coordination.core.security.PUBLIC_ROUTES). The staff's routes are in kpi/urls.py."""

from django.urls import path

from kpi.surveys import views

urlpatterns = [
    path("s/<str:token>/", views.answer, name="survey_answer"),
]
