from django.urls import path

from handover import views

app_name = "handover"

urlpatterns = [
    path("", views.handover_list, name="list"),
    path("items/<int:item_id>/provide/", views.provide, name="provide"),
    path("items/<int:item_id>/accept/", views.accept, name="accept"),
    path("items/<int:item_id>/reject/", views.reject, name="reject"),
    path("items/<int:item_id>/file/", views.evidence_file, name="file"),
    path("<str:code>/", views.checklist, name="checklist"),
    path("<str:code>/panel/", views.panel, name="panel"),
    path("<str:code>/submit/", views.submit, name="submit"),
    path("<str:code>/accept-all/", views.accept_all, name="accept_all"),
]
