from django.urls import path

from projects.documents import views

app_name = "documents"

urlpatterns = [
    path("projects/<str:code>/documents/", views.library, name="library"),
    path("projects/<str:code>/attachments/", views.attach, name="attach"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("document-versions/<int:pk>/file/", views.version_file, name="file"),
]
