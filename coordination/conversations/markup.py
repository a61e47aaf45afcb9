"""A comment's text as HTML: a small markdown subset, then an allow-list sanitiser.

markdown-it-py ("zero" preset) parses only what is enabled below, with raw HTML off; nh3
(ammonia) then keeps only the allowed tags and attributes, and links only to http, https
and mailto, with rel="noopener nofollow". No script can run from a comment: a `<script>` is
text, an `onerror=` attribute is dropped, a `javascript:` or `data:` link loses its href.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False}).enable(
    ["emphasis", "backticks", "link", "list", "newline", "escape", "autolink"]
)

TAGS = {"p", "br", "strong", "em", "code", "a", "ul", "ol", "li", "span"}
ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}}
SCHEMES = {"http", "https", "mailto"}

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")


def mentioned_usernames(body: str) -> list[str]:
    """The `@username` words of `body`, in order, without repeats."""
    seen: list[str] = []
    for name in MENTION.findall(body or ""):
        name = name.rstrip(".")
        if name and name not in seen:
            seen.append(name)
    return seen


def render(body: str, *, members: set[str] | None = None) -> SafeString:
    """`body` as safe HTML; `@username` of a member in `members` becomes a highlighted span."""
    html = _md.render(body or "")
    if members:

        def tag(m: re.Match) -> str:
            name = m.group(1).rstrip(".")
            if name in members:
                return f'<span class="mention">@{name}</span>{m.group(1)[len(name) :]}'
            return m.group(0)

        html = MENTION.sub(tag, html)
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703 (sanitised by nh3 just above)
