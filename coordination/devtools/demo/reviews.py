"""Demo data for the review loop: cadences for the active projects, past meetings with
minutes and action items (some overdue), a company-wide retrospective
(job rotations: demo/rotations.py).

Idempotent: cadences are found by (project, kind), occurrences by (cadence, date),
action items by (review, title).
"""

from __future__ import annotations

import datetime

from coordination.devtools.demo.context import DemoContext
from coordination.reviews.models import (
    ActionItem,
    Review,
    ReviewAttendance,
    ReviewCadence,
    ReviewKind,
)
from coordination.reviews.services import generate_occurrences

ACTIVE_STAGES = {"kickoff", "execution"}

MINUTES = [
    ("材料到货情况确认，钢结构件延迟两天，工程侧调整吊装顺序。", "周三前确认替代供应商报价"),
    ("客户提出增加一处出入口，业务侧整理需求后走变更申请。", "业务项目经理本周提交变更申请"),
    ("现场安全检查通过；设计院回复了第二版图纸意见。", "工程侧周五前完成图纸修订"),
]
ACTIONS = [
    ("整理客户新增需求并提交变更申请", "business", -6),
    ("确认钢结构件替代供应商报价", "engineering", -2),
    ("更新项目进度计划并同步客户", "engineering", 5),
]


def seed_reviews(ctx: DemoContext) -> None:
    projects = [p for p in ctx.projects if p.stage in ACTIVE_STAGES]
    today = ctx.today
    created_items = 0
    for project in projects:
        pms = [project.business_pm, project.engineering_pm]
        specs = [
            (ReviewKind.DAILY_STANDUP, {"time_of_day": datetime.time(9, 0)}),
            (ReviewKind.WEEKLY_MEETING, {"time_of_day": datetime.time(14, 0), "weekday": 0}),
            (
                ReviewKind.MONTHLY_RETROSPECTIVE,
                {"time_of_day": datetime.time(15, 0), "day_of_month": 28, "duration_minutes": 90},
            ),
        ]
        for kind, fields in specs:
            cadence, created = ReviewCadence.objects.get_or_create(
                project=project, kind=kind, defaults={**fields, "timezone": "Asia/Shanghai"}
            )
            if created:
                cadence.participants.set(pms)
        weekly = ReviewCadence.objects.get(project=project, kind=ReviewKind.WEEKLY_MEETING)
        # Three past weekly meetings with minutes, attendance and action items.
        last_monday = today - datetime.timedelta(days=today.weekday() or 7)
        for i, (minutes, decisions) in enumerate(MINUTES):
            day = last_monday - datetime.timedelta(weeks=i)
            review, _created = Review.objects.get_or_create(
                cadence=weekly,
                date=day,
                defaults={
                    "project": project,
                    "kind": weekly.kind,
                    "starts_at": weekly.starts_at(day),
                    "status": Review.Status.HELD,
                    "minutes": minutes,
                    "decisions": decisions,
                },
            )
            for n, pm in enumerate(pms):
                ReviewAttendance.objects.get_or_create(
                    review=review, user=pm, defaults={"attended": not (i == 2 and n == 1)}
                )
            if i == 0:
                for title, side, due_offset in ACTIONS:
                    owner = project.business_pm if side == "business" else project.engineering_pm
                    _item, made = ActionItem.objects.get_or_create(
                        review=review,
                        title=title,
                        defaults={
                            "project": project,
                            "owner": owner,
                            "due_date": today + datetime.timedelta(days=due_offset),
                        },
                    )
                    created_items += made
            elif i == 1:
                _item, made = ActionItem.objects.get_or_create(
                    review=review,
                    title="召开设计澄清会",
                    defaults={
                        "project": project,
                        "owner": project.engineering_pm,
                        "due_date": day + datetime.timedelta(days=3),
                        "status": ActionItem.Status.DONE,
                        "done_at": weekly.starts_at(day + datetime.timedelta(days=2)),
                    },
                )
                created_items += made
        # Last month's retrospective, with tagged entries.
        retro = ReviewCadence.objects.get(project=project, kind=ReviewKind.MONTHLY_RETROSPECTIVE)
        first = today.replace(day=1)
        last_month = (first - datetime.timedelta(days=1)).replace(day=28)
        Review.objects.get_or_create(
            cadence=retro,
            date=last_month,
            defaults={
                "project": project,
                "kind": retro.kind,
                "starts_at": retro.starts_at(last_month),
                "status": Review.Status.HELD,
                "minutes": "月度跨部门复盘：交付节奏、客户反馈、变更处理。",
                "went_well": [
                    {"text": "移交清单一次通过", "tag": "business"},
                    {"text": "关键里程碑按期完成", "tag": "engineering"},
                ],
                "went_wrong": [
                    {"text": "客户特殊要求传达滞后一周", "tag": "business"},
                    {"text": "材料涨价未提前预警", "tag": "engineering"},
                ],
                "improvements": [
                    {"text": "投标阶段即邀请工程参与需求澄清", "tag": "business"},
                    {"text": "每周例会增加材料价格跟踪", "tag": "engineering"},
                ],
            },
        )
    generate_occurrences(today=today)

    ctx.log(
        f"review loop: {len(projects)} projects with cadences, {created_items} new action items"
    )
