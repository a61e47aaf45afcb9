"""The thread include (htmx): a record's comments and the form to add one, without a
reload; editing within the window; the @-mention autocomplete (project members only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.conversations import activity, services, targets
from coordination.conversations.forms import CommentForm
from coordination.conversations.markup import render as render_markup
from coordination.conversations.selectors import thread, visible_comments
from coordination.core.exceptions import Conflict
from coordination.core.forms import apply_errors
from coordination.core.roles import can_write
from projects.core.selectors import visible_projects

MAX_SUGGESTIONS = 8


def _refused_status(request) -> int:
    """htmx swaps in only a 200: a refused form answers 200 to htmx, 400 to a plain post."""
    return 200 if request.headers.get("HX-Request") else 400


def _panel(
    request, target, form=None, *, error: str = "", status: int = 200, focus: int | None = None
):
    """The thread; `focus`: the comment just posted or edited, which takes the focus after
    the swap (data-focus, static/js/a11y.js)."""
    comments = list(thread(target))
    for c in comments:
        c.html = render_markup(c.body, members={u.username for u in c.mentioned.all()})
        c.editable = services.can_edit(request.user, c)
    context = {
        "target": target,
        "comments": comments,
        "form": form or CommentForm(),
        "may_post": can_write(request.user),
        "error": error,
        "focus": focus,
    }
    return render(request, "conversations/_thread.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread_panel(request):
    """GET: the thread of `?target=`; POST (`target`, `body`): add a comment, answer the
    thread again (a refused form keeps its text)."""
    raw = (
        request.GET.get("target", "") if request.method == "GET" else request.POST.get("target", "")
    )
    try:
        target = targets.resolve(raw, request.user)
    except ValidationError as exc:
        return JsonResponse(exc.message_dict, status=400)
    if request.method == "GET":
        return _panel(request, target)
    if not can_write(request.user):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.post_comment(target, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _panel(request, target, focus=comment.pk)
    return _panel(request, target, form, status=_refused_status(request))


@login_required
@require_POST
def comment_edit(request, pk: int):
    """The author changes the text within the edit window; the thread again."""
    comment = get_object_or_404(visible_comments(request.user), pk=pk)
    services.require_author(request.user, comment)
    target = targets.resolve(comment.target, request.user)
    error = ""
    try:
        services.edit_comment(
            comment.pk, target, by=request.user, body=request.POST.get("body", "")
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except Conflict as exc:
        error = str(exc)
    if error:
        return _panel(request, target, error=error, status=_refused_status(request))
    return _panel(request, target, focus=comment.pk)


@login_required
@require_GET
def mention_suggestions(request):
    """`?target=&q=`: up to 8 members of the target's project whose username or name starts
    with `q` (JSON: [{"username", "name"}])."""
    try:
        target = targets.resolve(request.GET.get("target", ""), request.user)
    except ValidationError as exc:
        return JsonResponse(exc.message_dict, status=400)
    q = request.GET.get("q", "").strip()[:50]
    people = services.project_members(target.project)
    if q:
        people = people.filter(
            Q(username__istartswith=q) | Q(first_name__istartswith=q) | Q(last_name__istartswith=q)
        )
    rows = people.order_by("username").values("username", "first_name", "last_name")[
        :MAX_SUGGESTIONS
    ]
    return JsonResponse(
        {
            "results": [
                {"username": r["username"], "name": f"{r['last_name']}{r['first_name']}".strip()}
                for r in rows
            ]
        }
    )


@login_required
@require_GET
def activity_panel(request, code: str):
    """The project's activity stream, one page (`?page=`), newest first; the project's own
    thread above it on the first page."""
    project = get_object_or_404(visible_projects(request.user), code=code)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    entries, more = activity.stream_page(project, page)
    context = {
        "project": project,
        "entries": entries,
        "page": page,
        "more": more,
        "thread_target": targets.target_of(project),
    }
    return render(request, "conversations/_activity.html", context)
