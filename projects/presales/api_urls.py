from django.urls import path

from projects.presales import api

urlpatterns = [
    path(
        "projects/<str:code>/feasibility/",
        api.ProjectFeasibilityView.as_view(),
        name="project-feasibility",
    ),
    path("feasibility/<int:pk>/", api.FeasibilityDetailView.as_view(), name="feasibility-detail"),
    path(
        "feasibility/<int:pk>/submit/",
        api.FeasibilitySubmitView.as_view(),
        name="feasibility-submit",
    ),
    path(
        "feasibility/<int:pk>/approve/",
        api.FeasibilityApproveView.as_view(),
        name="feasibility-approve",
    ),
    path(
        "feasibility/<int:pk>/return/",
        api.FeasibilityReturnView.as_view(),
        name="feasibility-return",
    ),
    path(
        "feasibility/<int:pk>/copy-risks/",
        api.FeasibilityCopyRisksView.as_view(),
        name="feasibility-copy-risks",
    ),
    path("projects/<str:code>/quote/", api.ProjectQuoteView.as_view(), name="project-quote"),
    path(
        "projects/<str:code>/promise-gaps/",
        api.PromiseGapsView.as_view(),
        name="project-promise-gaps",
    ),
]
