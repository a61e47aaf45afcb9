"""Search: one registry of per-kind search functions (docs/notifications-and-search.md).

Each kind is one function `(user, text, limit) -> list[Hit]` registered with `@kind(...)`;
it reads through the room's own visibility selector (never a re-written rule) and runs one
query. `search` calls every registered kind, so a new kind is one function here and nothing
else changes: the page, the dropdown and the API read `KINDS`.

On PostgreSQL `icontains` is `UPPER(col) LIKE UPPER('%text%')`, which the GIN
`gin_trgm_ops` indexes on `UPPER(col)` serve (coordination/migrations/0011_search_indexes_
notification_occurrences.py, 0015_search_comments.py) from three characters on. A
2-character text (common in Chinese: 泵站, 验收) has no trigram: `contains` adds
`hub_bigrams(col) @> ARRAY[UPPER(text)]`, which the GIN bigram indexes of 0015 serve, and
keeps the `icontains` as the recheck. SQLite runs the plain `icontains` without an index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.conversations.selectors import visible_comments
from coordination.conversations.targets import page_url
from projects.changes.selectors import visible_change_requests
from projects.core.models import Customer
from projects.core.selectors import visible_projects
from projects.documents.selectors import visible_documents
from projects.tasks.selectors import visible_tasks

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_KIND = 8  # hits per kind on the dropdown and in the API
PAGE_PER_KIND = 25  # hits per kind on the results page
EXCERPT = 80  # characters of a comment shown as its hit's title


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int | str
    title: str
    url: str
    project: str | None  # the project's code, when the hit belongs to one


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    find: Callable[[object, str, int], list[Hit]]


KINDS: dict[str, Kind] = {}


def kind(name: str, label):
    """Register a search function for `name` (its order is the order of the groups)."""

    def register(find):
        KINDS[name] = Kind(name, label, find)
        return find

    return register


class HasBigram(Func):
    """`hub_bigrams(col) @> ARRAY[UPPER(text)]`: the row's column holds the 2-character
    `text` somewhere (case-insensitive), answered by the column's GIN bigram index."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column, text = (compiler.compile(e) for e in self.source_expressions)
        return (
            f"hub_bigrams({column[0]}) @> ARRAY[UPPER({text[0]}::text)]",
            (*column[1], *text[1]),
        )


def contains(field: str, text: str) -> Q:
    """`field` contains `text` anywhere, case-insensitive: `icontains`, plus the bigram
    predicate its index serves when the text is 2 characters long (PostgreSQL)."""
    match = Q(**{f"{field}__icontains": text})
    if len(text) == 2 and connection.vendor == "postgresql":
        match &= Q(HasBigram(F(field), Value(text, output_field=TextField())))
    return match


def clean(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_LENGTH]


def search(user, text: str, limit: int = PER_KIND) -> list[tuple[Kind, list[Hit]]]:
    """Every kind's hits for `text` within what `user` may see, grouped in KINDS order;
    kinds without a hit are left out. One query per kind, whatever the number of hits."""
    text = clean(text)
    if len(text) < MIN_LENGTH or not user or not user.is_authenticated:
        return []
    groups = [(k, k.find(user, text, limit)) for k in KINDS.values()]
    return [(k, hits) for k, hits in groups if hits]


@kind("project", _("项目"))
def find_projects(user, text: str, limit: int) -> list[Hit]:
    rows = (
        visible_projects(user)
        .filter(contains("name", text) | contains("code", text))
        .order_by("-id")
        .values_list("code", "name")[:limit]
    )
    return [
        Hit("project", code, f"{code} {name}", reverse("projects:detail", args=[code]), code)
        for code, name in rows
    ]


@kind("customer", _("客户"))
def find_customers(user, text: str, limit: int) -> list[Hit]:
    # Every signed-in user sees the customer list (projects/core/customer_views.py).
    rows = (
        Customer.objects.filter(contains("name", text))
        .order_by("-id")
        .values_list("id", "name")[:limit]
    )
    return [
        Hit("customer", pk, name, reverse("customers:detail", args=[pk]), None) for pk, name in rows
    ]


@kind("task", _("任务"))
def find_tasks(user, text: str, limit: int) -> list[Hit]:
    rows = (
        visible_tasks(user)
        .filter(contains("title", text))
        .order_by("-id")
        .values_list("id", "title", "project__code")[:limit]
    )
    return [
        Hit("task", pk, title, reverse("tasks:detail", args=[pk]), code) for pk, title, code in rows
    ]


@kind("change_request", _("变更申请"))
def find_change_requests(user, text: str, limit: int) -> list[Hit]:
    rows = (
        visible_change_requests(user)
        .filter(contains("title", text))
        .order_by("-id")
        .values_list("id", "number", "title", "project__code")[:limit]
    )
    return [
        Hit("change_request", pk, f"{number} {title}", reverse("changes:detail", args=[pk]), code)
        for pk, number, title, code in rows
    ]


@kind("document", _("文档"))
def find_documents(user, text: str, limit: int) -> list[Hit]:
    # By name: the library's documents and the attachments of records, with their project.
    rows = (
        visible_documents(user)
        .filter(contains("title", text))
        .order_by("-id")
        .values_list("id", "title", "project__code")[:limit]
    )
    return [
        Hit("document", pk, title, reverse("documents:detail", args=[pk]), code)
        for pk, title, code in rows
    ]


def excerpt(body: str, text: str, width: int = EXCERPT) -> str:
    """`width` characters of `body` (whitespace collapsed) around the first `text` in it."""
    flat = " ".join(body.split())
    if len(flat) <= width:
        return flat
    at = max(flat.upper().find(text.upper()), 0)
    start = max(0, min(at - width // 4, len(flat) - width))
    cut = flat[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(flat) else "")


@kind("comment", _("评论"))
def find_comments(user, text: str, limit: int) -> list[Hit]:
    rows = (
        visible_comments(user)
        .filter(contains("body", text))
        .order_by("-id")
        .values_list("id", "body", "target_kind", "target_key", "project__code")[:limit]
    )
    return [
        Hit("comment", pk, excerpt(body, text), f"{page_url(kind_, key, code)}#comment-{pk}", code)
        for pk, body, kind_, key, code in rows
    ]
