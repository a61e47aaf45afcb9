from django.urls import path

from kpi.complaints import api

urlpatterns = [
    path("complaints/<int:pk>/", api.ComplaintDetailView.as_view(), name="api-complaint"),
    path(
        "complaints/<int:pk>/assign/",
        api.ComplaintAssignView.as_view(),
        name="api-complaint-assign",
    ),
    path(
        "complaints/<int:pk>/respond/",
        api.ComplaintRespondView.as_view(),
        name="api-complaint-respond",
    ),
    path(
        "complaints/<int:pk>/close/", api.ComplaintCloseView.as_view(), name="api-complaint-close"
    ),
]
