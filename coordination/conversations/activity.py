"""A project's activity stream: its audit trail (coordination.core AuditEvent) and its
comments, newest first, told in the reader's language.

The humaniser turns an event into a sentence and a list of changes: each action has a
translated label (ACTIONS; an unknown one is told from its verb and the target's model name),
each field its model's verbose name (or FIELD_LABELS), each choice value its display name.
A field without a label, an id, a hash or a nested structure is left out rather than shown
raw, so no `project.stage_changed`, `stage=delivered` or `scores={...}` reaches the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, F, Value
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coordination.conversations.markup import render
from coordination.conversations.models import Comment
from coordination.core import reasons
from coordination.core.models import AuditEvent
from coordination.core.people import display_name
from coordination.core.text import join_list
from projects.core.models import Project

PAGE_SIZE = 30

ACTIONS = {
    "project.created": _("创建了项目"),
    "project.upserted": _("通过 ERP 同步了项目"),
    "project.updated": _("修改了项目信息"),
    "project.stage_changed": _("变更了项目阶段"),
    "project.stage_override": _("经 PMO 豁免变更了项目阶段"),
    "project.forecast_changed": _("调整了项目预测"),
    "project.contract_from_quote": _("按报价更新了合同金额和计划完成"),
    "project.member_added": _("加入了项目成员"),
    "project.member_removed": _("移除了项目成员"),
    "membership.changed": _("调整了项目成员"),
    "membership.removed": _("移除了项目成员"),
    "milestone.created": _("新增了里程碑"),
    "milestone.updated": _("修改了里程碑"),
    "payment.created": _("新增了收款节点"),
    "payment.updated": _("修改了收款节点"),
    "payment.deleted": _("删除了收款节点"),
    "payment.due_moved": _("收款节点随交付里程碑改期"),
    "risk.created": _("登记了风险"),
    "task.created": _("新建了任务"),
    "task.updated": _("更新了任务"),
    "task.deleted": _("删除了任务"),
    "task.rescheduled": _("重排了任务计划"),
    "task.forecast_shifted": _("顺延了任务预测"),
    "task.dependency_added": _("添加了任务依赖"),
    "task.dependency_removed": _("移除了任务依赖"),
    "feasibility.created": _("起草了可行性评估"),
    "feasibility.updated": _("修改了可行性评估"),
    "feasibility.submitted": _("提交了可行性评估"),
    "feasibility.approved": _("批准了可行性评估"),
    "feasibility.returned": _("退回了可行性评估"),
    "feasibility.revised": _("修订了可行性评估"),
    "feasibility.superseded": _("可行性评估被新版本取代"),
    "feasibility.risks_copied": _("把评估中的风险登记到风险台账"),
    "quote.saved": _("保存了报价"),
    "handover.created": _("生成了移交清单"),
    "handover.submitted": _("提交了合同移交"),
    "handover.accepted": _("接收了合同移交"),
    "handover.returned": _("退回了合同移交"),
    "handover_item.provided": _("提交了移交资料"),
    "handover_item.accepted": _("接收了移交清单项"),
    "handover_item.rejected": _("驳回了移交清单项"),
    "kickoff.scheduled": _("安排了联合启动会"),
    "kickoff.updated": _("更新了启动会记录"),
    "kickoff.held": _("召开了联合启动会"),
    "commitment.generated": _("生成了协同承诺书"),
    "commitment.regenerated": _("重新生成了协同承诺书"),
    "commitment.opened": _("发起了承诺书签署"),
    "commitment.signature_added": _("签署了协同承诺书"),
    "commitment.signed": _("协同承诺书签署完成"),
    "commitment.superseded": _("协同承诺书被修订版取代"),
    "change_request.created": _("起草了变更申请"),
    "change_request.updated": _("修改了变更申请"),
    "change_request.submitted": _("提交了变更申请"),
    "change_request.assessed": _("评估了变更申请"),
    "change_request.approved": _("批准了变更申请"),
    "change_request.rejected": _("驳回了变更申请"),
    "change_request.approve": _("代表本部门批准了变更申请"),
    "change_request.reject": _("代表本部门驳回了变更申请"),
    "change_request.decided": _("完成了变更申请审批"),
    "change_request.withdrawn": _("撤回了变更申请"),
    "change_request.implemented": _("实施了变更申请"),
    "change_request.tasks_impact_applied": _("把变更的工期影响应用到任务"),
    "review_cadence.created": _("设立了例会机制"),
    "review_cadence.updated": _("调整了例会机制"),
    "review.updated": _("更新了例会纪要"),
    "review.proposal_discarded": _("放弃了纪要中的一条待办建议"),
    "lesson.promoted": _("把复盘条目整理为经验教训"),
    "lesson.updated": _("修改了经验教训"),
    "action_item.created": _("新建了待办事项"),
    "kpi.survey_recorded": _("录入了满意度调查"),
    "kpi.complaint_recorded": _("登记了投诉"),
    "job_rotation.planned": _("计划了互换岗位体验"),
    "job_rotation.resubmitted": _("重新提交了轮岗计划"),
    "job_rotation.side_approved": _("代表本部门批准了轮岗计划"),
    "job_rotation.approved": _("批准了轮岗计划"),
    "job_rotation.returned": _("退回了轮岗计划"),
    "job_rotation.started": _("开始了互换岗位体验"),
    "job_rotation.checked_in": _("记录了轮岗月度情况"),
    "job_rotation.close_part": _("填写了轮岗的体会或评价"),
    "job_rotation.closed": _("结束了互换岗位体验"),
    "job_rotation.cancelled": _("取消了互换岗位体验"),
    "document.created": _("上传了文档"),
    "document.version_added": _("上传了文档的新版本"),
    "document.downloaded": _("下载了文档"),
    "document.previewed": _("预览了文档"),
    "comment.posted": _("发表了评论"),
    "comment.edited": _("修改了评论"),
}
VERBS = {
    "created": _("新建了"),
    "updated": _("修改了"),
    "changed": _("修改了"),
    "deleted": _("删除了"),
    "removed": _("移除了"),
    "submitted": _("提交了"),
    "approved": _("批准了"),
    "rejected": _("驳回了"),
    "accepted": _("接收了"),
    "returned": _("退回了"),
    "recorded": _("录入了"),
    "saved": _("保存了"),
}
# labels of keys that are not model fields of the event's target
FIELD_LABELS = {
    "stage": _("阶段"),
    "from": pgettext_lazy("stage", "原阶段"),
    "to": pgettext_lazy("stage", "新阶段"),
    "user": _("人员"),
    "role": _("项目角色"),
    "reason": _("原因"),
    "mentioned": _("提及"),
    "overall_score": _("总体评分"),
    "predecessor": _("前置任务"),
    "successor": _("后续任务"),
    "lag_days": _("间隔(工作日)"),
    "shift_days": _("顺延(工作日)"),
    "status": _("状态"),
    "title": _("标题"),
    "note": _("说明"),
    "department": _("部门"),
    "signer": _("签署人"),
    "version": _("版本"),
}
HIDDEN = {"id", "pk", "edit_version", "canonical_content", "content_hash", "hash", "body", "target"}
MAX_VALUE = 80


@dataclass
class Change:
    label: str
    before: str | None
    after: str | None


@dataclass
class Entry:
    at: datetime.datetime
    who: str
    text: str
    subject: str = ""
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    comment: Comment | None = None
    html: str = ""


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def action_label(action: str, target_type: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    model = _model(target_type)
    noun = str(model._meta.verbose_name) if model else str(_("记录"))
    verb = VERBS.get(action.rpartition(".")[2], _("更新了"))
    return f"{verb}{noun}"


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _choice_display(fields: list, value) -> str | None:
    for f in fields:
        choices = getattr(f, "flatchoices", None) or []
        for code, label in choices:
            if code == value:
                return str(label)
    return None


def value_text(model, key: str, value) -> str | None:
    """A field's value as a reader sees it; None when it cannot be shown without raw codes."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return None
    if isinstance(value, list):
        parts = [value_text(model, key, v) for v in value]
        if any(p is None for p in parts):
            return None
        return join_list(parts) if parts else "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    f = _field(model, key)
    candidates = [f] if f is not None else []
    if key in ("stage", "from", "to"):
        candidates.append(Project._meta.get_field("stage"))
    shown = _choice_display(candidates, value)
    if shown is not None:
        return shown
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value else None
        if moment is not None:
            return date_format(localtime(moment) if moment.tzinfo else moment, "DATETIME_FORMAT")
        day = parse_date(value) if len(value) == 10 else None
        if day is not None:
            return date_format(day, "DATE_FORMAT")
        if any(f.choices for f in candidates):
            return None  # a code no longer among the choices: not shown raw
        return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"
    return str(value)


