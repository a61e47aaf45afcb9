"""Pre-sales writes: feasibility assessments (engineering) and quotes (business).

HTML views, the API and admin actions all call these functions, so each rule lives here.
Writes to an assessment or the quote may name the version their caller read
(`expected_version`): another version refuses them with StaleWrite
(coordination.core.concurrency). A quote's version is its current revision (0: none yet).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import reasons
from coordination.core.concurrency import Expected, check_version
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import can_write, department_of
from coordination.core.services import notify, record_audit, snapshot
from projects.core.models import MemberRole, Project, Risk, Stage
from projects.core.permissions import require
from projects.core.roles import BUSINESS_ROLES, ENGINEERING_ROLES
from projects.core.selectors import members_with_role, project_roles
from projects.core.services import create_risk
from projects.presales.models import COST_FIELDS, FeasibilityAssessment, Quote

Status = FeasibilityAssessment.Status

ASSESSMENT_FIELDS = [
    "verdict",
    "conditions",
    *COST_FIELDS,
    "currency",
    "estimated_duration_days",
    "key_risks",
    "assumptions",
]
AUDIT_FIELDS = [*ASSESSMENT_FIELDS, "total_cost", "version", "status"]
QUOTE_FIELDS = [
    "quoted_price",
    "currency",
    "promised_delivery_date",
    "payment_terms",
    "notes",
    "assessment",
]


# ---------------------------------------------------------------- who may
def can_write_assessment(user, project: Project) -> bool:
    """Engineering people on the project: engineering roles, or engineering staff members."""
    if not can_write(user):
        return False
    roles = project_roles(user, project)
    if roles & ENGINEERING_ROLES:
        return True
    return bool(roles) and department_of(user) == Department.ENGINEERING


def can_decide_assessment(user, project: Project) -> bool:
    """Only the project's engineering director approves or returns."""
    if not can_write(user):
        return False
    return MemberRole.ENGINEERING_DIRECTOR in project_roles(user, project)


def can_write_quote(user, project: Project) -> bool:
    """Business people on the project: business PM or lead, or business staff members."""
    if not can_write(user):
        return False
    roles = project_roles(user, project)
    if roles & BUSINESS_ROLES:
        return True
    return bool(roles) and department_of(user) == Department.BUSINESS


def _require_opportunity(project: Project) -> None:
    if project.stage != Stage.OPPORTUNITY:
        raise Conflict(
            _("只有商机/投标阶段的项目可以编制评估或报价。"),
            unmet=[_("项目阶段为%(stage)s") % {"stage": project.get_stage_display()}],
        )


