from django.urls import path

from projects.payments import api

urlpatterns = [
    path(
        "projects/<str:code>/payments/",
        api.ProjectPaymentsView.as_view(),
        name="api-project-payments",
    ),
    path(
        "projects/<str:code>/payments/<int:pk>/",
        api.PaymentDetailView.as_view(),
        name="api-project-payment-detail",
    ),
]
