from django.urls import path

from coordination.kickoff import views

urlpatterns = [
    path("projects/<str:code>/kickoff/", views.kickoff_edit, name="kickoff_edit"),
    path("projects/<str:code>/kickoff/panel/", views.kickoff_panel, name="kickoff_panel"),
    path("projects/<str:code>/kickoff/hold/", views.kickoff_hold, name="kickoff_hold"),
    path("projects/<str:code>/commitment/", views.project_commitment, name="project_commitment"),
    path(
        "projects/<str:code>/commitment/print/",
        views.project_commitment_print,
        name="project_commitment_print",
    ),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/sign/", views.commitment_sign, name="commitment_sign"),
    path("commitments/<int:pk>/print/", views.commitment_print, name="commitment_print"),
    path("commitments/<int:pk>/pdf/", views.commitment_pdf, name="commitment_pdf"),
]
