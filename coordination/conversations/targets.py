"""What a comment is on: a target `kind:key` ("project:PRJ-2026-0001", "task:12", …) read
into its record and project, within what a user may see (API.md, the shared platform)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.conversations.models import Comment
from coordination.kickoff.models import CollaborationCommitment
from coordination.reviews.models import Review
from handover.models import HandoverItem
from projects.changes.models import ChangeRequest
from projects.core.models import Project
from projects.core.selectors import visible_projects
from projects.presales.models import FeasibilityAssessment
from projects.tasks.models import Task

Kind = Comment.Kind

# kind: (model, the lookup from the record to its project's id, the record's page)
MODELS: dict[str, tuple[type[Model], str, str]] = {
    Kind.TASK: (Task, "project_id", "tasks:detail"),
    Kind.CHANGE_REQUEST: (ChangeRequest, "project_id", "changes:detail"),
    Kind.HANDOVER_ITEM: (HandoverItem, "handover__project_id", "handover:checklist"),
    Kind.FEASIBILITY: (FeasibilityAssessment, "project_id", "presales:assessment"),
    Kind.COMMITMENT: (CollaborationCommitment, "project_id", "commitment_detail"),
    Kind.REVIEW: (Review, "project_id", "reviews:detail"),
}


@dataclass(frozen=True)
class Target:
    kind: str
    key: str
    project: Project

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def url(self) -> str:
        """The page that shows this record's thread."""
        return page_url(self.kind, self.key, self.project.code)


def page_url(kind: str, key: str, project_code: str) -> str:
    """The page that shows the thread of `kind:key` on the project `project_code` (no query:
    search builds it from a comment's row)."""
    if kind == Kind.PROJECT:
        return reverse("projects:detail", args=[project_code])
    if kind == Kind.HANDOVER_ITEM:
        return reverse("handover:checklist", args=[project_code])
    return reverse(MODELS[kind][2], args=[int(key)])


def parse(raw: str) -> tuple[str, str]:
    """`kind:key` → (kind, key), or ValidationError naming the shapes a target may have."""
    kind, sep, key = (raw or "").strip().partition(":")
    key = key.strip()
    if not sep or kind not in Kind.values or not key or len(key) > 40:
        raise ValidationError(
            {
                "target": [
                    _(
                        "对象须写作 类型:编号,类型为 %(kinds)s 之一,"
                        "例如 project:PRJ-2026-0001 或 task:12。"
                    )
                    % {"kinds": ", ".join(Kind.values)}
                ]
            }
        )
    if kind != Kind.PROJECT and not (key.isascii() and key.isdigit() and len(key) < 10):
        raise ValidationError({"target": [_("%(kind)s 的编号须为整数。") % {"kind": kind}]})
    return kind, key


def resolve(raw: str, user) -> Target:
    """The target `raw` names among what `user` may see: ValidationError for a malformed
    target, Http404 for one that does not exist or lies outside the user's projects."""
    kind, key = parse(raw)
    projects = visible_projects(user)
    if kind == Kind.PROJECT:
        project = projects.filter(code=key).first()
    else:
        model, project_lookup, _page = MODELS[kind]
        project_id = model.objects.filter(pk=int(key)).values_list(project_lookup, flat=True)
        project = projects.filter(pk__in=project_id).first()
    if project is None:
        raise Http404
    return Target(kind=kind, key=key, project=project)


def target_of(record: Model) -> str:
    """The target string of a record (for the thread include on its page)."""
    if isinstance(record, Project):
        return f"{Kind.PROJECT}:{record.code}"
    for kind, (model, _lookup, _page) in MODELS.items():
        if isinstance(record, model):
            return f"{kind}:{record.pk}"
    raise TypeError(f"no comment thread on {type(record).__name__}")
