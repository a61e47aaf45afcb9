# ruff: noqa: S608  (SQL built only from this module's constants and integers, never input)
"""Scale data for benchmarks (`manage.py seed_perf`): set-based SQL, deterministic.

Every row is derived from its position in `generate_series` by fixed arithmetic (no
random()), so the same scale and reference date always give the same rows. Columns the
seed does not name are filled from the model: its literal default, or a neutral value of
the column's type, so a NOT NULL column added later by another app does not break the seed.
All perf rows are recognisable: users `perf_*`, customers and projects with ERP ids and
codes starting `PERF-`.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection, models

from coordination.core.workdays import calendar

CODE_PREFIX = "PERF-"
PMO_USERNAME = "perf_pmo"
PER_PM = 50  # projects per PM (each side)
KPI_PERIODS = 3  # closed months with frozen KPI snapshots

# stage by i % 20: a pipeline weighted towards execution, plus hold and cancelled
STAGE_CASE = """CASE
    WHEN g % 20 < 3 THEN 'opportunity' WHEN g % 20 = 3 THEN 'contracted'
    WHEN g % 20 = 4 THEN 'handover' WHEN g % 20 = 5 THEN 'kickoff'
    WHEN g % 20 < 12 THEN 'execution' WHEN g % 20 < 14 THEN 'delivered'
    WHEN g % 20 < 18 THEN 'closed' WHEN g % 20 = 18 THEN 'on_hold' ELSE 'cancelled' END"""


def q(value) -> str:
    """An SQL literal for one of our own constants (never user input)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, dict | list):
        return q(json.dumps(value)) + "::jsonb"
    return "'" + str(value).replace("'", "''") + "'"


def _neutral(f: models.Field) -> str:
    if f.has_default():
        default = f.default
        if callable(default):
            if default in (dict, list):
                return q(default())
        else:
            return q(default.value if hasattr(default, "value") else default)
    kind = f.get_internal_type()
    if kind == "DateTimeField":
        return "now()"
    if kind == "DateField":
        return "CURRENT_DATE"
    if kind in ("BooleanField",):
        return "FALSE"
    if kind == "JSONField":
        return "'{}'::jsonb"
    if kind in ("CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField"):
        return "''"
    if kind == "UUIDField":
        return "gen_random_uuid()"
    return "0"


def insert_select(model, exprs: dict[str, str], source: str) -> int:
    """INSERT INTO model's table (named columns + every other NOT NULL column) SELECT … source."""
    cols, vals = [], []
    for f in model._meta.concrete_fields:
        if f.column in exprs:
            cols.append(f.column)
            vals.append(exprs[f.column])
        elif not f.primary_key and not f.null:
            cols.append(f.column)
            vals.append(_neutral(f))
    unknown = set(exprs) - set(cols)
    if unknown:
        raise ValueError(f"{model.__name__}: no such columns {sorted(unknown)}")
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in cols)}) "
        f"SELECT {', '.join(vals)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def table(label: str) -> str:
    return connection.ops.quote_name(apps.get_model(label)._meta.db_table)


