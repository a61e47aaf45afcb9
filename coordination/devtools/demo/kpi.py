"""Demo KPI data: surveys and complaints for the demo projects, plus historical
closed projects before and after 2026-01-01 so the comparison page shows the case study:
delivery cycle −27%, customer satisfaction ≥ 96% (share satisfied), cross-department
complaints −60%. Idempotent: records are found by natural keys before they are created.

The historical figures are sized *after* looking at what the other demo data already puts
into the two comparison windows, so the totals land on the case-study numbers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from coordination.devtools.demo.context import DemoContext
from kpi import services
from kpi.models import ClosedPeriod, Complaint, ProjectCohort, SatisfactionSurvey
from kpi.periods import previous_month
from kpi.selectors.comparison import split_windows
from kpi.surveys.questions import QUESTION_KEYS
from projects.core.models import (
    Customer,
    MemberRole,
    Milestone,
    Project,
    ProjectMembership,
    Stage,
)
from projects.core.services import new_project_code

SPLIT = datetime.date(2026, 1, 1)
COHORT = "dual_pm_loop"
BEFORE_CYCLE, AFTER_CYCLE = 300, 219  # days: −27%
BEFORE_INTERNAL, AFTER_INTERNAL = 20, 8  # cross-department complaints: −60%
HISTORICAL_BEFORE = 6
HISTORICAL_AFTER = 6

QUESTIONS = QUESTION_KEYS  # the survey's own questions (kpi/surveys/questions.py)
INTERNAL_COMPLAINTS = [
    ("requirement", "engineering", "客户的特殊要求在签约后一个月才传递到工程，导致返工。"),
    ("communication", "business", "业务未经工程确认即向客户承诺提前交付。"),
    ("schedule", "engineering", "工程调整施工计划未同步业务，客户来电询问。"),
    ("cost", "business", "报价未包含工程评估的临时设施费用。"),
]
CUSTOMER_COMPLAINTS = [
    ("schedule", "engineering", "high", "关键节点延期，客户要求书面说明。"),
    ("quality", "engineering", "medium", "设备安装偏差，需整改。"),
    ("communication", "business", "low", "客户反映对接人变更未通知。"),
    ("service", "business", "medium", "售后响应超过约定时间。"),
]


def _windows(today: datetime.date) -> tuple[tuple, tuple]:
    """The comparison windows of kpi.selectors.compare_split(SPLIT) as seen on `today`."""
    before, after, _months = split_windows(SPLIT, today=today)
    return before, after


def _spread(start: datetime.date, end: datetime.date, n: int, margin: int = 5) -> list:
    """n dates evenly inside [start + margin, end - margin)."""
    span = max((end - start).days - 2 * margin, 1)
    return [start + datetime.timedelta(days=margin + (span * i) // max(n, 1)) for i in range(n)]


def _durations(total: int, n: int) -> list[int]:
    """n whole durations (varied a little) summing to `total`."""
    base, rest = divmod(total, n)
    out = [base + (1 if i < rest else 0) for i in range(n)]
    for i in range(0, n - 1, 2):  # ±12 days in pairs keeps the sum
        out[i] += 12
        out[i + 1] -= 12
    return out


def _pm(ctx: DemoContext, name: str, department: str):
    user = ctx.users.get(name)
    if user is None:
        user = (
            get_user_model().objects.filter(profile__department=department).order_by("pk").first()
        )
    return user


def _delivered_stats(window, exclude_prefix: str) -> tuple[int, int]:
    rows = Project.objects.filter(
        actual_end__gte=window[0],
        actual_end__lt=window[1],
        contract_signed_on__isnull=False,
    ).exclude(erp_id__startswith=exclude_prefix)
    days = [(p.actual_end - p.contract_signed_on).days for p in rows]
    return sum(days), len(days)


def _historical_projects(ctx: DemoContext, window, label: str, target_avg: int, count: int):
    prefix = f"DEMO-H{label}"
    existing = list(Project.objects.filter(erp_id__startswith=prefix).order_by("erp_id"))
    if existing:
        return existing
    total, n = _delivered_stats(window, "DEMO-H")
    needed = target_avg * (n + count) - total
    durations = _durations(max(needed, 60 * count), count)
    ends = _spread(window[0], min(window[1], ctx.today), count, margin=10)
    customer, _created = Customer.objects.get_or_create(
        erp_id="DEMO-C-HIST", defaults={"name": "历史项目客户（演示）"}
    )
    business_pm = _pm(ctx, "biz_pm", "business")
    engineering_pm = _pm(ctx, "eng_pm", "engineering")
    projects = []
    for i, (end, days) in enumerate(zip(ends, durations, strict=True), start=1):
        signed = end - datetime.timedelta(days=days)
        project = Project.objects.create(
            code=new_project_code(signed),
            erp_id=f"{prefix}{i:02d}",
            name=f"{'双经理制' if label == 'A' else '传统模式'}历史项目 {i}",
            customer=customer,
            stage=Stage.CLOSED,
            business_pm=business_pm,
            engineering_pm=engineering_pm,
            contract_value=Decimal(2_000_000 + 350_000 * i),
            contract_signed_on=signed,
            planned_start=signed + datetime.timedelta(days=14),
            planned_end=end - datetime.timedelta(days=10 if label == "A" else -20),
            forecast_end=end,
            actual_start=signed + datetime.timedelta(days=14),
            actual_end=end,
            description="演示用历史项目（用于联动指标前后对比）。",
        )
        _historical_milestones(project, signed, end, on_time=label == "A")
        projects.append(project)
    return projects


def seed_members(ctx: DemoContext, project) -> None:
    """The memberships every demo project has (README: the demo users' roles), its PMs'
    own included; a role whose demo user is missing is left out."""
    u = ctx.users
    for user, role in [
        (project.business_pm, MemberRole.BUSINESS_PM),
        (project.engineering_pm, MemberRole.ENGINEERING_PM),
        (u.get("biz_lead"), MemberRole.BUSINESS_LEAD),
        (u.get("eng_director"), MemberRole.ENGINEERING_DIRECTOR),
        (u.get("tech_lead"), MemberRole.TECH_LEAD),
        (u.get("finance"), MemberRole.FINANCE_REP),
    ]:
        if user is not None:
            ProjectMembership.objects.get_or_create(project=project, user=user, role=role)


def _historical_milestones(project, signed, end, *, on_time: bool) -> None:
    names = ["设计确认", "设备到场", "竣工验收"]
    for n, name in enumerate(names, start=1):
        baseline = signed + (end - signed) * n // len(names)
        late = 0 if on_time or n == 1 else 12 * n
        if on_time and n == 2 and project.pk % 3 == 0:
            late = 5  # even the good years are not perfect
        actual = min(baseline + datetime.timedelta(days=late), end)
        Milestone.objects.get_or_create(
            project=project,
            name=name,
            defaults={
                "baseline_date": baseline,
                "forecast_date": actual,
                "actual_date": actual,
                "status": Milestone.Status.DONE,
                "is_committed": True,
                "sequence": n,
            },
        )


def _survey(project, day, score: int, respondent: str, comments: str = "") -> None:
    SatisfactionSurvey.objects.get_or_create(
        project=project,
        respondent=respondent,
        surveyed_on=day,
        defaults={
            "overall_score": score,
            "scores": {
                q: max(1, min(5, score + (i % 2) - (1 if i == 4 else 0)))
                for i, q in enumerate(QUESTIONS)
            },
            "comments": comments,
        },
    )


def _complaint(project, day, source, category, department, severity, text, closed=True) -> None:
    Complaint.objects.get_or_create(
        project=project,
        source=source,
        opened_on=day,
        description=text,
        defaults={
            "category": category,
            "severity": severity,
            "responsible_department": department,
            "closed_on": day + datetime.timedelta(days=9) if closed else None,
        },
    )


def _seed_current_projects(ctx: DemoContext) -> None:
    """Surveys for delivered/closed demo projects, a few open complaints on running ones."""
    demo = Project.objects.filter(erp_id__startswith="DEMO-P").order_by("erp_id")
    for project in demo:
        if project.stage in ("delivered", "closed") and project.actual_end:
            day = min(project.actual_end + datetime.timedelta(days=7), ctx.today)
            _survey(project, day, 5, "客户项目负责人", "双方配合顺畅，按期交付。")
            _survey(project, day, 4, "客户运维主管", "资料移交完整。")
    running = [p for p in demo if p.stage in ("execution", "on_hold")]
    for i, project in enumerate(running[:3]):
        category, department, severity, text = CUSTOMER_COMPLAINTS[i % len(CUSTOMER_COMPLAINTS)]
        day = ctx.today - datetime.timedelta(days=20 + 9 * i)
        _complaint(project, day, "customer", category, department, severity, text, closed=i != 0)
    for i, project in enumerate(running[:2]):
        category, department, text = INTERNAL_COMPLAINTS[i]
        day = ctx.today - datetime.timedelta(days=35 + 11 * i)
        _complaint(project, day, "internal", category, department, "medium", text, closed=False)


def _count_internal(window) -> int:
    return Complaint.objects.filter(
        source="internal", opened_on__gte=window[0], opened_on__lt=window[1]
    ).count()


def _seed_history_inputs(ctx: DemoContext, before_projects, after_projects, before, after):
    if Complaint.objects.filter(project__erp_id__startswith="DEMO-H").exists():
        return
    # satisfaction: before 15 of 20 satisfied (75%), after 24 of 25 (96%)
    for label, projects, window, scores in (
        (
            "B",
            before_projects,
            before,
            [5, 4, 4, 3, 4, 2, 5, 4, 3, 4, 4, 5, 3, 4, 4, 5, 2, 4, 4, 5],
        ),
        (
            "A",
            after_projects,
            after,
            [5, 5, 4, 5, 4, 5, 5, 4, 5, 5, 4, 5, 3, 5, 4, 5, 5, 4, 5, 5, 4, 5, 5, 4, 5],
        ),
    ):
        days = _spread(window[0], min(window[1], ctx.today), len(scores))
        for i, (day, score) in enumerate(zip(days, scores, strict=True)):
            project = projects[i % len(projects)]
            _survey(project, day, score, f"客户代表{label}{i + 1:02d}")
    # cross-department complaints: sized on what the current projects already contribute
    after_count = _count_internal(after)
    after_target = max(AFTER_INTERNAL, after_count)
    before_target = max(BEFORE_INTERNAL, -(-after_target * 5 // 2))  # after = 40% of before
    for projects, window, n in (
        (before_projects, before, before_target - _count_internal(before)),
        (after_projects, after, after_target - after_count),
    ):
        for i, day in enumerate(_spread(window[0], min(window[1], ctx.today), max(n, 0))):
            category, department, text = INTERNAL_COMPLAINTS[i % len(INTERNAL_COMPLAINTS)]
            _complaint(
                projects[i % len(projects)],
                day,
                "internal",
                category,
                department,
                "medium",
                f"{text}（#{i + 1}）",
            )
    # customer complaints: 12 before, 5 after
    for projects, window, n in ((before_projects, before, 12), (after_projects, after, 5)):
        for i, day in enumerate(_spread(window[0], min(window[1], ctx.today), n, margin=8)):
            category, department, severity, text = CUSTOMER_COMPLAINTS[i % len(CUSTOMER_COMPLAINTS)]
            _complaint(
                projects[i % len(projects)],
                day,
                "customer",
                category,
                department,
                severity,
                f"{text}（#{i + 1}）",
            )


def seed_kpi(ctx: DemoContext) -> None:

    if ctx.today <= SPLIT + datetime.timedelta(days=60):
        ctx.log("kpi: demo date too early for the before/after history; skipped")
        return
    before, after = _windows(ctx.today)
    with transaction.atomic():
        _seed_current_projects(ctx)
        before_projects = _historical_projects(ctx, before, "B", BEFORE_CYCLE, HISTORICAL_BEFORE)
        after_projects = _historical_projects(ctx, after, "A", AFTER_CYCLE, HISTORICAL_AFTER)
        _seed_history_inputs(ctx, before_projects, after_projects, before, after)
        for project in [*before_projects, *after_projects]:
            # the roles the README promises on every project, the PMs' own included
            seed_members(ctx, project)
        cohort, _created = ProjectCohort.objects.get_or_create(
            slug=COHORT,
            defaults={
                "name": "双项目经理制+例会闭环",
                "description": "按“一人主责、两人协同”和日/周/月例会闭环运行的项目。",
            },
        )
        cohort.projects.add(
            *after_projects,
            *Project.objects.filter(erp_id__startswith="DEMO-P").exclude(stage="cancelled"),
        )
    # freeze the last two finished months so the pages show frozen values too
    last = previous_month(ctx.today)
    for key in sorted({previous_month(last.start).key, last.key}):
        if not ClosedPeriod.objects.filter(period=key, status="closed").exists():
            services.close_period(key, by=None, today=ctx.today)
    ctx.log("kpi: surveys, complaints, historical projects and closed periods seeded")
