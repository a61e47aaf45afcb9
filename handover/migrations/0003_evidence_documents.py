"""Handover evidence files move onto the project documents.

Every item that holds a file gets a Document attached to it (attached_kind
"handover_item") with a version 1 that keeps the very same stored file, its original
name, its size, the person who provided it and when; the SHA-256 is computed from the
stored bytes. The item then points at that version and its own file columns go.
"""

import hashlib
import mimetypes

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

CHUNK = 1024 * 1024


def _sha256(field_file) -> str:
    digest = hashlib.sha256()
    try:
        with field_file.storage.open(field_file.name, "rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
    except OSError:
        return ""  # the row is kept even if its file went missing from the storage
    return digest.hexdigest()


def _fallback_user(apps, item):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    return (
        item.provided_by
        or item.reviewed_by
        or User.objects.filter(is_superuser=True).order_by("pk").first()
        or User.objects.order_by("pk").first()
    )


def forward(apps, schema_editor):
    HandoverItem = apps.get_model("handover", "HandoverItem")
    Document = apps.get_model("projects", "Document")
    DocumentVersion = apps.get_model("projects", "DocumentVersion")
    items = (
        HandoverItem.objects.exclude(evidence_file="")
        .select_related("handover__project", "provided_by", "reviewed_by")
        .order_by("pk")
    )
    for item in items.iterator(chunk_size=500):
        by = _fallback_user(apps, item)
        when = item.provided_at or item.updated_at
        document = Document.objects.create(
            project=item.handover.project,
            title=(item.title_zh or item.evidence_filename or "移交资料")[:200],
            category="acceptance",
            attached_kind="handover_item",
            attached_id=item.pk,
            current_version=1,
            created_by=by,
        )
        name = item.evidence_file.name
        version = DocumentVersion.objects.create(
            document=document,
            version=1,
            file=name,
            filename=(item.evidence_filename or name.rsplit("/", 1)[-1])[:255],
            size=item.evidence_size if item.evidence_size is not None else item.evidence_file.size,
            sha256=_sha256(item.evidence_file),
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            uploaded_by=by,
        )
        # auto_now_add stamped today: the dates are the item's own.
        Document.objects.filter(pk=document.pk).update(created_at=when, updated_at=when)
        DocumentVersion.objects.filter(pk=version.pk).update(uploaded_at=when)
        HandoverItem.objects.filter(pk=item.pk).update(evidence_version=version)


def backward(apps, schema_editor):
    HandoverItem = apps.get_model("handover", "HandoverItem")
    for item in HandoverItem.objects.exclude(evidence_version=None).select_related(
        "evidence_version"
    ):
        v = item.evidence_version
        HandoverItem.objects.filter(pk=item.pk).update(
            evidence_file=v.file.name, evidence_filename=v.filename, evidence_size=v.size
        )


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0002_default_template"),
        ("projects", "0012_portfolio_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="handoveritem",
            name="evidence_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="projects.documentversion",
                verbose_name="证明文件",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="handoveritem", name="evidence_file"),
        migrations.RemoveField(model_name="handoveritem", name="evidence_filename"),
        migrations.RemoveField(model_name="handoveritem", name="evidence_size"),
    ]
