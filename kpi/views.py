"""KPI pages: trends, department scorecards, before/after comparison, exports, project tab."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

from coordination.core import pdf
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import is_pmo
from coordination.core.text import join_list, join_messages
from kpi import exports, services
from kpi import periods as P
from kpi.definitions import CURRENT_STATE
from kpi.forms import ComplaintForm, SurveyForm
from kpi.models import ProjectCohort, Restatement
from kpi.params import (
    BadParams,
    comparison_for,
    parse_cell_params,
    parse_scorecard_params,
    parse_source,
    parse_value_params,
)
from kpi.selectors.config import active_kpis
from kpi.selectors.drilldown import rows_behind
from kpi.selectors.formulas import SOURCE_ALL, SOURCED
from kpi.selectors.kpi_values import project_kpi_panel, value_rows
from kpi.selectors.restatements import restatements_by_period
from kpi.selectors.scopes import COMPANY, SCORECARD_DEPARTMENTS
from kpi.selectors.scorecards import scorecard, scorecards_side_by_side
from kpi.surveys.forms import InvitationForm
from kpi.surveys.selectors import project_invitations
from kpi.surveys.services import can_invite
from projects.core.selectors import visible_projects


def _errors(exc: BadParams) -> list[str]:
    detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
    return [f"{k}: {m}" if k else str(m) for k, ms in detail.items() for m in ms]


def _number(v):
    return float(v) if v is not None else None


def _target_label(kpi) -> str:
    """The target line's legend: text with the KPI's unit (“目标 95 %”)."""
    return f"{_('目标')} {floatformat(kpi.target, '-2')} {kpi.unit_label}".strip()


# The compare chart's KPIs: (label, change key in the comparison, better when it goes down)
COMPARE_CHART = [
    (_lazy("交付周期"), "delivery_cycle_pct", True),
    (_lazy("客户满意率(≥4分)"), "satisfaction_share_pct", False),
    (_lazy("客户投诉"), "customer_complaints_pct", True),
    (_lazy("跨部门投诉"), "cross_department_complaints_pct", True),
]


def compare_chart(result: dict) -> dict:
    """One axis for all KPIs: each one's change relative to its before value, in % (the
    comparison's own `change`, so the chart and the table say the same); null when there is
    no before value to compare with."""
    changes = [result["change"][key] for _label, key, _down in COMPARE_CHART]
    return {
        "labels": [str(label) for label, _key, _down in COMPARE_CHART],
        "change_pct": [_number(c) for c in changes],
        "better": [
            None if c is None or c == 0 else (c < 0) == down
            for c, (_label, _key, down) in zip(changes, COMPARE_CHART, strict=True)
        ],
        "dataset_label": _("%(after)s相对%(before)s的变化(%%)")
        % {"after": result["after"]["label"], "before": result["before"]["label"]},
        "axis_title": _("相对变化(%)"),
    }


# The satisfaction KPI's sources, as the KPI page offers them (`source=`).
SOURCE_CHOICES = [
    (SOURCE_ALL, _lazy("全部来源")),
    ("customer", _lazy("客户填写")),
    ("staff", _lazy("录入")),
]


@login_required
def index(request):
    """Trend chart per KPI for a scope and granularity."""
    errors: list[str] = []
    try:
        kpis, scope, period_list = parse_value_params(request.GET, request.user)
    except BadParams as exc:
        errors = _errors(exc)
        kpis, scope, period_list = parse_value_params({}, request.user)
    except (NotFound, ApiPermissionDenied):
        errors = [_("你无权查看该范围的指标。")]
        kpis, scope, period_list = parse_value_params({}, request.user)
    try:
        source = parse_source(request.GET)
    except BadParams as exc:
        errors += _errors(exc)
        source = SOURCE_ALL
    today = timezone.localdate()
    rows = value_rows(kpis, scope, period_list, today, source=source)
    by_kpi: dict[str, list[dict]] = {k.code: [] for k in kpis}
    for row in rows:
        by_kpi[row["kpi"]].append(row)
    cards = []
    for kpi in kpis:
        series = by_kpi[kpi.code]
        latest = series[-1] if series else None
        if kpi.code in CURRENT_STATE:  # shown as of today only: the current month's row
            latest = next((r for r in series if r["as_of"] == today), None)
        cards.append(
            {
                "kpi": kpi,
                "latest": latest,
                "current_state": kpi.code in CURRENT_STATE,
                "sourced": kpi.code in SOURCED,
                "today": today,
                "series": series,
                "chart": {
                    "code": kpi.code,
                    "label": kpi.name,
                    "unit": kpi.unit_label,
                    "target": _number(kpi.target),
                    "labels": [
                        f"{r['period']} ({_('截至目前')})" if r["open"] else r["period"]
                        for r in series
                    ],
                    "values": [_number(r["value"]) for r in series],
                    "frozen": [r["frozen"] for r in series],
                    "open": [r["open"] for r in series],
                    "target_label": _target_label(kpi),
                    "open_note": _("空心点、虚线：本期未结束，为截至目前的值"),
                },
            }
        )
    scopes = [("company", _("公司"))] + [
        (f"department:{d}", str(Department(d).label)) for d in SCORECARD_DEPARTMENTS
    ]
    if (
        request.user.project_memberships.exists()
        or request.user.business_projects.exists()
        or (request.user.engineering_projects.exists())
    ):
        scopes.append((f"pm:{request.user.get_username()}", _("我的项目")))
    projects = visible_projects(request.user).order_by("code").values_list("code", "name")[:300]
    scopes += [(f"project:{code}", f"{code} {name}") for code, name in projects]
    return render(
        request,
        "kpi/index.html",
        {
            "cards": cards,
            "charts": [c["chart"] for c in cards],
            "scope": str(scope),
            "scopes": scopes,
            "granularity": period_list[0].granularity if period_list else P.MONTH,
            "granularities": [(P.MONTH, _("月")), (P.QUARTER, _("季度")), (P.YEAR, _("年"))],
            "source": source,
            "sources": SOURCE_CHOICES,
            "from": period_list[0].key if period_list else "",
            "to": period_list[-1].key if period_list else "",
            "errors": errors,
        },
    )


@login_required
def scorecards(request):
    """Business and engineering scorecards side by side (the joint KPIs are identical)."""
    errors: list[str] = []
    try:
        _department, period = parse_scorecard_params(request.GET)
    except BadParams as exc:
        errors = _errors(exc)
        period = P.current(P.QUARTER)
    cards = scorecards_side_by_side(SCORECARD_DEPARTMENTS, period)
    return render(
        request,
        "kpi/scorecards.html",
        {
            "cards": cards,
            "period": period,
            "previous": P.preceding(period),
            "next": P.following(period),
            "errors": errors,
            "year": period.start.year,
        },
    )


@login_required
def scorecards_pdf(request):
    """The department scorecards of a period as a PDF for the annual appraisal (a year, a
    quarter or a month: `?period=2026`, `2026-Q3`, `2026-09`)."""
    try:
        _department, period = parse_scorecard_params(request.GET)
    except BadParams as exc:
        return HttpResponse(
            "\n".join(_errors(exc)), status=400, content_type="text/plain; charset=utf-8"
        )
    context = {
        "cards": scorecards_side_by_side(SCORECARD_DEPARTMENTS, period),
        "period": period,
        "generated_at": timezone.localtime(),
    }
    body = pdf.render_pdf("kpi/scorecards.pdf.html", context, request)
    return pdf.pdf_response(body, f"kpi-scorecards-{period.key}.pdf")


@login_required
def compare(request):
    """Before/after comparison for a split date, a list of projects or a saved cohort."""
    errors: list[str] = []
    result = None
    params = request.GET
    if not any(params.get(k) for k in ("split", "projects", "cohort")):
        params = {"split": "2026-01-01"}
    try:
        result = comparison_for(params)
    except BadParams as exc:
        errors = _errors(exc)
    chart = compare_chart(result) if result else None
    return render(
        request,
        "kpi/compare.html",
        {
            "result": result,
            "chart": chart,
            "errors": errors,
            "params": params,
            "cohorts": ProjectCohort.objects.order_by("slug"),
        },
    )


def annual_review_tables(year_no: int) -> list[exports.Table]:
    """The annual performance review: each scorecard for the year and its quarters, and the
    company's monthly values."""
    tables = []
    for department in SCORECARD_DEPARTMENTS:
        rows = []
        for period in [P.year(year_no)] + [P.quarter(year_no, q) for q in range(1, 5)]:
            rows += exports.scorecard_rows(scorecard(department, period))
        tables.append((f"{department} {year_no}", exports.SCORECARD_HEADER, rows))
    kpis = active_kpis()
    months = [P.month(year_no, m) for m in range(1, 13)]
    rows = value_rows(kpis, COMPANY, months)
    tables.append(exports.values_table({"scope": f"company {year_no}", "results": rows}))
    return tables


