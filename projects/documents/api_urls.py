from django.urls import path

from projects.documents import api

urlpatterns = [
    path(
        "projects/<str:code>/documents/",
        api.ProjectDocumentsView.as_view(),
        name="api-project-documents",
    ),
    path("documents/<int:pk>/", api.DocumentDetailView.as_view(), name="api-document-detail"),
    path(
        "documents/<int:pk>/versions/",
        api.DocumentVersionsView.as_view(),
        name="api-document-versions",
    ),
    path(
        "document-versions/<int:pk>/download/",
        api.VersionDownloadView.as_view(),
        name="api-document-version-download",
    ),
]
