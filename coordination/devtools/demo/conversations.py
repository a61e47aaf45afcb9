"""Demo data for conversations: a few threads with @mentions on the first projects in
execution (the project itself, a task, a change request), written through
coordination.conversations.services (audit, notifications). Idempotent: a project that has
comments is left alone."""

from __future__ import annotations

from coordination.conversations import services
from coordination.conversations.models import Comment
from coordination.conversations.targets import Kind, Target
from coordination.devtools.demo.context import DemoContext
from projects.changes.models import ChangeRequest
from projects.core.models import Stage
from projects.tasks.models import Task

# (kind, author, body); the body's @names are demo users on every project
THREADS = [
    (
        Kind.PROJECT,
        "biz_pm",
        "客户本周再次确认:**10 月底**前完成一期验收。@eng_pm 请评估现场进度。",
    ),
    (
        Kind.PROJECT,
        "eng_pm",
        "收到。土建已完成约 *七成*,关键路径在设备到货,@tech_lead 请跟进厂家发货。",
    ),
    (
        Kind.TASK,
        "tech_lead",
        "厂家回复:\n- 主机下周二发货\n- 辅机延后 3 天\n\n@eng_pm 已更新预测。",
    ),
    (Kind.CHANGE_REQUEST, "finance", "变更金额超过财务审批线,@biz_pm 请补充客户确认函。"),
]
PROJECTS = 2


def seed_conversations(ctx: DemoContext) -> None:
    made = 0
    projects = [p for p in ctx.projects if p.stage == Stage.EXECUTION][:PROJECTS]
    for project in projects:
        if Comment.objects.filter(project=project).exists():
            continue
        keys = {
            Kind.PROJECT: project.code,
            Kind.TASK: Task.objects.filter(project=project)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first(),
            Kind.CHANGE_REQUEST: ChangeRequest.objects.filter(project=project)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first(),
        }
        for kind, author, body in THREADS:
            if keys[kind] is None:
                continue
            target = Target(kind=kind, key=str(keys[kind]), project=project)
            services.post_comment(target, by=ctx.users[author], body=body)
            made += 1
    ctx.log(f"comments: {made} posted")
