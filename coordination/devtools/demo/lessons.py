"""Demo data for the learning loop's company side: the monthly business-engineering joint
retrospective (a department cadence with participants from both departments), last month's
occurrence with its entries, and lessons promoted from a project's retrospective, one with an
improvement action.

Idempotent: the cadence is found by its title, the occurrence by (cadence, date), lessons by
their source entry, the action by (lesson, title).
"""

from __future__ import annotations

import datetime

from coordination.devtools.demo.context import DemoContext
from coordination.lessons.models import Lesson
from coordination.reviews.models import ActionItem, Review, ReviewCadence, ReviewKind
from coordination.reviews.services import generate_occurrences

JOINT_RETRO = "业务-工程月度联合复盘"

# (field, index, title, phase, discipline, cause, customer type) of a project retrospective's
# entries (coordination/devtools/demo/reviews.py writes them)
PROMOTED = [
    (
        "went_wrong",
        0,
        "客户特殊要求要在移交前写进清单",
        "handover",
        "joint",
        "information_asymmetry",
        "国企",
    ),
    ("improvements", 0, "投标阶段即邀请工程参与需求澄清", "presales", "joint", "process_break", ""),
    ("went_wrong", 1, "材料价格波动要在每周例会上跟踪", "execution", "engineering", "", ""),
]


def seed_lessons(ctx: DemoContext) -> None:
    users = ctx.users
    today = ctx.today
    people = [
        users[name]
        for name in ("biz_pm", "eng_pm", "biz_lead", "eng_director", "pmo")
        if name in users
    ]
    cadence, created = ReviewCadence.objects.get_or_create(
        project=None,
        title=JOINT_RETRO,
        defaults={
            "kind": ReviewKind.MONTHLY_RETROSPECTIVE,
            "day_of_month": 25,
            "time_of_day": datetime.time(14, 0),
            "duration_minutes": 90,
            "timezone": "Asia/Shanghai",
            "departments": ["business", "engineering"],
            "created_by": users.get("pmo"),
        },
    )
    if created:
        cadence.participants.set(people)
    generate_occurrences(today=today, cadence_ids=[cadence.pk])  # as the reviews seeder does
    first = today.replace(day=1)
    last_month = (first - datetime.timedelta(days=1)).replace(day=25)
    review, made = Review.objects.get_or_create(
        cadence=cadence,
        date=last_month,
        defaults={
            "kind": cadence.kind,
            "starts_at": cadence.starts_at(last_month),
            "status": Review.Status.HELD,
            "minutes": "两部门联合复盘：本月移交、变更与投诉情况。",
            "went_well": [{"text": "变更申请平均两天内完成双方审批", "tag": "business"}],
            "went_wrong": [{"text": "两个项目的验收标准在启动会后才确认", "tag": "engineering"}],
            "improvements": [{"text": "启动会前由工程复核验收标准", "tag": "engineering"}],
        },
    )
    if made:
        for user in people:
            review.attendance.create(user=user, attended=True)

    source = (
        Review.objects.filter(kind=ReviewKind.MONTHLY_RETROSPECTIVE, project__isnull=False)
        .exclude(went_wrong=[])
        .select_related("project")
        .order_by("project__code", "date")
        .first()
    )
    promoter = users.get("pmo")
    count = 0
    if source is not None and promoter is not None:
        for field, index, title, phase, discipline, cause, customer_type in PROMOTED:
            if index >= len(getattr(source, field)):
                continue
            lesson, made = Lesson.objects.get_or_create(
                review=source,
                source_field=field,
                source_index=index,
                defaults={
                    "title": title,
                    "text": getattr(source, field)[index]["text"],
                    "kind": field,
                    "phase": phase,
                    "discipline": discipline,
                    "cause": cause,
                    "customer_type": customer_type,
                    "project": source.project,
                    "promoted_by": promoter,
                },
            )
            count += made
        lesson = Lesson.objects.filter(review=source, source_field="went_wrong").first()
        if lesson is not None:
            ActionItem.objects.get_or_create(
                lesson=lesson,
                title="移交清单模板增加“客户特殊要求”一项",
                defaults={
                    "project": lesson.project,
                    "owner": users.get("eng_pm") or promoter,
                    "due_date": today + datetime.timedelta(days=14),
                    "created_by": promoter,
                },
            )
    ctx.log(f"learning loop: the joint retrospective, {count} new lessons")
