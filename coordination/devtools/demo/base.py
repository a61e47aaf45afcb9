"""The base demo seeder: groups, demo users, customers, projects, milestones, risks.

Idempotent: every record is found by a natural key (username, erp_id, project + name) before it
is created, so running `manage.py seed_demo` twice creates nothing new. Stages are set directly
(not through the gates) and a StageTransition history is written; later seeders complete the
records each stage needs (handover packages, kickoff meetings, ...).
Model imports are local so `coordination.devtools.runner` can print DEMO_USERS without Django set
up.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from coordination.core.models import Profile
from coordination.core.roles import ALL_GROUPS
from coordination.core.services import record_audit
from coordination.devtools.demo.context import DemoContext
from coordination.devtools.demo.users import DEMO_PASSWORD, DEMO_USERS
from projects.core.models import (
    Customer,
    MemberRole,
    Milestone,
    Project,
    ProjectMembership,
    Risk,
    StageTransition,
)
from projects.core.services import new_project_code

CUSTOMERS = [
    ("DEMO-C001", "华东智能制造有限公司", "张经理"),
    ("DEMO-C002", "深圳前海新能源科技有限公司", "黄总"),
    ("DEMO-C003", "Northwind Logistics Ltd.", "Anna Müller"),
    ("DEMO-C004", "上海浦江轨道交通集团", "钱工"),
    ("DEMO-C005", "Contoso Pharmaceuticals (China) Co., Ltd.", "Mark Liu"),
    ("DEMO-C006", "成都天府数据港有限公司", "罗主任"),
    ("DEMO-C007", "Atlas Mining Group", "Peter Wang"),
    ("DEMO-C008", "苏州工业园区水务有限公司", "沈科长"),
]

# erp_id, name, customer, stage, value (CNY), start offset (days from today), months,
# key project, business PM, engineering PM, primary owner, stage before hold
# fmt: off
PROJECTS = [
    ("DEMO-P01", "华东智能工厂MES升级", "DEMO-C001", "opportunity", 3_800_000, 60, 10, True, "biz_pm", "eng_pm", "business", ""),  # noqa: E501
    ("DEMO-P02", "Northwind Warehouse Automation Bid", "DEMO-C003", "opportunity", 12_500_000, 90, 14, False, "biz_pm2", "eng_pm", "business", ""),  # noqa: E501
    ("DEMO-P03", "天府数据港二期机房", "DEMO-C006", "opportunity", 6_200_000, 45, 9, False, "biz_pm", "eng_pm2", "business", ""),  # noqa: E501
    ("DEMO-P04", "前海储能电站EPC", "DEMO-C002", "contracted", 28_000_000, 20, 16, True, "biz_pm", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P05", "Contoso Cleanroom HVAC Retrofit", "DEMO-C005", "contracted", 4_600_000, 15, 8, False, "biz_pm2", "eng_pm", "business", ""),  # noqa: E501
    ("DEMO-P06", "浦江地铁站台门改造", "DEMO-C004", "handover", 9_800_000, -10, 12, True, "biz_pm", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P07", "Atlas Conveyor Control System", "DEMO-C007", "handover", 7_300_000, -5, 10, False, "biz_pm", "eng_pm2", "engineering", ""),  # noqa: E501
    ("DEMO-P08", "苏州园区污水厂自控系统", "DEMO-C008", "kickoff", 5_400_000, -30, 11, False, "biz_pm", "eng_pm", "business", ""),  # noqa: E501
    ("DEMO-P09", "华东总装车间AGV物流", "DEMO-C001", "kickoff", 3_200_000, -25, 7, False, "biz_pm2", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P10", "前海光伏车棚工程", "DEMO-C002", "execution", 15_600_000, -150, 12, True, "biz_pm", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P11", "Northwind Cold Chain Hub", "DEMO-C003", "execution", 21_000_000, -200, 15, True, "biz_pm", "eng_pm2", "engineering", ""),  # noqa: E501
    ("DEMO-P12", "浦江车辆段照明节能改造", "DEMO-C004", "execution", 2_800_000, -90, 6, False, "biz_pm", "eng_pm", "business", ""),  # noqa: E501
    ("DEMO-P13", "Contoso QC Lab Fit-out", "DEMO-C005", "execution", 6_900_000, -120, 9, False, "biz_pm2", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P14", "天府数据港一期运维交接", "DEMO-C006", "delivered", 8_100_000, -400, 12, False, "biz_pm", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P15", "Atlas Substation Upgrade", "DEMO-C007", "delivered", 11_200_000, -380, 11, True, "biz_pm", "eng_pm2", "engineering", ""),  # noqa: E501
    ("DEMO-P16", "苏州园区管网监测平台", "DEMO-C008", "closed", 1_900_000, -600, 8, False, "biz_pm", "eng_pm", "business", ""),  # noqa: E501
    ("DEMO-P17", "华东喷涂线环保改造", "DEMO-C001", "closed", 4_300_000, -560, 10, False, "biz_pm", "eng_pm", "engineering", ""),  # noqa: E501
    ("DEMO-P18", "前海充电站网络", "DEMO-C002", "on_hold", 9_500_000, -100, 12, False, "biz_pm", "eng_pm", "engineering", "execution"),  # noqa: E501
    ("DEMO-P19", "Northwind Office Smart Building", "DEMO-C003", "on_hold", 2_400_000, -20, 6, False, "biz_pm2", "eng_pm", "business", "handover"),  # noqa: E501
    ("DEMO-P20", "Atlas Tailings Monitoring", "DEMO-C007", "cancelled", 3_600_000, -60, 8, False, "biz_pm", "eng_pm", "business", "contracted"),  # noqa: E501
]
# fmt: on

MAIN_LINE = ["opportunity", "contracted", "handover", "kickoff", "execution", "delivered", "closed"]

# name, owner department, share of the planned span, stage after which it is done
MILESTONES = [
    ("合同签订", "business", 0.0, "contracted"),
    ("项目移交完成", "business", 0.05, "kickoff"),
    ("项目启动会", "engineering", 0.1, "execution"),
    ("深化设计评审", "engineering", 0.3, "delivered"),
    ("主要设备到货", "engineering", 0.5, "delivered"),
    ("安装调试完成", "engineering", 0.8, "delivered"),
    ("竣工验收", "business", 1.0, "delivered"),
]

RISKS = [
    # title, category, probability, impact, owner, department, mitigation
    ("钢材与铜缆价格上涨", "material_price", 4, 4, "biz_pm", "business",
     "与供应商锁定三个月价格；合同中增加调价条款。"),
    ("春节后劳务人员短缺", "labour_shortage", 4, 3, "eng_pm", "engineering",
     "提前与两家劳务分包签订保底人数协议。"),
    ("Customer design changes late in the schedule", "customer", 3, 4, "biz_pm", "business",
     "Freeze the design at the review milestone; route changes through change requests."),
    ("进口控制器交期延长", "schedule", 3, 3, "eng_pm", "engineering",
     "准备国产替代型号并提前下单。"),
]  # fmt: skip


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed_users(ctx: DemoContext) -> None:

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ALL_GROUPS}
    password_hash = None
    User = get_user_model()
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": f"{spec['username']}@example.com",
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "is_staff": spec.get("staff", False),
                "is_superuser": spec.get("staff", False),
            },
        )
        if created:
            if password_hash is None:  # hashing is slow on purpose: once for all demo users
                password_hash = make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save(update_fields=["password"])
        profile, _ = Profile.objects.get_or_create(user=user)
        if (profile.department, profile.title) != (spec["department"], spec["title"]):
            profile.department = spec["department"]
            profile.title = spec["title"]
            profile.save(update_fields=["department", "title"])
        user.groups.add(*(groups[name] for name in spec["groups"]))
        ctx.users[spec["username"]] = user
    ctx.log(f"demo users: {len(DEMO_USERS)} (password {DEMO_PASSWORD})")


def seed_customers() -> dict:
    customers = {}
    for erp_id, name, contact in CUSTOMERS:
        customers[erp_id], _ = Customer.objects.get_or_create(
            erp_id=erp_id,
            defaults={
                "name": name,
                "contact_name": contact,
                "contact_email": f"contact.{erp_id.lower()}@example.com",
            },
        )
    return customers


def _stage_path(stage: str, before_hold: str) -> list[str]:
    """The stages a project went through to reach `stage`, starting at opportunity."""
    if stage in MAIN_LINE:
        return MAIN_LINE[: MAIN_LINE.index(stage) + 1]
    base = MAIN_LINE[: MAIN_LINE.index(before_hold or "opportunity") + 1]
    return [*base, stage]


# When a project entered each stage, relative to its planned start (main line).
ENTERED_AT = {"opportunity": -60, "contracted": -30, "handover": -15, "kickoff": 0, "execution": 14}


def _timeline(
    today: datetime.date, path: list[str], start: datetime.date, end: datetime.date
) -> list[datetime.date]:
    """The day the project entered each stage of `path`: realistic, increasing, never future."""
    days: list[datetime.date] = []
    for stage in path:
        if stage in ENTERED_AT:
            day = start + datetime.timedelta(days=ENTERED_AT[stage])
        elif stage == "delivered":
            day = end
        elif stage == "closed":
            day = end + datetime.timedelta(days=30)
        else:  # on_hold / cancelled: half-way between the last move and today
            day = days[-1] + (today - days[-1]) / 2
        days.append(day)
    # Never in the future, strictly increasing (one day apart at least).
    out: list[datetime.date] = []
    for i, day in enumerate(days):
        latest = today - datetime.timedelta(days=len(days) - 1 - i)
        day = min(day, latest)
        if out and day <= out[-1]:
            day = out[-1] + datetime.timedelta(days=1)
        out.append(day)
    return out


def _create_project(ctx: DemoContext, row, customers) -> tuple:
    (erp_id, name, customer, stage, value, offset, months, key, bpm, epm, owner, before_hold) = row
    project = Project.objects.filter(erp_id=erp_id).first()
    if project is not None:
        return project, False
    users = ctx.users
    start = ctx.today + datetime.timedelta(days=offset)
    end = start + datetime.timedelta(days=months * 30)
    path = _stage_path(stage, before_hold)
    reached = set(path)
    slipping = stage in {"execution", "on_hold"} or erp_id in {"DEMO-P06", "DEMO-P07"}
    when = _timeline(ctx.today, path, start, end)
    project = Project.objects.create(
        code=new_project_code(when[0]),
        erp_id=erp_id,
        name=name,
        customer=customers[customer],
        stage=stage,
        stage_before_hold=before_hold if stage == "on_hold" else "",
        stage_changed_at=_at(when[-1]),
        is_key_project=key,
        business_pm=users[bpm],
        engineering_pm=users[epm],
        primary_owner=owner,
        contract_value=Decimal(value),
        baseline_budget=Decimal(value) * Decimal("0.78"),
        forecast_budget=Decimal(value) * Decimal("0.83" if slipping else "0.78"),
        contract_signed_on=when[1] if "contracted" in reached else None,
        planned_start=start,
        planned_end=end,
        forecast_end=end + datetime.timedelta(days=35) if slipping else end,
        actual_start=when[path.index("execution")] if "execution" in reached else None,
        actual_end=when[path.index("delivered")] if "delivered" in reached else None,
        description=f"{name}：演示项目。",
        customer_core_needs="按期投运；关键设备质保五年；现场安全零事故。",
        expected_standards="GB 50300 验收标准；客户企业标准 Q/HD-2025。",
    )
    creator = users["biz_lead"]
    record_audit(actor=creator, action="project.created", target=project, at=_at(when[0], 9))
    for i in range(1, len(path)):
        reason = ""
        if path[i] == "on_hold":
            reason = "客户资金审批延迟，暂停施工。"
        elif path[i] == "cancelled":
            reason = "客户战略调整，项目取消。"
        actor = users["pmo"] if path[i] in {"on_hold", "cancelled"} else users[bpm]
        transition = StageTransition.objects.create(
            project=project, from_stage=path[i - 1], to_stage=path[i], actor=actor, reason=reason
        )
        StageTransition.objects.filter(pk=transition.pk).update(created_at=_at(when[i]))
        record_audit(
            actor=actor,
            action="project.stage_changed",
            target=project,
            before={"stage": path[i - 1]},
            after={"stage": path[i]},
            reason=reason,
            at=_at(when[i]),
        )
    return project, True


def _seed_members(ctx: DemoContext, project) -> None:
    u = ctx.users
    for user, role in [
        (project.business_pm, MemberRole.BUSINESS_PM),
        (project.engineering_pm, MemberRole.ENGINEERING_PM),
        (u["biz_lead"], MemberRole.BUSINESS_LEAD),
        (u["eng_director"], MemberRole.ENGINEERING_DIRECTOR),
        (u["tech_lead"], MemberRole.TECH_LEAD),
        (u["finance"], MemberRole.FINANCE_REP),
    ]:
        ProjectMembership.objects.get_or_create(project=project, user=user, role=role)


def _seed_milestones(ctx: DemoContext, project, path: list[str]) -> None:
    if project.stage == "opportunity":
        return
    span = (project.planned_end - project.planned_start).days
    reached = set(path)
    stopped = project.stage in {"on_hold", "cancelled"}
    for seq, (name, department, share, done_after) in enumerate(MILESTONES, start=1):
        baseline = project.planned_start + datetime.timedelta(days=round(span * share))
        done = done_after in reached or (
            project.stage == "execution" and baseline < ctx.today - datetime.timedelta(days=30)
        )
        forecast = baseline
        status = Milestone.Status.PLANNED
        actual = None
        if done:
            status = Milestone.Status.DONE
            actual = min(baseline + datetime.timedelta(days=seq % 3 * 4), ctx.today)
            forecast = actual
        elif project.stage == "cancelled":
            status = Milestone.Status.CANCELLED
        elif project.forecast_end != project.planned_end and share >= 0.3:
            forecast = baseline + datetime.timedelta(days=15 + seq * 5)  # slipping
            status = Milestone.Status.IN_PROGRESS if share <= 0.5 else Milestone.Status.PLANNED
        elif not stopped and baseline <= ctx.today:
            status = Milestone.Status.IN_PROGRESS
        Milestone.objects.get_or_create(
            project=project,
            name=name,
            defaults={
                "owner_department": department,
                "baseline_date": baseline,
                "forecast_date": forecast,
                "actual_date": actual,
                "status": status,
                "is_committed": project.stage not in {"contracted"},
                "sequence": seq,
            },
        )


def _seed_risks(ctx: DemoContext, project, index: int) -> None:
    if project.stage in {"opportunity", "cancelled"}:
        return
    closed = project.stage in {"delivered", "closed"}
    picks = [RISKS[index % len(RISKS)], RISKS[(index + 1) % len(RISKS)]]
    if project.is_key_project or project.stage == "execution":
        picks = RISKS
    for title, category, probability, impact, owner, department, mitigation in picks:
        owner_user = project.business_pm if owner == "biz_pm" else project.engineering_pm
        Risk.objects.get_or_create(
            project=project,
            title=title,
            defaults={
                "category": category,
                "probability": probability,
                "impact": impact,
                "owner": owner_user,
                "owner_department": department,
                "mitigation": mitigation,
                "status": Risk.Status.CLOSED
                if closed
                else (Risk.Status.MITIGATING if index % 2 else Risk.Status.OPEN),
            },
        )


def seed_base(ctx: DemoContext) -> None:
    seed_users(ctx)
    customers = seed_customers()
    created = 0
    for index, row in enumerate(PROJECTS):
        project, is_new = _create_project(ctx, row, customers)
        created += is_new
        path = _stage_path(row[3], row[11])
        _seed_members(ctx, project)
        _seed_milestones(ctx, project, path)
        _seed_risks(ctx, project, index)
        ctx.projects.append(project)
    ctx.log(f"demo customers: {len(customers)}, projects: {len(PROJECTS)} ({created} new)")
