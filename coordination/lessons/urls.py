from django.urls import path

from coordination.lessons import views

app_name = "lessons"

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/actions/", views.spawn_action, name="spawn_action"),
    path("reviews/<int:review_id>/panel/", views.review_panel, name="review_panel"),
    path("reviews/<int:review_id>/promote/", views.promote, name="promote"),
    path("projects/<str:code>/panel/", views.kickoff_panel, name="kickoff_panel"),
]