# ---------------------------------------------------------------- input cleaning
def _clean_risks(value) -> list[dict]:
    """Key risks as a list of {"title", "description", "probability", "impact"}."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, list):
        raise ValidationError({"key_risks": [_("关键风险必须是列表。")]})
    out = []
    for item in value:
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict):
            raise ValidationError({"key_risks": [_("每项风险必须是文本或对象。")]})
        title = str(item.get("title", "")).strip()
        if not title:
            continue
        entry = {"title": title[:200], "description": str(item.get("description", ""))}
        for score in ("probability", "impact"):
            raw = item.get(score, 3)
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= 5:
                raise ValidationError({"key_risks": [_("风险评分必须在1到5之间。")]})
            entry[score] = number
        out.append(entry)
    return out


def _apply(instance, data: dict[str, Any], allowed: list[str]) -> dict:
    changed = {}
    for name, value in data.items():
        if name not in allowed:
            continue
        if name in COST_FIELDS or name == "quoted_price":
            try:
                value = Decimal(str(value)) if value not in (None, "") else Decimal("0")
            except InvalidOperation as exc:
                raise ValidationError({name: [_("请输入有效的金额。")]}) from exc
        if name == "key_risks":
            value = _clean_risks(value)
        before = getattr(instance, name)
        if before != value:
            changed[name] = (before, value)
            setattr(instance, name, value)
    return changed


def _validate(instance) -> None:
    instance.total_cost = instance.compute_total()
    instance.full_clean(
        exclude=["project", "author", "based_on"], validate_unique=False, validate_constraints=False
    )


def _url(project: Project) -> str:
    return f"/projects/{project.code}/presales/"


# ---------------------------------------------------------------- assessments
def _lock_project(project_id: int) -> Project:
    return Project.objects.select_for_update().get(pk=project_id)


def _next_version(project: Project) -> int:
    top = project.feasibility_assessments.aggregate(m=Max("version"))["m"]
    return (top or 0) + 1


def _refuse_if_open(project: Project, exclude_pk: int | None = None) -> None:
    qs = project.feasibility_assessments.filter(status__in=FeasibilityAssessment.OPEN_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    current = qs.first()
    if current is not None:
        raise Conflict(
            _("已有进行中的评估版本（第%(version)s版，%(status)s）。")
            % {"version": current.version, "status": current.get_status_display()},
            unmet=[_("每个项目只能有一个草稿或待审批的评估。")],
        )


@transaction.atomic
def create_assessment(project: Project, *, by, data: dict[str, Any]) -> FeasibilityAssessment:
    """A new draft version. Refused while another version is draft or submitted."""
    project = _lock_project(project.pk)
    require(can_write_assessment(by, project), _("只有工程管理部的项目成员可以编制可行性评估。"))
    _require_opportunity(project)
    _refuse_if_open(project)
    assessment = FeasibilityAssessment(
        project=project, version=_next_version(project), author=by, currency=project.currency
    )
    _apply(assessment, data, ASSESSMENT_FIELDS)
    _validate(assessment)
    assessment.save()
    record_audit(
        actor=by,
        action="feasibility.created",
        target=assessment,
        after=snapshot(assessment, AUDIT_FIELDS),
    )
    return assessment


def _derive_version(old: FeasibilityAssessment, *, by) -> FeasibilityAssessment:
    """A new draft copied from a returned version; the returned one stays as it was."""
    project = old.project
    _refuse_if_open(project)
    new = FeasibilityAssessment(
        project=project,
        version=_next_version(project),
        author=by,
        based_on=old,
        **{name: getattr(old, name) for name in ASSESSMENT_FIELDS},
    )
    return new


@transaction.atomic
def update_assessment(
    assessment_id: int, *, by, data: dict[str, Any], expected_version: Expected = None
) -> FeasibilityAssessment:
    """Edit a draft in place; editing a returned version creates the next version as a draft."""
    assessment = FeasibilityAssessment.objects.select_related("project").get(pk=assessment_id)
    project = _lock_project(assessment.project_id)
    assessment = FeasibilityAssessment.objects.select_for_update().get(pk=assessment_id)
    assessment.project = project
    require(can_write_assessment(by, project), _("只有工程管理部的项目成员可以编制可行性评估。"))
    check_version(assessment, expected_version)
    _require_opportunity(project)
    if not assessment.is_editable:
        raise Conflict(
            _("第%(version)s版评估为%(status)s，不能修改。")
            % {"version": assessment.version, "status": assessment.get_status_display()},
            unmet=[_("只有草稿或已退回的评估可以修改。")],
        )
    if assessment.status == Status.RETURNED:
        new = _derive_version(assessment, by=by)
        _apply(new, data, ASSESSMENT_FIELDS)
        _validate(new)
        new.save()
        record_audit(
            actor=by,
            action="feasibility.revised",
            target=new,
            before={"version": assessment.version, "status": assessment.status},
            after=snapshot(new, AUDIT_FIELDS),
        )
        return new
    changed = _apply(assessment, data, ASSESSMENT_FIELDS)
    if changed:
        _validate(assessment)
        assessment.save()
        record_audit(
            actor=by,
            action="feasibility.updated",
            target=assessment,
            before={k: v[0] for k, v in changed.items()},
            after={k: v[1] for k, v in changed.items()},
        )
    return assessment


@transaction.atomic
def submit_assessment(
    assessment_id: int, *, by, expected_version: Expected = None
) -> FeasibilityAssessment:
    """draft → submitted; a returned version is re-submitted as the next version.

    Notifies the project's engineering director(s).
    """
    project = _lock_project(
        FeasibilityAssessment.objects.values_list("project_id", flat=True).get(pk=assessment_id)
    )
    assessment = FeasibilityAssessment.objects.select_for_update().get(pk=assessment_id)
    assessment.project = project
    require(can_write_assessment(by, project), _("只有工程管理部的项目成员可以提交可行性评估。"))
    check_version(assessment, expected_version)
    _require_opportunity(project)
    if assessment.status == Status.RETURNED:
        assessment = _derive_version(assessment, by=by)
    elif assessment.status != Status.DRAFT:
        raise Conflict(
            _("第%(version)s版评估为%(status)s，不能提交。")
            % {"version": assessment.version, "status": assessment.get_status_display()},
            unmet=[_("只有草稿或已退回的评估可以提交。")],
        )
    before = assessment.status if assessment.pk else Status.RETURNED
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.return_reason = ""
    _validate(assessment)
    assessment.save()
    record_audit(
        actor=by,
        action="feasibility.submitted",
        target=assessment,
        before={"status": before},
        after={"status": Status.SUBMITTED, "version": assessment.version},
    )
    notify(
        members_with_role(project, MemberRole.ENGINEERING_DIRECTOR),
        kind="feasibility.submitted",
        project=project.code,
        subject=lambda: (
            _("%(code)s 可行性评估第%(version)s版待审批")
            % {"code": project.code, "version": assessment.version}
        ),
        body=lambda: (
            _("%(user)s 提交了可行性评估，估算成本 %(cost)s %(currency)s，工期 %(days)s 天。")
            % {
                "user": by.get_username(),
                "cost": assessment.total_cost,
                "currency": assessment.currency,
                "days": assessment.estimated_duration_days,
            }
        ),
        url=_url(project),
    )
    return assessment


def _decide(
    assessment_id: int, *, by, expected_version: Expected = None
) -> tuple[Project, FeasibilityAssessment]:
    project = _lock_project(
        FeasibilityAssessment.objects.values_list("project_id", flat=True).get(pk=assessment_id)
    )
    assessment = FeasibilityAssessment.objects.select_for_update().get(pk=assessment_id)
    assessment.project = project
    require(can_decide_assessment(by, project), _("只有本项目的工程总监可以审批可行性评估。"))
    check_version(assessment, expected_version)
    _require_opportunity(project)
    if assessment.status != Status.SUBMITTED:
        raise Conflict(
            _("第%(version)s版评估为%(status)s，不能审批。")
            % {"version": assessment.version, "status": assessment.get_status_display()},
            unmet=[_("只有已提交的评估可以审批。")],
        )
    return project, assessment


def _notify_decision(project: Project, assessment: FeasibilityAssessment, subject, body=""):
    notify(
        [assessment.author, project.business_pm],
        kind="feasibility.decided",
        project=project.code,
        subject=subject,
        body=body,
        url=_url(project),
    )


@transaction.atomic
def approve_assessment(
    assessment_id: int, *, by, comment: str = "", expected_version: Expected = None
) -> FeasibilityAssessment:
    """submitted → approved; the previously approved version becomes superseded."""
    project, assessment = _decide(assessment_id, by=by, expected_version=expected_version)
    now = timezone.now()
    for old in project.feasibility_assessments.select_for_update().filter(status=Status.APPROVED):
        old.status = Status.SUPERSEDED
        old.superseded_at = now
        old.save(update_fields=["status", "superseded_at", "updated_at"])
        record_audit(
            actor=by,
            action="feasibility.superseded",
            target=old,
            before={"status": Status.APPROVED},
            after={"status": Status.SUPERSEDED, "by_version": assessment.version},
        )
    assessment.status = Status.APPROVED
    assessment.decided_by = by
    assessment.decided_at = now
    assessment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record_audit(
        actor=by,
        action="feasibility.approved",
        target=assessment,
        before={"status": Status.SUBMITTED},
        after={"status": Status.APPROVED, "version": assessment.version},
        reason=comment,
    )
    _notify_decision(
        project,
        assessment,
        lambda: (
            _("%(code)s 可行性评估第%(version)s版已批准")
            % {"code": project.code, "version": assessment.version}
        ),
        comment,
    )
    return assessment


@transaction.atomic
def return_assessment(
    assessment_id: int, *, by, reason: str, expected_version: Expected = None
) -> FeasibilityAssessment:
    """submitted → returned, with a written reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回必须填写原因。")]})
    project, assessment = _decide(assessment_id, by=by, expected_version=expected_version)
    assessment.status = Status.RETURNED
    assessment.decided_by = by
    assessment.decided_at = timezone.now()
    assessment.return_reason = reason
    assessment.save(
        update_fields=["status", "decided_by", "decided_at", "return_reason", "updated_at"]
    )
    record_audit(
        actor=by,
        action="feasibility.returned",
        target=assessment,
        before={"status": Status.SUBMITTED},
        after={"status": Status.RETURNED, "version": assessment.version},
        reason=reason,
    )
    _notify_decision(
        project,
        assessment,
        lambda: (
            _("%(code)s 可行性评估第%(version)s版被退回")
            % {"code": project.code, "version": assessment.version}
        ),
        reason,
    )
    return assessment


