"""Paging of API lists: page numbers; on the lists that accept `?updated_since=`, a keyset
cursor over `(updated_at, id)` whenever that parameter is given (API.md, Conventions).

Page numbers are positions in a list that moves: when rows already read change, the rows
behind them shift forward and a sync reading page N + 1 never sees the ones that slid onto
page N. A cursor is a place in the order itself (after this `updated_at`, then this id), so
rows that change while a sync reads move behind the cursor and come again; none is skipped.
"""

from __future__ import annotations

import base64
import binascii
import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

SINCE = "updated_since"
CURSOR = "cursor"
SYNC_ORDERINGS = ("", "updated_at", "updated_at,id")
SINCE_DESCRIPTION = (
    "Only rows changed at or after this moment: ISO 8601 with its offset, e.g. "
    "`2026-11-25T08:00:00Z` or `2026-11-25T16:00:00%2B08:00`. Pages by a cursor over "
    "(updated_at, id), oldest change first: follow `next` until it is null; no `count`."
)
CURSOR_DESCRIPTION = (
    "With `updated_since` only: the opaque position carried by `next` / `previous`; use "
    "those links as they are."
)
COUNT_DESCRIPTION = (
    "Number of rows over all pages. Absent with `updated_since`: that read is paged by a "
    "cursor over (updated_at, id); follow `next` until it is null."
)
SINCE_INVALID = _(
    "请使用带时区偏移的 ISO 8601 时间，如 2026-11-25T08:00:00Z（URL 中的 + 须编码）。"
)
NEXT_DESCRIPTION = (
    "The next page, or null after the last. With `updated_since`: the same query with "
    "`cursor=<opaque>` in place of `page`."
)
_AFTER, _BEFORE = "a", "b"
_CURSOR_MAX_LENGTH = 200
_ID_LIMIT = 2**63  # one past bigint


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def parse_updated_since(raw: str) -> datetime.datetime:
    """`?updated_since=` as a UTC datetime; 400 naming the parameter unless it is an ISO 8601
    datetime with its offset. An empty value would list everything and a datetime without
    an offset would be read in the server's time zone: both look like success to a sync and
    are not. UTC because PostgreSQL refuses offsets beyond ±15:59."""
    try:
        value = parse_datetime(raw)
    except ValueError:  # well-formed but impossible, e.g. month 13
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationError({SINCE: [SINCE_INVALID]})
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValidationError({SINCE: [_("时间超出范围。")]})


def updated_since(request) -> datetime.datetime | None:
    """The request's `?updated_since=` (None when absent), checked by `parse_updated_since`."""
    raw = request.query_params.get(SINCE)
    return None if raw is None else parse_updated_since(raw)


def row_key(obj) -> tuple[datetime.datetime, int]:
    return obj.updated_at, obj.pk


def _encode(direction: str, key: tuple[datetime.datetime, int]) -> str:
    stamp, pk = key
    text = f"{direction}|{stamp.astimezone(datetime.UTC).isoformat()}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(raw: str) -> tuple[str, tuple[datetime.datetime, int]]:
    invalid = ValidationError({CURSOR: [_("无效的游标：请原样使用 next 或 previous 中的链接。")]})
    if not raw or len(raw) > _CURSOR_MAX_LENGTH:
        raise invalid
    try:
        padded = raw + "=" * (-len(raw) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
        direction, stamp, pk = text.split("|")
        when = datetime.datetime.fromisoformat(stamp)
        number = int(pk) if pk.isdigit() else -1
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    # only what _encode writes: UTC (PostgreSQL refuses offsets beyond ±15:59), and ids
    # from 0 to 2**63, one step outside the table's, as an empty page's links carry them
    utc = when.utcoffset() == datetime.timedelta(0)
    if direction not in (_AFTER, _BEFORE) or not utc or not 0 <= number <= _ID_LIMIT:
        raise invalid
    return direction, (when, number)


class SyncPagination(PageNumberPagination):
    """Page numbers without `?updated_since=`; with it, `?cursor=` pages oldest change first,
    ties by id, `{"next", "previous", "results"}` without `count` (no count query either).

    Each page is one statement: the rows after (or before) the cursor's key, one more than
    the page to learn whether another page follows. The view filters on `updated_since`; the
    order here is the only one the cursor can follow, so `?ordering=` may only name it and
    `?page=` is refused (a client still counting pages would read page 1 forever)."""

    cursor_query_param = CURSOR

    def paginate_queryset(self, queryset, request, view=None, *, key=row_key):
        self.request = request
        self.links = None
        params = request.query_params
        if SINCE not in params:
            if CURSOR in params:
                raise ValidationError({CURSOR: [_("游标只能与 updated_since 一起使用。")]})
            return super().paginate_queryset(queryset, request, view)
        updated_since(request)  # the view filtered on it; refused here whatever the view did
        if self.page_query_param in params:
            raise ValidationError(
                {self.page_query_param: [_("带 updated_since 时请沿 next 链接翻页，不使用页码。")]}
            )
        if params.get("ordering", "").replace(" ", "") not in SYNC_ORDERINGS:
            raise ValidationError({"ordering": [_("带 updated_since 时按 updated_at、id 升序。")]})
        direction, at = _decode(params[CURSOR]) if CURSOR in params else (_AFTER, None)
        size = self.get_page_size(request)
        if direction == _AFTER:
            if at is not None:
                queryset = queryset.filter(
                    Q(updated_at__gt=at[0]) | Q(updated_at=at[0], pk__gt=at[1])
                )
            rows = list(queryset.order_by("updated_at", "pk")[: size + 1])
            more = len(rows) > size
            rows = rows[:size]
            self.links = (
                _encode(_AFTER, key(rows[-1])) if more else None,
                _before_first(rows, key, at),
            )
        else:
            queryset = queryset.filter(Q(updated_at__lt=at[0]) | Q(updated_at=at[0], pk__lt=at[1]))
            rows = list(queryset.order_by("-updated_at", "-pk")[: size + 1])
            more = len(rows) > size
            rows = rows[:size][::-1]
            last = key(rows[-1]) if rows else (at[0], max(at[1] - 1, 0))  # at or after `at`
            self.links = (
                _encode(_AFTER, last),
                _encode(_BEFORE, key(rows[0])) if more else None,
            )
        return rows

    def get_paginated_response(self, data):
        if self.links is None:
            return super().get_paginated_response(data)
        after, before = self.links
        return Response(
            {"next": self._link(after), "previous": self._link(before), "results": data}
        )

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response_schema(self, schema):
        shape = super().get_paginated_response_schema(schema)
        shape["required"] = ["next", "previous", "results"]
        shape["properties"]["count"]["description"] = COUNT_DESCRIPTION
        shape["properties"]["next"]["description"] = NEXT_DESCRIPTION
        return shape

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": CURSOR_DESCRIPTION,
                "schema": {"type": "string"},
            },
        ]


def _before_first(rows, key, at) -> str | None:
    """`previous` of a forward page: the rows before its first, or (an empty page) up to and
    including the cursor's own key; none on the first page."""
    if at is None:
        return None
    stamp, pk = key(rows[0]) if rows else (at[0], min(at[1] + 1, _ID_LIMIT))
    return _encode(_BEFORE, (stamp, pk))


def filtered(filterset):
    """The filter set's rows, or a 400 naming each bad parameter."""
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def paged_response(request, view, queryset, serializer_class):
    """One page of `queryset` (cursor or page number, SyncPagination), serialized."""
    paginator = SyncPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
