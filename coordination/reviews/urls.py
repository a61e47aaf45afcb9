from django.urls import path

from coordination.reviews import cadence_views, proposal_views, views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/action-items/", views.action_item_create, name="action_item_create"),
    path("<int:pk>/proposals/", proposal_views.decide, name="proposal_decide"),
    path("action-items/<int:item_id>/status/", views.action_item_status, name="action_item_status"),
    path("action-items/<int:item_id>/task/", views.action_item_to_task, name="action_item_task"),
    path("my-action-items/", views.my_action_items, name="my_action_items"),
    path("my-reminders/", views.my_reminders, name="my_reminders"),
    path("cadences/", cadence_views.cadences, name="cadences"),
    path("cadences/<int:pk>/", cadence_views.cadence, name="cadence"),
    path("project/<str:code>/", views.project_reviews, name="project"),
    path("project/<str:code>/panel/", views.project_panel, name="project_panel"),
    path("project/<str:code>/cadences/", views.cadence_create, name="cadence_create"),
]
