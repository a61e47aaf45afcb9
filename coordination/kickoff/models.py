"""Joint kickoff meeting (联合启动会) and the signed collaboration commitment (项目协同承诺书).

A commitment's content is frozen once anyone has signed it: `save()` refuses a content
change, the service refuses with 409, the admin shows it read-only and, on PostgreSQL, a
trigger (migration 0002) refuses UPDATE of content and UPDATE/DELETE of signatures. Migration
0006 adds the state: only the services' status moves, a signing time that never changes once
signed, signatures added only while open. What gets past them (triggers off) is named by
coordination.kickoff.verification.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Authored, Department, Versioned, author_field

__all__ = [
    "KickoffRole",
    "KickoffMeeting",
    "KickoffAttendee",
    "ResponsibilityAssignment",
    "CommitmentContentLocked",
    "CollaborationCommitment",
    "Signature",
]


class KickoffRole(models.TextChoices):
    BUSINESS_LEAD = "business_lead", _("业务负责人")
    ENGINEERING_DIRECTOR = "engineering_director", _("工程总监")
    TECH_LEAD = "tech_lead", _("技术负责人")
    FINANCE_REP = "finance_rep", _("财务代表")
    BUSINESS_PM = "business_pm", _("业务项目经理")
    ENGINEERING_PM = "engineering_pm", _("工程项目经理")
    OTHER = "other", _("其他")


class KickoffMeeting(Versioned, Authored):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已举行")

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="kickoff_meeting",
    )
    scheduled_at = models.DateTimeField(_("会议时间"))
    location = models.CharField(_("地点/会议链接"), max_length=500, blank=True, default="")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_kickoffs",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    held_at = models.DateTimeField(_("举行时间"), null=True, blank=True)
    customer_core_needs = models.TextField(_("客户核心需求"), blank=True, default="")
    expected_standards = models.TextField(_("预期标准"), blank=True, default="")
    feasibility_summary = models.TextField(_("工程可行性摘要"), blank=True, default="")
    risk_plan = models.TextField(_("风险应对总体安排"), blank=True, default="")
    milestones = models.ManyToManyField(
        "projects.Milestone",
        verbose_name=_("关键里程碑"),
        blank=True,
        related_name="kickoff_meetings",
    )
    risks = models.ManyToManyField(
        "projects.Risk", verbose_name=_("风险计划"), blank=True, related_name="kickoff_meetings"
    )

    class Meta:
        verbose_name = _("联合启动会")
        verbose_name_plural = _("联合启动会")
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} {_('联合启动会')}"


class KickoffAttendee(models.Model):
    meeting = models.ForeignKey(
        KickoffMeeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("会议")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参会人"),
        on_delete=models.PROTECT,
        related_name="kickoff_attendances",
    )
    role = models.CharField(_("会议角色"), max_length=30, choices=KickoffRole.choices)
    attended = models.BooleanField(_("已出席"), default=False)

    class Meta:
        verbose_name = _("启动会参会人")
        verbose_name_plural = _("启动会参会人")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "role"], name="uniq_kickoff_attendee_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class ResponsibilityAssignment(models.Model):
    """One row of the responsibility split: who owns which area."""

    meeting = models.ForeignKey(
        KickoffMeeting,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("会议"),
    )
    area = models.CharField(_("事项/领域"), max_length=200)
    department = models.CharField(_("责任部门"), max_length=20, choices=Department.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kickoff_responsibilities",
    )
    notes = models.TextField(_("备注"), blank=True, default="")
    sequence = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("职责分工")
        verbose_name_plural = _("职责分工")
        ordering = ["meeting", "sequence", "id"]

    def __str__(self) -> str:
        return f"{self.area} → {self.get_department_display()}"


class CommitmentContentLocked(Exception):
    """Raised by save() when the content of a commitment that has signatures would change."""


class CollaborationCommitment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("待签署")
        SIGNED = "signed", _("已签署")
        SUPERSEDED = "superseded", _("已被修订")

    # The fields covered by the signatures: never changed once anyone signed.
    CONTENT_FIELDS = (
        "project_id",
        "version",
        "canonical_content",
        "content_hash",
        "text_zh",
        "text_en",
    )

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    meeting = models.ForeignKey(
        KickoffMeeting,
        verbose_name=_("启动会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    canonical_content = models.TextField(_("规范化内容(JSON)"))
    content_hash = models.CharField(_("内容哈希(SHA-256)"), max_length=64, db_index=True)
    text_zh = models.TextField(_("中文文本"), blank=True, default="")
    text_en = models.TextField(_("英文文本"), blank=True, default="")
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("修订自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    amendment_reason = models.TextField(_("修订原因"), blank=True, default="")
    created_by = author_field(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开放签署时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签署完成时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("被修订时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目协同承诺书")
        verbose_name_plural = _("项目协同承诺书")
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"], name="uniq_commitment_project_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {_('协同承诺书')} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values(*[f for f in self.CONTENT_FIELDS])
                .first()
            )
            if stored is not None:
                changed = [f for f in self.CONTENT_FIELDS if stored[f] != getattr(self, f)]
                if changed and self.signatures.exists():
                    raise CommitmentContentLocked(
                        f"commitment {self.pk} has signatures; content fields {changed} are frozen"
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and self.signatures.exists():
            raise CommitmentContentLocked(f"commitment {self.pk} has signatures")
        return super().delete(*args, **kwargs)

    @property
    def content(self) -> dict:
        try:
            return json.loads(self.canonical_content or "{}")
        except ValueError:
            return {}

    @property
    def required_signatories(self) -> list[dict]:
        """[{user_id, username, name, department, role}] as written in the signed content."""
        return list(self.content.get("signatories", []))


class Signature(models.Model):
    """One signatory's signature: the hash they signed and an HMAC keyed outside the DB."""

    commitment = models.ForeignKey(
        CollaborationCommitment,
        verbose_name=_("承诺书"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签署人"),
        on_delete=models.PROTECT,
        related_name="commitment_signatures",
    )
    department = models.CharField(
        _("部门"), max_length=20, choices=Department.choices, blank=True, default=""
    )
    role = models.CharField(_("签署角色"), max_length=30, choices=KickoffRole.choices)
    signed_at = models.DateTimeField(_("签署时间"))
    content_hash = models.CharField(_("签署的内容哈希"), max_length=64)
    hmac = models.CharField(_("签名(HMAC-SHA256)"), max_length=64)
    key_id = models.CharField(_("密钥指纹"), max_length=16)

    class Meta:
        verbose_name = _("签署")
        verbose_name_plural = _("签署")
        ordering = ["commitment", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "signer"], name="uniq_signature_signer")
        ]

    def __str__(self) -> str:
        return (
            f"{self.signer.get_username()} ({self.get_role_display()}) v{self.commitment.version}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise CommitmentContentLocked(f"signature {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CommitmentContentLocked(f"signature {self.pk} cannot be deleted")
