"""The calendar feed (no login: calendar clients cannot log in; the URL's token is the key)
and the pages where a user sees, copies and resets their feed's address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.calendars import ical, selectors, services
from coordination.calendars.permissions import can_reset_project_feed
from projects.core.selectors import visible_projects


def _visible_project(request, code):
    return get_object_or_404(visible_projects(request.user), code=code)


def _feed_url(request, feed) -> str:
    return request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))


@require_GET
def feed(request, token):
    """GET /calendar/<token>.ics: the feed, or 404 for an unknown or reset token."""
    found = selectors.feed_by_token(token)
    body = ical.build(found, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_GET
def my_feed(request):
    """The user's own feed: its address to copy, and the reset button."""
    found = services.user_feed(request.user)
    return render(
        request,
        "coordination/calendars/feed.html",
        {
            "feed": found,
            "feed_url": _feed_url(request, found),
            "reset_url": reverse("calendar_feed_reset"),
            "can_reset": True,
            "project": None,
        },
    )


@login_required
@require_POST
def my_feed_reset(request):
    services.reset_user_feed(request.user)
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。"))
    return redirect("calendar_my_feed")


@login_required
@require_GET
def project_feed(request, code):
    project = _visible_project(request, code)
    found = services.project_feed(project, by=request.user)
    return render(
        request,
        "coordination/calendars/feed.html",
        {
            "feed": found,
            "feed_url": _feed_url(request, found),
            "reset_url": reverse("calendar_project_feed_reset", args=[project.code]),
            "can_reset": can_reset_project_feed(request.user, project),
            "project": project,
        },
    )


@login_required
@require_POST
def project_feed_reset(request, code):
    project = _visible_project(request, code)
    services.reset_project_feed(project, by=request.user)  # PermissionDenied: 403
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。"))
    return redirect("calendar_project_feed", code=project.code)
