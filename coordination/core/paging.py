"""Paging of the HTML lists: one helper, so every list pages alike (templates/_pagination.html)."""

from __future__ import annotations

from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, items, per_page: int = PAGE_SIZE) -> dict:
    """`{"page", "querystring"}` for a template: the requested page (out-of-range and invalid
    numbers give the nearest page) and the query string without `page`, so the links keep the
    filters. The paginator counts with one query and reads only the page's rows."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "querystring": query.urlencode()}
