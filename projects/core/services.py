"""Every write that matters on customers, projects, milestones and risks."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import events
from coordination.core.concurrency import Expected, check_version
from coordination.core.exceptions import Conflict, GateRefused
from coordination.core.roles import is_pmo
from coordination.core.services import allocate_numbers, notify, record_audit, snapshot
from projects.core import stages, team
from projects.core.milestone_moves import DATE_FIELDS, milestones_moved
from projects.core.models import (
    PROJECT_READ_ONLY_FIELDS,
    PROJECT_SHOWN_FIELDS,
    Customer,
    Milestone,
    Project,
    Risk,
    Stage,
    StageTransition,
    check_planned_dates,
)
from projects.core.permissions import (
    CREATE_CUSTOMER_REFUSED,
    EDIT_CUSTOMER_REFUSED,
    can_create_customer,
    can_create_project,
    can_edit_customer,
    can_edit_plan,
    can_edit_project,
    can_transition,
    require,
)

User = get_user_model()

# What a project's writers set (these services, the project form, the ERP sync; audit
# snapshots list them), in the project form's order: the shown fields less the read-only
# ones, with erp_id and is_key_project right after the customer.
_FORM_FIRST = ["name", "customer", "erp_id", "is_key_project"]
PROJECT_FIELDS = _FORM_FIRST + [
    f for f in PROJECT_SHOWN_FIELDS if f not in PROJECT_READ_ONLY_FIELDS and f not in _FORM_FIRST
]
CUSTOMER_FIELDS = [
    "name",
    "erp_id",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "notes",
]
# What the ERP owns on a customer it synced (one with an erp_id): its identity, legal name and
# address. The people who hold the relationship edit the contacts and notes in the hub; a
# write other than the ERP upsert may not change these (update_customer).
CUSTOMER_ERP_FIELDS = ["erp_id", "name", "address"]
MILESTONE_FIELDS = [
    "name",
    "description",
    "owner_department",
    "baseline_date",
    "forecast_date",
    "actual_date",
    "status",
    "is_committed",
    "sequence",
]
RISK_FIELDS = [
    "title",
    "description",
    "category",
    "probability",
    "impact",
    "owner",
    "owner_department",
    "mitigation",
    "contingency",
    "status",
]


def _apply(instance, data: dict[str, Any], allowed: list[str]) -> dict[str, tuple[Any, Any]]:
    """Set allowed fields; return {field: (before, after)} for those that changed."""
    changed = {}
    for name, value in data.items():
        if name not in allowed:
            continue
        try:
            before = getattr(instance, name)
        except ObjectDoesNotExist:  # a required relation not set yet on a new instance
            before = None
        if before != value:
            changed[name] = (before, value)
            setattr(instance, name, value)
    return changed


def _validate(instance) -> None:
    instance.full_clean(validate_unique=False, validate_constraints=False)
    _check_dates(instance)


def _check_dates(instance) -> None:
    check_planned_dates(
        getattr(instance, "planned_start", None), getattr(instance, "planned_end", None)
    )


def _check_pms(project: Project, changed=None) -> None:
    """The PMs fit their roles (projects.core.team.check_project_pms), checked when set: an
    edit that leaves them alone is not refused for an older project's PM."""
    if changed is None or {"business_pm", "engineering_pm"} & changed.keys():
        team.check_project_pms(project)


def _audit_change(actor, action, instance, changed, reason: str = "") -> None:
    if not changed:
        return
    record_audit(
        actor=actor,
        action=action,
        target=instance,
        before={k: v[0] for k, v in changed.items()},
        after={k: v[1] for k, v in changed.items()},
        reason=reason,
    )


