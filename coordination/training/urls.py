from django.urls import path

from coordination.training import views

app_name = "training"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_new, name="new"),
    path("me/", views.my_record, name="me"),
    path("coverage/", views.coverage, name="coverage"),
    path("people/<str:username>/", views.person_record, name="person"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/held/", views.mark_held, name="held"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/materials/", views.material_add, name="material_add"),
    path("materials/<int:pk>/versions/", views.material_version, name="material_version"),
    path("material-versions/<int:pk>/file/", views.material_file, name="material_file"),
]
