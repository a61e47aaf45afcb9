from django.urls import path

from handover import api

urlpatterns = [
    path("projects/<str:code>/handover/", api.HandoverView.as_view(), name="api-handover"),
    path(
        "projects/<str:code>/handover/submit/",
        api.HandoverSubmitView.as_view(),
        name="api-handover-submit",
    ),
    path(
        "handover-items/<int:item_id>/provide/",
        api.ProvideItemView.as_view(),
        name="api-handover-item-provide",
    ),
    path(
        "handover-items/<int:item_id>/accept/",
        api.AcceptItemView.as_view(),
        name="api-handover-item-accept",
    ),
    path(
        "handover-items/<int:item_id>/reject/",
        api.RejectItemView.as_view(),
        name="api-handover-item-reject",
    ),
]
