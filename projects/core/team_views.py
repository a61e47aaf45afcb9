"""The members panel of the project page (htmx): the team, add and remove members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.core.forms import apply_errors
from coordination.core.people import display_name
from projects.core import permissions, selectors, team
from projects.core.forms import MemberForm
from projects.core.models import MemberRole, Project, ProjectMembership


def _project(request, code: str) -> Project:
    qs = selectors.visible_projects(request.user).select_related(
        "business_pm__profile", "engineering_pm__profile"
    )
    return get_object_or_404(qs, code=code)


def _panel(request, project: Project, form: MemberForm | None = None, status: int = 200):
    can_manage = permissions.can_manage_members(request.user, project)
    context = {
        "project": project,
        "team": team.team_of(project),
        "can_manage": can_manage,
        "form": (form or MemberForm()) if can_manage else None,
    }
    return render(request, "projects/team/_panel.html", context, status=status)


def _answer(request, project: Project, form: MemberForm | None = None, status: int = 200):
    """The panel again (htmx: 200 even for a refused form, which htmx swaps in only then),
    or back to the project page (a plain form post; its refused form answers 400)."""
    if request.headers.get("HX-Request"):
        return _panel(request, project, form)
    if form is not None and status != 200:
        return _panel(request, project, form, status)
    return redirect(reverse("projects:detail", args=[project.code]) + "#pane-team")


@login_required
@require_GET
def members_panel(request, code: str):
    return _panel(request, _project(request, code))


@login_required
@require_POST
def member_add(request, code: str):
    project = _project(request, code)
    if not permissions.can_manage_members(request.user, project):
        raise PermissionDenied(team.MANAGE_MEMBERS_REFUSED)
    form = MemberForm(request.POST)
    if form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            team.add_member(project.pk, by=request.user, user=user, role=role)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已添加 %(user)s：%(role)s")
                % {"user": display_name(user), "role": MemberRole(role).label},
            )
            return _answer(request, _project(request, code))
    return _answer(request, project, form, status=400)


@login_required
@require_POST
def member_remove(request, code: str, pk: int):
    project = _project(request, code)
    membership = get_object_or_404(ProjectMembership, pk=pk, project=project)
    if not permissions.can_manage_members(request.user, project):
        raise PermissionDenied(team.MANAGE_MEMBERS_REFUSED)
    team.remove_member(membership.pk, by=request.user)
    messages.success(
        request,
        _("已移除 %(user)s：%(role)s")
        % {"user": membership.user.username, "role": membership.get_role_display()},
    )
    # the caller may have removed themselves from a project they no longer see
    if not selectors.visible_projects(request.user).filter(pk=project.pk).exists():
        if request.headers.get("HX-Request"):
            response = render(request, "projects/team/_panel.html", {"project": project})
            response["HX-Redirect"] = reverse("projects:list")
            return response
        return redirect("projects:list")
    return _answer(request, project)