def _retry_once_on_insert_race(write):
    """Run `write()` in a transaction; if a concurrent call inserted the same unique key first
    (IntegrityError), run it once more: the row now exists, so it becomes an update."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        with transaction.atomic():
            return write()


# ---------------------------------------------------------------- customers
@transaction.atomic
def create_customer(*, by, data: dict[str, Any]) -> Customer:
    require(by is None or can_create_customer(by), CREATE_CUSTOMER_REFUSED)
    customer = Customer()
    _apply(customer, data, CUSTOMER_FIELDS)
    _validate(customer)
    customer.save()
    record_audit(
        actor=by,
        action="customer.created",
        target=customer,
        after=snapshot(customer, CUSTOMER_FIELDS),
    )
    return customer


@transaction.atomic
def update_customer(
    customer_id: int, *, by, data: dict[str, Any], expected_version: Expected = None
) -> Customer:
    """Change a customer; an ERP customer's CUSTOMER_ERP_FIELDS are refused (400 on each
    field); `expected_version`: the version the writer read (StaleWrite)."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    require(by is None or can_edit_customer(by, customer), EDIT_CUSTOMER_REFUSED)
    check_version(customer, expected_version)
    if customer.erp_id:
        owned = {
            name: [_("该字段由ERP同步维护，不能在此修改。")]
            for name in CUSTOMER_ERP_FIELDS
            if name in data and data[name] != getattr(customer, name)
        }
        if owned:
            raise ValidationError(owned)
    changed = _apply(customer, data, CUSTOMER_FIELDS)
    if changed:
        _validate(customer)
        customer.save()
        _audit_change(by, "customer.updated", customer, changed)
    return customer


def upsert_customer_by_erp_id(erp_id: str, *, by, data: dict[str, Any]) -> tuple[Customer, str]:
    """Create or update the customer with `erp_id`. Returns (customer, created|updated|unchanged).

    An identical repeat writes nothing: no save (same updated_at), no audit event.
    Concurrent first calls: the unique erp_id lets one insert win; the loser retries as update.
    """

    def write() -> tuple[Customer, str]:
        customer = Customer.objects.select_for_update().filter(erp_id=erp_id).first()
        if customer is None:
            require(by is None or can_create_customer(by), CREATE_CUSTOMER_REFUSED)
            customer = Customer(erp_id=erp_id)
            _apply(customer, data, CUSTOMER_FIELDS)
            _validate(customer)
            customer.save()
            record_audit(
                actor=by,
                action="customer.upserted",
                target=customer,
                after=snapshot(customer, CUSTOMER_FIELDS),
            )
            return customer, "created"
        require(by is None or can_edit_customer(by, customer), EDIT_CUSTOMER_REFUSED)
        changed = _apply(customer, data, CUSTOMER_FIELDS)
        if not changed:
            return customer, "unchanged"
        _validate(customer)
        customer.save()
        _audit_change(by, "customer.upserted", customer, changed)
        return customer, "updated"

    return _retry_once_on_insert_race(write)


# ---------------------------------------------------------------- projects
def new_project_codes(n: int, today: datetime.date | None = None) -> list[str]:
    """N new project codes PRJ-<year>-NNNN from the year's counter (one statement)."""
    year = (today or timezone.localdate()).year
    return [f"PRJ-{year}-{number:04d}" for number in allocate_numbers(f"project-{year}", n)]


def new_project_code(today: datetime.date | None = None) -> str:
    return new_project_codes(1, today)[0]


@transaction.atomic
def create_project(*, by, data: dict[str, Any]) -> Project:
    require(by is None or can_create_project(by), _("只有业务部或PMO可以创建项目。"))
    project = Project(code=new_project_code())
    _apply(project, data, PROJECT_FIELDS)
    if project.forecast_end is None:
        project.forecast_end = project.planned_end
    if project.forecast_budget is None:
        project.forecast_budget = project.baseline_budget
    _validate(project)
    _check_pms(project)
    project.stage_changed_at = timezone.now()
    project.save()
    record_audit(
        actor=by, action="project.created", target=project, after=snapshot(project, PROJECT_FIELDS)
    )
    team.start_team([project], by=by)
    return project


@transaction.atomic
def update_project(
    project_id: int,
    *,
    by,
    data: dict[str, Any],
    reason: str = "",
    expected_version: Expected = None,
) -> Project:
    """Change the project's fields; `expected_version`: the version the writer read
    (StaleWrite when another save came first)."""
    project = Project.objects.select_for_update().get(pk=project_id)
    require(by is None or can_edit_project(by, project))
    check_version(project, expected_version)
    if "stage" in data:
        raise ValidationError({"stage": [_("阶段只能通过阶段变更接口修改。")]})
    changed = _apply(project, data, PROJECT_FIELDS)
    if changed:
        _validate(project)
        _check_pms(project, changed)
        project.save()
        _audit_change(by, "project.updated", project, changed, reason)
    return project


