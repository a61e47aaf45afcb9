"""Change requests: every write (create, edit, submit, assess, decide, withdraw, implement).

The HTML views, the API and the admin call these functions, so each rule lives here once.
Every state change locks the change request row first (`select_for_update`): concurrent
approvals, or an approval racing a withdrawal, are serialized, and whoever comes second
re-reads the committed state and gets a Conflict when its action no longer applies. Each
write may name the version of the request its caller read (`expected_version`): another
version refuses it with StaleWrite (coordination.core.concurrency).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.core import reasons, workdays
from coordination.core.concurrency import Expected, check_version
from coordination.core.events import emit
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import can_write, department_of, is_pmo
from coordination.core.services import next_number, notify, record_audit, snapshot
from coordination.core.text import join_list
from projects.changes.models import ChangeDecision, ChangeRequest, MilestoneChange
from projects.changes.rules import (
    deciding_departments,
    departments_for,
    requester_barred,
    required_departments,
)
from projects.core.milestone_moves import milestones_moved
from projects.core.models import CLOSED_STAGES, Milestone, Project
from projects.core.roles import DEPARTMENT_ROLES, ENGINEERING_ROLES, PM_ROLES
from projects.core.selectors import members_with_role, project_roles
from projects.tasks import selectors as task_selectors
from projects.tasks import services as task_services

Status = ChangeRequest.Status

EDITABLE_FIELDS = [
    "title",
    "description",
    "origin",
    "cost_impact",
    "currency",
    "schedule_impact_days",
    "scope_impact",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "status", "effort_days", "assessment_risks", "decided_at"]
ASSESSOR_ROLES = ENGINEERING_ROLES  # engineering assesses a change before anyone decides
REQUESTER_REFUSED = gettext_lazy("申请人不能为本部门审批自己提出的变更申请。")
DEPARTMENT_LABELS = {
    Department.BUSINESS: Department.BUSINESS.label,
    Department.ENGINEERING: Department.ENGINEERING.label,
    Department.FINANCE: Department.FINANCE.label,
}


# ---------------------------------------------------------------- rules


def can_create(user, project: Project) -> bool:
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project)))


def can_edit(user, cr: ChangeRequest) -> bool:
    return can_write(user) and (
        cr.requested_by_id == user.pk
        or is_pmo(user)
        or bool(project_roles(user, cr.project) & PM_ROLES)
    )


def can_assess(user, project: Project) -> bool:
    return can_write(user) and bool(project_roles(user, project) & ASSESSOR_ROLES)


def can_withdraw(user, cr: ChangeRequest) -> bool:
    """The requester or one of the project's two PMs."""
    return can_write(user) and (
        cr.requested_by_id == user.pk or bool(project_roles(user, cr.project) & PM_ROLES)
    )


def can_implement(user, project: Project) -> bool:
    return can_write(user) and bool(project_roles(user, project) & PM_ROLES)


def deciding_department(cr: ChangeRequest, user, department: str | None = None) -> str:
    """The department `user` acts for on `cr` (rules.deciding_departments); PermissionDenied
    when none, 400 when ambiguous."""
    if is_pmo(user):
        raise PermissionDenied(_("PMO 不能代替部门审批变更申请。"))
    mine = deciding_departments(cr, user)
    if department:
        if department not in mine:
            if barred_as_requester(cr, user, department):
                raise PermissionDenied(REQUESTER_REFUSED)
            raise PermissionDenied(_("你不能代表该部门审批此变更申请。"))
        return department
    if not mine:
        if barred_as_requester(cr, user, department_of(user)):
            raise PermissionDenied(REQUESTER_REFUSED)
        raise PermissionDenied(_("你不是此变更申请的审批人。"))
    if len(mine) > 1:
        raise ValidationError(
            {"department": [_("你在本项目中代表多个部门，请指定审批部门：%s") % ", ".join(mine)]}
        )
    return mine[0]


def barred_as_requester(cr: ChangeRequest, user, department: str) -> bool:
    """`user` requested `cr` and would decide for `department` but for that."""
    return (
        cr.requested_by_id == user.pk
        and requester_barred(user, department)
        and department in departments_for(user, cr.project)
        and department in required_departments(cr)
    )


def approvers(cr: ChangeRequest, departments: list[str] | None = None) -> list:
    """Users who may decide for the still undecided required departments."""
    decided = set(cr.decisions.values_list("department", flat=True))
    users = []
    for dept in departments or required_departments(cr):
        if dept in decided:
            continue
        users.extend(
            u
            for u in members_with_role(cr.project, *DEPARTMENT_ROLES[dept])
            if dept in deciding_departments(cr, u)
        )
    return users


