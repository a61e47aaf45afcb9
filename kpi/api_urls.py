"""KPI routes under /api/v1/ (see /work/shared/API.md)."""

from django.urls import path

from kpi import api, appraisal_api, rotation_api

urlpatterns = [
    path("projects/<str:code>/surveys/", api.SurveyList.as_view(), name="api-kpi-surveys"),
    path("projects/<str:code>/complaints/", api.ComplaintList.as_view(), name="api-kpi-complaints"),
    path("kpis/", api.KpiDefinitionList.as_view(), name="api-kpi-list"),
    path("kpis/values/", api.KpiValues.as_view(), name="api-kpi-values"),
    path("kpis/scorecard/", api.KpiScorecard.as_view(), name="api-kpi-scorecard"),
    path("kpis/appraisal/", appraisal_api.KpiAppraisal.as_view(), name="api-kpi-appraisal"),
    path("kpis/compare/", api.KpiComparison.as_view(), name="api-kpi-compare"),
    path("kpis/rows/", api.KpiCellRows.as_view(), name="api-kpi-rows"),
    path(
        "kpis/rotation-comparison/",
        rotation_api.KpiRotationComparison.as_view(),
        name="api-kpi-rotation-comparison",
    ),
    path("kpis/restatements/", api.RestatementList.as_view(), name="api-kpi-restatements"),
    path(
        "kpis/restatements/<str:period>/restate/",
        api.RestatePeriod.as_view(),
        name="api-kpi-restate",
    ),
    path(
        "kpis/restatements/<str:period>/leave/",
        api.LeavePeriodFrozen.as_view(),
        name="api-kpi-restatement-leave",
    ),
]
