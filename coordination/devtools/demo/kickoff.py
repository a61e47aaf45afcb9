"""Demo data: joint kickoff meetings and collaboration commitments.

Projects past the kickoff stage get a held meeting and a commitment signed by everyone on the
day of the meeting; one kickoff-stage project has an open commitment still awaiting
signatures, the other a scheduled meeting. Idempotent: a project with a meeting is skipped.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from coordination.devtools.demo.context import DemoContext
from coordination.kickoff import services as kickoff
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting
from projects.core.models import Project

PAST_KICKOFF = {"execution", "delivered", "closed"}

RESPONSIBILITIES = [
    ("客户沟通与需求确认", "business", "bpm", "每周向客户同步进度"),
    ("设计与施工组织", "engineering", "epm", ""),
    ("技术方案与质量", "engineering", "tech_lead", "关键工序旁站"),
    ("回款与成本核算", "finance", "finance", "按里程碑开票"),
    ("变更申请受理", "business", "bpm", "变更统一走线上审批"),
]


def _passed_kickoff(project) -> bool:
    if project.stage in PAST_KICKOFF:
        return True
    return project.stage == "on_hold" and project.stage_before_hold in PAST_KICKOFF


def _kickoff_day(project, today: datetime.date) -> datetime.date:
    entered = (
        project.transitions.filter(to_stage="kickoff").values_list("created_at", flat=True).first()
    )
    if entered is not None:
        return entered.date() + datetime.timedelta(days=3)
    start = project.planned_start or today
    return min(start, today - datetime.timedelta(days=1))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _record(ctx: DemoContext, project, when: datetime.datetime) -> dict:
    u = ctx.users
    people = {
        "bpm": project.business_pm,
        "epm": project.engineering_pm,
        "tech_lead": u["tech_lead"],
        "finance": u["finance"],
    }
    return {
        "scheduled_at": when,
        "location": "总部3号会议室 / 线上会议",
        "customer_core_needs": project.customer_core_needs
        or "按合同约定工期交付，关键工序零安全事故，系统上线后稳定运行。",
        "expected_standards": project.expected_standards
        or "符合国家及行业验收规范；客户验收一次通过率100%。",
        "feasibility_summary": "工程管理部评估：工期与预算可行；主要设备需提前6周下单，"
        "现场需在开工前完成临电与场地移交。",
        "risk_plan": "每周例会复核风险清单，高分风险由双项目经理共同跟进。",
        "milestones": list(project.milestones.exclude(status="cancelled")),
        "risks": list(project.risks.all()),
        "attendees": [
            {"user": project.business_pm, "role": "business_pm", "attended": True},
            {"user": project.engineering_pm, "role": "engineering_pm", "attended": True},
            {"user": u["biz_lead"], "role": "business_lead", "attended": True},
            {"user": u["eng_director"], "role": "engineering_director", "attended": True},
            {"user": u["tech_lead"], "role": "tech_lead", "attended": True},
            {"user": u["finance"], "role": "finance_rep", "attended": True},
        ],
        "responsibilities": [
            {"area": area, "department": dept, "person": people[who], "notes": notes}
            for area, dept, who, notes in RESPONSIBILITIES
        ],
    }


def seed_kickoff(ctx: DemoContext) -> None:

    held = open_ = scheduled = 0
    kickoff_stage = [p for p in ctx.projects if p.stage == "kickoff"]
    for project in ctx.projects:
        if KickoffMeeting.objects.filter(project=project).exists():
            continue
        passed = _passed_kickoff(project)
        if not passed and project not in kickoff_stage:
            continue
        day = _kickoff_day(project, ctx.today)
        with transaction.atomic():
            # The services refuse closed projects; replay history as it happened at kickoff.
            Project.objects.filter(pk=project.pk).update(stage="kickoff")
            try:
                outcome = _replay(ctx, project, passed, kickoff_stage, day)
            finally:
                Project.objects.filter(pk=project.pk).update(stage=project.stage)
            held += outcome == "held"
            open_ += outcome == "open"
            scheduled += outcome == "scheduled"
    ctx.log(f"demo kickoffs: {held} signed, {open_} awaiting signatures, {scheduled} scheduled")


def _replay(ctx: DemoContext, project, passed: bool, kickoff_stage: list, day) -> str:
    when = _at(day, 9, 30)
    kickoff.schedule_kickoff(project, by=project.business_pm, data=_record(ctx, project, when))
    if not passed and project == kickoff_stage[-1] and len(kickoff_stage) > 1:
        # the last kickoff-stage project: meeting not held yet
        KickoffMeeting.objects.filter(project=project).update(
            scheduled_at=_at(ctx.today + datetime.timedelta(days=2), 14)
        )
        return "scheduled"
    commitment = kickoff.hold_kickoff(project, by=project.business_pm)
    KickoffMeeting.objects.filter(project=project).update(held_at=_at(day, 11, 30))
    CollaborationCommitment.objects.filter(pk=commitment.pk).update(
        created_at=_at(day, 11, 40), opened_at=_at(day, 11, 40)
    )
    signatories = [s["user_id"] for s in commitment.required_signatories]
    users = {u.pk: u for u in ctx.users.values()}
    users.update({project.business_pm_id: project.business_pm})
    users.update({project.engineering_pm_id: project.engineering_pm})
    if passed:
        for n, user_id in enumerate(signatories):
            moment = _at(day, 14, 5 * n)
            kickoff.sign_commitment(commitment.pk, by=users[user_id], at=moment)
        return "held"
    for user_id in signatories[:2]:  # both PMs signed; leads still to sign
        kickoff.sign_commitment(commitment.pk, by=users[user_id], at=_at(day, 15))
    return "open"
