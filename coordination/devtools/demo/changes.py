"""Demo data for change requests on the projects in execution, one in every status, written
through the services (numbers, decisions, forecast moves, audit) and then back-dated.

DEMO-P10: one implemented, one waiting for biz_pm (engineering approved), one above the finance
threshold waiting for finance. DEMO-P11: one rejected, one waiting for engineering's assessment.
DEMO-P12: one waiting for eng_pm (business approved). DEMO-P13: a draft, a withdrawn one and an
approved one not yet implemented. Idempotent: a change request is found by (project, title).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from coordination.devtools.demo.context import DemoContext
from projects.changes import services as changes
from projects.changes.models import ChangeDecision, ChangeRequest
from projects.core.models import Stage

# erp_id, title, origin, cost, days, target status, who decided (in order), days ago submitted
SPECS = [
    (
        "DEMO-P10",
        "增加屋面检修通道",
        "customer",
        "80000",
        7,
        "implemented",
        ["biz_pm", "eng_pm"],
        60,
    ),
    ("DEMO-P10", "逆变器品牌变更", "engineering", "-30000", 0, "assessed", ["eng_pm"], 9),
    ("DEMO-P10", "追加储能系统", "customer", "1200000", 45, "assessed", ["biz_pm", "eng_pm"], 6),
    ("DEMO-P11", "取消二期冷库", "business", "-2000000", -60, "rejected", ["eng_pm2"], 40),
    ("DEMO-P11", "增加冷链温度监控点", "customer", "45000", 5, "submitted", [], 2),
    ("DEMO-P12", "照明控制改为智能调光", "customer", "60000", 10, "assessed", ["biz_pm"], 5),
    ("DEMO-P13", "实验室排风量提高", "customer", "90000", 12, "draft", [], 0),
    ("DEMO-P13", "更改环氧地坪颜色", "customer", "0", 0, "withdrawn", [], 20),
    ("DEMO-P13", "增加纯水系统", "customer", "75000", 10, "approved", ["biz_pm2", "eng_pm"], 30),
]


def seed_changes(ctx: DemoContext) -> None:

    by_erp = {p.erp_id: p for p in ctx.projects if p.stage == Stage.EXECUTION}
    now = timezone.now()
    created = 0
    for erp_id, title, origin, cost, days, target, deciders, ago in SPECS:
        project = by_erp.get(erp_id)
        if project is None or ChangeRequest.objects.filter(project=project, title=title).exists():
            continue
        users = ctx.users
        requester = project.engineering_pm if origin == "engineering" else project.business_pm
        milestones = list(
            project.milestones.exclude(status__in=["done", "cancelled"]).values_list(
                "pk", flat=True
            )[:2]
        )
        cr = changes.create_change_request(
            project,
            by=requester,
            data={
                "title": title,
                "description": f"{title}：由{ChangeRequest.Origin(origin).label}提出。",
                "origin": origin,
                "cost_impact": Decimal(cost),
                "schedule_impact_days": days,
                "scope_impact": f"{title}相关的设计、采购与施工。",
                "affected_milestones": milestones,
            },
        )
        created += 1
        if target == "draft":
            continue
        if target == "withdrawn":
            changes.withdraw_change_request(cr.pk, by=requester, reason="客户取消该需求。")
        else:
            changes.submit_change_request(cr.pk, by=requester)
            if target != "submitted":
                changes.assess_change_request(
                    cr.pk,
                    by=project.engineering_pm,
                    data={
                        "effort_days": Decimal(max(abs(days), 3)),
                        "assessment_risks": "材料交期与现场交叉作业。",
                    },
                )
                for name in deciders:
                    if target == "rejected":
                        changes.reject_change_request(
                            cr.pk, by=users[name], comment="与合同范围不符，工期风险过大。"
                        )
                    else:
                        changes.approve_change_request(cr.pk, by=users[name], comment="同意。")
                if target == "implemented":
                    changes.implement_change_request(cr.pk, by=project.business_pm)
        # Back-date the steps so cycle times look like real ones.
        submitted = now - datetime.timedelta(days=ago)
        assessed = submitted + datetime.timedelta(days=min(2, ago / 2))
        decided = assessed + datetime.timedelta(days=min(3, ago / 3))
        cr.refresh_from_db()
        ChangeRequest.objects.filter(pk=cr.pk).update(
            submitted_at=submitted if cr.submitted_at else None,
            assessed_at=assessed if cr.assessed_at else None,
            decided_at=decided if cr.decided_at else None,
            implemented_at=decided + datetime.timedelta(days=14) if cr.implemented_at else None,
            withdrawn_at=submitted if cr.withdrawn_at else None,
        )
        ChangeDecision.objects.filter(change_request=cr).update(decided_at=decided)
    ctx.log(f"change requests: {created} created")
