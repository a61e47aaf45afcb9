"""Demo handovers, consistent with each demo project's stage.

- `handover` stage: one checklist submitted and returned with one rejected item, one only
  partly provided (draft);
- `on_hold` paused in handover: a draft, partly provided;
- kickoff and later (or paused after handover): accepted, some after one rejection, with
  timestamps between contract signing and kickoff.
Idempotent: a project that already has a handover is left alone.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from coordination.devtools.demo.context import DemoContext
from handover.models import Handover, HandoverItem
from handover.services import (
    accept_item,
    create_handover,
    provide_item,
    reject_item,
    submit_handover,
)
from projects.core.models import StageTransition

LATER = {"kickoff", "execution", "delivered", "closed"}
TEXT = {
    "contract": "交付范围：设备供货、安装、调试及培训；验收按合同附件三执行。",
    "technical_specification": "技术参数以技术协议V3为准，详见附件。",
    "customer_requirements": "客户要求：关键设备指定品牌；节点延误按日千分之一罚款；质保五年。",
    "commercial_terms": "预付款30%，到货40%，验收25%，质保金5%（一年）。",
    "contacts": "客户项目负责人：王工 138-0000-0000；现场负责人：李工 139-0000-0000。",
    "site_information": "现场仅允许 8:00-18:00 施工；进场需三级安全教育；临时用电由客户提供。",
    "risks": "主要风险：铜材价格上涨；旺季劳动力紧张；客户图纸确认可能延迟。",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _evidence(item) -> dict:
    if item.evidence_kind == "file":
        return {"file": ContentFile(PDF, name=f"{item.title_zh[:40]}.pdf")}
    if item.evidence_kind == "link":
        return {"link": "https://docs.example.com/site-survey/photos"}
    return {"text": TEXT.get(item.category, "详见附件。")}


def _provide(handover, project, items) -> None:
    for item in items:
        provide_item(item.pk, by=project.business_pm, **_evidence(item))


def _accept_all(handover, project, *, reject_category: str = "") -> None:
    """Provide → submit → review every required item; optionally one rejection first."""
    required = list(handover.items.filter(required=True).order_by("order", "id"))
    _provide(handover, project, required)
    submit_handover(handover.pk, by=project.business_pm)
    rejected = next((i for i in required if i.category == reject_category), None)
    for item in required:
        if item is rejected:
            reject_item(
                item.pk, by=project.engineering_pm, reason="资料不完整，请补充客户盖章版本。"
            )
        else:
            accept_item(item.pk, by=project.engineering_pm)
    if rejected is not None:
        _provide(handover, project, [HandoverItem.objects.get(pk=rejected.pk)])
        submit_handover(handover.pk, by=project.business_pm)
        accept_item(rejected.pk, by=project.engineering_pm)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate(handover, project, ctx: DemoContext) -> None:
    """Move the timestamps to the project's own history (signing → kickoff)."""
    signed = project.contract_signed_on or ctx.today
    kickoff = (
        StageTransition.objects.filter(project=project, to_stage="kickoff")
        .values_list("created_at", flat=True)
        .first()
    )
    handover.refresh_from_db()
    end = timezone.localdate(kickoff) - datetime.timedelta(days=1) if kickoff else ctx.today
    # Engineering accepts a few working days after signing (some beyond the SLA), and
    # always before kickoff.
    end = min(end, signed + datetime.timedelta(days=4 + handover.pk % 7), ctx.today)
    end = max(end, signed)
    provided = signed + (end - signed) / 2
    fields = {"created_at": _at(signed, 9)}
    if handover.submitted_at:
        fields["submitted_at"] = _at(provided, 15)
    if handover.accepted_at:
        fields["accepted_at"] = _at(end, 16)
    Handover.objects.filter(pk=handover.pk).update(**fields)
    HandoverItem.objects.filter(handover=handover, provided_at__isnull=False).update(
        provided_at=_at(provided, 11)
    )
    HandoverItem.objects.filter(handover=handover, reviewed_at__isnull=False).update(
        reviewed_at=_at(end, 14)
    )


def seed_handover(ctx: DemoContext) -> None:
    created = 0
    in_handover = 0
    for index, project in enumerate(ctx.projects):
        paused_in = project.stage_before_hold if project.stage == "on_hold" else ""
        stage = paused_in or project.stage
        if stage not in LATER | {"handover"}:
            continue
        if Handover.objects.filter(project=project).exists():
            continue
        handover, _ = create_handover(project, by=None)
        required = list(handover.items.filter(required=True).order_by("order", "id"))
        if stage == "handover" and project.stage == "handover" and in_handover == 0:
            # Submitted, then engineering rejected the special-clauses item.
            in_handover += 1
            _provide(handover, project, required)

            submit_handover(handover.pk, by=project.business_pm)
            for item in required[:4]:
                if item.category == "customer_requirements":
                    reject_item(
                        item.pk,
                        by=project.engineering_pm,
                        reason="特殊条款未列出罚则上限和质保起算日，请补充。",
                    )
                else:
                    accept_item(item.pk, by=project.engineering_pm)
        elif stage == "handover":
            in_handover += 1
            _provide(handover, project, required[: len(required) // 2])
        else:
            _accept_all(
                handover,
                project,
                reject_category="technical_specification" if index % 2 else "",
            )
        _backdate(handover, project, ctx)
        created += 1
    ctx.log(f"demo handovers: {created} new")
