"""Comment threads on a project's records (docs/conversations.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Comment(models.Model):
    """One comment in the thread of one record (`target_kind`, `target_key`) of a project."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("项目")
        TASK = "task", _("任务")
        CHANGE_REQUEST = "change_request", _("变更申请")
        HANDOVER_ITEM = "handover_item", _("移交清单项")
        FEASIBILITY = "feasibility", _("可行性评估")
        COMMITMENT = "commitment", _("项目协同承诺书")
        REVIEW = "review", _("例会")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="+"
    )
    target_kind = models.CharField(_("对象类型"), max_length=20, choices=Kind.choices)
    # the project's code for a project, the record's id for the others (API.md "target")
    target_key = models.CharField(_("对象"), max_length=40)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("内容"))
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("提及"), related_name="+", blank=True
    )
    created_at = models.DateTimeField(_("发表时间"), auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["target_kind", "target_key", "created_at"]),
            models.Index(fields=["project", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.target_kind}:{self.target_key} #{self.pk}"

    @property
    def target(self) -> str:
        return f"{self.target_kind}:{self.target_key}"


class CommentRevision(models.Model):
    """A comment's text before one edit: who edited it, when, and what it said."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("评论"), on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField(_("修改前内容"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评论修改记录")
        verbose_name_plural = _("评论修改记录")
        ordering = ["comment", "edited_at", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id} @ {self.edited_at:%Y-%m-%d %H:%M}"
