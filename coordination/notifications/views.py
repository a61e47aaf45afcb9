"""The notification centre page: every notification of the user, paged, with filters
(unread, kind); marking read goes to core's routes (one service, audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.core.paging import paginate
from coordination.notifications import selectors


@login_required
@require_GET
def centre(request):
    unread = request.GET.get("unread") == "1"
    kinds = selectors.kinds(request.user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    qs = selectors.inbox(request.user, unread=unread, kind=kind or None)
    return render(
        request,
        "notifications/centre.html",
        {
            **paginate(request, qs),
            "unread": unread,
            "kind": kind,
            "kinds": kinds,
            "unread_count": selectors.inbox(request.user, unread=True).count(),
        },
    )
