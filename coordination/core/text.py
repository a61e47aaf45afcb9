"""Sentences for readers: several messages joined into one, punctuated once."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation

_ENDINGS = "。；;.，, "


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def join_messages(items: Iterable[str]) -> str:
    """["缺少A。", "缺少B"] -> "缺少A；缺少B。" (English: "A; B.")."""
    parts = [str(m).strip().rstrip(_ENDINGS) for m in items if str(m).strip()]
    if not parts:
        return ""
    chinese = _chinese()
    return ("；" if chinese else "; ").join(parts) + ("。" if chinese else ".")


def with_items(head: str, items: Iterable[str]) -> str:
    """ "无法签约。" + [A, B] -> "无法签约：A；B。" (English: "Cannot sign: A; B.")."""
    body = join_messages(items)
    if not body:
        return str(head)
    colon = "：" if _chinese() else ": "
    return str(head).strip().rstrip(_ENDINGS + "：:") + colon + body


def join_list(items: Iterable) -> str:
    """The items of a list inside a sentence: 甲、乙 in Chinese, "A, B" in English."""
    return ("、" if _chinese() else ", ").join(str(i) for i in items)
