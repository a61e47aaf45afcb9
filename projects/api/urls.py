from django.urls import path

from projects.api import erp, members, views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="api-customer-list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="api-customer-detail"),
    path(
        "erp/customers/<str:erp_id>/",
        erp.ErpCustomerUpsertView.as_view(),
        name="api-erp-customer-upsert",
    ),
    path("projects/", views.ProjectListView.as_view(), name="api-project-list"),
    path("projects/<str:code>/", views.ProjectDetailView.as_view(), name="api-project-detail"),
    path(
        "projects/<str:code>/transition/",
        views.ProjectTransitionView.as_view(),
        name="api-project-transition",
    ),
    path(
        "projects/<str:code>/milestones/",
        views.MilestoneListView.as_view(),
        name="api-project-milestones",
    ),
    path(
        "projects/<str:code>/risks/",
        views.RiskListView.as_view(),
        name="api-project-risks",
    ),
    path(
        "projects/<str:code>/members/",
        members.ProjectMemberListView.as_view(),
        name="api-project-members",
    ),
    path(
        "project-members/<int:pk>/",
        members.ProjectMemberDetailView.as_view(),
        name="api-project-member-detail",
    ),
    path("milestones/<int:pk>/", views.MilestoneDetailView.as_view(), name="api-milestone-detail"),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="api-risk-detail"),
    # bulk before the single upsert, so "bulk" is never read as an erp_id
    path("erp/projects/bulk/", erp.ErpProjectBulkView.as_view(), name="api-erp-project-bulk"),
    path(
        "erp/projects/<str:erp_id>/",
        erp.ErpProjectUpsertView.as_view(),
        name="api-erp-project-upsert",
    ),
]
