from django.urls import path

from projects.payments import views

app_name = "payments"

urlpatterns = [
    path("projects/<str:code>/payments/", views.panel, name="panel"),
    path("projects/<str:code>/payments/new/", views.create, name="create"),
    path("payments/<int:pk>/edit/", views.edit, name="edit"),
    path("payments/<int:pk>/invoiced/", views.invoiced, name="invoiced"),
    path("payments/<int:pk>/received/", views.received, name="received"),
    path("payments/<int:pk>/delete/", views.delete, name="delete"),
]
