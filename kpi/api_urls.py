"""KPI routes under /api/v1/ (see /work/shared/API.md)."""

from django.urls import path

from kpi import api

urlpatterns = [
    path("projects/<str:code>/surveys/", api.SurveyList.as_view(), name="api-kpi-surveys"),
    path("projects/<str:code>/complaints/", api.ComplaintList.as_view(), name="api-kpi-complaints"),
    path("kpis/", api.KpiDefinitionList.as_view(), name="api-kpi-list"),
    path("kpis/values/", api.KpiValues.as_view(), name="api-kpi-values"),
    path("kpis/scorecard/", api.KpiScorecard.as_view(), name="api-kpi-scorecard"),
    path("kpis/compare/", api.KpiComparison.as_view(), name="api-kpi-compare"),
]
