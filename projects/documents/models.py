"""Project documents and their versions (文档 / 版本).

A Document belongs to one project. In the project's library it has a category; as an
attachment it also names what it is attached to (`attached_kind` + `attached_id`: a task, a
change request, a feasibility assessment, a review, a complaint or a handover item), so the
rooms above stay free to attach without this room importing them. Every upload is a new
DocumentVersion; earlier ones are never replaced or deleted (who, when, size, SHA-256, note).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.people import name_of


class Category(models.TextChoices):
    CONTRACT = "contract", _("合同")
    TECHNICAL_PROPOSAL = "technical_proposal", _("技术方案")
    FEASIBILITY_REPORT = "feasibility_report", _("可行性报告")
    DRAWINGS = "drawings", _("图纸")
    MINUTES = "minutes", _("会议纪要")
    ACCEPTANCE = "acceptance", _("验收资料")
    OTHER = "other", _("其他")


class AttachedKind(models.TextChoices):
    LIBRARY = "", _("项目文档库")
    TASK = "task", _("任务")
    CHANGE_REQUEST = "change_request", _("变更申请")
    FEASIBILITY = "feasibility", _("可行性评估")
    REVIEW = "review", _("例会")
    COMPLAINT = "complaint", _("投诉")
    HANDOVER_ITEM = "handover_item", _("移交清单项")


class Document(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("标题"), max_length=200)
    category = models.CharField(
        _("类别"), max_length=30, choices=Category.choices, default=Category.OTHER
    )
    attached_kind = models.CharField(
        _("附加到"), max_length=30, choices=AttachedKind.choices, blank=True, default=""
    )
    attached_id = models.PositiveBigIntegerField(_("附加对象编号"), null=True, blank=True)
    current_version = models.PositiveIntegerField(_("当前版本"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("文档")
        verbose_name_plural = _("文档")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(
                fields=["project", "attached_kind", "attached_id"], name="document_target"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(attached_kind="", attached_id__isnull=True)
                | (~Q(attached_kind="") & Q(attached_id__isnull=False)),
                name="document_target_is_whole",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_uploader_name(self) -> str:
        """Who uploaded the latest version, by display name (selectors.with_latest's
        annotations; a person is never shown by username)."""
        return name_of(
            getattr(self, "latest_uploader_first", ""),
            getattr(self, "latest_uploader_last", ""),
            getattr(self, "latest_uploaded_by", "") or "",
        )


def version_upload_to(instance: DocumentVersion, filename: str) -> str:
    return f"documents/{instance.document.project.code}/{instance.document_id}/{filename}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    file = models.FileField(_("文件"), upload_to=version_upload_to, max_length=300)
    filename = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("文件大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("内容类型"), max_length=100)
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文档版本")
        verbose_name_plural = _("文档版本")
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"
