from django.urls import path

from projects.core import customer_views

app_name = "customers"

# Mounted under /customers/ (coordination/urls.py).
urlpatterns = [
    path("", customer_views.customer_list, name="list"),
    path("new/", customer_views.customer_create, name="create"),
    path("<int:pk>/", customer_views.customer_detail, name="detail"),
]