def field_label(model, key: str) -> str | None:
    if key in HIDDEN or key.endswith(("_id", "_hash")):
        return None
    f = _field(model, key)
    if f is not None and getattr(f, "verbose_name", None) and not f.many_to_many:
        return str(f.verbose_name)
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else None


def changes_of(event: AuditEvent) -> list[Change]:
    model = _model(event.target_type)
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        label = field_label(model, key)
        if label is None:
            continue
        old = value_text(model, key, before[key]) if key in before else None
        new = value_text(model, key, after[key]) if key in after else None
        if (key in before and old is None) or (key in after and new is None):
            continue
        if key in before and key in after and old == new:
            continue
        out.append(Change(label=label, before=old, after=new))
    return out


def _who(user, label: str) -> str:
    if user is not None:
        return display_name(user)
    return str(_("系统")) if label in ("", "system") else label


def event_entry(e: AuditEvent) -> Entry:
    """One audit event as the reader is told it (the activity stream)."""
    return Entry(
        at=e.created_at,
        who=_who(e.actor, e.actor_label),
        text=action_label(e.action, e.target_type),
        subject=e.target_repr if e.target_type != "projects.project" else "",
        reason=reasons.told(e.reason),
        changes=changes_of(e),
    )


def stream_page(project: Project, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Entry], bool]:
    """One page of the stream, newest first, and whether an older page follows. Four queries
    whatever the page: the page's (kind, id) from one UNION, then its events, its comments
    (with authors and mentions)."""
    page = max(1, page)
    events = (
        AuditEvent.objects.filter(project_code=project.code)
        .exclude(action__startswith="comment.")
        .annotate(kind=Value("audit", output_field=CharField()))
        .values("created_at", "id", "kind")
        .order_by()
    )
    comments = (
        Comment.objects.filter(project=project)
        .annotate(kind=Value("comment", output_field=CharField()))
        .values("created_at", "id", "kind")
        .order_by()
    )
    start = (page - 1) * size
    rows = list(
        events.union(comments, all=True).order_by(F("created_at").desc(), F("id").desc())[
            start : start + size + 1
        ]
    )
    more = len(rows) > size
    rows = rows[:size]
    audit_ids = [r["id"] for r in rows if r["kind"] == "audit"]
    comment_ids = [r["id"] for r in rows if r["kind"] == "comment"]
    by_event = (
        {e.pk: e for e in AuditEvent.objects.filter(pk__in=audit_ids).select_related("actor")}
        if audit_ids
        else {}
    )
    by_comment = (
        {
            c.pk: c
            for c in Comment.objects.filter(pk__in=comment_ids)
            .select_related("author")
            .prefetch_related("mentioned")
        }
        if comment_ids
        else {}
    )
    entries = []
    for r in rows:
        if r["kind"] == "audit":
            entries.append(event_entry(by_event[r["id"]]))
        else:
            c = by_comment[r["id"]]
            entries.append(
                Entry(
                    at=c.created_at,
                    who=_who(c.author, ""),
                    text=str(_("发表了评论")),
                    subject=str(c.get_target_kind_display()),
                    comment=c,
                    html=render(c.body, members={u.username for u in c.mentioned.all()}),
                )
            )
    return entries, more
