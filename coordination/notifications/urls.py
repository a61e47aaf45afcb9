from django.urls import path

from coordination.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("settings/", views.preferences, name="preferences"),
    path("badge/", views.badge, name="badge"),
]
