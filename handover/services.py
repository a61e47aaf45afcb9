"""Every write on handovers: creation from a template, provide / accept / reject, submit.

Item:     pending → provided → accepted | rejected → provided → ...
Handover: draft → submitted → returned (any rejection) → submitted → accepted
          (accepted as soon as every required item is accepted).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import events, workdays
from coordination.core.exceptions import Conflict
from coordination.core.services import notify, record_audit
from handover.models import EvidenceKind, Handover, HandoverItem, HandoverTemplate
from handover.permissions import is_business_side, is_engineering_side
from projects.core.models import MemberRole, Project
from projects.core.selectors import members_with_role
from projects.documents import services as documents
from projects.documents.models import AttachedKind, Category

ITEM_AUDIT_FIELDS = ["status", "rejection_count"]
SNAPSHOT_FIELDS = [
    "order",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "category",
    "required",
    "evidence_kind",
    "responsible_department",
]


# ---------------------------------------------------------------- SLA
def add_working_days(
    start: datetime.date, days: int, workcal: workdays.WorkCalendar | None = None
) -> datetime.date:
    """`start` plus `days` working days on China's working calendar (statutory holidays,
    调休 make-up days, company days off); counting begins on the first working day on or
    after `start`, so a contract signed on a day off starts the clock on the next working
    day (0 days: that day)."""
    workcal = workcal or workdays.calendar()
    return workcal.add_working_days(workcal.roll_forward(start), days)


def sla_due_date(project: Project) -> datetime.date:
    start = project.contract_signed_on or timezone.localdate()
    return add_working_days(start, settings.HANDOVER_SLA_WORKING_DAYS)


# ---------------------------------------------------------------- who to tell
def business_side_users(project: Project) -> list:
    return members_with_role(project, MemberRole.BUSINESS_PM, MemberRole.BUSINESS_LEAD)


def engineering_side_users(project: Project) -> list:
    return members_with_role(
        project, MemberRole.ENGINEERING_PM, MemberRole.ENGINEERING_DIRECTOR, MemberRole.TECH_LEAD
    )


def _url(project: Project) -> str:
    return f"/handover/{project.code}/"


# ---------------------------------------------------------------- creation
def default_template() -> HandoverTemplate | None:
    active = HandoverTemplate.objects.filter(is_active=True)
    return active.filter(is_default=True).first() or active.order_by("id").first()


@transaction.atomic
def create_handover(
    project: Project, *, by, template: HandoverTemplate | None = None
) -> tuple[Handover, bool]:
    """The project's handover, created from `template` (default: the default template).

    Items are copied, so the running checklist is independent of later template edits.
    Idempotent: a project that already has a handover keeps it (returns created=False).
    """
    existing = Handover.objects.filter(project=project).first()
    if existing is not None:
        return existing, False
    template = template or default_template()
    if template is None:
        raise Conflict(_("没有可用的移交模板，请PMO先在后台维护。"), unmet=[_("缺少移交模板")])
    handover = Handover.objects.create(
        project=project,
        template=template,
        template_name=template.name_zh,
        due_date=sla_due_date(project),
    )
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(handover=handover, **{f: getattr(t, f) for f in SNAPSHOT_FIELDS})
            for t in template.items.order_by("order", "id")
        ]
    )
    record_audit(
        actor=by,
        action="handover.created",
        target=handover,
        after={
            "status": handover.status,
            "template": template.name_zh,
            "due_date": handover.due_date,
        },
    )
    notify(
        business_side_users(project),
        kind="handover.created",
        project=project.code,
        subject=lambda: (
            _("%(code)s 合同移交清单已创建，请在 %(due)s 前提供资料")
            % {"code": project.code, "due": handover.due_date.isoformat()}
        ),
        url=_url(project),
    )
    return handover, True


# ---------------------------------------------------------------- helpers
def _lock_item(item_id: int) -> tuple[HandoverItem, Handover]:
    # Always lock the handover before its item, the same order as submit_handover.
    handover_id = HandoverItem.objects.values_list("handover_id", flat=True).get(pk=item_id)
    handover = Handover.objects.select_for_update().select_related("project").get(pk=handover_id)
    item = HandoverItem.objects.select_for_update().get(pk=item_id)
    item.handover = handover
    return item, handover


def _require_business(by, project: Project) -> None:
    if by is None or not is_business_side(by, project):
        raise PermissionDenied(
            _("只有业务方（业务项目经理、业务负责人或业务部项目成员）可以提供移交资料。")
        )


def _require_engineering(by, project: Project) -> None:
    if by is None or not is_engineering_side(by, project):
        raise PermissionDenied(
            _("只有工程方（工程项目经理、工程总监或技术负责人）可以审核移交资料。")
        )


def _item_label(item: HandoverItem) -> str:
    return item.title_zh


def _set_handover_status(handover: Handover, status: str, *, by, reason: str = "") -> None:
    before = handover.status
    handover.status = status
    now = timezone.now()
    if status == Handover.Status.SUBMITTED:
        handover.submitted_at = now
    if status == Handover.Status.ACCEPTED:
        handover.accepted_at = now
    handover.save()
    record_audit(
        actor=by,
        action=f"handover.{status}",
        target=handover,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )


def unaccepted_required(handover: Handover) -> list[HandoverItem]:
    return list(
        handover.items.filter(required=True)
        .exclude(status=HandoverItem.Status.ACCEPTED)
        .order_by("order", "id")
    )


def _accept_if_complete(handover: Handover, *, by) -> bool:
    if unaccepted_required(handover):
        return False
    _set_handover_status(handover, Handover.Status.ACCEPTED, by=by)
    project = handover.project
    events.emit(
        "handover.accepted",
        {
            "project": project.code,
            "erp_id": project.erp_id,
            "handover_id": handover.pk,
            "accepted_at": handover.accepted_at.isoformat(),
            "due_date": handover.due_date.isoformat(),
            "contract_signed_on": project.contract_signed_on.isoformat()
            if project.contract_signed_on
            else None,
        },
    )
    notify(
        business_side_users(project) + engineering_side_users(project),
        kind="handover.accepted",
        project=project.code,
        subject=lambda: _("%(code)s 合同移交已被工程方接收") % {"code": project.code},
        url=_url(project),
    )
    return True


# ---------------------------------------------------------------- item lifecycle
@transaction.atomic
def provide_item(item_id: int, *, by, file=None, link: str = "", text: str = "") -> HandoverItem:
    """Business provides the evidence of one item (a file, a link or a text).

    1. Lock the item and its handover.
    2. The caller must be on the business side; the handover must be open for edits
       (draft or returned) and the item not yet accepted.
    3. The evidence of the item's expected kind must be present; files are checked
       (size, type, content); links must be http(s).
    4. Item → provided; audit; tell engineering when the handover is under review.
    """
    item, handover = _lock_item(item_id)
    project = handover.project
    _require_business(by, project)
    if handover.status not in (Handover.Status.DRAFT, Handover.Status.RETURNED):
        raise Conflict(
            _("移交状态为“%(status)s”，不能修改资料。") % {"status": handover.get_status_display()},
            unmet=[_("移交已提交或已接收")],
        )
    if item.status == HandoverItem.Status.ACCEPTED:
        raise Conflict(_("该清单项已被接收，不能再修改。"), unmet=[_("清单项已接收")])
    link = (link or "").strip()
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if item.evidence_kind == EvidenceKind.FILE and file is None and not item.evidence_version_id:
        errors["file"] = [_("此项需要上传文件。")]
    if item.evidence_kind == EvidenceKind.LINK and not link:
        errors["link"] = [_("此项需要提供链接。")]
    if item.evidence_kind == EvidenceKind.TEXT and not text:
        errors["text"] = [_("此项需要填写文本。")]
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = [_("请输入以 http:// 或 https:// 开头的有效链接。")]
    if errors:
        raise ValidationError(errors)

    before = {
        "status": item.status,
        "file": item.evidence_filename,
        "link": item.evidence_link,
        "text": item.evidence_text,
    }
    if file is not None:
        # The file becomes a version of the item's evidence document: the checks of every
        # upload apply (size, type, content), and earlier versions are kept, never replaced.
        if item.evidence_version_id:
            version = documents.add_version(
                item.evidence_version.document_id, by=by, file=file, authorized=True
            )
        else:
            document = documents.create_document(
                project,
                by=by,
                file=file,
                title=_item_label(item)[:200] or (file.name or "")[:200],
                category=Category.ACCEPTANCE,
                attached_kind=AttachedKind.HANDOVER_ITEM,
                attached_id=item.pk,
                authorized=True,
            )
            version = document.versions.get()
        item.evidence_version = version
    if link or item.evidence_kind == EvidenceKind.LINK:
        item.evidence_link = link
    if text or item.evidence_kind == EvidenceKind.TEXT:
        item.evidence_text = text
    item.status = HandoverItem.Status.PROVIDED
    item.provided_by = by
    item.provided_at = timezone.now()
    item.save()
    record_audit(
        actor=by,
        action="handover_item.provided",
        target=item,
        before=before,
        after={
            "status": item.status,
            "file": item.evidence_filename,
            "link": item.evidence_link,
            "text": item.evidence_text,
        },
        project_code=project.code,
    )
    notify(
        engineering_side_users(project),
        kind="handover_item.provided",
        project=project.code,
        subject=lambda: (
            _("%(code)s 移交资料已提供：%(item)s")
            % {"code": project.code, "item": _item_label(item)}
        ),
        url=_url(project),
    )
    return item


def _require_reviewable(item: HandoverItem, handover: Handover) -> None:
    if handover.status not in (Handover.Status.SUBMITTED, Handover.Status.RETURNED):
        raise Conflict(
            _("移交尚未提交或已接收，不能审核。"),
            unmet=[_("移交状态：%(s)s") % {"s": handover.get_status_display()}],
        )
    if item.status != HandoverItem.Status.PROVIDED:
        raise Conflict(
            _("只能审核“已提供”的清单项（当前：%(s)s）。") % {"s": item.get_status_display()},
            unmet=[_item_label(item)],
        )


def _accept(item: HandoverItem, *, by, at, project: Project) -> None:
    """One provided item accepted (locked by the caller), with its audit event."""
    item.status = HandoverItem.Status.ACCEPTED
    item.reviewed_by = by
    item.reviewed_at = at
    item.save()
    record_audit(
        actor=by,
        action="handover_item.accepted",
        target=item,
        before={"status": HandoverItem.Status.PROVIDED},
        after={"status": item.status},
        project_code=project.code,
    )


@transaction.atomic
def accept_item(item_id: int, *, by) -> HandoverItem:
    """Engineering accepts one provided item; the last required acceptance accepts the handover."""
    item, handover = _lock_item(item_id)
    project = handover.project
    _require_engineering(by, project)
    _require_reviewable(item, handover)
    _accept(item, by=by, at=timezone.now(), project=project)
    notify(
        business_side_users(project),
        kind="handover_item.accepted",
        project=project.code,
        subject=lambda: (
            _("%(code)s 移交资料已接收：%(item)s")
            % {"code": project.code, "item": _item_label(item)}
        ),
        url=_url(project),
    )
    _accept_if_complete(handover, by=by)
    return item


@transaction.atomic
def accept_all_provided(handover_id: int, *, by) -> list[HandoverItem]:
    """Engineering accepts every provided item at once (a reviewer who has checked them all).

    1. Lock the handover, then its provided items (the order of accept_item).
    2. Each becomes accepted with its own audit event, as if accepted one by one.
    3. The business side is told once, with the count; the last required acceptance
       accepts the handover.
    """
    handover = Handover.objects.select_for_update().select_related("project").get(pk=handover_id)
    project = handover.project
    _require_engineering(by, project)
    items = list(
        handover.items.select_for_update()
        .filter(status=HandoverItem.Status.PROVIDED)
        .order_by("order", "id")
    )
    if not items:
        raise Conflict(_("没有待审核的清单项。"), unmet=[_("“已提供”的清单项：0")])
    for item in items:
        item.handover = handover
        _require_reviewable(item, handover)
    now = timezone.now()
    for item in items:
        _accept(item, by=by, at=now, project=project)
    notify(
        business_side_users(project),
        kind="handover_item.accepted",
        project=project.code,
        subject=lambda: (
            _("%(code)s 移交资料已接收 %(n)s 项") % {"code": project.code, "n": len(items)}
        ),
        url=_url(project),
    )
    _accept_if_complete(handover, by=by)
    return items


@transaction.atomic
def reject_item(item_id: int, *, by, reason: str) -> HandoverItem:
    """Engineering rejects one provided item with a reason; the handover goes back to business."""
    reason = (reason or "").strip()
    item, handover = _lock_item(item_id)
    project = handover.project
    _require_engineering(by, project)
    if not reason:
        raise ValidationError({"reason": [_("驳回必须填写原因。")]})
    _require_reviewable(item, handover)
    item.status = HandoverItem.Status.REJECTED
    item.rejection_reason = reason
    item.rejection_count += 1
    item.reviewed_by = by
    item.reviewed_at = timezone.now()
    item.save()
    record_audit(
        actor=by,
        action="handover_item.rejected",
        target=item,
        before={"status": HandoverItem.Status.PROVIDED},
        after={"status": item.status, "rejection_count": item.rejection_count},
        reason=reason,
        project_code=project.code,
    )
    if handover.status != Handover.Status.RETURNED:
        _set_handover_status(handover, Handover.Status.RETURNED, by=by, reason=reason)
    notify(
        business_side_users(project),
        kind="handover_item.rejected",
        project=project.code,
        subject=lambda: (
            _("%(code)s 移交资料被驳回：%(item)s")
            % {"code": project.code, "item": _item_label(item)}
        ),
        body=reason,
        url=_url(project),
    )
    return item


# ---------------------------------------------------------------- handover lifecycle
@transaction.atomic
def submit_handover(handover_id: int, *, by) -> Handover:
    """Business submits the checklist for review once every required item is provided."""
    handover = Handover.objects.select_for_update().select_related("project").get(pk=handover_id)
    project = handover.project
    _require_business(by, project)
    if handover.status not in (Handover.Status.DRAFT, Handover.Status.RETURNED):
        raise Conflict(
            _("移交状态为“%(status)s”，不能提交。") % {"status": handover.get_status_display()},
            unmet=[],
        )
    missing = list(
        handover.items.filter(
            required=True,
            status__in=[HandoverItem.Status.PENDING, HandoverItem.Status.REJECTED],
        ).order_by("order", "id")
    )
    if missing:
        raise Conflict(
            _("还有必需清单项未提供。"),
            unmet=[_("未提供：%(item)s") % {"item": _item_label(i)} for i in missing],
        )
    _set_handover_status(handover, Handover.Status.SUBMITTED, by=by)
    notify(
        engineering_side_users(project),
        kind="handover.submitted",
        project=project.code,
        subject=lambda: _("%(code)s 合同移交已提交，请审核") % {"code": project.code},
        url=_url(project),
    )
    _accept_if_complete(handover, by=by)
    return handover


# ---------------------------------------------------------------- overdue reminders
def remind_overdue(today: datetime.date | None = None) -> int:
    """Tell both sides about each overdue handover, at most once per handover per day.

    The conditional update claims the handover for today, so concurrent runs never remind
    twice; a handover another run already claimed is skipped.
    """
    today = today or timezone.localdate()
    sent = 0
    candidates = (
        Handover.objects.filter(due_date__lt=today)
        .exclude(status=Handover.Status.ACCEPTED)
        .exclude(last_overdue_reminder_on=today)
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            claimed = (
                Handover.objects.filter(pk=pk)
                .exclude(last_overdue_reminder_on=today)
                .update(last_overdue_reminder_on=today)
            )
            if claimed != 1:
                continue
            handover = Handover.objects.select_related("project").get(pk=pk)
            project = handover.project
            values = {"code": project.code, "due": handover.due_date.isoformat()}
            notify(
                business_side_users(project) + engineering_side_users(project),
                kind="handover.overdue",
                project=project.code,
                subject=lambda values=values: _("%(code)s 合同移交已逾期（截止 %(due)s）") % values,
                url=_url(project),
            )
            sent += 1
    return sent
