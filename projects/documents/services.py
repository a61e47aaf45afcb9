"""Writes of project documents: a new document (its version 1), a new version, a download.

Every upload goes through coordination.core.uploads.check_upload (size, extension,
content sniffing), the rule the handover evidence follows too. Files are saved through
the default storage (settings.STORAGES), so they land wherever the company points it.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.core.services import record_audit
from coordination.core.uploads import check_upload, content_type_of
from projects.core.models import Project
from projects.documents.models import AttachedKind, Category, Document, DocumentVersion
from projects.documents.selectors import can_upload

# What an attachment may be attached to: the model (by label, so this room imports none of
# the rooms above it) and the lookup from it to its project.
TARGETS: dict[str, tuple[str, str]] = {
    AttachedKind.TASK: ("projects.Task", "project"),
    AttachedKind.CHANGE_REQUEST: ("projects.ChangeRequest", "project"),
    AttachedKind.FEASIBILITY: ("projects.FeasibilityAssessment", "project"),
    AttachedKind.REVIEW: ("coordination.Review", "project"),
    AttachedKind.COMPLAINT: ("kpi.Complaint", "project"),
    AttachedKind.HANDOVER_ITEM: ("handover.HandoverItem", "handover__project"),
}
AUDIT_FIELDS = ("title", "category", "attached_kind", "attached_id", "current_version")


def require_uploader(user, project: Project) -> None:
    if not can_upload(user, project):
        raise PermissionDenied(_("只有项目成员可以上传文档。"))


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_target(project: Project, kind: str, target_id: int | None) -> None:
    """An attachment's target exists and belongs to the project (else a 400 on `target`)."""
    if not kind:
        return
    if kind not in TARGETS or target_id is None:
        raise ValidationError({"target": [_("无法附加到该对象。")]})
    label, to_project = TARGETS[kind]
    if not apps.get_model(label).objects.filter(pk=target_id, **{to_project: project}).exists():
        raise ValidationError({"target": [_("该对象不属于本项目。")]})


def save_new_version(parent, version_class, link: str, *, by, file, note: str = ""):
    """A new version of `parent` (a document, a training material), `link` naming the version's
    foreign key to it: the upload checked (coordination.core.uploads), its size and SHA-256
    kept, the parent's current version moved on. The file is stored under a fresh random name
    before its row: a failed insert leaves an orphan file at worst, never a row without its
    file."""
    storage_name = check_upload(file)
    version = version_class(
        **{link: parent},
        version=parent.current_version + 1,
        filename=(file.name or storage_name)[:255],
        size=file.size,
        sha256=sha256_of(file),
        content_type=content_type_of(storage_name),
        note=(note or "")[:500],
        uploaded_by=by,
    )
    version.file.save(storage_name, file, save=False)
    version.save()
    parent.current_version = version.version
    parent.save(update_fields=["current_version", "updated_at"])
    return version


def _save_version(document: Document, *, by, file, note: str) -> DocumentVersion:
    return save_new_version(document, DocumentVersion, "document", by=by, file=file, note=note)


@transaction.atomic
def create_document(
    project: Project,
    *,
    by,
    file,
    title: str,
    category: str = Category.OTHER,
    note: str = "",
    attached_kind: str = "",
    attached_id: int | None = None,
    authorized: bool = False,
) -> Document:
    """1. The uploader is a member who may write (PermissionDenied otherwise), unless the
       calling room already decided who may attach (`authorized`: the handover's rule of
       the business side, which holds in stages where the library is closed).
    2. The title is not blank, the category known, the target (if any) one of the project's.
    3. The file passes the upload checks (UploadTooLarge, ValidationError on `file`).
    4. The document and its version 1 are stored and audited."""
    if not authorized:
        require_uploader(by, project)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("请填写标题。")]
    if category not in Category.values:
        errors["category"] = [_("未知的类别。")]
    if errors:
        raise ValidationError(errors)
    check_target(project, attached_kind, attached_id)
    document = Document.objects.create(
        project=project,
        title=title[:200],
        category=category,
        attached_kind=attached_kind or "",
        attached_id=attached_id if attached_kind else None,
        created_by=by,
    )
    version = _save_version(document, by=by, file=file, note=note)
    record_audit(
        actor=by,
        action="document.created",
        target=document,
        after={**{f: getattr(document, f) for f in AUDIT_FIELDS}, **version_facts(version)},
    )
    return document


@transaction.atomic
def add_version(
    document_id: int, *, by, file, note: str = "", authorized: bool = False
) -> DocumentVersion:
    """A new version on top of the others; none of the earlier ones changes."""
    document = Document.objects.select_for_update().select_related("project").get(pk=document_id)
    if not authorized:
        require_uploader(by, document.project)
    before = document.current_version
    version = _save_version(document, by=by, file=file, note=note)
    record_audit(
        actor=by,
        action="document.version_added",
        target=document,
        before={"current_version": before},
        after={"current_version": version.version, **version_facts(version)},
    )
    return version


@transaction.atomic
def record_download(version: DocumentVersion, *, by, inline: bool) -> None:
    """Who read which version, and whether it was previewed or downloaded."""
    record_audit(
        actor=by,
        action="document.previewed" if inline else "document.downloaded",
        target=version,
        after={"document": version.document_id, "version": version.version},
        project_code=version.document.project.code,
    )


def version_facts(version) -> dict:
    """What an audit event says of a new version (a document's, a training material's)."""
    return {
        "version": version.version,
        "filename": version.filename,
        "size": version.size,
        "sha256": version.sha256,
        "note": version.note,
    }
