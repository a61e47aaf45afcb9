from django.urls import path

from coordination.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("dashboard/approvals/", views.approvals_panel, name="approvals"),
    path("dashboard/counters/", views.counters, name="counters"),
    path(
        "dashboard/changes/<int:pk>/approve/",
        views.approve_change_request,
        name="approve_change_request",
    ),
]
