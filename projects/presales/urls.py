from django.urls import path

from projects.presales import views

app_name = "presales"

urlpatterns = [
    path("<str:code>/presales/", views.presales_page, name="page"),
    path("<str:code>/presales/panel/", views.presales_panel, name="panel"),
    path("<str:code>/presales/feasibility/new/", views.assessment_create, name="assessment_create"),
    path("<str:code>/presales/quote/", views.quote_form, name="quote"),
    path("presales/feasibility/<int:pk>/", views.assessment_detail, name="assessment"),
    path("presales/feasibility/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path(
        "presales/feasibility/<int:pk>/<slug:action>/",
        views.assessment_action,
        name="assessment_action",
    ),
]
