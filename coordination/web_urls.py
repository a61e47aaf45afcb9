from django.urls import path

from . import views

urlpatterns: list = [
    path("profile/", views.profile, name="profile"),
]
