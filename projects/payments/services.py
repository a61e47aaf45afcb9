"""Payment milestones: every write (create, edit, delete, invoiced, received) and following
the delivery milestones they are tied to.

Pages, the API and the admin call these functions. Each write locks the project row (the sum
of its payments may not pass its contract value, so two writers are serialised) and the
payment, checks the caller (selectors.can_edit_payments), validates with messages naming the
numbers, writes, and records an audit event. A write may name the version its caller read
(`expected_version`): another version refuses it with StaleWrite.

Following a delivery milestone (registered with projects.core.milestone_moves, so it runs in
the transaction that moved the milestone):
1. lock the unreceived payments tied to the moved milestones;
2. recompute each due date (acceptance = actual date once done, else forecast, plus
   `days_after`); the baseline stays;
3. save and audit each payment whose due date changed;
4. notify both PMs of each project once, naming the payments that moved later (a move earlier
   or a received payment tells no one).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.concurrency import Expected, check_version
from coordination.core.exceptions import Conflict
from coordination.core.services import notify, record_audit, snapshot
from projects.core.milestone_moves import on_milestone_moved
from projects.core.models import CLOSED_STAGES, Milestone, Project
from projects.payments.models import DueCondition, PaymentMilestone
from projects.payments.selectors import can_edit_payments, planned_total

TERM_FIELDS = ["name", "milestone", "amount", "due_condition", "days_after", "fixed_date", "notes"]
RECORD_FIELDS = ["invoiced_on", "received_on", "received_amount"]
EDITABLE_FIELDS = [*TERM_FIELDS, *RECORD_FIELDS]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "due_date", "baseline_due_date"]
# a change to one of these is a change of the payment's terms: its baseline is planned again
REBASELINE = {"milestone", "due_condition", "days_after", "fixed_date"}
KIND_MOVED = "payment.moved"


# ---------------------------------------------------------------- rules


def require_editor(user, project: Project) -> None:
    """PermissionDenied unless `user` edits the project's payments (asked before a body is
    read, so a refusal never looks like bad input)."""
    if not can_edit_payments(user, project):
        raise PermissionDenied(_("只有项目经理、业务负责人、财务或PMO可以修改收款节点。"))


def due_dates(payment: PaymentMilestone) -> tuple[datetime.date, datetime.date]:
    """(current due date, baseline due date) from the payment's terms and its milestone."""
    if payment.due_condition == DueCondition.FIXED_DATE:
        return payment.fixed_date, payment.fixed_date
    milestone = payment.milestone
    delta = datetime.timedelta(days=payment.days_after or 0)
    accepted = milestone.actual_date or milestone.forecast_date
    return accepted + delta, milestone.baseline_date + delta


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _check_contract(payment: PaymentMilestone, project: Project) -> None:
    """The project's payments together may not pass its contract value."""
    if project.contract_value is None or payment.amount is None:
        return
    others = planned_total(project.pk, excluding=payment.pk)
    total = others + payment.amount
    if total > project.contract_value:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "收款节点金额合计 %(total)s 超过合同金额 %(contract)s（超出 %(over)s；"
                        "其他收款节点已有 %(others)s）。"
                    )
                    % {
                        "total": _money(total, project.currency),
                        "contract": _money(project.contract_value, project.currency),
                        "over": _money(total - project.contract_value, project.currency),
                        "others": _money(others, project.currency),
                    }
                ]
            }
        )


def _check_records(payment: PaymentMilestone, today: datetime.date) -> None:
    errors = {}
    for name, label in (("invoiced_on", _("开票日期")), ("received_on", _("收款日期"))):
        day = getattr(payment, name)
        if day is not None and day > today:
            errors[name] = [
                _("%(label)s %(day)s 不能晚于今天（%(today)s）。")
                % {"label": label, "day": day, "today": today}
            ]
    if payment.received_amount is not None and payment.received_amount > payment.amount:
        errors["received_amount"] = [
            _("实收金额 %(received)s 不能超过节点金额 %(amount)s。")
            % {"received": f"{payment.received_amount:,.2f}", "amount": f"{payment.amount:,.2f}"}
        ]
    if errors:
        raise ValidationError(errors)