def upsert_project_by_erp_id(erp_id: str, *, by, data: dict[str, Any]) -> tuple[Project, str]:
    """Create or update the project with `erp_id` (ERP sync). See upsert_customer_by_erp_id."""

    def write() -> tuple[Project, str]:
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("customer", "business_pm", "engineering_pm")
            .filter(erp_id=erp_id)
            .first()
        )
        if project is None:
            require(by is None or can_create_project(by), _("只有业务部或PMO可以创建项目。"))
            project = Project(code=new_project_code(), erp_id=erp_id)
            _apply(project, data, PROJECT_FIELDS)
            project.forecast_end = project.forecast_end or project.planned_end
            _validate(project)
            _check_pms(project)
            project.stage_changed_at = timezone.now()
            project.save()
            record_audit(
                actor=by,
                action="project.upserted",
                target=project,
                after=snapshot(project, PROJECT_FIELDS),
            )
            team.start_team([project], by=by)
            events.emit("project.upserted", project_event_payload(project))
            return project, "created"
        require(by is None or can_edit_project(by, project))
        changed = _apply(project, data, PROJECT_FIELDS)
        if not changed:
            return project, "unchanged"
        _validate(project)
        _check_pms(project, changed)
        project.save()
        _audit_change(by, "project.upserted", project, changed)
        events.emit("project.upserted", project_event_payload(project))
        return project, "updated"

    return _retry_once_on_insert_race(write)


def project_event_payload(project: Project) -> dict:
    return {
        "code": project.code,
        "erp_id": project.erp_id,
        "name": project.name,
        "stage": project.stage,
        "updated_at": project.updated_at.isoformat() if project.updated_at else None,
    }


@transaction.atomic
def transition_project(
    project_id: int,
    *,
    to: str,
    by,
    reason: str = "",
    override: bool = False,
    expected_version: Expected = None,
) -> Project:
    """Move a project to stage `to` through its gate.

    1. Lock the project row, so concurrent requests produce exactly one move.
    2. Check the caller may move it, that the project is still at the version the caller
       read when it names one (StaleWrite), and that `to` is an allowed target.
    3. Run the gates; unmet conditions refuse with GateRefused listing all of them,
       unless the caller is PMO, asked to override, gave a reason, and every unmet
       condition belongs to an overridable gate.
    4. Save the stage, log the StageTransition, audit, emit project.stage_changed,
       then run the on-enter hooks of the new stage (inside the same transaction).
    """
    project = Project.objects.select_for_update().get(pk=project_id)
    require(by is None or can_transition(by, project), _("只有项目经理、负责人或PMO可以变更阶段。"))
    check_version(project, expected_version)
    reason = (reason or "").strip()
    if to not in Stage.values:
        raise ValidationError({"to": [_("未知的阶段：%(to)s") % {"to": to}]})
    if to == project.stage:
        raise Conflict(_("项目已处于该阶段。"), unmet=[])
    if to not in stages.allowed_targets(project):
        raise Conflict(
            _("不能从“%(from)s”变更到“%(to)s”。")
            % {"from": project.get_stage_display(), "to": Stage(to).label},
            unmet=[_("不允许的阶段变更")],
        )
    if to in stages.REASON_REQUIRED and not reason:
        raise ValidationError({"reason": [_("暂停或取消项目必须填写原因。")]})

    hard, soft = stages.evaluate(project, to)
    overridden: list[str] = []
    if hard or soft:
        if override and not hard and by is not None and is_pmo(by):
            if not reason:
                raise ValidationError({"reason": [_("PMO豁免必须填写原因。")]})
            overridden = soft
        else:
            raise GateRefused(_("阶段门禁条件未满足。"), unmet=hard + soft)

    before = project.stage
    if to == Stage.ON_HOLD:
        project.stage_before_hold = before
    elif before == Stage.ON_HOLD:
        project.stage_before_hold = ""
    project.stage = to
    project.stage_changed_at = timezone.now()
    if to == Stage.CONTRACTED and project.contract_signed_on is None:
        project.contract_signed_on = timezone.localdate()
    if to == Stage.EXECUTION and project.actual_start is None:
        project.actual_start = timezone.localdate()
    if to == Stage.DELIVERED and project.actual_end is None:
        project.actual_end = timezone.localdate()
    project.save()
    StageTransition.objects.create(
        project=project,
        from_stage=before,
        to_stage=to,
        actor=by if getattr(by, "pk", None) else None,
        reason=reason,
        overridden=overridden,
    )
    record_audit(
        actor=by,
        action="project.stage_override" if overridden else "project.stage_changed",
        target=project,
        before={"stage": before},
        after={"stage": to, "overridden": overridden} if overridden else {"stage": to},
        reason=reason,
    )
    events.emit(
        "project.stage_changed",
        {**project_event_payload(project), "from": before, "to": to, "reason": reason},
    )
    notify(
        [project.business_pm, project.engineering_pm],
        kind="project.stage_changed",
        project=project.code,
        subject=lambda: (
            _("%(code)s 阶段变更：%(from)s → %(to)s")
            % {"code": project.code, "from": Stage(before).label, "to": Stage(to).label}
        ),
        body=reason,
        url=f"/projects/{project.code}/",
    )
    for hook in stages.enter_hooks(to):
        hook(project, by)
    project.refresh_from_db()
    return project


