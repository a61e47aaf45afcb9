"""The search pages: `GET /search/?q=` (results grouped by kind) and `GET /search/suggest/?q=`
(the htmx dropdown under the navigation's box). Both read `selectors.search`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.search import selectors


def _context(request, limit: int) -> dict:
    text = selectors.clean(request.GET.get("q"))
    short = 0 < len(text) < selectors.MIN_LENGTH
    groups = selectors.search(request.user, text, limit)
    return {
        "q": text,
        "too_short": short,
        "groups": groups,
        "min_length": selectors.MIN_LENGTH,
        "limit": limit,
    }


@login_required
@require_GET
def results(request):
    return render(request, "search/results.html", _context(request, selectors.PAGE_PER_KIND))


@login_required
@require_GET
def suggest(request):
    return render(request, "search/_dropdown.html", _context(request, selectors.PER_KIND))
