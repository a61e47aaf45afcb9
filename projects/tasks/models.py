"""Tasks (任务, the WBS) and their dependencies. Writes go through projects.tasks.services.

A task's planned finish is derived from its planned start and its duration in working days
(coordination.core.workdays.WorkCalendar.finish_of, inclusive) and stored so lists and the
Gantt read it without computing. A parent's dates, duration and progress are its children's
roll-up (earliest start, latest finish, duration-weighted progress), stored and kept by the
services whenever a child changes (services.roll_up).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Department, Timestamped, Versioned

__all__ = ["Task", "TaskDependency", "ALLOWED_MOVES"]


class Task(Versioned, Timestamped):
    class Status(models.TextChoices):
        TODO = "todo", _("待开始")
        IN_PROGRESS = "in_progress", _("进行中")
        BLOCKED = "blocked", _("受阻")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    milestone = models.ForeignKey(
        "projects.Milestone",
        verbose_name=_("里程碑"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    department = models.CharField(_("部门"), max_length=20, choices=Department.choices)
    planned_start = models.DateField(_("计划开始"))
    duration_days = models.PositiveIntegerField(_("工期(工作日)"), default=1)
    planned_finish = models.DateField(_("计划完成"))
    forecast_start = models.DateField(_("预测开始"), null=True, blank=True)
    forecast_finish = models.DateField(_("预测完成"), null=True, blank=True)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_finish = models.DateField(_("实际完成"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.TODO, db_index=True
    )
    # Where the task came from, when a meeting's action item became this task.
    action_item = models.OneToOneField(
        "coordination.ActionItem",
        verbose_name=_("来源待办事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="task",
    )

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["project", "planned_start", "id"]
        indexes = [
            models.Index(fields=["project", "status"], name="task_project_status"),
            models.Index(fields=["owner", "status"], name="task_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_0_100"),
            models.CheckConstraint(condition=Q(duration_days__gte=1), name="task_duration_min_1"),
            models.CheckConstraint(
                condition=Q(planned_finish__gte=F("planned_start")),
                name="task_planned_finish_after_start",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="task_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


Status = Task.Status

# The status table: from → the statuses a task may move to (board drag, API, page).
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Status.TODO: frozenset({Status.IN_PROGRESS, Status.BLOCKED, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.TODO, Status.BLOCKED, Status.DONE, Status.CANCELLED}),
    Status.BLOCKED: frozenset({Status.TODO, Status.IN_PROGRESS, Status.CANCELLED}),
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset({Status.TODO}),
}


class TaskDependency(models.Model):
    class Type(models.TextChoices):
        FS = "FS", _("完成-开始")
        SS = "SS", _("开始-开始")
        FF = "FF", _("完成-完成")
        SF = "SF", _("开始-完成")

    predecessor = models.ForeignKey(
        Task, verbose_name=_("前置任务"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Task, verbose_name=_("后续任务"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    type = models.CharField(_("类型"), max_length=2, choices=Type.choices, default=Type.FS)
    lag_days = models.IntegerField(_("间隔(工作日)"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务依赖")
        verbose_name_plural = _("任务依赖")
        ordering = ["successor", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="uniq_task_dependency"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="task_dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type}+{self.lag_days} → {self.successor_id}"
