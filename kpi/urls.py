from django.urls import path

from kpi import appraisal, rotation_views, views
from kpi.surveys import views as survey_views

app_name = "kpi"

urlpatterns = [
    path("", views.index, name="index"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/pdf/", views.scorecards_pdf, name="scorecards_pdf"),
    path("compare/", views.compare, name="compare"),
    path("rotations/", rotation_views.rotation_compare, name="rotation_compare"),
    path("export/", views.export, name="export"),
    path("appraisal/", appraisal.page, name="appraisal"),
    path("appraisal/export/", appraisal.export, name="appraisal_export"),
    path("appraisal/pdf/", appraisal.pdf_file, name="appraisal_pdf"),
    path("projects/<str:code>/panel/", views.panel, name="panel"),
    path("projects/<str:code>/surveys/", views.add_survey, name="add_survey"),
    path("projects/<str:code>/complaints/", views.add_complaint, name="add_complaint"),
    path(
        "projects/<str:code>/survey-invitations/",
        survey_views.create_invitation,
        name="create_survey_invitation",
    ),
    path(
        "projects/<str:code>/survey-invitations/<int:pk>/revoke/",
        survey_views.revoke_invitation,
        name="revoke_survey_invitation",
    ),
    path("rows/", views.cell_rows, name="rows"),
    path("restatements/", views.restatements, name="restatements"),
    path(
        "restatements/<str:period>/restate/",
        views.decide_restatement,
        {"decision": "restate"},
        name="restate",
    ),
    path(
        "restatements/<str:period>/leave/",
        views.decide_restatement,
        {"decision": "leave"},
        name="leave_frozen",
    ),
]