# ---------------------------------------------------------------- helpers


def _lock(cr_id: int) -> ChangeRequest:
    try:
        return (
            ChangeRequest.objects.select_for_update(of=("self",))
            .select_related("project", "requested_by")
            .get(pk=cr_id)
        )
    except ChangeRequest.DoesNotExist as exc:
        raise Conflict(_("变更申请不存在。")) from exc


def _expect(cr: ChangeRequest, *statuses: str) -> None:
    if cr.status not in statuses:
        raise Conflict(
            _("变更申请 %(number)s 当前状态为“%(status)s”，不能执行此操作。")
            % {"number": cr.number, "status": cr.get_status_display()},
            [_("需要的状态：%s") % join_list(str(Status(s).label) for s in statuses)],
        )


def _url(cr: ChangeRequest) -> str:
    try:
        return reverse("changes:detail", args=[cr.pk])
    except Exception:  # URLs not loaded (e.g. a management command without them)
        return ""


def _clean_data(project: Project, data: dict[str, Any]) -> tuple[dict, list | None]:
    unknown = set(data) - set(EDITABLE_FIELDS) - {"affected_milestones"}
    if unknown:
        raise ValidationError({name: [_("不能修改此字段。")] for name in sorted(unknown)})
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    milestones = None
    if "affected_milestones" in data:
        ids = [m.pk if isinstance(m, Milestone) else m for m in data["affected_milestones"] or []]
        milestones = list(Milestone.objects.filter(pk__in=ids, project=project))
        if len(milestones) != len(set(ids)):
            raise ValidationError({"affected_milestones": [_("受影响的里程碑必须属于本项目。")]})
    if "title" in values and not str(values["title"] or "").strip():
        raise ValidationError({"title": [_("请填写标题。")]})
    return values, milestones


def _save(cr: ChangeRequest) -> None:
    cr.full_clean(exclude=["project", "requested_by", "affected_milestones"])
    cr.save()


def event_payload(cr: ChangeRequest) -> dict:
    return {
        "id": cr.pk,
        "number": cr.number,
        "project": cr.project.code,
        "status": cr.status,
        "cost_impact": str(cr.cost_impact),
        "currency": cr.currency,
        "schedule_impact_days": cr.schedule_impact_days,
        "decided_at": cr.decided_at.isoformat() if cr.decided_at else None,
        "decisions": [
            {
                "department": d.department,
                "decision": d.decision,
                "decided_by": d.decided_by.get_username(),
                "comment": d.comment,
            }
            for d in cr.decisions.select_related("decided_by")
        ],
    }


# ---------------------------------------------------------------- writes


@transaction.atomic
def create_change_request(project: Project, *, by, data: dict[str, Any]) -> ChangeRequest:
    """A new draft, numbered CR-001, CR-002… per project."""
    if not can_create(by, project):
        raise PermissionDenied(_("只有项目成员可以提出变更申请。"))
    if project.stage in CLOSED_STAGES:
        raise Conflict(_("项目已关闭或取消，不能再提出变更申请。"))
    values, milestones = _clean_data(project, data)
    n = next_number(f"cr-{project.code}")
    cr = ChangeRequest(project=project, requested_by=by, number=f"CR-{n:03d}", **values)
    _save(cr)
    if milestones:
        cr.affected_milestones.set(milestones)
    record_audit(
        actor=by, action="change_request.created", target=cr, after=snapshot(cr, AUDIT_FIELDS)
    )
    return cr


@transaction.atomic
def update_change_request(
    cr_id: int, *, by, data: dict[str, Any], expected_version: Expected = None
) -> ChangeRequest:
    """Edit a draft (requester, a PM or PMO)."""
    cr = _lock(cr_id)
    if not can_edit(by, cr):
        raise PermissionDenied(_("只有申请人或项目经理可以修改变更申请。"))
    check_version(cr, expected_version)
    _expect(cr, Status.DRAFT)
    values, milestones = _clean_data(cr.project, data)
    before = snapshot(cr, AUDIT_FIELDS)
    for name, value in values.items():
        setattr(cr, name, value)
    _save(cr)
    if milestones is not None:
        cr.affected_milestones.set(milestones)
    record_audit(
        actor=by,
        action="change_request.updated",
        target=cr,
        before=before,
        after=snapshot(cr, AUDIT_FIELDS),
    )
    return cr


