from django.urls import path

from coordination.reviews import api, cadence_api, proposal_api

urlpatterns = [
    path("projects/<str:code>/cadences/", api.ProjectCadencesView.as_view(), name="api-cadences"),
    path("cadences/", cadence_api.CompanyCadencesView.as_view(), name="api-company-cadences"),
    path(
        "cadences/<int:pk>/", cadence_api.CompanyCadenceView.as_view(), name="api-company-cadence"
    ),
    path("reviews/", api.ReviewListView.as_view(), name="api-reviews"),
    path("reviews/<int:pk>/", api.ReviewDetailView.as_view(), name="api-review"),
    path(
        "reviews/<int:pk>/action-items/",
        api.ReviewActionItemsView.as_view(),
        name="api-review-action-items",
    ),
    path(
        "reviews/<int:pk>/proposals/",
        proposal_api.ReviewProposalsView.as_view(),
        name="api-review-proposals",
    ),
    path("action-items/", api.ActionItemListView.as_view(), name="api-action-items"),
    path("action-items/<int:pk>/", api.ActionItemDetailView.as_view(), name="api-action-item"),
    path("reminders/", api.ReminderListView.as_view(), name="api-reminders"),
]
