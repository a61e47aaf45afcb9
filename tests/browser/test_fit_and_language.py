"""Every main page in a real browser, as a manager reads it (issue: trust at a glance).

- **Fits the screen.** At 390 px (a phone) and at 1440 px (a laptop) no main page is wider
  than the window: wide tables scroll inside their card, the portfolio board inside its own
  frame. The document's scroll width is measured on each page.
- **One language.** In English no Chinese text is shown outside user data (names, titles,
  notes people typed); in Chinese no English word is shown outside user data and the few
  names that are English in both (PDF, CSV, KPI, PMO …). User data is every text value
  stored in the database by the test's world, bilingual product texts (`*_zh`, KPI
  definitions) excepted.
- **Screenshots** of home, portfolio, the project page, the commitment, scorecards and
  compare, in both languages at 390 px, under test-artifacts/browser/screens/.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.apps import apps
from django.db import models

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import LANGS, PANELS_LOADED, _log_in, _world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1440)
SCREENS = {"/", "/portfolio/", "/kpi/scorecards/", "/kpi/compare/"}
# Chinese characters and the full-width punctuation that goes with them (：，。（）、)
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]+")
LATIN_WORD = re.compile(r"(?<![\w.-])[A-Za-z][a-z]{3,}(?![\w-])")
# English in both languages: file formats, acronyms, product names, the language picker
BOTH_LANGUAGES = {
    "English",
    "Gantt",
    "Markdown",
    "Excel",
    "DingTalk",
    "WeCom",
    "Feishu",
    "Outlook",
    "docx",
    "xlsx",
    "pptx",
    "jpeg",
    "https",
    "http",
    "auth",  # in the API's path /api/v1/auth/token/
}
TEXT_OF_PAGE = """() => {
  const skip = el => el.closest('[data-user-text], script, style, noscript, [hidden]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    out.push(n.textContent);
  }
  const attributed = '[placeholder],[title],[aria-label],input[type=submit][value]';
  for (const el of document.querySelectorAll(attributed)) {
    if (skip(el)) continue;
    for (const a of ['placeholder', 'title', 'aria-label', 'value']) {
      const v = el.getAttribute(a);
      if (v && (a !== 'value' || el.type === 'submit')) out.push(v);
    }
  }
  out.push(document.title);
  return out.join('\\n');
}"""
WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
# the outermost elements reaching past the window (below <main>), each with its ancestors'
# widths: the one to fix is where a frame that should scroll or wrap grew instead
OVERFLOWING = """(width) => {
  const classes = e => typeof e.className === 'string' && e.className.trim()
    ? '.' + e.className.trim().split(/\\s+/).slice(0, 3).join('.') : '';
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + classes(e);
  const tops = new Set();
  for (const el of document.body.querySelectorAll('main *')) {
    if (el.getBoundingClientRect().right <= width + 1) continue;
    let top = el;
    while (top.parentElement && top.parentElement.tagName !== 'MAIN' &&
           top.parentElement.getBoundingClientRect().right > width + 1) top = top.parentElement;
    tops.add(top);
  }
  return Array.from(tops).slice(0, 4).map(t => {
    const chain = [];
    for (let e = t; e && e.tagName !== 'MAIN' && chain.length < 6; e = e.parentElement)
      chain.push(name(e) + ':' + Math.round(e.getBoundingClientRect().width));
    return chain.join(' < ') + ' :: ' + (t.textContent || '').trim().slice(0, 40);
  });
}"""


def _user_data() -> str:
    """Every text value the world stored (what people typed), as one string to search."""
    chunks = []
    for model in apps.get_models():
        if model._meta.app_label not in {"auth", "coordination", "projects", "handover", "kpi"}:
            continue
        if model._meta.model_name in {"kpidefinition", "scorecard", "auditevent"}:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.attname.endswith("_zh")
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            chunks.extend(str(v) for v in row if v)
    return "\n".join(chunks)


def _foreign(text: str, lang: str, corpus: str) -> set[str]:
    if lang == "en":
        runs = CJK_RUN.findall(text)
        return {r for r in runs if r not in corpus and r != "简体中文"}
    words = LATIN_WORD.findall(text)
    return {w for w in words if w not in BOTH_LANGUAGES and w not in corpus}


def _in_context(word: str, text: str) -> str:
    at = text.find(word)
    return " ".join(text[max(0, at - 30) : at + len(word) + 30].split())


def _settle(page) -> None:
    if page.locator(".tab-pane").count():
        page.wait_for_function(PANELS_LOADED, timeout=10_000)


def test_main_pages_fit_phones_and_laptops_and_speak_one_language(live_server, browser):
    walk = _world()
    corpus = _user_data()
    base = live_server.url
    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    too_wide: dict[str, int] = {}
    foreign: dict[str, list[str]] = {}
    started, pages = time.monotonic(), 0
    for lang in LANGS:
        for width in WIDTHS:
            ctx = browser.new_context(locale=LANGS[lang], viewport={"width": width, "height": 900})
            ctx._a11y_lang = lang
            page = ctx.new_page()
            try:
                for username, paths in walk.items():
                    _log_in(page, base, username)
                    for path in paths:
                        response = page.goto(base + path)
                        assert response is not None and response.status < 400, (path, lang)
                        _settle(page)
                        pages += 1
                        measured = page.evaluate(WIDTH)
                        if measured > width + 1:
                            too_wide[f"{lang} {width} {username} {path}"] = [
                                measured,
                                *page.evaluate(OVERFLOWING, width),
                            ]
                        if width == WIDTHS[0]:
                            text = page.evaluate(TEXT_OF_PAGE)
                            odd = _foreign(text, lang, corpus)
                            if odd:
                                foreign[f"{lang} {username} {path}"] = [
                                    _in_context(word, text) for word in sorted(odd)[:12]
                                ]
                            if path in SCREENS or path.startswith(("/projects/", "/commitments/")):
                                name = re.sub(r"[^\w]+", "_", path).strip("_") or "home"
                                page.screenshot(
                                    path=str(screens / f"{lang}-{width}-{name}.png"), full_page=True
                                )
            finally:
                ctx.close()
    print(f"fit and language walk: {pages} pages in {time.monotonic() - started:.0f}s")
    report = ARTIFACTS / "fit-and-language.json"
    report.write_text(
        json.dumps({"too_wide": too_wide, "foreign": foreign}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert not too_wide, f"{len(too_wide)} pages wider than the window (see {report}): {too_wide}"
    assert not foreign, f"{len(foreign)} pages with text in the other language: {foreign}"
