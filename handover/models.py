"""Handover templates (PMO) and per-project handover checklists (合同移交).

A running Handover holds a *snapshot* of its template's items: titles, categories and
flags are copied, so later template edits never change a checklist already under way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Department


def _english() -> bool:
    return (get_language() or "").lower().startswith("en")


class Category(models.TextChoices):
    CONTRACT = "contract", _("合同")
    TECHNICAL_SPECIFICATION = "technical_specification", _("技术规格")
    CUSTOMER_REQUIREMENTS = "customer_requirements", _("客户需求与特殊条款")
    COMMERCIAL_TERMS = "commercial_terms", _("商务与付款条款")
    CONTACTS = "contacts", _("联系人")
    SITE_INFORMATION = "site_information", _("现场信息")
    RISKS = "risks", _("风险")


class EvidenceKind(models.TextChoices):
    FILE = "file", _("文件")
    LINK = "link", _("链接")
    TEXT = "text", _("文本")


class BilingualItem(models.Model):
    """Fields shared by a template item and its snapshot on a handover."""

    order = models.PositiveIntegerField(_("顺序"), default=0)
    title_zh = models.CharField(_("标题（中文）"), max_length=200)
    title_en = models.CharField(_("标题（英文）"), max_length=200, blank=True, default="")
    description_zh = models.TextField(_("说明（中文）"), blank=True, default="")
    description_en = models.TextField(_("说明（英文）"), blank=True, default="")
    category = models.CharField(_("类别"), max_length=40, choices=Category.choices, db_index=True)
    required = models.BooleanField(_("必需"), default=True)
    evidence_kind = models.CharField(
        _("证据形式"), max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.FILE
    )
    responsible_department = models.CharField(
        _("负责部门"), max_length=20, choices=Department.choices, default=Department.BUSINESS
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (self.title_en or self.title_zh) if _english() else self.title_zh

    @property
    def description(self) -> str:
        return (self.description_en or self.description_zh) if _english() else self.description_zh


class HandoverTemplate(models.Model):
    name_zh = models.CharField(_("名称（中文）"), max_length=200)
    name_en = models.CharField(_("名称（英文）"), max_length=200, blank=True, default="")
    description = models.TextField(_("说明"), blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)
    is_default = models.BooleanField(_("默认模板"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("移交模板")
        verbose_name_plural = _("移交模板")
        ordering = ["-is_default", "name_zh", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="handover_one_default_template",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return (self.name_en or self.name_zh) if _english() else self.name_zh


class HandoverTemplateItem(BilingualItem):
    template = models.ForeignKey(
        HandoverTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="items"
    )

    class Meta:
        verbose_name = _("模板清单项")
        verbose_name_plural = _("模板清单项")
        ordering = ["template", "order", "id"]


class Handover(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已接收")

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="handover",
    )
    template = models.ForeignKey(
        HandoverTemplate,
        verbose_name=_("来源模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handovers",
    )
    template_name = models.CharField(_("模板名称"), max_length=200, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    due_date = models.DateField(_("移交截止日期"), db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    last_overdue_reminder_on = models.DateField(_("上次逾期提醒"), null=True, blank=True)

    class Meta:
        verbose_name = _("合同移交")
        verbose_name_plural = _("合同移交")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False),
                name="handover_accepted_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self._meta.verbose_name}"


def evidence_upload_to(instance, filename: str) -> str:
    # Kept for the historical migrations that name it; evidence files are document versions now.
    return f"handover/{instance.handover.project.code}/{filename}"


class HandoverItem(BilingualItem):
    class Status(models.TextChoices):
        PENDING = "pending", _("待提供")
        PROVIDED = "provided", _("已提供")
        ACCEPTED = "accepted", _("已接收")
        REJECTED = "rejected", _("已驳回")

    handover = models.ForeignKey(
        Handover, verbose_name=_("合同移交"), on_delete=models.CASCADE, related_name="items"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # The file evidence is a project document (attached to this item); this is the version
    # the item currently offers. Earlier versions stay on the document.
    evidence_version = models.ForeignKey(
        "projects.DocumentVersion",
        verbose_name=_("证明文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence_link = models.URLField(_("链接"), max_length=1000, blank=True, default="")
    evidence_text = models.TextField(_("文本"), blank=True, default="")
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提供人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    provided_at = models.DateTimeField(_("提供时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("驳回原因"), blank=True, default="")
    rejection_count = models.PositiveIntegerField(_("驳回次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("移交清单项")
        verbose_name_plural = _("移交清单项")
        ordering = ["handover", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="handover_item_rejection_has_reason",
            )
        ]

    @property
    def evidence_file(self):
        """The stored file of the current evidence version (falsy when there is none)."""
        if self.evidence_version_id is None:
            return ""
        return self.evidence_version.file

    @property
    def evidence_filename(self) -> str:
        return self.evidence_version.filename if self.evidence_version_id else ""

    @property
    def evidence_size(self) -> int | None:
        return self.evidence_version.size if self.evidence_version_id else None

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_version_id or self.evidence_link or self.evidence_text)