@transaction.atomic
def copy_risks_to_register(assessment_id: int, *, by) -> list[Risk]:
    """Copy the assessment's key technical risks into the project's risk register, once."""
    assessment = (
        FeasibilityAssessment.objects.select_for_update()
        .select_related("project")
        .get(pk=assessment_id)
    )
    project = assessment.project
    require(can_write_assessment(by, project), _("只有工程管理部的项目成员可以登记评估风险。"))
    if assessment.risks_copied_at is not None:
        raise Conflict(_("该评估的风险已登记到风险台账。"), unmet=[_("风险已于此前登记")])
    if not assessment.key_risks:
        raise Conflict(_("该评估没有关键技术风险。"), unmet=[_("无可登记的风险")])
    risks = []
    for item in assessment.key_risks:
        risks.append(
            create_risk(
                project,
                by=by,
                data={
                    "title": item["title"],
                    "description": item.get("description", "")
                    or _("来自可行性评估第%(version)s版") % {"version": assessment.version},
                    "category": Risk.Category.TECHNICAL,
                    "probability": item.get("probability", 3),
                    "impact": item.get("impact", 3),
                    "owner": project.engineering_pm,
                    "owner_department": Department.ENGINEERING,
                },
            )
        )
    assessment.risks_copied_at = timezone.now()
    assessment.save(update_fields=["risks_copied_at", "updated_at"])
    record_audit(
        actor=by,
        action="feasibility.risks_copied",
        target=assessment,
        after={"risks": [r.pk for r in risks]},
    )
    return risks


