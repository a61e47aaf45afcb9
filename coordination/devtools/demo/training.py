"""Demo data for training: PMO's topic list, two held sessions (attendance ticked, feedback
given, a handout) and one upcoming session with its invitations, all written through
coordination.training.services (audit, notifications, upload checks).

Idempotent: topics are found by name, sessions by title; a session that exists is left alone.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination.devtools.demo.context import DemoContext
from coordination.training import services
from coordination.training.models import TrainingSession, TrainingTopic

TOPICS = [
    ("合同移交规范", "Contract handover", "移交清单、特殊要求、移交时限。"),
    ("变更管理", "Change control", "变更申请的影响评估与双部门审批。"),
    ("安全生产", "Site safety", "现场安全交底与检查。"),
    ("客户沟通", "Customer communication", "承诺前与工程确认、期望管理。"),
]

# title, topic, days from today, hours, audience, trainer (username or external), invitees,
# who attended, feedback {username: (score, comment)}
SESSIONS = [
    ("合同移交清单实操", "合同移交规范", -40, 2, ["business", "engineering"], "eng_director",
     ["biz_pm", "biz_pm2", "eng_pm", "eng_pm2", "tech_lead"], ["biz_pm", "biz_pm2", "eng_pm"],
     {"biz_pm": (5, "清单逐项讲解，很实用。"), "eng_pm": (4, "希望多讲特殊要求的案例。")}),
    ("变更申请怎么写", "变更管理", -12, 1.5, ["business", "engineering", "finance"],
     "外部讲师 孙老师", ["biz_pm", "eng_pm", "finance", "biz_lead"], ["biz_pm", "finance",
                                                                      "biz_lead"],
     {"finance": (4, "成本影响部分讲得清楚。")}),
    ("现场安全交底", "安全生产", 9, 1, ["engineering"], "tech_lead",
     ["eng_pm", "eng_pm2", "eng_director"], [], {}),
]  # fmt: skip


def _pdf(text: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% {text}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
    return SimpleUploadedFile("handout.pdf", body, content_type="application/pdf")


def seed_training(ctx: DemoContext) -> None:
    pmo = ctx.users.get("pmo")
    if pmo is None:
        return
    topics = {}
    for order, (name, name_en, description) in enumerate(TOPICS):
        topics[name], _created = TrainingTopic.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "description": description, "order": order}
        )
    created = 0
    for title, topic, days, hours, audience, trainer, invitees, came, feedback in SESSIONS:
        if TrainingSession.objects.filter(title=title).exists():
            continue
        starts = timezone.make_aware(
            datetime.datetime.combine(ctx.today + datetime.timedelta(days=days), datetime.time(14))
        )
        user = ctx.users.get(trainer)
        session = services.schedule_session(
            by=pmo,
            data={
                "topic": topics[topic],
                "title": title,
                "trainer": user,
                "trainer_name": "" if user else trainer,
                # a past one is run through now, then moved to its date (below)
                "starts_at": starts if days > 0 else timezone.now() - datetime.timedelta(hours=1),
                "duration_minutes": int(hours * 60),
                "location": "3楼大会议室",
                "audience": audience,
                "invitees": [ctx.users[u] for u in invitees if u in ctx.users],
            },
        )
        created += 1
        if days > 0:
            continue
        # a past session: held, ticked, answered, its handout uploaded
        services.mark_held(session.pk, by=pmo)
        services.mark_attendance(
            session.pk, by=pmo, attended=[ctx.users[u] for u in came if u in ctx.users]
        )
        services.add_material(session.pk, by=pmo, title="讲义", file=_pdf(title))
        for username, (score, comment) in feedback.items():
            if username in ctx.users:
                services.give_feedback(
                    session.pk, by=ctx.users[username], score=score, comment=comment
                )
        TrainingSession.objects.filter(pk=session.pk).update(starts_at=starts)
    ctx.log(f"training: {len(topics)} topics, {created} sessions created")