@dataclass
class Plan:
    scale: int
    today: datetime.date
    log: Callable[[str], None] = print
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_bpm(self) -> int:
        return max(2, self.scale // PER_PM)

    @property
    def n_epm(self) -> int:
        return max(2, self.scale // PER_PM)

    @property
    def n_fin(self) -> int:
        return max(1, self.scale // 500)

    @property
    def n_customers(self) -> int:
        return max(1, self.scale // 10)

    def closed_months(self) -> list[tuple[str, datetime.date, datetime.date]]:
        """The KPI_PERIODS full months before `today`: (key, first day, first day after)."""
        out = []
        first = self.today.replace(day=1)
        for _ in range(KPI_PERIODS):
            end = first
            first = (first - datetime.timedelta(days=1)).replace(day=1)
            out.append((f"{first:%Y-%m}", first, end))
        return out


def already_seeded() -> bool:
    Project = apps.get_model("projects.Project")
    return Project.objects.filter(code__startswith=CODE_PREFIX).exists()


def seed(plan: Plan) -> dict[str, int]:
    steps = [
        ("users", _users),
        ("customers", _customers),
        ("projects", _projects),
        ("memberships", _memberships),
        ("milestones", _milestones),
        ("risks", _risks),
        ("tasks", _tasks),
        ("task_dependencies", _task_dependencies),
        ("change_requests", _change_requests),
        ("documents", _documents),
        ("document_versions", _document_versions),
        ("comments", _comments),
        ("handovers", _handovers),
        ("review_cadences", _cadences),
        ("reviews", _reviews),
        ("reminders", _reminders),
        ("notifications", _notifications),
        ("surveys", _surveys),
        ("complaints", _complaints),
        ("kpi_snapshots", _kpi_snapshots),
    ]
    for name, step in steps:
        started = time.monotonic()
        n = step(plan)
        plan.counts[name] = n
        plan.timings[name] = time.monotonic() - started
        plan.log(f"{name:<16} {n:>10,} rows  {plan.timings[name]:6.1f}s")
    return plan.counts


def analyze() -> None:
    """VACUUM ANALYZE: statistics, and the visibility map that lets a COUNT(*) or a page read
    the indexes alone (a server with autovacuum off would otherwise scan the fresh tables).
    Inside a transaction (tests) VACUUM cannot run: ANALYZE only."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


# ------------------------------------------------------------------ people
def _users(plan: Plan) -> int:
    User = apps.get_model("auth.User")
    Profile = apps.get_model("coordination.Profile")
    kinds = [
        ("bpm", plan.n_bpm, "business", "业务项目经理"),
        ("epm", plan.n_epm, "engineering", "工程项目经理"),
        ("fin", plan.n_fin, "finance", "财务代表"),
    ]
    n = 0
    for prefix, count, _dept, _title in kinds:
        n += insert_select(
            User,
            {
                "password": q("!perf-unusable"),
                "username": f"'perf_{prefix}_' || lpad(g::text, 5, '0')",
                "first_name": q(""),
                "last_name": q(""),
                "email": f"'perf_{prefix}_' || g || '@perf.invalid'",
                "is_active": "TRUE",
                "is_staff": "FALSE",
                "is_superuser": "FALSE",
                "date_joined": "now()",
            },
            f"FROM generate_series(1, {count}) g",
        )
    n += insert_select(
        User,
        {
            "password": q("!perf-unusable"),
            "username": q(PMO_USERNAME),
            "email": q("perf_pmo@perf.invalid"),
            "is_active": "TRUE",
            "date_joined": "now()",
        },
        "",
    )
    depts = " ".join(f"WHEN u.username LIKE 'perf\\_{p}\\_%' THEN {q(d)}" for p, _c, d, _t in kinds)
    titles = " ".join(
        f"WHEN u.username LIKE 'perf\\_{p}\\_%' THEN {q(t)}" for p, _c, _d, t in kinds
    )
    insert_select(
        Profile,
        {
            "user_id": "u.id",
            "department": f"CASE {depts} ELSE 'pmo' END",
            "title": f"CASE {titles} ELSE 'PMO' END",
            "language": q("zh-hans"),
            "notify_email": "TRUE",
            "notify_chat": "FALSE",
            "notify_inapp": "TRUE",
        },
        f"FROM {table('auth.User')} u WHERE u.username LIKE 'perf\\_%'",
    )
    pmo_group, _ = Group.objects.get_or_create(name="pmo")
    pmo_group.user_set.add(User.objects.get(username=PMO_USERNAME))
    return n


def _customers(plan: Plan) -> int:
    return insert_select(
        apps.get_model("projects.Customer"),
        {
            "erp_id": f"'{CODE_PREFIX}C-' || g",
            "name": "'性能测试客户 ' || lpad(g::text, 6, '0')",
            "contact_name": "'联系人 ' || g",
            "contact_email": "'customer' || g || '@perf.invalid'",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"FROM generate_series(1, {plan.n_customers}) g",
    )


# ------------------------------------------------------------------ projects
def _projects(plan: Plan) -> int:
    """Projects in every stage; dates consistent with the stage, relative to `today`."""
    D = q(plan.today)
    customers = table("projects.Customer")
    signed = f"({D} - 30 - (g * 7 % 900))"  # signed up to ~2.5 years ago
    start = f"({signed} + 15)"
    end = f"({start} + 120 + (g % 180))"
    done = "('delivered', 'closed')"
    # SQL from constants, ints and quote_name only (seeding tool, no user input)
    source = f"""
        FROM (SELECT g, {STAGE_CASE} AS stage FROM generate_series(1, {plan.scale}) g) s
        JOIN ({_numbered("bpm")}) bpm ON bpm.k = s.g % {plan.n_bpm}
        JOIN ({_numbered("epm")}) epm ON epm.k = (s.g / 3) % {plan.n_epm}
        JOIN (SELECT id, (row_number() OVER (ORDER BY id)) - 1 AS k FROM {customers}
              WHERE erp_id LIKE '{CODE_PREFIX}C-%') c ON c.k = (s.g * 7) % {plan.n_customers}
    """  # nosec B608
    return insert_select(
        apps.get_model("projects.Project"),
        {
            "code": f"'{CODE_PREFIX}' || lpad(g::text, 7, '0')",
            "erp_id": f"'{CODE_PREFIX}P-' || g",
            "name": "'性能测试项目 ' || g",
            "customer_id": "c.id",
            "stage": "s.stage",
            "stage_before_hold": "CASE WHEN s.stage = 'on_hold' THEN 'execution' ELSE '' END",
            "stage_changed_at": f"({signed} + 20)::timestamp AT TIME ZONE 'Asia/Shanghai'",
            "is_key_project": "(g % 10 = 0)",
            "business_pm_id": "bpm.id",
            "engineering_pm_id": "epm.id",
            "primary_owner": "CASE WHEN g % 2 = 0 THEN 'business' ELSE 'engineering' END",
            "contract_value": "(100000 + (g * 9973) % 5000000)::numeric",
            "currency": q("CNY"),
            "baseline_budget": "(80000 + (g * 9973) % 4000000)::numeric",
            "forecast_budget": "(80000 + (g * 9973) % 4000000 + (g % 7) * 10000)::numeric",
            "contract_signed_on": f"CASE WHEN s.stage = 'opportunity' THEN NULL ELSE {signed} END",
            "planned_start": start,
            "planned_end": end,
            "forecast_end": f"{end} + (g % 5) * 7",
            "actual_start": f"CASE WHEN s.stage IN ('execution', 'delivered', 'closed') "
            f"THEN {start} + (g % 5) END",
            "actual_end": f"CASE WHEN s.stage IN {done} THEN "
            f"LEAST({end} + (g % 41) - 20, {D} - 1 - (g % 30)) END",
            "description": "'性能测试数据：项目概述 ' || g",
            "created_at": f"({signed} - 20)::timestamp AT TIME ZONE 'Asia/Shanghai'",
            "updated_at": f"({signed} + 20)::timestamp AT TIME ZONE 'Asia/Shanghai'",
        },
        source,
    )


def _numbered(kind: str) -> str:
    return (
        f"SELECT id, (row_number() OVER (ORDER BY username)) - 1 AS k "  # nosec B608
        f"FROM {table('auth.User')} WHERE username LIKE 'perf\\_{kind}\\_%'"
    )


def _perf_projects(extra: str = "") -> str:
    """Perf projects with their position g (1..N) as a derived table `p`."""
    return (
        f"(SELECT p.*, substr(p.code, {len(CODE_PREFIX) + 1})::int AS g "  # nosec B608
        f"FROM {table('projects.Project')} p WHERE p.code LIKE '{CODE_PREFIX}%' {extra}) p"
    )


def _memberships(plan: Plan) -> int:
    M = apps.get_model("projects.ProjectMembership")
    n = insert_select(
        M,
        {"project_id": "p.id", "user_id": "epm.id", "role": q("tech_lead"), "created_at": "now()"},
        f"FROM {_perf_projects()} JOIN ({_numbered('epm')}) epm "
        f"ON epm.k = (p.g / 3 + 1) % {plan.n_epm} AND epm.id <> p.engineering_pm_id",
    )
    n += insert_select(
        M,
        {
            "project_id": "p.id",
            "user_id": "fin.id",
            "role": q("finance_rep"),
            "created_at": "now()",
        },
        f"FROM {_perf_projects('')} JOIN ({_numbered('fin')}) fin "
        f"ON fin.k = p.g % {plan.n_fin} WHERE p.g % 5 = 0",
    )
    return n


def _milestones(plan: Plan) -> int:
    """Five per project; done (with actual date) when the project is past them."""
    D = q(plan.today)
    span = "(p.planned_end - p.planned_start)"
    base = f"(p.planned_start + ({span} * m.m / 5))"
    is_done = (
        f"(p.stage IN ('delivered', 'closed') OR (p.stage = 'execution' AND {base} < {D} - 10))"
    )
    return insert_select(
        apps.get_model("projects.Milestone"),
        {
            "project_id": "p.id",
            "name": "'里程碑 ' || m.m",
            "owner_department": "CASE WHEN m.m = 1 THEN 'business' ELSE 'engineering' END",
            "baseline_date": base,
            "forecast_date": f"{base} + ((p.g + m.m) % 4) * 3",
            "actual_date": f"CASE WHEN {is_done} THEN "
            f"LEAST({base} + ((p.g + m.m) % 11) - 5, {D} - 1) END",
            "status": f"CASE WHEN {is_done} THEN 'done' WHEN p.stage = 'cancelled' THEN "
            f"'cancelled' WHEN p.stage = 'execution' THEN 'in_progress' ELSE 'planned' END",
            "is_committed": "p.stage NOT IN ('opportunity', 'contracted', 'handover')",
            "sequence": "m.m",
            "created_at": "p.created_at",
            "updated_at": "p.updated_at",
        },
        f"FROM {_perf_projects()} CROSS JOIN generate_series(1, 5) AS m(m)",
    )


def _risks(plan: Plan) -> int:
    categories = ["technical", "schedule", "cost", "material_price", "labour_shortage"]
    cat = " ".join(f"WHEN {i} THEN {q(c)}" for i, c in enumerate(categories))
    return insert_select(
        apps.get_model("projects.Risk"),
        {
            "project_id": "p.id",
            "title": "'风险 ' || p.g || '-' || r.r",
            "category": f"CASE (p.g + r.r) % {len(categories)} {cat} END",
            "probability": "1 + (p.g + r.r) % 5",
            "impact": "1 + (p.g * 3 + r.r) % 5",
            "owner_id": "p.engineering_pm_id",
            "owner_department": q("engineering"),
            "mitigation": q("应对措施"),
            "status": "CASE (p.g + r.r) % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'mitigating' "
            "ELSE 'closed' END",
            "created_at": "p.created_at",
            "updated_at": "p.updated_at",
        },
        f"FROM {_perf_projects()} CROSS JOIN generate_series(1, 2) AS r(r)",
    )


TASKS_PER_PROJECT = 10


def _workdays_table(plan: Plan) -> str:
    """A temporary table `perf_workdays (i, d)`: the company's working days (WorkCalendar,
    China's statutory calendar with 调休) from two years before `today` to three after, with
    their ordinals, so task dates are computed set-based on the real calendar."""
    cal = calendar()
    first = cal.index(datetime.date(plan.today.year - 3, 1, 1))
    last = cal.index(datetime.date(plan.today.year + 4, 1, 1))
    days = [cal.date_at(i) for i in range(first, last)]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS perf_workdays")
        cursor.execute(
            "CREATE TEMP TABLE perf_workdays AS SELECT (row_number() OVER (ORDER BY d))::int AS i,"
            " d FROM unnest(%s::date[]) AS d",
            [days],
        )
        cursor.execute("CREATE UNIQUE INDEX ON perf_workdays (d)")
        cursor.execute("CREATE UNIQUE INDEX ON perf_workdays (i)")
    return "perf_workdays"


def _tasks(plan: Plan) -> int:
    """Ten per project, alternating the business and the engineering PM's department, one
    after the other (an FS chain, _task_dependencies); dates on the working calendar; done,
    in progress or to do by where the project and today are."""
    Task = model("projects.Task")
    if Task is None:
        return 0
    wd = _workdays_table(plan)
    D = q(plan.today)
    duration = "(1 + (p.g + t.t) % 8)"
    # Table names and numbers are the seeder's own constants, never user input (nosec B608).
    start_i = "(s0.i + (t.t - 1) * 6)"
    start = f"(SELECT d FROM {wd} WHERE i = {start_i})"  # nosec B608
    finish = f"(SELECT d FROM {wd} WHERE i = {start_i} + {duration} - 1)"  # nosec B608
    status = (
        f"CASE WHEN p.stage IN ('delivered', 'closed') THEN 'done' "
        f"WHEN p.stage = 'cancelled' THEN 'cancelled' "
        f"WHEN p.stage = 'execution' AND {finish} < {D} THEN 'done' "
        f"WHEN p.stage = 'execution' AND {start} <= {D} THEN 'in_progress' ELSE 'todo' END"
    )
    business = "t.t % 2 = 1"
    return insert_select(
        Task,
        {
            "project_id": "p.id",
            "title": "'任务 ' || p.g || '-' || t.t",
            "owner_id": f"CASE WHEN {business} THEN p.business_pm_id ELSE p.engineering_pm_id END",
            "department": f"CASE WHEN {business} THEN 'business' ELSE 'engineering' END",
            "planned_start": start,
            "duration_days": duration,
            "planned_finish": finish,
            "forecast_start": start,
            "forecast_finish": finish,
            "actual_start": f"CASE WHEN {status} IN ('done', 'in_progress') THEN {start} END",
            "actual_finish": f"CASE WHEN {status} = 'done' THEN {finish} END",
            "progress": f"CASE {status} WHEN 'done' THEN 100 WHEN 'in_progress' THEN 50 ELSE 0 END",
            "status": status,
            "created_at": "p.created_at",
            "updated_at": "p.updated_at",
        },
        f"FROM {_perf_projects()} CROSS JOIN generate_series(1, {TASKS_PER_PROJECT}) AS t(t) "  # nosec B608
        f"JOIN LATERAL (SELECT i FROM {wd} WHERE d >= p.planned_start ORDER BY d LIMIT 1) s0 "
        "ON TRUE",
    )


def _task_dependencies(plan: Plan) -> int:
    Dep = model("projects.TaskDependency")
    if Dep is None:
        return 0
    tasks = (
        f"(SELECT t.id, t.project_id, row_number() OVER (PARTITION BY t.project_id "  # nosec B608
        f"ORDER BY t.planned_start, t.id) AS n FROM {table('projects.Task')} t "
        f"JOIN {table('projects.Project')} p ON p.id = t.project_id "
        f"WHERE p.code LIKE '{CODE_PREFIX}%')"
    )
    return insert_select(
        Dep,
        {
            "predecessor_id": "a.id",
            "successor_id": "b.id",
            "type": q("FS"),
            "lag_days": "0",
            "created_at": "now()",
        },
        f"FROM {tasks} a JOIN {tasks} b ON b.project_id = a.project_id AND b.n = a.n + 1",
    )


def _change_requests(plan: Plan) -> int:
    """One per project past kickoff, two for every third; decided ones carry both times."""
    CR = model("projects.ChangeRequest")
    if CR is None:
        return 0
    D = q(plan.today)
    statuses = ["implemented", "approved", "rejected", "submitted", "draft", "withdrawn"]
    st = " ".join(f"WHEN {i} THEN {q(s)}" for i, s in enumerate(statuses))
    submitted = (
        f"(({D} - 5 - ((p.g * 13 + c.c) % 360))::timestamp + time '10:00') "
        "AT TIME ZONE 'Asia/Shanghai'"
    )
    status = f"(CASE (p.g + c.c) % {len(statuses)} {st} END)"
    return insert_select(
        CR,
        {
            "project_id": "p.id",
            "number": "'CR-' || lpad(c.c::text, 3, '0')",
            "title": "'变更 ' || p.g || '-' || c.c",
            "origin": "CASE c.c WHEN 1 THEN 'customer' ELSE 'engineering' END",
            "requested_by_id": "p.business_pm_id",
            "status": status,
            "cost_impact": "((p.g * 31) % 200000)::numeric",
            "currency": q("CNY"),
            "schedule_impact_days": "(p.g + c.c) % 30",
            "submitted_at": f"CASE WHEN {status} = 'draft' THEN NULL ELSE {submitted} END",
            "decided_at": f"CASE WHEN {status} IN ('implemented', 'approved', 'rejected') "
            f"THEN {submitted} + ((1 + (p.g % 14)) * interval '1 day') END",
            "created_at": f"{submitted} - interval '1 day'",
            "updated_at": submitted,
        },
        f"FROM {_perf_projects()} CROSS JOIN generate_series(1, 2) AS c(c) "
        "WHERE p.stage IN ('kickoff', 'execution', 'delivered', 'closed') "
        "AND (c.c = 1 OR p.g % 3 = 0)",
    )


# category by g % 7, and its name as the title's first word
DOCUMENT_CATEGORIES = [
    ("contract", "合同"),
    ("technical_proposal", "技术方案"),
    ("feasibility_report", "可行性报告"),
    ("drawings", "图纸"),
    ("minutes", "会议纪要"),
    ("acceptance", "验收资料"),
    ("other", "其他"),
]


def _documents(plan: Plan) -> int:
    """One library document per project (search by name): `图纸 N`, `合同 N`, …"""
    Document = model("projects.Document")
    if Document is None:
        return 0
    n = len(DOCUMENT_CATEGORIES)
    category = " ".join(f"WHEN {i} THEN {q(c)}" for i, (c, _t) in enumerate(DOCUMENT_CATEGORIES))
    title = " ".join(f"WHEN {i} THEN {q(t)}" for i, (_c, t) in enumerate(DOCUMENT_CATEGORIES))
    return insert_select(
        Document,
        {
            "project_id": "p.id",
            "title": f"(CASE p.g % {n} {title} END) || ' ' || p.g",
            "category": f"CASE p.g % {n} {category} END",
            "attached_kind": q(""),
            "current_version": "1",
            "created_by_id": "p.business_pm_id",
            "created_at": "p.created_at",
            "updated_at": "p.created_at",
        },
        f"FROM {_perf_projects()}",
    )


def _document_versions(plan: Plan) -> int:
    """Each perf document's version 1 (the row only: no file is written)."""
    Version = model("projects.DocumentVersion")
    if Version is None:
        return 0
    return insert_select(
        Version,
        {
            "document_id": "d.id",
            "version": "1",
            "file": "'documents/' || p.code || '/' || d.id || '/perf.pdf'",
            "filename": q("perf.pdf"),
            "size": "1024",
            "sha256": "md5(d.id::text) || md5(p.code)",
            "content_type": q("application/pdf"),
            "uploaded_by_id": "d.created_by_id",
            "uploaded_at": "d.created_at",
        },
        f"FROM {table('projects.Document')} d JOIN {_perf_projects()} ON p.id = d.project_id",
    )


def _comments(plan: Plan) -> int:
    """Two comments in each project's own thread, one by each PM."""
    Comment = model("coordination.Comment")
    if Comment is None:
        return 0
    return insert_select(
        Comment,
        {
            "project_id": "p.id",
            "target_kind": q("project"),
            "target_key": "p.code",
            "author_id": "CASE c.c WHEN 1 THEN p.business_pm_id ELSE p.engineering_pm_id END",
            "body": "'进度讨论 ' || p.g || '-' || c.c || '：请确认设备到货与现场安装安排'",
            "created_at": "p.created_at + c.c * interval '1 day'",
        },
        f"FROM {_perf_projects()} CROSS JOIN generate_series(1, 2) AS c(c)",
    )


def _handovers(plan: Plan) -> int:
    Handover = model("handover.Handover")
    if Handover is None:
        return 0
    accepted = "('kickoff', 'execution', 'delivered', 'closed', 'on_hold')"
    at = (
        "((p.contract_signed_on + 5 + p.g % 20)::timestamp + time '16:00') "
        "AT TIME ZONE 'Asia/Shanghai'"
    )
    return insert_select(
        Handover,
        {
            "project_id": "p.id",
            "template_name": q("标准移交清单"),
            "status": f"CASE WHEN p.stage IN {accepted} THEN 'accepted' ELSE 'draft' END",
            "due_date": "p.contract_signed_on + 14",
            "created_at": "p.contract_signed_on::timestamp AT TIME ZONE 'Asia/Shanghai'",
            "submitted_at": f"CASE WHEN p.stage IN {accepted} THEN {at} - interval '2 days' END",
            "accepted_at": f"CASE WHEN p.stage IN {accepted} THEN {at} END",
            "updated_at": "now()",
        },
        f"FROM {_perf_projects()} WHERE p.stage NOT IN ('opportunity', 'cancelled')",
    )


# ------------------------------------------------------------------ review loop
def _cadences(plan: Plan) -> int:
    """A weekly meeting for projects in kickoff/execution, a daily stand-up for execution;
    the two PMs take part."""
    Cadence = apps.get_model("coordination.ReviewCadence")
    n = insert_select(
        Cadence,
        {
            "project_id": "p.id",
            "kind": "k.kind",
            "title": "CASE k.kind WHEN 'weekly_meeting' THEN '每周例会' ELSE '每日站会' END",
            "time_of_day": "CASE k.kind WHEN 'weekly_meeting' THEN time '10:00' "
            "ELSE time '09:00' END",
            "duration_minutes": "CASE k.kind WHEN 'weekly_meeting' THEN 60 ELSE 15 END",
            "weekday": "CASE k.kind WHEN 'weekly_meeting' THEN p.g % 5 END",
            "timezone": q("Asia/Shanghai"),
            "is_active": "TRUE",
            "created_at": "p.created_at",
            "updated_at": "p.updated_at",
        },
        f"FROM {_perf_projects()} JOIN (VALUES ('weekly_meeting'), ('daily_standup')) "
        "AS k(kind) ON k.kind = 'weekly_meeting' AND p.stage IN ('kickoff', 'execution') "
        "OR k.kind = 'daily_standup' AND p.stage = 'execution'",
    )
    through = Cadence.participants.through
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(through._meta.db_table)} (reviewcadence_id, user_id) "  # nosec B608
            f"SELECT c.id, u.user_id FROM {table('coordination.ReviewCadence')} c "
            f"JOIN {table('projects.Project')} p ON p.id = c.project_id "
            f"CROSS JOIN LATERAL (VALUES (p.business_pm_id), (p.engineering_pm_id)) u(user_id) "
            f"WHERE p.code LIKE '{CODE_PREFIX}%'"
        )
    return n


def _reviews(plan: Plan) -> int:
    """The last four weeks of weekly meetings, held (stand-ups are not stored per day here)."""
    D = q(plan.today)
    day = f"({D} - 7 * w.w - ((extract(isodow FROM {D})::int - 1) - c.weekday))"
    return insert_select(
        apps.get_model("coordination.Review"),
        {
            "cadence_id": "c.id",
            "project_id": "c.project_id",
            "kind": "c.kind",
            "date": day,
            "starts_at": f"({day}::timestamp + c.time_of_day) AT TIME ZONE 'Asia/Shanghai'",
            "status": q("held"),
            "minutes": q("会议纪要（性能测试数据）"),
            "went_well": "'[]'::jsonb",
            "went_wrong": "'[]'::jsonb",
            "improvements": "'[]'::jsonb",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"FROM {table('coordination.ReviewCadence')} c "
        f"JOIN {table('projects.Project')} p ON p.id = c.project_id "
        "CROSS JOIN generate_series(1, 4) AS w(w) "
        f"WHERE p.code LIKE '{CODE_PREFIX}%' AND c.kind = 'weekly_meeting'",
    )


def _reminders(plan: Plan) -> int:
    """Sent reminders of the held reviews: each participant, e-mail and in-app."""
    return insert_select(
        apps.get_model("coordination.Reminder"),
        {
            "target_key": "'review:' || r.id",
            "review_id": "r.id",
            "recipient_id": "cp.user_id",
            "channel": "ch.channel",
            "kind": q("review_upcoming"),
            "subject": "'每周例会将于 10:00 开始：性能测试项目'",
            "body": "'日期：' || r.date",
            "url": "'/reviews/' || r.id || '/'",
            "status": q("sent"),
            "due_at": "r.starts_at - interval '30 minutes'",
            "claimed_at": "r.starts_at - interval '30 minutes'",
            "sent_at": "r.starts_at - interval '29 minutes'",
            "attempts": "1",
            "created_at": "r.starts_at - interval '30 minutes'",
            "updated_at": "r.starts_at - interval '29 minutes'",
        },
        f"FROM {table('coordination.Review')} r "
        f"JOIN {table('projects.Project')} p ON p.id = r.project_id "
        f"JOIN {connection.ops.quote_name(_participants_table())} cp "
        "ON cp.reviewcadence_id = r.cadence_id "
        "CROSS JOIN (VALUES ('email'), ('inapp')) AS ch(channel) "
        f"WHERE p.code LIKE '{CODE_PREFIX}%'",
    )


def _participants_table() -> str:
    Cadence = apps.get_model("coordination.ReviewCadence")
    return Cadence.participants.through._meta.db_table


def _notifications(plan: Plan) -> int:
    """Five in-app messages per perf user, the newest two unread."""
    return insert_select(
        apps.get_model("coordination.Notification"),
        {
            "user_id": "u.id",
            "created_at": "now() - (n.n * interval '1 day')",
            "kind": q("reminder.review_upcoming"),
            "subject": "'例会提醒 ' || n.n",
            "body": q(""),
            "url": q("/reviews/"),
            "read_at": "CASE WHEN n.n > 2 THEN now() END",
        },
        f"FROM {table('auth.User')} u CROSS JOIN generate_series(1, 5) AS n(n) "
        "WHERE u.username LIKE 'perf\\_%'",
    )


# ------------------------------------------------------------------ KPI inputs and facts
def _surveys(plan: Plan) -> int:
    D = q(plan.today)
    return insert_select(
        apps.get_model("kpi.SatisfactionSurvey"),
        {
            "project_id": "p.id",
            "respondent": "'客户代表 ' || p.g",
            "overall_score": "3 + p.g % 3",
            "scores": """jsonb_build_object('质量', 3 + p.g % 3, '进度', 3 + (p.g + 1) % 3)""",
            "comments": q(""),
            "surveyed_on": f"LEAST(p.actual_end + 7, {D})",
            "created_by_id": "p.business_pm_id",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"FROM {_perf_projects()} WHERE p.stage IN ('delivered', 'closed')",
    )


def _complaints(plan: Plan) -> int:
    D = q(plan.today)
    categories = ["quality", "schedule", "communication", "cost", "service", "requirement"]
    cat = " ".join(f"WHEN {i} THEN {q(c)}" for i, c in enumerate(categories))
    opened = f"({D} - 1 - (p.g * 11 % 365))"
    return insert_select(
        apps.get_model("kpi.Complaint"),
        {
            "project_id": "p.id",
            "source": "CASE WHEN p.g % 8 = 0 THEN 'customer' ELSE 'internal' END",
            "category": f"CASE p.g % {len(categories)} {cat} END",
            "severity": "CASE p.g % 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END",
            "description": "'投诉（性能测试数据）' || p.g",
            "responsible_department": "CASE WHEN p.g % 2 = 0 THEN 'business' "
            "ELSE 'engineering' END",
            "opened_on": opened,
            "closed_on": f"CASE WHEN p.g % 3 > 0 THEN LEAST({opened} + 10, {D}) END",
            "created_by_id": "p.business_pm_id",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"FROM {_perf_projects()} WHERE p.g % 4 = 0 AND p.stage <> 'opportunity'",
    )


def _kpi_snapshots(plan: Plan) -> int:
    """Frozen values of KPI_PERIODS closed months for every scope the close freezes:
    company, the scorecard departments, each non-cancelled project and each PM."""
    KpiSnapshot = apps.get_model("kpi.KpiSnapshot")
    ClosedPeriod = apps.get_model("kpi.ClosedPeriod")
    months = plan.closed_months()
    existing = set(
        ClosedPeriod.objects.filter(period__in=[m[0] for m in months]).values_list(
            "period", flat=True
        )
    )
    pmo = apps.get_model("auth.User").objects.get(username=PMO_USERNAME)
    for key, _first, end in months:
        if key not in existing:
            ClosedPeriod.objects.create(
                period=key,
                status="closed",
                closed_at=datetime.datetime.combine(end, datetime.time(1, 0), datetime.UTC),
                closed_by=pmo,
            )
    periods = ", ".join(f"({q(key)}, {q(end)}, {i})" for i, (key, _first, end) in enumerate(months))
    # SQL from constants, ints and quote_name only (seeding tool, no user input)
    scopes = f"""
        SELECT 'company' AS scope_type, '' AS scope_key, 0 AS h
        UNION ALL SELECT 'department', d, 1 + o
            FROM unnest(ARRAY['business', 'engineering', 'finance']) WITH ORDINALITY AS t(d, o)
        UNION ALL SELECT 'project', p.code, p.g FROM {_perf_projects("AND p.stage <> 'cancelled'")}
        UNION ALL SELECT 'pm', u.username, u.id::int FROM {table("auth.User")} u
            WHERE u.username LIKE 'perf\\_bpm\\_%' OR u.username LIKE 'perf\\_epm\\_%'
    """  # nosec B608
    den = "(1 + (s.h + k.id * 7 + per.i) % 20)"
    num = f"((s.h * 3 + k.id + per.i) % ({den} + 1))"
    return insert_select(
        KpiSnapshot,
        {
            "kpi_id": "k.id",
            "scope_type": "s.scope_type",
            "scope_key": "s.scope_key",
            "period": "per.key",
            "numerator": f"{num}::numeric",
            "denominator": f"{den}::numeric",
            "value": f"round({num}::numeric * 100 / {den}, 4)",
            "extra": "'{}'::jsonb",
            "computed_at": "(per.closed::timestamp + time '01:00') AT TIME ZONE 'Asia/Shanghai'",
        },
        f"FROM ({scopes}) s CROSS JOIN (SELECT id FROM {table('kpi.KpiDefinition')} "  # nosec B608
        "WHERE is_active) k "
        f"CROSS JOIN (VALUES {periods}) AS per(key, closed, i) "
        "ON CONFLICT DO NOTHING",
    )