# ---------------------------------------------------------------- milestones and risks
@transaction.atomic
def create_milestone(project: Project, *, by, data: dict[str, Any]) -> Milestone:
    require(by is None or can_edit_plan(by, project))
    milestone = Milestone(project=project)
    _apply(milestone, data, MILESTONE_FIELDS)
    if milestone.forecast_date is None:
        milestone.forecast_date = milestone.baseline_date
    _check_milestone(milestone)
    milestone.save()
    record_audit(
        actor=by,
        action="milestone.created",
        target=milestone,
        after=snapshot(milestone, MILESTONE_FIELDS),
    )
    return milestone


def _check_milestone(milestone: Milestone) -> None:
    if milestone.status == Milestone.Status.DONE and milestone.actual_date is None:
        milestone.actual_date = timezone.localdate()
    if milestone.status != Milestone.Status.DONE and milestone.actual_date is not None:
        milestone.status = Milestone.Status.DONE
    _validate(milestone)


@transaction.atomic
def update_milestone(
    milestone_id: int,
    *,
    by,
    data: dict[str, Any],
    reason: str = "",
    expected_version: Expected = None,
) -> Milestone:
    """Change a milestone; `expected_version`: the version the writer read (StaleWrite when
    another save came first)."""
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone_id)
    require(by is None or can_edit_plan(by, milestone.project))
    check_version(milestone, expected_version)
    if (
        "baseline_date" in data
        and milestone.is_committed
        and data["baseline_date"] != milestone.baseline_date
    ):
        raise Conflict(
            _("已承诺的里程碑基线日期不能修改，请提交变更申请。"),
            unmet=[_("基线日期已承诺")],
        )
    was_done = milestone.status == Milestone.Status.DONE
    changed = _apply(milestone, data, MILESTONE_FIELDS)
    if changed:
        _check_milestone(milestone)
        milestone.save()
        _audit_change(by, "milestone.updated", milestone, changed, reason)
        if DATE_FIELDS.intersection(changed):
            milestones_moved([milestone.pk], by=by)  # tied payments follow (projects.payments)
        if not was_done and milestone.status == Milestone.Status.DONE:
            events.emit(
                "milestone.completed",
                {
                    "id": milestone.pk,
                    "project": milestone.project.code,
                    "name": milestone.name,
                    "baseline_date": milestone.baseline_date.isoformat(),
                    "actual_date": milestone.actual_date.isoformat(),
                },
            )
    return milestone


@transaction.atomic
def create_risk(project: Project, *, by, data: dict[str, Any]) -> Risk:
    require(by is None or can_edit_plan(by, project))
    risk = Risk(project=project)
    _apply(risk, data, RISK_FIELDS)
    _validate(risk)
    risk.save()
    record_audit(actor=by, action="risk.created", target=risk, after=snapshot(risk, RISK_FIELDS))
    return risk


@transaction.atomic
def update_risk(risk_id: int, *, by, data: dict[str, Any]) -> Risk:
    risk = Risk.objects.select_for_update().select_related("project").get(pk=risk_id)
    require(by is None or can_edit_plan(by, risk.project))
    changed = _apply(risk, data, RISK_FIELDS)
    if changed:
        _validate(risk)
        risk.save()
        _audit_change(by, "risk.updated", risk, changed)
    return risk