@transaction.atomic
def submit_change_request(cr_id: int, *, by, expected_version: Expected = None) -> ChangeRequest:
    """draft → submitted; engineering is asked for its impact assessment."""
    cr = _lock(cr_id)
    if not can_edit(by, cr):
        raise PermissionDenied(_("只有申请人或项目经理可以提交变更申请。"))
    check_version(cr, expected_version)
    _expect(cr, Status.DRAFT)
    before = snapshot(cr, ["status"])
    cr.status = Status.SUBMITTED
    cr.submitted_at = timezone.now()
    cr.save(update_fields=["status", "submitted_at", "updated_at"])
    record_audit(
        actor=by,
        action="change_request.submitted",
        target=cr,
        before=before,
        after=snapshot(cr, ["status"]),
    )
    assessors = members_with_role(cr.project, *ASSESSOR_ROLES)
    notify(
        [*assessors, *approvers(cr)],
        kind="change_request.submitted",
        project=cr.project.code,
        subject=lambda: (
            _("变更申请 %(number)s 待评估：%(title)s") % {"number": cr.number, "title": cr.title}
        ),
        body=lambda: (
            _("项目 %(project)s 提交了变更申请，请工程管理部评估影响后由各部门审批。")
            % {"project": cr.project.code}
        ),
        url=_url(cr),
    )
    return cr