@login_required
def export(request):
    """`?year=2026&format=csv|xlsx`: the annual review file."""
    try:
        year_no = int(request.GET.get("year") or timezone_year())
        if not 1900 <= year_no <= 9999:
            raise ValueError
    except ValueError:
        return HttpResponse(_("年份无效。"), status=400, content_type="text/plain; charset=utf-8")
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            _("格式应为 csv 或 xlsx。"), status=400, content_type="text/plain; charset=utf-8"
        )
    tables = annual_review_tables(year_no)
    if fmt == "csv":
        body, ctype = exports.write_csv(tables), "text/csv; charset=utf-8"
    else:
        body, ctype = exports.write_xlsx(tables), exports.XLSX_MEDIA_TYPE
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="kpi-annual-review-{year_no}.{fmt}"'
    return response


def timezone_year() -> int:
    return timezone.localdate().year


# ------------------------------------------------------------------ project tab
def _project_for(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


def _panel_context(request, project, survey_form=None, complaint_form=None) -> dict:
    today = datetime.date.today().isoformat()
    return {
        "project": project,
        "panel": project_kpi_panel(project),
        "can_record": services.can_record_inputs(request.user, project),
        "survey_form": survey_form or SurveyForm(initial={"surveyed_on": today}),
        "complaint_form": complaint_form or ComplaintForm(initial={"opened_on": today}),
        "can_invite": can_invite(request.user, project),
        "invitation_form": InvitationForm(),
        "invitations": project_invitations(project),
    }


@login_required
def panel(request, code: str):
    project = _project_for(request, code)
    return render(request, "kpi/_project_panel.html", _panel_context(request, project))


def _after_input(request, project, survey_form=None, complaint_form=None):
    if request.headers.get("HX-Request"):
        return render(
            request,
            "kpi/_project_panel.html",
            _panel_context(request, project, survey_form, complaint_form),
        )
    return redirect(reverse("projects:detail", args=[project.code]) + "#pane-kpis")


def _warn_restatement(request, periods: list[str]) -> None:
    if periods:
        messages.warning(
            request,
            _(
                "该录入的日期属于已关账期间 %(periods)s：冻结值暂不变，已登记为待重述，"
                "由PMO决定是否重述。"
            )
            % {"periods": join_list(periods)},
        )


def _record(request, project, form, record, success: str):
    if not form.is_valid():
        messages.error(request, _("请检查输入。"))
        return False
    try:
        record(form)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))
        return False
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                for err in errs:
                    messages.error(request, f"{field}: {err}")
        else:
            messages.error(request, join_messages(exc.messages))
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def add_survey(request, code: str):
    project = _project_for(request, code)
    form = SurveyForm(request.POST)

    def record(f):
        data = {**f.cleaned_data, "scores": f.cleaned_data.get("scores_text") or {}}
        survey = services.record_survey(project, by=request.user, data=data)
        _warn_restatement(request, survey.restatement_periods)

    ok = _record(request, project, form, record, _("已录入满意度调查。"))
    return _after_input(request, project, survey_form=None if ok else form)


