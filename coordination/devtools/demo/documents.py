"""Demo data for documents: each open project past the bid gets a small library (a contract,
a technical proposal and a drawing), the drawing with two versions from both departments, so
the library and a document's version list have something to show. Written through
projects.documents.services (upload checks, SHA-256, audit). Idempotent: a project that has
documents is left alone.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from coordination.devtools.demo.context import DemoContext
from projects.core.models import CLOSED_STAGES, Stage
from projects.documents import services
from projects.documents.models import Category, Document


def _pdf(text: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% {text}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
    return SimpleUploadedFile("demo.pdf", body, content_type="application/pdf")


def _txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def seed_project(project) -> int:
    biz, eng = project.business_pm, project.engineering_pm
    services.create_document(
        project,
        by=biz,
        file=_txt("合同摘要.txt", f"{project.name} 合同摘要：范围、工期、付款节点。"),
        title="合同摘要",
        category=Category.CONTRACT,
    )
    services.create_document(
        project,
        by=eng,
        file=_txt("技术方案.txt", "技术方案：工艺路线、设备选型、质量标准。"),
        title="技术方案",
        category=Category.TECHNICAL_PROPOSAL,
    )
    drawing = services.create_document(
        project, by=eng, file=_pdf("总平面图 v1"), title="总平面图", category=Category.DRAWINGS
    )
    services.add_version(drawing.pk, by=eng, file=_pdf("总平面图 v2"), note="按业主意见调整出入口")
    return 3


def seed_documents(ctx: DemoContext) -> None:
    created = 0
    for project in ctx.projects:
        if project.stage == Stage.OPPORTUNITY or project.stage in CLOSED_STAGES:
            continue
        if Document.objects.filter(project=project).exists():
            continue
        created += seed_project(project)
    ctx.log(f"documents: {created} created")
