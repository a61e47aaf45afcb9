"""`manage.py seed_history`: a few hundred finished projects (and some open ones) whose outcomes
depend on their features through a known generating process with noise, so the early-warning
backtest has something true to find. Synthetic: deterministic for a seed, codes `HIS-0001`….

The generating process (docs/early-warning.md says the same):
1. Each customer has a hidden difficulty d ~ N(0, 1); a project is key with probability 0.3.
2. Engineering estimates cost and duration; business quotes a margin m ~ N(0.18, 0.08) over the
   cost and promises a date with a buffer b ~ N(0, 25) days over engineering's duration.
3. Assessment versions 1 + Poisson(0.5 + 0.5·max(d, 0)); handover lead 5 + 8·e^(d/2) days;
   handover rejections Poisson(0.4 + 0.6·max(d, 0)).
4. Lateness propensity z = −0.6 − 0.05·b + 0.8·d + 0.5·rejections + 0.5·key + N(0, 0.8);
   the first milestone (at 30 % of the plan) is done 12·z + N(0, 6) days after its baseline
   (never early by more than 3), change requests Poisson(e^(0.2 + 0.4·d)) arrive by 60 % of
   the plan, each moving the later milestones by its schedule impact; the final delay is
   25·z + N(0, 12) days (late: more than 14).
5. Overrun propensity c = −0.8 − 10·(m − 0.18) + 0.35·approved change requests + 0.4·d
   + N(0, 0.8); the final cost is the baseline × (1 + 0.06·c + N(0, 0.02)) plus the approved
   changes' cost; an overrun is a final cost above the baseline by more than the assessment's
   contingency (6 % of the cost).
6. Complaints: a high-severity one at 50 % of the plan when z > 1.2, a medium one when z > 0.6;
   overdue action items when d > 1; cost risks raised at contract when m < 0.12.
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from coordination.core.services import record_audit
from coordination.reviews.models import ActionItem
from handover.models import Handover, HandoverItem
from kpi.models import Complaint
from projects.changes.models import ChangeRequest, MilestoneChange
from projects.core.models import Customer, Milestone, PrimaryOwner, Project, Risk, Stage
from projects.presales.models import FeasibilityAssessment, Quote

PREFIX = "HIS-"


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _money(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


@transaction.atomic
def seed_history(
    *, today: datetime.date, finished: int = 300, open_: int = 40, seed: int = 21, log=print
) -> int:
    """Create the history once (a second run finds HIS- projects and does nothing)."""
    if Project.objects.filter(code__startswith=PREFIX).exists():
        log("history already seeded")
        return 0
    rng = random.Random(seed)  # noqa: S311  # nosec B311 (synthetic demo data, not security)
    user_model = get_user_model()
    pms = []
    for i in range(1, 7):
        user, _ = user_model.objects.get_or_create(
            username=f"history-pm-{i}", defaults={"first_name": f"历史经理{i}"}
        )
        pms.append(user)
    customers = []
    for i in range(1, 31):
        c, _ = Customer.objects.get_or_create(
            erp_id=f"HIS-C{i:02d}", defaults={"name": f"历史客户{i:02d}"}
        )
        customers.append((c, rng.gauss(0, 1)))
    span = 3 * 365
    total = finished + open_
    created = 0
    for n in range(total):
        is_open = n >= finished
        customer, d = customers[rng.randrange(len(customers))]
        duration = rng.randint(120, 300)
        if is_open:
            signed = today - datetime.timedelta(days=rng.randint(20, int(duration * 0.8)))
        else:
            signed = today - datetime.timedelta(days=span - int(n * (span - 330) / finished))
        key = rng.random() < 0.3
        cost = rng.uniform(2e6, 3e7)
        margin = rng.gauss(0.18, 0.08)
        price = cost / (1 - min(margin, 0.6))
        buffer = int(rng.gauss(0, 25))
        contingency = cost * 0.06
        planned_end = signed + datetime.timedelta(days=duration + buffer)
        if planned_end <= signed + datetime.timedelta(days=60):
            planned_end = signed + datetime.timedelta(days=60)
        plan_days = (planned_end - signed).days
        rejections = _poisson(rng, 0.4 + 0.6 * max(d, 0))
        z = -0.6 - 0.05 * buffer + 0.8 * d + 0.5 * rejections + 0.5 * key + rng.gauss(0, 0.8)
        n_cr = _poisson(rng, math.exp(0.2 + 0.4 * d))
        project = Project.objects.create(
            code=f"{PREFIX}{n + 1:04d}",
            name=f"历史项目{n + 1:04d}",
            customer=customer,
            stage=Stage.EXECUTION if is_open else Stage.CLOSED,
            is_key_project=key,
            business_pm=pms[n % 3],
            engineering_pm=pms[3 + n % 3],
            primary_owner=PrimaryOwner.ENGINEERING if rng.random() < 0.5 else PrimaryOwner.BUSINESS,
            contract_value=_money(price),
            baseline_budget=_money(cost),
            forecast_budget=_money(cost),
            contract_signed_on=signed,
            planned_start=signed,
            planned_end=planned_end,
            forecast_end=planned_end,
            actual_start=signed,
        )
        stamps: list[tuple] = []
        presale = signed - datetime.timedelta(days=rng.randint(20, 60))
        versions = 1 + _poisson(rng, 0.5 + 0.5 * max(d, 0))
        for v in range(1, versions + 1):
            last = v == versions
            a = FeasibilityAssessment(
                project=project,
                version=v,
                status=FeasibilityAssessment.Status.APPROVED
                if last
                else FeasibilityAssessment.Status.SUPERSEDED,
                labour_cost=_money(cost * 0.4),
                materials_cost=_money(cost * 0.44),
                equipment_cost=_money(cost * 0.1),
                contingency_cost=_money(contingency),
                estimated_duration_days=duration,
                author=project.engineering_pm,
                submitted_at=_at(presale + datetime.timedelta(days=3 * v)),
                decided_at=_at(presale + datetime.timedelta(days=3 * v + 1)),
            )
            a.save()
            stamps.append((a, presale + datetime.timedelta(days=3 * v)))
        q = Quote.objects.create(
            project=project,
            revision=1,
            quoted_price=_money(price),
            promised_delivery_date=planned_end,
            assessment=a,
            author=project.business_pm,
        )
        stamps.append((q, presale + datetime.timedelta(days=3 * versions + 2)))
        lead = 5 + 8 * math.exp(d / 2)
        hand_start = signed + datetime.timedelta(days=2)
        hand_end = hand_start + datetime.timedelta(days=int(lead))
        h = Handover.objects.create(
            project=project,
            status=Handover.Status.ACCEPTED,
            due_date=hand_start + datetime.timedelta(days=10),
            accepted_at=_at(hand_end),
        )
        stamps.append((h, hand_start))
        item = HandoverItem.objects.create(
            handover=h, title_zh="合同及技术附件", category="contract", rejection_count=rejections
        )
        for r in range(rejections):
            day = hand_start + datetime.timedelta(days=1 + r)
            record_audit(
                actor=project.engineering_pm,
                action="handover_item.rejected",
                target=item,
                after={"rejection_count": r + 1},
                reason="资料不全",
                project_code=project.code,
                at=_at(day),
            )
        # milestones at 30 %, 65 %, 100 % of the plan
        delay1 = max(-3, int(12 * z + rng.gauss(0, 6)))
        final_delay = int(25 * z + rng.gauss(0, 12))
        ms = []
        for share, name in ((0.3, "设计完成"), (0.65, "主体完成"), (1.0, "竣工交付")):
            base = signed + datetime.timedelta(days=int(plan_days * share))
            m = Milestone.objects.create(
                project=project,
                name=name,
                baseline_date=base,
                forecast_date=base,
                is_committed=True,
            )
            stamps.append((m, signed))
            ms.append(m)
        m1_done = ms[0].baseline_date + datetime.timedelta(days=delay1)
        approved_cost = 0.0
        approved_n = 0
        shift = max(delay1, 0)
        forecasts = {m.pk: m.baseline_date for m in ms}
        for k in range(n_cr):
            day = signed + datetime.timedelta(days=int(plan_days * rng.uniform(0.1, 0.6)))
            impact_days = rng.randint(0, 15)
            cost_impact = cost * rng.uniform(0.005, 0.04)
            approved = rng.random() < 0.75
            cr = ChangeRequest.objects.create(
                project=project,
                number=f"CR-{k + 1:03d}",
                title=f"变更{k + 1}",
                origin=ChangeRequest.Origin.CUSTOMER,
                requested_by=project.business_pm,
                status=ChangeRequest.Status.IMPLEMENTED
                if approved
                else ChangeRequest.Status.REJECTED,
                cost_impact=_money(cost_impact),
                schedule_impact_days=impact_days,
                submitted_at=_at(day),
                decided_at=_at(day + datetime.timedelta(days=5)),
            )
            stamps.append((cr, day))
            if approved:
                approved_n += 1
                approved_cost += cost_impact
                shift += impact_days
                for m in ms[1:]:
                    new = m.baseline_date + datetime.timedelta(days=shift)
                    mc = MilestoneChange.objects.create(
                        milestone=m,
                        change_request=cr,
                        old_forecast=forecasts[m.pk],
                        new_forecast=new,
                    )
                    forecasts[m.pk] = new
                    stamps.append((mc, day + datetime.timedelta(days=5)))
        c = -0.8 - 10 * (margin - 0.18) + 0.35 * approved_n + 0.4 * d + rng.gauss(0, 0.8)
        final_cost = cost * (1 + 0.06 * c + rng.gauss(0, 0.02)) + approved_cost
        actual_end = planned_end + datetime.timedelta(days=max(final_delay, -10))
        for day_share, sev, cond in (
            (0.5, Complaint.Severity.HIGH, z > 1.2),
            (0.4, "medium", z > 0.6),
        ):
            if cond:
                opened = signed + datetime.timedelta(days=int(plan_days * day_share))
                comp = Complaint.objects.create(
                    project=project,
                    source=Complaint.Source.CUSTOMER,
                    category=Complaint.Category.SCHEDULE,
                    severity=sev,
                    description="进度滞后",
                    opened_on=opened,
                    closed_on=opened + datetime.timedelta(days=20),
                )
                stamps.append((comp, opened))
        if d > 1:
            for j in range(2 + int(d)):
                due = signed + datetime.timedelta(days=int(plan_days * 0.2) + 7 * j)
                ai = ActionItem.objects.create(
                    project=project,
                    title=f"整改事项{j + 1}",
                    owner=project.engineering_pm,
                    due_date=due,
                    status=ActionItem.Status.DONE,
                    done_at=_at(due + datetime.timedelta(days=15)),
                )
                stamps.append((ai, due - datetime.timedelta(days=10)))
        for cat in (Risk.Category.TECHNICAL,) + ((Risk.Category.COST,) if margin < 0.12 else ()):
            risk = Risk.objects.create(project=project, title=str(cat), category=cat)
            stamps.append((risk, signed))
        # what happened (only up to today for the open projects)
        updates = {"forecast_budget": _money(final_cost)}
        if not is_open or m1_done <= today:
            Milestone.objects.filter(pk=ms[0].pk).update(
                actual_date=m1_done, forecast_date=m1_done, status=Milestone.Status.DONE
            )
        if not is_open:
            Milestone.objects.filter(pk__in=[m.pk for m in ms[1:]]).update(
                status=Milestone.Status.DONE, actual_date=actual_end, forecast_date=actual_end
            )
            updates["actual_end"] = actual_end
            updates["forecast_end"] = actual_end
        else:
            for m in ms[1:]:
                Milestone.objects.filter(pk=m.pk).update(forecast_date=forecasts[m.pk])
            updates["forecast_budget"] = _money(cost + approved_cost)
        Project.objects.filter(pk=project.pk).update(**updates)
        for obj, day in stamps:
            type(obj).objects.filter(pk=obj.pk).update(created_at=_at(day))
        Project.objects.filter(pk=project.pk).update(created_at=_at(presale))
        created += 1
    log(f"history: {created} projects ({finished} finished, {open_} open)")
    return created
