"""Every screen exists in Simplified Chinese (the source language) and English."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (singular entries; enough for a completeness check)."""
    entries, key, field = {}, None, None
    buf = {"msgid": "", "msgstr": ""}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            buf, field = {"msgid": "", "msgstr": ""}, "msgid"
        elif line.startswith("msgstr ") or line.startswith("msgstr[0] "):
            field = "msgstr"
        elif line.startswith("msgid_plural") or line.startswith("msgstr["):
            field = None
        if line.startswith(("msgid ", "msgstr ", "msgstr[0] ", '"')) and field:
            buf[field] += line[line.index('"') + 1 : -1]
        if not line.strip() and buf["msgid"]:
            key = buf["msgid"].encode().decode("unicode_escape").encode("latin-1").decode()
            entries[key] = buf["msgstr"]
            buf = {"msgid": "", "msgstr": ""}
    return entries


def test_the_english_catalogue_is_complete_and_compiled():
    po = _po_entries(LOCALE / "django.po")
    assert len(po) > 1000
    untranslated = [msgid for msgid, msgstr in po.items() if not msgstr]
    assert untranslated == []
    with open(LOCALE / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for msgid in po
        if "%" not in msgid and msgid != "简体中文" and CJK.search(mo.gettext(msgid))
    ]
    assert stale == [], "django.mo is older than django.po: run compilemessages"


@pytest.mark.parametrize("app_label", ["coordination", "projects", "handover", "kpi"])
def test_every_model_field_and_choice_has_an_english_name(app_label):
    missing = []
    with translation.override("en"):
        for model in apps.get_app_config(app_label).get_models():
            names = [model._meta.verbose_name, model._meta.verbose_name_plural]
            for field in model._meta.get_fields():
                names.append(getattr(field, "verbose_name", ""))
                names.extend(label for _, label in getattr(field, "flatchoices", []) or [])
            # A language's own name stays in that language (the picker shows 简体中文).
            names = [n for n in map(str, names) if n != "简体中文"]
            missing += [f"{model.__name__}: {n}" for n in names if CJK.search(n)]
    assert missing == [], "\n".join(missing)


def test_chinese_is_the_default_language(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="")
    assert '<html lang="zh-hans"' in response.content.decode()


ROOT = Path(__file__).resolve().parents[2]
PRODUCT_DIRS = ["coordination", "projects", "handover", "kpi"]
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")
# a translated argument inside a tag: {% include "…" with empty_text=_("暂无记录。") %}
TAG_ARGUMENT = re.compile(r"""{%[^%]*?\b_\((["'])(.*?)\1\)""", re.S)
GETTEXT_NAMES = {"_", "_lazy", "gettext", "gettext_lazy", "pgettext", "ngettext", "_l"}


def _template_msgids() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for m in TRANSLATE_TAG.finditer(text):
            if "context" not in m.group(0):
                # the tag looks its text up with each % doubled (django.templatetags.i18n)
                found.add(m.group(2).replace("%", "%%"))
        for m in TAG_ARGUMENT.finditer(text):
            found.add(m.group(2))
        for m in BLOCK_TAG.finditer(text):
            options, body = m.group(1), m.group(2)
            if "context" in options or "{% plural" in body:
                continue
            body = body.replace("%", "%%")
            body = VARIABLE.sub(lambda v: f"%({v.group(1)})s", body)
            if "trimmed" in options:
                body = " ".join(line.strip() for line in body.splitlines() if line.strip())
            found.add(body)
    return {m for m in found if CJK.search(m)}


def _python_msgids() -> set[str]:
    found = set()
    for folder in PRODUCT_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and node.args):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                first = node.args[0]
                if name in GETTEXT_NAMES and isinstance(first, ast.Constant):
                    if isinstance(first.value, str) and name != "pgettext":
                        found.add(first.value)
    return {m for m in found if CJK.search(m)}


def test_every_chinese_source_string_has_an_english_translation():
    """A string marked for translation in a template or in the code but missing from the
    catalogue would stay Chinese in English: the catalogue holds every one of them."""
    with open(LOCALE / "django.mo", "rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    missing = sorted(
        m
        for m in _template_msgids() | _python_msgids()
        if m not in catalog and (m, 0) not in catalog
    )
    assert missing == [], "\n".join(missing)


FULL_WIDTH_AFTER_A_TAG = re.compile(r"(?:%\}|\}\})[：；、（），。]")


def test_no_full_width_punctuation_outside_translated_text():
    """A full-width colon, comma or bracket written between tags stays in English pages
    (“Customer：”): it goes through `{% translate "：" %}` (": ") instead."""
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = BLOCK_TAG.sub("", path.read_text(encoding="utf-8"))
        for n, line in enumerate(text.splitlines(), 1):
            if FULL_WIDTH_AFTER_A_TAG.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}")
    assert found == [], found
