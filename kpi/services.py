"""KPI writes: recording surveys and complaints, freezing and reopening periods."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import events
from coordination.core.exceptions import Conflict
from coordination.core.roles import can_write, is_pmo
from coordination.core.services import record_audit, snapshot
from kpi import periods as P
from kpi.models import (
    ClosedPeriod,
    Complaint,
    KpiSnapshot,
    Restatement,
    SatisfactionSurvey,
    ScopeType,
)
from kpi.selectors.config import active_kpis
from kpi.selectors.kpi_values import compute
from kpi.selectors.scopes import COMPANY, SCORECARD_DEPARTMENTS, Scope, pm_usernames
from projects.core.models import Project
from projects.core.selectors import project_roles

SURVEY_FIELDS = ["respondent", "overall_score", "scores", "comments", "surveyed_on"]
COMPLAINT_FIELDS = [
    "source",
    "category",
    "severity",
    "description",
    "responsible_department",
    "opened_on",
    "closed_on",
]


def can_record_inputs(user, project: Project) -> bool:
    """Anyone holding a role on the project, and PMO, may record its surveys and complaints."""
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project)))


def _require_recorder(user, project: Project) -> None:
    if not can_record_inputs(user, project):
        raise PermissionDenied(_("只有项目成员或PMO可以录入满意度调查和投诉。"))


def _validated(instance) -> None:
    instance.full_clean(exclude=["project", "created_by"], validate_constraints=False)


@transaction.atomic
def record_survey(
    project: Project, *, by, data: dict[str, Any], invitation=None
) -> SatisfactionSurvey:
    """A survey entered by staff (`by` may record the project's inputs), or answered by the
    customer through `invitation` (kpi.surveys.services.answer_invitation, which holds its
    lock and has checked it is open): source 客户填写, no author. Either way the same checks,
    late-input rule and audit."""
    if invitation is None:
        _require_recorder(by, project)
        source = SatisfactionSurvey.Source.STAFF
    else:
        if invitation.project_id != project.pk or invitation.used_at or invitation.revoked_at:
            raise Conflict(_("问卷链接已不能使用。"))
        source = SatisfactionSurvey.Source.CUSTOMER
    survey = SatisfactionSurvey(
        project=project, created_by=by if by and by.pk else None, source=source
    )
    for name in SURVEY_FIELDS:
        if name in data and data[name] is not None:
            setattr(survey, name, data[name])
    _validated(survey)
    survey.save()
    survey.restatement_periods = register_late_input(survey, survey.surveyed_on, by=by)
    record_audit(
        actor=by,
        action="kpi.survey_recorded",
        target=survey,
        after={
            **snapshot(survey, SURVEY_FIELDS),
            "source": survey.source,
            "restatement": survey.restatement_periods,
        },
    )
    return survey


@transaction.atomic
def record_complaint(project: Project, *, by, data: dict[str, Any]) -> Complaint:
    _require_recorder(by, project)
    complaint = Complaint(project=project, created_by=by if by and by.pk else None)
    for name in COMPLAINT_FIELDS:
        if name in data and data[name] is not None:
            setattr(complaint, name, data[name])
    if complaint.opened_on is None:
        complaint.opened_on = timezone.localdate()
    _validated(complaint)
    complaint.save()
    complaint.restatement_periods = register_late_input(complaint, complaint.opened_on, by=by)
    record_audit(
        actor=by,
        action="kpi.complaint_recorded",
        target=complaint,
        after={
            **snapshot(complaint, COMPLAINT_FIELDS),
            "restatement": complaint.restatement_periods,
        },
    )
    return complaint


# ------------------------------------------------------------------ restatements
INPUT_KINDS = {SatisfactionSurvey: "survey", Complaint: "complaint"}


def register_late_input(instance, day: datetime.date, *, by) -> list[str]:
    """An input dated in a closed period is accepted, and a pending restatement is recorded
    for each closed period that contains its date (month, quarter, year). Until PMO restates
    those periods the input counts in none of them, nor in the open periods containing them
    (kpi.selectors.formulas), so a quarter keeps adding up from its months. Returns the keys
    of the closed periods (empty: nothing was closed)."""
    keys = [p.key for p in P.enclosing(P.containing(day, P.MONTH))]
    closed = sorted(
        ClosedPeriod.objects.filter(period__in=keys, status=ClosedPeriod.Status.CLOSED).values_list(
            "period", flat=True
        )
    )
    if not closed:
        return []
    described = str(instance)[:300]
    for key in closed:
        Restatement.objects.get_or_create(
            period=key,
            input_kind=INPUT_KINDS[type(instance)],
            input_id=instance.pk,
            defaults={
                "project": instance.project,
                "input_date": day,
                "description": described,
                "created_by": by if by is not None and getattr(by, "pk", None) else None,
            },
        )
    return closed


def _company_values(period_key: str) -> dict:
    return {
        s.kpi.code: None if s.value is None else str(s.value)
        for s in KpiSnapshot.objects.filter(
            period=period_key, scope_type=ScopeType.COMPANY
        ).select_related("kpi")
    }


def _require_pmo(by) -> None:
    if not is_pmo(by):
        raise PermissionDenied(_("只有PMO可以处理期间重述。"))


def _pending(period_key: str) -> list[Restatement]:
    return list(
        Restatement.objects.select_for_update().filter(
            period=period_key, status=Restatement.Status.PENDING
        )
    )


@transaction.atomic
def restate_period(
    period_key: str, *, by, reason: str, today: datetime.date | None = None
) -> list[str]:
    """PMO restates a closed period that has pending restatements:

    1. Lock the pending restatements of the period (none: 409).
    2. Reopen the period and the closed periods containing it (reopen_period, audited).
    3. Mark the pending restatements of every reopened period restated (so their inputs count).
    4. Close every reopened period again, months first: new snapshots from the same inputs.
    5. Audit `kpi.period_restated` with the company values before and after.
    Returns the keys restated."""
    _require_pmo(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("重述期间必须填写原因。")]})
    try:
        period = P.parse(period_key)
    except ValueError:
        raise ValidationError({"period": [_("期间格式应为 2026-07、2026-Q3 或 2026。")]}) from None
    pending = _pending(period.key)
    if not pending:
        raise Conflict(_("期间 %(period)s 没有待重述的录入。") % {"period": period.key})
    if period.granularity != P.MONTH:
        # a quarter or a year is restated through its months, so they keep adding up
        months = sorted({P.containing(r.input_date, P.MONTH).key for r in pending})
        done: list[str] = []
        for key in months:
            for restated in restate_period(key, by=by, reason=reason, today=today):
                if restated not in done:
                    done.append(restated)
        return done
    before = {p.key: _company_values(p.key) for p in P.enclosing(period)}
    reopened = reopen_period(period.key, by=by, reason=reason)
    now = timezone.now()
    rows = Restatement.objects.select_for_update().filter(
        period__in=reopened, status=Restatement.Status.PENDING
    )
    ids = list(rows.values_list("pk", flat=True))
    rows.update(
        status=Restatement.Status.RESTATED, resolved_at=now, resolved_by=by, reason=reason.strip()
    )
    order = {P.MONTH: 0, P.QUARTER: 1, P.YEAR: 2}
    for key in sorted(reopened, key=lambda k: order[P.parse(k).granularity]):
        close_period(key, by=by, today=today)
    for key in reopened:
        row = ClosedPeriod.objects.get(period=key)
        record_audit(
            actor=by,
            action="kpi.period_restated",
            target=row,
            before={"values": before.get(key, {})},
            after={"values": _company_values(key), "restatements": ids},
            reason=reason.strip(),
        )
    return reopened


@transaction.atomic
def leave_period_frozen(period_key: str, *, by, reason: str) -> int:
    """PMO keeps a closed period's frozen values despite its pending restatements (reason
    required, audited); those inputs stay out of the period and of the open periods
    containing it. Returns how many restatements were left."""
    _require_pmo(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("维持冻结值必须填写原因。")]})
    found = _pending(period_key)
    if not found:
        raise Conflict(_("期间 %(period)s 没有待重述的录入。") % {"period": period_key})
    # the same inputs are left out of every period that holds them (month, quarter, year)
    inputs = Q()
    for r in found:
        inputs |= Q(input_kind=r.input_kind, input_id=r.input_id)
    rows = list(
        Restatement.objects.select_for_update().filter(inputs, status=Restatement.Status.PENDING)
    )
    Restatement.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=Restatement.Status.LEFT,
        resolved_at=timezone.now(),
        resolved_by=by,
        reason=reason.strip(),
    )
    closed = ClosedPeriod.objects.filter(period=period_key).first()
    record_audit(
        actor=by,
        action="kpi.restatement_left",
        target=closed,
        after={"period": period_key, "restatements": [r.pk for r in rows]},
        reason=reason.strip(),
    )
    return len(rows)


# ------------------------------------------------------------------ closing periods
def frozen_scopes() -> list[Scope]:
    """Every scope whose values are frozen at close: company, departments, projects, PMs."""
    scopes = [COMPANY]
    scopes += [Scope(ScopeType.DEPARTMENT, d) for d in SCORECARD_DEPARTMENTS]
    scopes += [
        Scope(ScopeType.PROJECT, code)
        for code in Project.objects.exclude(stage="cancelled")
        .order_by("code")
        .values_list("code", flat=True)
    ]
    scopes += [Scope(ScopeType.PM, u) for u in pm_usernames()]
    return scopes


def _freeze(period: P.Period, today: datetime.date) -> int:
    """Insert the missing snapshot rows of `period`; existing rows are left untouched."""
    kpis = active_kpis()
    now = timezone.now()
    rows = []
    for scope in frozen_scopes():
        for kpi in kpis:
            v = compute(kpi.code, scope, period, today)
            rows.append(
                KpiSnapshot(
                    kpi=kpi,
                    scope_type=scope.type,
                    scope_key=scope.key,
                    period=period.key,
                    numerator=v.numerator,
                    denominator=v.denominator,
                    value=v.value,
                    extra=v.extra,
                    computed_at=now,
                )
            )
    # the unique constraint makes a second run (or a concurrent worker) harmless
    created = KpiSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def close_period(period_key: str, *, by=None, today: datetime.date | None = None) -> list[str]:
    """Freeze a finished month (and its quarter / year when it ends them).

    1. Refuse a period that has not ended yet (its values could still change).
    2. For each period closed together: claim the ClosedPeriod row with select_for_update;
       an already closed period is skipped, so re-runs change nothing.
    3. Insert the snapshot rows, audit, and emit `kpi.period_closed` after commit.
    Returns the keys actually closed by this call.
    """
    today = today or timezone.localdate()
    try:
        period = P.parse(period_key)
    except ValueError:
        raise ValidationError({"period": [_("期间格式应为 2026-07、2026-Q3 或 2026。")]}) from None
    if period.end > today:
        raise Conflict(_("期间 %(period)s 尚未结束，不能关账。") % {"period": period.key})
    targets = P.closing_together(period) if period.granularity == P.MONTH else [period]
    closed_now = []
    for target in targets:
        row, _created = ClosedPeriod.objects.select_for_update().get_or_create(
            period=target.key,
            defaults={"status": ClosedPeriod.Status.OPEN},
        )
        if row.status == ClosedPeriod.Status.CLOSED:
            continue
        previous = row.status
        count = _freeze(target, today)
        row.status = ClosedPeriod.Status.CLOSED
        row.closed_at = timezone.now()
        row.closed_by = by if by is not None and getattr(by, "pk", None) else None
        row.save()
        record_audit(
            actor=by,
            action="kpi.period_closed",
            target=row,
            before={"status": previous},
            after={"status": "closed", "snapshots": count},
        )
        events.emit(
            "kpi.period_closed",
            {"period": target.key, "granularity": target.granularity, "snapshots": count},
        )
        closed_now.append(target.key)
    return closed_now


def close_previous_month(today: datetime.date | None = None) -> list[str]:
    """The monthly job: freeze last month (idempotent)."""
    today = today or timezone.localdate()
    return close_period(P.previous_month(today).key, by=None, today=today)


@transaction.atomic
def reopen_period(period_key: str, *, by, reason: str) -> list[str]:
    """PMO reopens a closed period (and the closed quarter/year containing it) with a reason:
    its snapshots are deleted, values are live again until the period is closed anew."""
    if not is_pmo(by):
        raise PermissionDenied(_("只有PMO可以重新打开已关账期间。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("重新打开期间必须填写原因。")]})
    try:
        period = P.parse(period_key)
    except ValueError:
        raise ValidationError({"period": [_("期间格式应为 2026-07、2026-Q3 或 2026。")]}) from None
    keys = [p.key for p in P.enclosing(period)]
    rows = list(
        ClosedPeriod.objects.select_for_update().filter(
            period__in=keys, status=ClosedPeriod.Status.CLOSED
        )
    )
    if not any(r.period == period.key for r in rows):
        raise Conflict(_("期间 %(period)s 未关账。") % {"period": period.key})
    reopened = []
    for row in rows:
        deleted, _detail = KpiSnapshot.objects.filter(period=row.period).delete()
        row.status = ClosedPeriod.Status.REOPENED
        row.reopened_at = timezone.now()
        row.reopened_by = by
        row.reopen_reason = reason.strip()
        row.save()
        record_audit(
            actor=by,
            action="kpi.period_reopened",
            target=row,
            before={"status": "closed", "snapshots": deleted},
            after={"status": "reopened"},
            reason=reason.strip(),
        )
        reopened.append(row.period)
    return reopened
