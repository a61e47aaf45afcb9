"""Demo data for tasks: every project in execution gets a plan of 26 tasks (5 phases, 21
leaves) across both departments, with FS/SS/FF links and lags, so the critical path runs
from the contract briefing through design, procurement, installation and commissioning to
acceptance and billing. The baseline is the plan's early schedule on the company calendar;
work before today is done or in progress; one critical task in progress slips (its forecast
moved later), so the project health and the Gantt have something to show. Written through
projects.tasks.services (audit, roll-up, rescheduling), then back-dated. Idempotent: a
project that has tasks is left alone.
"""

from __future__ import annotations

import datetime

from coordination.core.models import Department
from coordination.core.workdays import calendar
from coordination.devtools.demo.context import DemoContext
from projects.core.models import ProjectMembership, Stage
from projects.tasks import schedule, services
from projects.tasks.models import Task

B, E = Department.BUSINESS, Department.ENGINEERING

# phase, title, department, working days, [(predecessor index, type, lag)]
PLAN = [
    ("项目启动与计划", "合同交底与范围确认", B, 2, []),
    ("项目启动与计划", "项目计划编制", E, 3, [(0, "FS", 0)]),
    ("项目启动与计划", "客户需求确认会", B, 1, [(1, "SS", 1)]),
    ("设计", "初步设计", E, 8, [(1, "FS", 0)]),
    ("设计", "设计评审（客户）", B, 2, [(3, "FS", 0), (2, "FS", 0)]),
    ("设计", "施工图设计", E, 10, [(4, "FS", 0)]),
    ("设计", "设备选型与技术规格", E, 5, [(3, "SS", 3)]),
    ("采购", "供应商询价比价", B, 5, [(6, "FS", 0)]),
    ("采购", "采购合同签订", B, 3, [(7, "FS", 0)]),
    ("采购", "设备制造与到货", E, 20, [(8, "FS", 0)]),
    ("采购", "预付款申请", B, 2, [(8, "SS", 1)]),
    ("施工与安装", "现场施工准备", E, 5, [(5, "FS", 0)]),
    ("施工与安装", "土建施工", E, 15, [(11, "FS", 0)]),
    ("施工与安装", "设备安装", E, 10, [(9, "FS", 0), (12, "FS", 0)]),
    ("施工与安装", "管线与电气施工", E, 8, [(13, "SS", 3)]),
    ("调试与验收", "单机调试", E, 5, [(13, "FF", 2)]),
    ("调试与验收", "联合调试", E, 5, [(15, "FS", 0), (14, "FS", 0)]),
    ("调试与验收", "客户操作培训", B, 3, [(16, "SS", 2)]),
    ("调试与验收", "竣工资料整理", E, 4, [(16, "FS", 0)]),
    ("调试与验收", "竣工验收", B, 2, [(18, "FS", 0), (17, "FS", 0)]),
    ("调试与验收", "进度款与尾款结算", B, 3, [(19, "FS", 1)]),
]


def _owners(project) -> dict[str, list]:
    """The project's people by department (the PMs first), the owners of its tasks."""
    people = {B: [project.business_pm], E: [project.engineering_pm]}
    for m in ProjectMembership.objects.filter(project=project).select_related("user__profile"):
        dept = getattr(getattr(m.user, "profile", None), "department", "")
        if dept in people and m.user not in people[dept]:
            people[dept].append(m.user)
    return people


def seed_project(project, today: datetime.date) -> int:
    cal = calendar()
    start = cal.roll_forward(project.planned_start or today - datetime.timedelta(days=60))
    nodes = [schedule.Node(i, start, days) for i, (_p, _t, _d, days, _l) in enumerate(PLAN)]
    links = [
        schedule.Link(p, i, kind, lag)
        for i, (*_x, preds) in enumerate(PLAN)
        for p, kind, lag in preds
    ]
    early = schedule.compute(nodes, links, cal).by_id()
    owners = _owners(project)
    by = project.engineering_pm
    phases: dict[str, Task] = {}
    made: list[Task] = []
    for i, (phase, title, dept, days, _preds) in enumerate(PLAN):
        if phase not in phases:
            phases[phase] = services.create_task(
                project,
                by=by,
                data={"title": phase, "owner": project.engineering_pm, "planned_start": start},
            )
        people = owners[dept]
        made.append(
            services.create_task(
                project,
                by=by,
                data={
                    "title": title,
                    "owner": people[i % len(people)],
                    "department": dept,
                    "parent": phases[phase].pk,
                    "planned_start": early[i].early_start,
                    "duration_days": days,
                },
            )
        )
    for i, (*_x, preds) in enumerate(PLAN):
        for p, kind, lag in preds:
            services.add_dependency(
                made[i].pk, by=by, predecessor=made[p].pk, type=kind, lag_days=lag
            )
    # the work so far: done before today, in progress across it
    slipped = False
    for i, t in enumerate(made):
        t.refresh_from_db()
        if t.planned_finish < today:
            services.set_status(t.pk, by=by, status="in_progress")
            services.set_status(t.pk, by=by, status="done")
            Task.objects.filter(pk=t.pk).update(
                actual_start=t.planned_start, actual_finish=t.planned_finish
            )
        elif t.planned_start <= today:
            done = cal.working_days_between(t.planned_start, today)
            progress = min(90, round(100 * done / max(t.duration_days, 1)))
            services.update_task(
                t.pk, by=t.owner, data={"status": "in_progress", "progress": progress}
            )
            Task.objects.filter(pk=t.pk).update(actual_start=t.planned_start)
            if not slipped and early[i].critical:
                # supplier late: the forecast moves 5 working days, its successors follow
                services.move_task(t.pk, by=by, start=cal.add_working_days(t.planned_start, 5))
                slipped = True
    services.roll_up([p.pk for p in phases.values()], cal)
    return len(made) + len(phases)


def seed_tasks(ctx: DemoContext) -> None:
    created = 0
    for project in ctx.projects:
        if project.stage != Stage.EXECUTION or Task.objects.filter(project=project).exists():
            continue
        created += seed_project(project, ctx.today)
    ctx.log(f"tasks: {created} created")
