"""Complaints handled to the end: an owner and a deadline, an answer with its cause, closure.

1. `assign_complaint`: PMO or a project member names the owner; the response deadline is
   counted on the working calendar from the complaint date by severity (RESPONSE_DAYS).
2. `respond_to_complaint`: the owner (or PMO) answers, names the root cause (one of the
   five causes) and the corrective actions.
3. `escalate_overdue_complaints` (daily, like overdue action items): an assigned complaint
   unanswered past its deadline is escalated once to its owner and both project managers.
4. `close_complaint`: an answered complaint is closed. A cross-department complaint with a
   responsible department is confirmed by someone of another department (or PMO), never
   by the department it was made against.
Each move locks the row, so two concurrent requests make exactly one move.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.roles import can_write, department_of, is_pmo
from coordination.core.services import notify, record_audit, snapshot
from coordination.core.workdays import add_working_days
from kpi.complaints.selectors import overdue_complaints
from kpi.models import Complaint, RootCause
from projects.core.selectors import project_roles

# Working days to answer, counted from the complaint date.
RESPONSE_DAYS = {
    Complaint.Severity.HIGH: 1,
    Complaint.Severity.MEDIUM: 3,
    Complaint.Severity.LOW: 5,
}
FIELDS = [
    "owner_id",
    "response_due",
    "response",
    "responded_on",
    "root_cause",
    "corrective_actions",
    "closed_on",
    "closed_by_id",
]


def check_handle(user, complaint: Complaint) -> None:
    """Raise PermissionDenied unless `user` may assign the complaint (pages and API ask
    before they parse the input, so a refusal is a refusal whatever was sent)."""
    if not can_handle(user, complaint):
        raise PermissionDenied(_("只有项目成员或PMO可以处理投诉。"))


def check_respond(user, complaint: Complaint) -> None:
    if not may_respond(user, complaint):
        raise PermissionDenied(_("只有投诉负责人或PMO可以答复。"))


def check_close(user, complaint: Complaint) -> None:
    if not may_confirm_closure(user, complaint):
        raise PermissionDenied(_("跨部门投诉须由另一部门确认关闭。"))


def status_of(complaint: Complaint) -> str:
    if complaint.closed_on:
        return "closed"
    if complaint.responded_on:
        return "answered"
    if complaint.owner_id:
        return "assigned"
    return "open"


def is_overdue(complaint: Complaint, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        complaint.response_due
        and not complaint.responded_on
        and not complaint.closed_on
        and complaint.response_due < today
    )


def can_handle(user, complaint: Complaint) -> bool:
    """PMO and anyone holding a role on the complaint's project."""
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, complaint.project)))


def may_respond(user, complaint: Complaint) -> bool:
    """The owner answers; PMO may answer in their place."""
    return can_write(user) and (is_pmo(user) or user.pk == complaint.owner_id)


def _locked(complaint_id: int) -> Complaint:
    return Complaint.objects.select_for_update().select_related("project").get(pk=complaint_id)


@transaction.atomic
def assign_complaint(complaint_id: int, *, owner_id: int, by) -> Complaint:
    complaint = _locked(complaint_id)
    check_handle(by, complaint)
    if complaint.closed_on:
        raise Conflict(_("投诉已关闭。"))
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner": [_("请选择有效的负责人。")]})
    before = snapshot(complaint, FIELDS)
    complaint.owner = owner
    complaint.response_due = add_working_days(
        complaint.opened_on, RESPONSE_DAYS[Complaint.Severity(complaint.severity)]
    )
    complaint.save(update_fields=["owner", "response_due", "updated_at"])
    record_audit(
        actor=by,
        action="kpi.complaint_assigned",
        target=complaint,
        before=before,
        after=snapshot(complaint, FIELDS),
    )
    due = complaint.response_due
    notify(
        [owner],
        kind="complaint.assigned",
        project=complaint.project.code,
        subject=lambda: _("请处理投诉：%(code)s") % {"code": complaint.project.code},
        body=lambda: _("答复期限：%(due)s") % {"due": due.isoformat()},
        url=f"/complaints/{complaint.pk}/",
    )
    return complaint


@transaction.atomic
def respond_to_complaint(
    complaint_id: int, *, by, response: str, root_cause: str, corrective_actions: str = ""
) -> Complaint:
    complaint = _locked(complaint_id)
    check_respond(by, complaint)
    if complaint.closed_on:
        raise Conflict(_("投诉已关闭。"))
    errors = {}
    if not (response or "").strip():
        errors["response"] = [_("请填写答复。")]
    if root_cause not in RootCause.values:
        errors["root_cause"] = [_("请选择根本原因。")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(complaint, FIELDS)
    complaint.response = response.strip()
    complaint.root_cause = root_cause
    complaint.corrective_actions = (corrective_actions or "").strip()
    complaint.responded_on = timezone.localdate()
    complaint.save(
        update_fields=[
            "response",
            "root_cause",
            "corrective_actions",
            "responded_on",
            "updated_at",
        ]
    )
    record_audit(
        actor=by,
        action="kpi.complaint_answered",
        target=complaint,
        before=before,
        after=snapshot(complaint, FIELDS),
    )
    return complaint


def may_confirm_closure(user, complaint: Complaint) -> bool:
    """Who confirms the closure: for a cross-department complaint against a department,
    someone of another department on the project, or PMO; otherwise whoever may handle it."""
    if not can_handle(user, complaint):
        return False
    if (
        complaint.source == Complaint.Source.INTERNAL
        and complaint.responsible_department
        and not is_pmo(user)
    ):
        return department_of(user) != complaint.responsible_department
    return True


@transaction.atomic
def close_complaint(complaint_id: int, *, by) -> Complaint:
    complaint = _locked(complaint_id)
    check_close(by, complaint)
    if complaint.closed_on:
        raise Conflict(_("投诉已关闭。"))
    if not complaint.responded_on:
        raise Conflict(_("投诉尚未答复，不能关闭。"))
    before = snapshot(complaint, FIELDS)
    complaint.closed_on = max(timezone.localdate(), complaint.opened_on)
    complaint.closed_by = by
    complaint.save(update_fields=["closed_on", "closed_by", "updated_at"])
    record_audit(
        actor=by,
        action="kpi.complaint_closed",
        target=complaint,
        before=before,
        after=snapshot(complaint, FIELDS),
    )
    return complaint


def escalate_overdue_complaints(today: datetime.date | None = None) -> int:
    """Escalate every overdue complaint once; returns how many this run escalated.

    1. Read the overdue complaints not yet escalated.
    2. Claim each with a conditional update (escalated_on is NULL -> today); only the run
       whose update changed one row notifies, so two workers never escalate twice.
    3. Notify the owner and both project managers in their own language.
    """
    today = today or timezone.localdate()
    count = 0
    for complaint in (
        overdue_complaints(today)
        .filter(escalated_on__isnull=True)
        .select_related("project__business_pm", "project__engineering_pm")
    ):
        claimed = Complaint.objects.filter(pk=complaint.pk, escalated_on__isnull=True).update(
            escalated_on=today
        )
        if claimed != 1:
            continue  # another worker got there first
        project, due = complaint.project, complaint.response_due
        notify(
            [complaint.owner, project.business_pm, project.engineering_pm],
            kind="complaint.overdue",
            project=project.code,
            subject=lambda project=project: _("投诉答复逾期：%(code)s") % {"code": project.code},
            body=lambda due=due: _("答复期限：%(due)s") % {"due": due.isoformat()},
            url=f"/complaints/{complaint.pk}/",
        )
        count += 1
    return count