# ---------------------------------------------------------------- quote
def current_approved(project: Project) -> FeasibilityAssessment | None:
    return project.feasibility_assessments.filter(status=Status.APPROVED).first()


@transaction.atomic
def put_quote(
    project: Project, *, by, data: dict[str, Any], expected_version: Expected = None
) -> tuple[Quote, str]:
    """Replace the project's current quote. Returns (quote, created|updated|unchanged).

    The previous revision is kept (is_current=False). Without an explicit `assessment`
    the quote relies on the current approved assessment. An identical repeat writes nothing.
    `expected_version`: the revision the writer read, 0 for none (StaleWrite when another
    revision was saved first; the project row lock orders the writers).
    """
    project = _lock_project(project.pk)
    require(can_write_quote(by, project), _("只有业务部的项目成员可以填写报价。"))
    _require_opportunity(project)
    data = dict(data)
    assessment = data.get("assessment", "unset")
    if assessment == "unset" or assessment in (None, ""):
        data["assessment"] = current_approved(project)
    elif not isinstance(assessment, FeasibilityAssessment):
        data["assessment"] = project.feasibility_assessments.filter(pk=assessment).first()
        if data["assessment"] is None:
            raise ValidationError({"assessment": [_("该评估不属于本项目。")]})
    elif assessment.project_id != project.pk:
        raise ValidationError({"assessment": [_("该评估不属于本项目。")]})

    previous = Quote.objects.select_for_update().filter(project=project, is_current=True).first()
    check_version(previous, expected_version)
    quote = Quote(project=project, author=by, currency=project.currency)
    if previous is not None:
        for name in QUOTE_FIELDS:
            setattr(quote, name, getattr(previous, name))
    changed = _apply(quote, data, QUOTE_FIELDS)
    if previous is not None and not changed:
        return previous, "unchanged"
    quote.full_clean(exclude=["project", "author", "revision"], validate_constraints=False)
    top = project.quotes.aggregate(m=Max("revision"))["m"] or 0
    quote.revision = top + 1
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    quote.is_current = True
    quote.save()
    record_audit(
        actor=by,
        action="quote.saved",
        target=quote,
        before=snapshot(previous, QUOTE_FIELDS) if previous else None,
        after=snapshot(quote, [*QUOTE_FIELDS, "revision"]),
    )
    return quote, "updated" if previous else "created"


CONTRACT_FROM_QUOTE = ["contract_value", "planned_end", "forecast_end"]


def contract_from_quote(project_id: int, *, by) -> Project:
    """Contract signed: the project's numbers become the current quote's (one set of numbers).

    1. No current quote (a project that skipped pre-sales, an ERP contract): nothing changes.
    2. `contract_value` becomes the quoted price, `planned_end` the promised delivery date
       (unless that is before the planned start, which the project's own check refuses);
       `forecast_end` follows the promised date unless it was a slip later than it (a known
       slip stays visible).
    3. Only those fields are saved (the stage hooks after this one move the stage on), and
       the change is audited with before → after, so the project page's history names what
       the quote changed.
    Called from the stage hook of CONTRACTED (projects/presales/gates.py), inside the
    transition's transaction."""
    project = _lock_project(project_id)
    quote = project.quotes.filter(is_current=True).first()
    if quote is None:
        return project
    before = snapshot(project, CONTRACT_FROM_QUOTE)
    project.contract_value = quote.quoted_price
    promised = quote.promised_delivery_date
    if project.planned_start is None or promised >= project.planned_start:
        old_planned, project.planned_end = project.planned_end, promised
        forecast = project.forecast_end
        if forecast is None or forecast == old_planned or forecast < promised:
            project.forecast_end = promised
    after = snapshot(project, CONTRACT_FROM_QUOTE)
    if after == before:
        return project
    project.save(update_fields=[*CONTRACT_FROM_QUOTE, "updated_at"])
    record_audit(
        actor=by,
        action="project.contract_from_quote",
        target=project,
        before=before,
        after=after,
        reason=reasons.CONTRACT_FROM_QUOTE % {"revision": f"R{quote.revision}"},
    )
    return project
