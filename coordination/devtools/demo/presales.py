"""Demo data for pre-sales: assessments and quotes consistent with each project's stage.

Every project past the bid has an approved assessment and the quote it was signed on.
In opportunity: DEMO-P01 (key) is clean and may be contracted; DEMO-P02 has an open promise
gap (thin margin, promised date earlier than engineering's estimate); DEMO-P03 waits for the
engineering director's approval and has no quote yet.
Idempotent: records are found by (project, version) and (project, revision).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from coordination.devtools.demo.context import DemoContext
from projects.presales.models import FeasibilityAssessment, Quote

SHARES = {
    "labour_cost": Decimal("0.30"),
    "materials_cost": Decimal("0.40"),
    "equipment_cost": Decimal("0.15"),
    "subcontracting_cost": Decimal("0.10"),
    "contingency_cost": Decimal("0.05"),
}
KEY_RISKS = [
    {"title": "现场设备基础与图纸不符", "description": "", "probability": 3, "impact": 4},
    {"title": "进口控制器交期延长", "description": "", "probability": 3, "impact": 3},
]
GAP_PROJECT = "DEMO-P02"
PENDING_PROJECT = "DEMO-P03"


def _costs(value: Decimal, ratio: Decimal) -> dict:
    total = (value * ratio).quantize(Decimal("1"))
    return {name: (total * share).quantize(Decimal("0.01")) for name, share in SHARES.items()}


def seed_presales(ctx: DemoContext) -> None:

    director = ctx.users.get("eng_director")
    created = 0
    for project in ctx.projects:
        value = project.contract_value or Decimal("1000000")
        start = project.planned_start or ctx.today
        end = project.planned_end or start + datetime.timedelta(days=300)
        span = max((end - start).days, 30)
        gap = project.erp_id == GAP_PROJECT or project.code == GAP_PROJECT
        pending = project.erp_id == PENDING_PROJECT or project.code == PENDING_PROJECT
        ratio = Decimal("0.95") if gap else Decimal("0.78")
        duration = span + 45 if gap else int(span * 0.9)
        status = (
            FeasibilityAssessment.Status.SUBMITTED
            if pending
            else FeasibilityAssessment.Status.APPROVED
        )
        when = timezone.now() - datetime.timedelta(days=max(0, -((start - ctx.today).days)) + 30)
        assessment, made = FeasibilityAssessment.objects.get_or_create(
            project=project,
            version=1,
            defaults={
                "status": status,
                "verdict": FeasibilityAssessment.Verdict.CONDITIONAL
                if gap
                else FeasibilityAssessment.Verdict.FEASIBLE,
                "conditions": "客户需在开工前提供完整的设备基础图" if gap else "",
                **_costs(value, ratio),
                "currency": project.currency,
                "estimated_duration_days": duration,
                "key_risks": KEY_RISKS,
                "assumptions": "现场具备双班施工条件；甲供材料按期到场。",
                "author": project.engineering_pm,
                "submitted_at": when,
                "decided_by": None if pending else director,
                "decided_at": None if pending else when,
            },
        )
        created += int(made)
        if pending:
            continue
        _quote, made = Quote.objects.get_or_create(
            project=project,
            revision=1,
            defaults={
                "is_current": True,
                "quoted_price": value,
                "currency": project.currency,
                "promised_delivery_date": end,
                "payment_terms": "预付30%，到货40%，验收20%，质保金10%",
                "notes": "",
                "assessment": assessment,
                "author": project.business_pm,
            },
        )
        created += int(made)
    ctx.log(f"presales: {created} assessments/quotes created")
