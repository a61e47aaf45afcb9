"""Reads of project documents shared by the pages, the API and the rooms that show
attachments. Visibility is the project's: whoever may see the project sees its documents."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from coordination.core.roles import can_write, is_pmo
from projects.core.models import CLOSED_STAGES, Project
from projects.core.selectors import project_roles, visible_projects
from projects.documents.models import Document, DocumentVersion


def can_upload(user, project: Project) -> bool:
    """New documents and new versions: the project's members (both departments) and PMO,
    never a read-only role, never on a closed project."""
    if not can_write(user) or project.stage in CLOSED_STAGES:
        return False
    return is_pmo(user) or bool(project_roles(user, project))


def visible_documents(user) -> QuerySet[Document]:
    return Document.objects.filter(project__in=visible_projects(user))


def _latest(field: str) -> Subquery:
    return Subquery(
        DocumentVersion.objects.filter(document=OuterRef("pk"))
        .order_by("-version")
        .values(field)[:1]
    )


def with_latest(qs: QuerySet[Document]) -> QuerySet[Document]:
    """Each document with its latest version's facts as annotations: one query for a list."""
    return qs.select_related("created_by").annotate(
        latest_filename=_latest("filename"),
        latest_size=_latest("size"),
        latest_uploaded_at=_latest("uploaded_at"),
        latest_version_id=_latest("pk"),
        latest_uploaded_by=_latest("uploaded_by__username"),
        latest_uploader_first=_latest("uploaded_by__first_name"),
        latest_uploader_last=_latest("uploaded_by__last_name"),
    )


def library(project: Project, *, category: str = "") -> QuerySet[Document]:
    """The project's library (not the attachments of its records), newest change first."""
    qs = Document.objects.filter(project=project, attached_kind="")
    if category:
        qs = qs.filter(category=category)
    return with_latest(qs).order_by("-updated_at", "-id")


def attachments(project: Project, kind: str, target_id: int) -> QuerySet[Document]:
    qs = Document.objects.filter(project=project, attached_kind=kind, attached_id=target_id)
    return with_latest(qs).order_by("-updated_at", "-id")


def with_versions(qs: QuerySet[Document]) -> QuerySet[Document]:
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-version")
    return qs.select_related("project", "created_by").prefetch_related(
        Prefetch("versions", queryset=versions)
    )


def document_for(user, pk: int) -> Document:
    """A document the user may see with its versions (newest first); DoesNotExist otherwise."""
    return with_versions(visible_documents(user)).get(pk=pk)


def visible_versions(user) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.select_related("document__project").filter(
        document__project__in=visible_projects(user)
    )


def version_for(user, pk: int) -> DocumentVersion:
    """A version the user may see; DoesNotExist (404) otherwise."""
    return visible_versions(user).get(pk=pk)
