from django.urls import path

from projects.warning import views

app_name = "warning"

urlpatterns = [path("", views.model_page, name="models")]
