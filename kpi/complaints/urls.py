from django.urls import path

from kpi.complaints import views

app_name = "complaints"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/close/", views.close, name="close"),
]
