"""Demo data for job rotations (互换岗位体验): one planned and waiting for both heads, one in
progress with a check-in (a sales manager on site), one closed with the host's assessment
(before the later projects' contracts, so the KPI comparison has a group).

Idempotent: a rotation is found by (user, planned start); its approvals by (round, side),
its check-in by date.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from coordination.devtools.demo.context import DemoContext
from coordination.rotations.models import (
    JobRotation,
    RotationApproval,
    RotationCheckIn,
    RotationStatus,
)

D = datetime.timedelta
OWN, HOST = RotationApproval.Side.OWN, RotationApproval.Side.HOST


def _rotation(ctx, user, start, **fields) -> JobRotation:
    rotation, _created = JobRotation.objects.get_or_create(
        user=user, start_date=start, defaults={**fields, "created_by": user}
    )
    return rotation


def _approve(rotation, side, head, at) -> None:
    RotationApproval.objects.get_or_create(
        rotation=rotation,
        round=rotation.round,
        side=side,
        defaults={
            "department": rotation.from_department if side == OWN else rotation.host_department,
            "decision": RotationApproval.Decision.APPROVED,
            "approver": head,
            "comment": "同意，安排好本部门的工作交接。" if side == OWN else "欢迎，现场由导师带。",
        },
    )
    RotationApproval.objects.filter(rotation=rotation, side=side).update(decided_at=at)


def seed_rotations(ctx: DemoContext) -> None:
    u, today = ctx.users, ctx.today
    needed = ("biz_pm", "biz_pm2", "eng_pm", "eng_pm2", "biz_lead", "eng_director")
    if not all(name in u for name in needed):
        return
    projects = ctx.projects
    site = projects[0] if projects else None
    noon = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))

    # planned: an engineering PM to the sales side, waiting for both heads
    _rotation(
        ctx,
        u["eng_pm2"],
        today + D(days=30),
        from_department="engineering",
        host_department="business",
        to_site="华东区销售部（投标与报价）",
        mentor=u["biz_pm2"],
        end_date=today + D(days=120),
        status=RotationStatus.PLANNED,
    )

    # in progress: the business PM (a sales manager) three months on site
    on_site = _rotation(
        ctx,
        u["biz_pm"],
        today - D(days=40),
        from_department="business",
        host_department="engineering",
        to_project=site,
        to_site="" if site else "苏州工业园项目现场",
        mentor=u["eng_pm"],
        end_date=today + D(days=50),
        status=RotationStatus.IN_PROGRESS,
        actual_start=today - D(days=40),
    )
    _approve(on_site, OWN, u["biz_lead"], noon - D(days=55))
    _approve(on_site, HOST, u["eng_director"], noon - D(days=54))
    RotationCheckIn.objects.get_or_create(
        rotation=on_site,
        date=today - D(days=10),
        defaults={
            "author": u["biz_pm"],
            "note": "跟了钢结构吊装和材料验收，理解了工期承诺背后的材料与人力约束；"
            "下月跟一次设计变更评审。",
        },
    )

    # closed: a year ago, with the reflection and the host's assessment
    done = _rotation(
        ctx,
        u["biz_pm2"],
        today - D(days=420),
        from_department="business",
        host_department="engineering",
        to_site="无锡物流中心项目现场",
        mentor=u["eng_pm2"],
        end_date=today - D(days=330),
        status=RotationStatus.CLOSED,
        actual_start=today - D(days=420),
        actual_end=today - D(days=335),
        reflection="三个月在现场，最大的体会是报价前要先问工程关键节点和材料交期；"
        "回到业务后，投标阶段都会请工程一起澄清需求。",
        host_score=4,
        host_assessment="沟通积极，能把客户的特殊要求讲清楚；对施工工序的理解还需加强。",
        assessed_by=u["eng_director"],
        closed_at=noon - D(days=335),
    )
    _approve(done, OWN, u["biz_lead"], noon - D(days=440))
    _approve(done, HOST, u["eng_director"], noon - D(days=438))
    RotationCheckIn.objects.get_or_create(
        rotation=done,
        date=today - D(days=390),
        defaults={"author": u["eng_pm2"], "note": "已参与两次现场例会，开始独立跟踪材料到货。"},
    )
    ctx.log("job rotations: one planned, one in progress, one closed")