def _resolve(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """The delivery milestone as an object of this project (an id is accepted), else a 400."""
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if "milestone" in values:
        ms = values["milestone"]
        if ms in (None, ""):
            values["milestone"] = None
        else:
            pk = ms.pk if isinstance(ms, Milestone) else ms
            values["milestone"] = Milestone.objects.filter(pk=pk, project=project).first()
            if values["milestone"] is None:
                raise ValidationError({"milestone": [_("交付里程碑必须属于本项目。")]})
    return values


def _validate_and_date(payment: PaymentMilestone, project: Project, *, rebaseline: bool) -> None:
    payment.full_clean(
        exclude=["due_date", "baseline_due_date", "project"],
        validate_unique=False,
        validate_constraints=False,
    )
    _check_records(payment, timezone.localdate())
    _check_contract(payment, project)
    due, baseline = due_dates(payment)
    payment.due_date = due
    if rebaseline or payment.baseline_due_date is None:
        payment.baseline_due_date = baseline


def _lock_project(project_id: int) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    if project.stage in CLOSED_STAGES:
        raise Conflict(_("项目已关闭或取消，不能再修改收款节点。"))
    return project


def _lock(payment_id: int) -> PaymentMilestone:
    try:
        return (
            PaymentMilestone.objects.select_for_update(of=("self",))
            .select_related("project", "milestone")
            .get(pk=payment_id)
        )
    except PaymentMilestone.DoesNotExist as exc:
        raise Conflict(_("收款节点不存在。")) from exc


# ---------------------------------------------------------------- writes


@transaction.atomic
def create_payment(project: Project, *, by, data: dict[str, Any]) -> PaymentMilestone:
    require_editor(by, project)
    project = _lock_project(project.pk)
    payment = PaymentMilestone(project=project)
    for name, value in _resolve(project, data).items():
        setattr(payment, name, value)
    _validate_and_date(payment, project, rebaseline=True)
    payment.save()
    record_audit(
        actor=by,
        action="payment.created",
        target=payment,
        after=snapshot(payment, AUDIT_FIELDS),
    )
    return payment


@transaction.atomic
def update_payment(
    payment_id: int, *, by, data: dict[str, Any], expected_version: Expected = None
) -> PaymentMilestone:
    """Change a payment's terms or its invoicing and receipt; terms that decide the due date
    plan its baseline again."""
    current = PaymentMilestone.objects.select_related("project").get(pk=payment_id)
    require_editor(by, current.project)
    project = _lock_project(current.project_id)
    payment = _lock(payment_id)
    check_version(payment, expected_version)
    before = snapshot(payment, AUDIT_FIELDS)
    changed = set()
    for name, value in _resolve(project, data).items():
        if getattr(payment, name) != value:
            setattr(payment, name, value)
            changed.add(name)
    if not changed:
        return payment
    _validate_and_date(payment, project, rebaseline=bool(changed & REBASELINE))
    payment.save()
    record_audit(
        actor=by,
        action="payment.updated",
        target=payment,
        before=before,
        after=snapshot(payment, AUDIT_FIELDS),
    )
    return payment


def mark_invoiced(
    payment_id: int, *, by, on: datetime.date | None = None, expected_version: Expected = None
) -> PaymentMilestone:
    """The invoice was issued on `on` (default today)."""
    return update_payment(
        payment_id,
        by=by,
        data={"invoiced_on": on or timezone.localdate()},
        expected_version=expected_version,
    )


def mark_received(
    payment_id: int,
    *,
    by,
    on: datetime.date | None = None,
    amount: Decimal | None = None,
    expected_version: Expected = None,
) -> PaymentMilestone:
    """The customer paid on `on` (default today), `amount` if not the whole amount."""
    return update_payment(
        payment_id,
        by=by,
        data={"received_on": on or timezone.localdate(), "received_amount": amount},
        expected_version=expected_version,
    )


@transaction.atomic
def delete_payment(payment_id: int, *, by, expected_version: Expected = None) -> None:
    current = PaymentMilestone.objects.select_related("project").get(pk=payment_id)
    require_editor(by, current.project)
    _lock_project(current.project_id)
    payment = _lock(payment_id)
    check_version(payment, expected_version)
    if payment.received_on is not None:
        raise Conflict(
            _("已收款的收款节点不能删除。"), unmet=[_("收款日期 %s") % payment.received_on]
        )
    record_audit(
        actor=by,
        action="payment.deleted",
        target=payment,
        before=snapshot(payment, AUDIT_FIELDS),
    )
    payment.delete()


# ---------------------------------------------------------------- following the milestones


def _project_url(code: str) -> str:
    try:
        return reverse("projects:detail", args=[code]) + "#pane-payments"
    except NoReverseMatch:  # URLs not loaded (a management command)
        return ""


@on_milestone_moved
def follow_milestones(milestone_ids: list[int], by) -> list[PaymentMilestone]:
    """Recompute the due dates of the unreceived payments tied to `milestone_ids` (see the
    module's steps); returns those that moved later."""
    payments = list(
        PaymentMilestone.objects.select_for_update(of=("self",))
        .filter(milestone_id__in=milestone_ids, received_on__isnull=True)
        .filter(due_condition=DueCondition.ACCEPTANCE)
        .select_related("milestone", "project__business_pm", "project__engineering_pm")
        .order_by("pk")
    )
    later: dict[int, list[tuple[PaymentMilestone, int]]] = {}
    for payment in payments:
        old = payment.due_date
        new, _baseline = due_dates(payment)
        if new == old:
            continue
        payment.due_date = new
        payment.save(update_fields=["due_date", "updated_at"])
        record_audit(
            actor=by,
            action="payment.due_moved",
            target=payment,
            before={"due_date": old.isoformat()},
            after={"due_date": new.isoformat(), "milestone": payment.milestone.name},
            reason=_("交付里程碑日期变化"),
        )
        if new > old:
            later.setdefault(payment.project_id, []).append((payment, (new - old).days))
    for moved in later.values():
        _tell_both_pms(moved)
    return [p for moved in later.values() for p, _days in moved]


def _tell_both_pms(moved: list[tuple[PaymentMilestone, int]]) -> None:
    project = moved[0][0].project
    first, days = moved[0]
    names = "、".join(p.name for p, _d in moved)
    total = sum((p.amount for p, _d in moved), Decimal(0))
    notify(
        [project.business_pm, project.engineering_pm],
        kind=KIND_MOVED,
        subject=lambda: (
            _("%(project)s：收款节点 %(names)s 因交付延误推迟")
            % {
                "project": project.code,
                "names": names,
            }
        ),
        body=lambda: (
            _(
                "里程碑“%(milestone)s”延误，收款节点“%(name)s”推迟 %(days)s 天，新到期日 %(due)s；"
                "受影响金额合计 %(amount)s。"
            )
            % {
                "milestone": first.milestone.name,
                "name": first.name,
                "days": days,
                "due": first.due_date.isoformat(),
                "amount": _money(total, project.currency),
            }
        ),
        url=_project_url(project.code),
        project=project.code,
    )
