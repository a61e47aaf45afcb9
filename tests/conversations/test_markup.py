"""Comment text: the markdown subset renders; classic XSS payloads render inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from coordination.conversations.markup import TAGS, mentioned_usernames, render


def test_the_subset():
    html = render(
        "**粗** *斜* `x<y`\n- 一\n- 二\n\n1. a\n2. b\n\n[链接](https://a.cn/x?q=1)\n下一行"
    )
    assert "<strong>粗</strong>" in html and "<em>斜</em>" in html
    assert "<code>x&lt;y</code>" in html
    assert "<ul>" in html and "<ol>" in html and "<br>" in html
    assert '<a href="https://a.cn/x?q=1" rel="noopener nofollow">链接</a>' in html
    assert 'href="mailto:a@b.cn"' in render("[mail](mailto:a@b.cn)")


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '"><script>alert(1)</script>',
    "![img](https://evil.example/x.png)",
    "<https://ok.example/a>",
    '[x](https://a.b "t" onmouseover="alert(1)")',
    "<style>body{display:none}</style>",
]


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(str(html))
    return parser.tags


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload):
    """Only the allowed tags as real elements, no event handler, links only to http(s) or
    mailto; everything else is text."""
    for tag, attrs in elements(render(payload)):
        assert tag in TAGS, (payload, tag)
        assert not any(name.startswith("on") or name in ("src", "style") for name in attrs)
        if "href" in attrs:
            assert attrs["href"].split(":", 1)[0].lower() in ("http", "https", "mailto")
            assert attrs["rel"] == "noopener nofollow"


def test_mentions_are_words_after_an_at():
    assert mentioned_usernames("@eng_pm 请看, cc @biz_pm. @eng_pm again a@b.cn") == [
        "eng_pm",
        "biz_pm",
    ]
    html = render("@eng_pm 和 @nobody", members={"eng_pm"})
    assert '<span class="mention">@eng_pm</span>' in html and "@nobody" in html
    assert '<span class="mention">@nobody' not in html
