"""The query parameters of the KPI pages and API (scope, granularity, periods, department,
comparison), read into selector arguments; BadParams ({"<field>": ["message"]}, a 400)
for what cannot be read."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied

from coordination.core.models import Department
from coordination.core.roles import sees_everything
from kpi import periods as P
from kpi.models import KpiDefinition, ProjectCohort, ScopeType
from kpi.selectors.comparison import compare_projects, compare_split
from kpi.selectors.config import active_kpis
from kpi.selectors.formulas import SOURCE_ALL, SURVEY_SOURCES
from kpi.selectors.scopes import COMPANY, SCORECARD_DEPARTMENTS, Scope, parse_scope
from projects.core.selectors import visible_projects


class BadParams(serializers.ValidationError):
    pass


def reject_nul(params, names) -> None:
    """PostgreSQL text cannot hold NUL: such input is refused (400), never a 500."""
    bad = {n: [_("包含非法字符。")] for n in names if "\x00" in (params.get(n) or "")}
    if bad:
        raise BadParams(bad)


def _parse_period_bound(text: str, granularity: str, name: str) -> P.Period:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        if day.year < 1900 or day.year > 9998:
            raise BadParams({name: [_("日期超出范围。")]})
        return P.containing(day, granularity)
    try:
        period = P.parse(text)
    except ValueError:
        raise BadParams(
            {name: [_("请使用期间(2026-07、2026-Q3、2026)或日期(2026-07-01)。")]}
        ) from None
    return P.containing(period.start, granularity)


def check_scope_access(user, scope: Scope) -> None:
    """Company and department figures are for every signed-in user; a project's figures for
    those who see the project (404 otherwise); a PM's for that PM, PMO and executives."""
    if scope.type == ScopeType.PROJECT:
        if not visible_projects(user).filter(code=scope.key).exists():
            raise NotFound()
    elif scope.type == ScopeType.PM:
        if not (sees_everything(user) or user.get_username() == scope.key):
            raise PermissionDenied(_("只能查看自己的项目经理指标。"))


def parse_value_params(params, user) -> tuple[list[KpiDefinition], Scope, list[P.Period]]:
    reject_nul(params, ["kpi", "scope", "granularity", "from", "to"])
    errors: dict[str, list[str]] = {}
    granularity = params.get("granularity") or P.MONTH
    if granularity not in P.GRANULARITIES:
        errors["granularity"] = [_("取值必须是 month、quarter 或 year。")]
        granularity = P.MONTH
    try:
        scope = parse_scope(params.get("scope"))
    except ValueError:
        errors["scope"] = [
            _("范围应为 company、department:<部门>、project:<项目编号> 或 pm:<用户名>。")
        ]
        scope = COMPANY
    codes = [c for c in (params.get("kpi") or "").split(",") if c.strip()]
    kpis = active_kpis(codes)
    unknown = sorted(set(codes) - {k.code for k in kpis})
    if unknown:
        errors["kpi"] = [_("未知指标：%(codes)s") % {"codes": ", ".join(unknown)}]
    periods: list[P.Period] = []
    try:
        last = (
            _parse_period_bound(params["to"], granularity, "to")
            if params.get("to")
            else P.current(granularity)
        )
        if params.get("from"):
            first = _parse_period_bound(params["from"], granularity, "from")
        else:
            first = last
            for _i in range({P.MONTH: 11, P.QUARTER: 3, P.YEAR: 2}[granularity]):
                first = P.preceding(first)
        if first.start > last.start:
            errors["from"] = [_("开始期间不能晚于结束期间。")]
        else:
            try:
                periods = P.span(first, last, limit=60)
            except ValueError:
                errors["to"] = [_("一次最多查询60个期间。")]
    except BadParams as exc:
        errors.update(exc.detail)
    if errors:
        raise BadParams(errors)
    check_scope_access(user, scope)
    return kpis, scope, periods


