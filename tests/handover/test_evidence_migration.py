"""The migration that moves handover evidence onto documents keeps every file's facts."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("handover", "0002_default_template"), ("projects", "0012_portfolio_order")]
AFTER = [("handover", "0003_evidence_documents")]


@pytest.mark.django_db(transaction=True)
def test_evidence_files_become_document_versions_with_their_facts():
    from tests.handover.factories import handover_for

    project = handover_for().project
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    HandoverItem = apps.get_model("handover", "HandoverItem")
    item = HandoverItem.objects.filter(handover__project_id=project.pk).order_by("pk").first()
    stored = default_storage.save("handover/old/abc.pdf", ContentFile(b"%PDF-1.4 old\n"))
    when = datetime.datetime(2025, 3, 4, 5, 6, tzinfo=datetime.UTC)
    HandoverItem.objects.filter(pk=item.pk).update(
        evidence_file=stored,
        evidence_filename="旧合同.pdf",
        evidence_size=13,
        provided_by_id=project.business_pm_id,
        provided_at=when,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from handover.models import HandoverItem as Item

    moved = Item.objects.select_related("evidence_version__document").get(pk=item.pk)
    version = moved.evidence_version
    assert version.file.name == stored  # the very same stored file
    assert version.filename == "旧合同.pdf" and version.size == 13
    assert version.uploaded_by_id == project.business_pm_id and version.uploaded_at == when
    assert version.sha256 == hashlib.sha256(b"%PDF-1.4 old\n").hexdigest()
    assert version.document.attached_kind == "handover_item"
    assert version.document.attached_id == item.pk