@transaction.atomic
def assess_change_request(
    cr_id: int, *, by, data: dict[str, Any], expected_version: Expected = None
) -> ChangeRequest:
    """submitted → assessed: engineering's impact assessment (effort, risks; it may correct
    the schedule impact). Approvers are notified that the decision is theirs."""
    cr = _lock(cr_id)
    if not can_assess(by, cr.project):
        raise PermissionDenied(_("只有工程管理部的项目成员可以评估变更影响。"))
    check_version(cr, expected_version)
    _expect(cr, Status.SUBMITTED)
    errors: dict[str, list[str]] = {}
    effort = data.get("effort_days")
    try:
        effort = Decimal(str(effort)) if effort not in (None, "") else None
    except Exception:
        effort = None
    if effort is None or effort < 0:
        errors["effort_days"] = [_("请填写评估工作量（人天，不小于0）。")]
    risks = str(data.get("assessment_risks") or data.get("risks") or "").strip()
    if not risks:
        errors["assessment_risks"] = [_("请填写评估风险。")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(cr, AUDIT_FIELDS)
    cr.effort_days = effort
    cr.assessment_risks = risks
    for name in ("schedule_impact_days", "cost_impact", "scope_impact"):
        if data.get(name) not in (None, ""):
            setattr(cr, name, data[name])
    cr.assessed_by = by
    cr.assessed_at = timezone.now()
    cr.status = Status.ASSESSED
    _save(cr)
    record_audit(
        actor=by,
        action="change_request.assessed",
        target=cr,
        before=before,
        after=snapshot(cr, AUDIT_FIELDS),
    )
    notify(
        approvers(cr),
        kind="change_request.awaiting_decision",
        project=cr.project.code,
        subject=lambda: (
            _("变更申请 %(number)s 待你审批：%(title)s") % {"number": cr.number, "title": cr.title}
        ),
        body=lambda: (
            _(
                "工程管理部已完成影响评估：工作量 %(effort)s 人天，"
                "工期影响 %(days)s 个工作日，成本影响 %(cost)s %(currency)s。"
            )
            % {
                "effort": cr.effort_days,
                "days": cr.schedule_impact_days,
                "cost": cr.cost_impact,
                "currency": cr.currency,
            }
        ),
        url=_url(cr),
    )
    return cr


def _shift(
    day: datetime.date | None, days: int, workcal: workdays.WorkCalendar
) -> datetime.date | None:
    """`day` moved by a schedule impact of `days` working days (negative: earlier) on the
    working calendar: a 5-day slip across 国庆 lands after the holiday."""
    return workcal.add_working_days(day, days) if day is not None and days else day


def _apply_impact(cr: ChangeRequest, *, by) -> None:
    """Move the affected milestones' forecasts and the project's forecast end and budget;
    baselines (planned_end, baseline_budget, baseline_date) stay. The forecast end is never
    earlier than the latest open milestone or task after the move (one set of numbers)."""
    project = Project.objects.select_for_update().get(pk=cr.project_id)
    before = snapshot(project, ["forecast_end", "forecast_budget"])
    workcal = workdays.calendar()  # one calendar for the project and all its milestones
    milestones = (
        Milestone.objects.select_for_update()
        .filter(pk__in=cr.affected_milestones.values("pk"))
        .exclude(status__in=[Milestone.Status.DONE, Milestone.Status.CANCELLED])
        .order_by("pk")
    )
    history = []
    for milestone in milestones:
        old = milestone.forecast_date
        milestone.forecast_date = _shift(old, cr.schedule_impact_days, workcal)
        milestone.save(update_fields=["forecast_date", "updated_at"])
        history.append(
            MilestoneChange(
                milestone=milestone,
                change_request=cr,
                old_forecast=old,
                new_forecast=milestone.forecast_date,
            )
        )
    MilestoneChange.objects.bulk_create(history)
    # the payments tied to the moved milestones follow them (projects.payments)
    milestones_moved([h.milestone_id for h in history], by=by)
    if cr.schedule_impact_days:
        project.forecast_end = _shift(
            project.forecast_end or project.planned_end, cr.schedule_impact_days, workcal
        )
    latest = task_selectors.latest_open_date(project)
    if project.forecast_end is not None and latest is not None and latest > project.forecast_end:
        project.forecast_end = latest
    if cr.cost_impact:
        base = project.forecast_budget
        if base is None:
            base = project.baseline_budget
        if base is not None:
            project.forecast_budget = base + cr.cost_impact
    project.save(update_fields=["forecast_end", "forecast_budget", "updated_at"])
    record_audit(
        actor=by,
        action="project.forecast_changed",
        target=project,
        before=before,
        after=snapshot(project, ["forecast_end", "forecast_budget"]),
        reason=reasons.CHANGE_APPROVED % {"number": cr.number},
    )
    cr.project = project


@transaction.atomic
def decide_change_request(
    cr_id: int,
    *,
    by,
    decision: str,
    comment: str = "",
    department: str | None = None,
    expected_version: Expected = None,
) -> ChangeRequest:
    """One department's decision. Any rejection rejects; the last required approval approves
    and moves the forecasts. A department that already decided gets a Conflict."""
    if decision not in ChangeDecision.Decision.values:
        raise ValidationError({"decision": [_("无效的审批决定。")]})
    comment = str(comment or "").strip()
    if decision == ChangeDecision.Decision.REJECT and not comment:
        raise ValidationError({"comment": [_("驳回时请填写意见。")]})
    cr = _lock(cr_id)
    dept = deciding_department(cr, by, department)
    check_version(cr, expected_version)
    if cr.status == Status.SUBMITTED:
        raise Conflict(
            _("变更申请 %(number)s 尚未完成工程影响评估，不能审批。") % {"number": cr.number},
            [_("工程管理部的影响评估")],
        )
    _expect(cr, Status.ASSESSED)
    decided = {d.department: d for d in cr.decisions.all()}
    if dept in decided:
        raise Conflict(
            _("%(dept)s 已对变更申请 %(number)s 作出决定。")
            % {"dept": DEPARTMENT_LABELS[dept], "number": cr.number}
        )
    row = ChangeDecision.objects.create(
        change_request=cr, department=dept, decided_by=by, decision=decision, comment=comment
    )
    decided[dept] = row
    record_audit(
        actor=by,
        action=f"change_request.{decision}",
        target=cr,
        after={"department": dept, "decision": decision},
        reason=comment,
    )
    required = required_departments(cr)
    final = None
    if decision == ChangeDecision.Decision.REJECT:
        final = Status.REJECTED
    elif all(
        d in decided and decided[d].decision == ChangeDecision.Decision.APPROVE for d in required
    ):
        final = Status.APPROVED
    if final is None:
        return cr
    before = snapshot(cr, ["status"])
    cr.status = final
    cr.decided_at = timezone.now()
    cr.save(update_fields=["status", "decided_at", "updated_at"])
    if final == Status.APPROVED:
        _apply_impact(cr, by=by)
    record_audit(
        actor=by,
        action="change_request.decided",
        target=cr,
        before=before,
        after=snapshot(cr, ["status", "decided_at"]),
        reason=comment,
    )
    emit("change_request.decided", event_payload(cr))
    notify(
        [cr.requested_by],
        kind="change_request.decided",
        project=cr.project.code,
        subject=lambda: (
            _("变更申请 %(number)s %(status)s：%(title)s")
            % {"number": cr.number, "status": cr.get_status_display(), "title": cr.title}
        ),
        body=comment,
        url=_url(cr),
    )
    return cr


def approve_change_request(
    cr_id: int,
    *,
    by,
    comment: str = "",
    department: str | None = None,
    expected_version: Expected = None,
) -> ChangeRequest:
    return decide_change_request(
        cr_id,
        by=by,
        decision=ChangeDecision.Decision.APPROVE,
        comment=comment,
        department=department,
        expected_version=expected_version,
    )


def reject_change_request(
    cr_id: int,
    *,
    by,
    comment: str = "",
    department: str | None = None,
    expected_version: Expected = None,
) -> ChangeRequest:
    return decide_change_request(
        cr_id,
        by=by,
        decision=ChangeDecision.Decision.REJECT,
        comment=comment,
        department=department,
        expected_version=expected_version,
    )


@transaction.atomic
def withdraw_change_request(
    cr_id: int, *, by, reason: str = "", expected_version: Expected = None
) -> ChangeRequest:
    """Before the decision, the requester or a PM may withdraw."""
    cr = _lock(cr_id)
    if not can_withdraw(by, cr):
        raise PermissionDenied(_("只有申请人或项目经理可以撤回变更申请。"))
    check_version(cr, expected_version)
    _expect(cr, *ChangeRequest.WITHDRAWABLE)
    before = snapshot(cr, ["status"])
    cr.status = Status.WITHDRAWN
    cr.withdrawn_at = timezone.now()
    cr.withdrawn_by = by
    cr.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
    record_audit(
        actor=by,
        action="change_request.withdrawn",
        target=cr,
        before=before,
        after=snapshot(cr, ["status"]),
        reason=reason,
    )
    return cr


@transaction.atomic
def implement_change_request(cr_id: int, *, by, expected_version: Expected = None) -> ChangeRequest:
    """approved → implemented, confirmed by one of the project's PMs."""
    cr = _lock(cr_id)
    if not can_implement(by, cr.project):
        raise PermissionDenied(_("只有项目经理可以确认变更已实施。"))
    check_version(cr, expected_version)
    _expect(cr, Status.APPROVED)
    before = snapshot(cr, ["status"])
    cr.status = Status.IMPLEMENTED
    cr.implemented_at = timezone.now()
    cr.implemented_by = by
    cr.save(update_fields=["status", "implemented_at", "implemented_by", "updated_at"])
    record_audit(
        actor=by,
        action="change_request.implemented",
        target=cr,
        before=before,
        after=snapshot(cr, ["status"]),
    )
    return cr


@transaction.atomic
def apply_impact_to_tasks(cr_id: int, *, by, task_ids: list[int]) -> list:
    """After approval, one of the PMs applies the request's schedule impact to the tasks it
    concerns: their forecasts move by schedule_impact_days (calendar days, rolled to a working
    day) and their downstream tasks follow (projects.tasks.services.shift_forecasts); the
    baselines stay. Once per change request, audited."""
    cr = _lock(cr_id)
    if not can_implement(by, cr.project):
        raise PermissionDenied(_("只有项目经理可以把变更的工期影响应用到任务。"))
    _expect(cr, Status.APPROVED, Status.IMPLEMENTED)
    if cr.tasks_impact_applied_at is not None:
        raise Conflict(
            _("变更申请 %(number)s 的工期影响已于 %(when)s 应用到任务。")
            % {
                "number": cr.number,
                "when": timezone.localtime(cr.tasks_impact_applied_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    if not cr.schedule_impact_days:
        raise Conflict(_("变更申请 %(number)s 没有工期影响。") % {"number": cr.number})
    ids = sorted({int(t) for t in task_ids or []})
    if not ids:
        raise ValidationError({"tasks": [_("请选择受影响的任务。")]})
    reason = _("变更申请 %(number)s 已批准") % {"number": cr.number}
    tasks = task_services.shift_forecasts(
        cr.project, by=by, task_ids=ids, days=cr.schedule_impact_days, reason=reason
    )
    project = Project.objects.select_for_update().get(pk=cr.project_id)
    latest = task_selectors.latest_open_date(project)
    if project.forecast_end is not None and latest is not None and latest > project.forecast_end:
        before = snapshot(project, ["forecast_end"])
        project.forecast_end = latest  # never earlier than the open work it now holds
        project.save(update_fields=["forecast_end", "updated_at"])
        record_audit(
            actor=by,
            action="project.forecast_changed",
            target=project,
            before=before,
            after=snapshot(project, ["forecast_end"]),
            reason=reason,
        )
    cr.tasks_impact_applied_at = timezone.now()
    cr.tasks_impact_applied_by = by
    cr.save(update_fields=["tasks_impact_applied_at", "tasks_impact_applied_by", "updated_at"])
    record_audit(
        actor=by,
        action="change_request.tasks_impact_applied",
        target=cr,
        after={"tasks": ids, "days": cr.schedule_impact_days},
        reason=reason,
    )
    return tasks