def parse_source(params) -> str:
    """`source=all|customer|staff` (default all): which surveys a survey-based KPI counts."""
    reject_nul(params, ["source"])
    source = params.get("source") or SOURCE_ALL
    if source not in SURVEY_SOURCES:
        raise BadParams({"source": [_("来源应为 all、customer 或 staff。")]})
    return source


def parse_scorecard_params(params) -> tuple[str, P.Period]:
    reject_nul(params, ["department", "period"])
    errors = {}
    department = params.get("department") or Department.BUSINESS
    if department not in SCORECARD_DEPARTMENTS:
        errors["department"] = [_("部门应为 business、engineering 或 finance。")]
    period = None
    try:
        period = P.parse(params.get("period") or P.current(P.QUARTER).key)
    except ValueError:
        errors["period"] = [_("期间格式应为 2026-07、2026-Q3 或 2026。")]
    if errors:
        raise BadParams(errors)
    return department, period


def comparison_for(params) -> dict:
    """`split=<date>[&months=N]`, `projects=<code,code>` or `cohort=<slug>`; BadParams else."""
    reject_nul(params, ["split", "projects", "cohort", "months"])
    split, codes, cohort = params.get("split"), params.get("projects"), params.get("cohort")
    if sum(bool(x) for x in (split, codes, cohort)) != 1:
        raise BadParams({"split": [_("请给出 split(日期)、projects(项目编号) 或 cohort 之一。")]})
    if split:
        try:
            split_date = datetime.date.fromisoformat(split)
            if split_date.year < 1900:
                raise ValueError(split)
        except ValueError:
            raise BadParams({"split": [_("请使用 ISO 日期，例如 2026-01-01。")]}) from None
        try:
            months = int(params.get("months") or 12)
            if not 1 <= months <= 60:
                raise ValueError
        except ValueError:
            raise BadParams({"months": [_("月数应为1到60之间的整数。")]}) from None
        try:
            return compare_split(split_date, months)
        except ValueError as exc:
            raise BadParams({"split": [str(exc)]}) from None
    if cohort:
        group = ProjectCohort.objects.filter(slug=cohort).first()
        if group is None:
            raise BadParams({"cohort": [_("未知的对比项目组。")]})
        return compare_projects(
            list(group.projects.values_list("code", flat=True)), label=group.name
        )
    code_list = [c.strip() for c in codes.split(",") if c.strip()]
    if not code_list or len(code_list) > 1000:
        raise BadParams({"projects": [_("请给出1到1000个项目编号，用逗号分隔。")]})
    return compare_projects(code_list)


def parse_rotation_params(params) -> P.Period:
    """`period=2026` (default: this year), `2026-Q3` or `2026-07`."""
    reject_nul(params, ["period"])
    try:
        return P.parse(params.get("period") or P.current(P.YEAR).key)
    except ValueError:
        raise BadParams({"period": [_("期间格式应为 2026-07、2026-Q3 或 2026。")]}) from None


def parse_cell_params(params, user) -> tuple[KpiDefinition, Scope, P.Period]:
    """`?kpi=<code>&scope=…&period=2026-07`: one KPI cell (the drill-down)."""
    reject_nul(params, ["kpi", "scope", "period"])
    errors: dict[str, list[str]] = {}
    kpis = active_kpis([params.get("kpi") or ""]) if params.get("kpi") else []
    if len(kpis) != 1:
        errors["kpi"] = [_("未知指标：%(codes)s") % {"codes": params.get("kpi") or "—"}]
    try:
        scope = parse_scope(params.get("scope"))
    except ValueError:
        errors["scope"] = [
            _("范围应为 company、department:<部门>、project:<项目编号> 或 pm:<用户名>。")
        ]
        scope = COMPANY
    period = None
    try:
        period = P.parse(params.get("period") or P.current(P.MONTH).key)
    except ValueError:
        errors["period"] = [_("期间格式应为 2026-07、2026-Q3 或 2026。")]
    if errors:
        raise BadParams(errors)
    check_scope_access(user, scope)
    return kpis[0], scope, period