@login_required
@require_POST
def add_complaint(request, code: str):
    project = _project_for(request, code)
    form = ComplaintForm(request.POST)

    def record(f):
        complaint = services.record_complaint(project, by=request.user, data=f.cleaned_data)
        _warn_restatement(request, complaint.restatement_periods)

    ok = _record(request, project, form, record, _("已录入投诉。"))
    return _after_input(request, project, complaint_form=None if ok else form)


# ------------------------------------------------------------------ restatements
@login_required
@require_GET
def restatements(request):
    """Pending restatements per closed period; PMO restates the period or keeps it frozen."""
    status = request.GET.get("status") or Restatement.Status.PENDING
    if status not in Restatement.Status.values:
        status = Restatement.Status.PENDING
    return render(
        request,
        "kpi/restatements.html",
        {
            "groups": restatements_by_period(status),
            "status": status,
            "statuses": Restatement.Status.choices,
            "can_decide": is_pmo(request.user),
            "errors": [],
        },
    )


@login_required
@require_POST
def decide_restatement(request, period: str, decision: str):
    if not is_pmo(request.user):
        raise PermissionDenied(_("只有PMO可以处理期间重述。"))
    reason = request.POST.get("reason", "")
    try:
        if decision == "restate":
            keys = services.restate_period(period, by=request.user, reason=reason)
            messages.success(request, _("已重述期间：%(periods)s。") % {"periods": join_list(keys)})
        else:
            n = services.leave_period_frozen(period, by=request.user, reason=reason)
            messages.success(
                request,
                _("期间 %(period)s 维持冻结值（%(n)s 条录入不计入）。")
                % {"period": period, "n": n},
            )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect("kpi:restatements")


# ------------------------------------------------------------------ drill-down
@login_required
@require_GET
def cell_rows(request):
    """The rows one KPI cell counts (`?kpi=&scope=&period=`), to check the number by hand."""
    try:
        kpi, scope, period = parse_cell_params(request.GET, request.user)
    except BadParams as exc:
        return render(
            request, "kpi/rows.html", {"errors": _errors(exc), "parts": [], "kpi": None}, status=400
        )
    except (NotFound, ApiPermissionDenied):
        return render(
            request,
            "kpi/rows.html",
            {"errors": [_("你无权查看该范围的指标。")], "parts": [], "kpi": None},
            status=404,
        )
    try:
        source = parse_source(request.GET)
    except BadParams as exc:
        return render(
            request, "kpi/rows.html", {"errors": _errors(exc), "parts": [], "kpi": None}, status=400
        )
    today = timezone.localdate()
    value = value_rows([kpi], scope, [period], today, source=source)[0]
    return render(
        request,
        "kpi/rows.html",
        {
            "kpi": kpi,
            "scope": str(scope),
            "period": period,
            "value": value,
            "parts": rows_behind(kpi.code, scope, period, today, source=source),
            "source": source if kpi.code in SOURCED else None,
            "errors": [],
        },
    )
