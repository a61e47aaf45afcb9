from django.urls import path

from coordination.rotations import views

app_name = "rotations"

# under /reviews/job-rotations/ (coordination/urls.py), where the rotation records always were
urlpatterns = [
    path("", views.rotation_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/check-ins/", views.check_in, name="check_in"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
