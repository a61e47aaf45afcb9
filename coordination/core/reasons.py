"""Reasons the system writes into the audit trail, told in the reader's language.

An audit event's reason is hashed into the trail, so it is stored once, in the source
language (Simplified Chinese, the msgid), whatever the language of the person whose action
caused it. `told(reason)` gives it in the active language when it is read: a stored reason
that is one of these (with its values) is translated, anything a person typed is shown as
typed. Reasons stored in English by an earlier version are recognised too.
"""

from __future__ import annotations

import functools
import re

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as noop

PREDECESSOR_MOVED = noop("前置任务调整")
CHANGE_APPROVED = noop("变更申请 %(number)s 已批准")
CONTRACT_FROM_QUOTE = noop("合同按报价 %(revision)s 签约")
HANDOVER_STARTED = noop("合同已签约，自动创建移交清单并进入移交阶段")
SYSTEM_REASONS = [PREDECESSOR_MOVED, CHANGE_APPROVED, CONTRACT_FROM_QUOTE, HANDOVER_STARTED]

_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")


def _pattern(text: str) -> re.Pattern:
    return re.compile(_PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(text)))


@functools.cache  # the catalogue does not change while a process runs
def _patterns() -> list[tuple[str, re.Pattern]]:
    out = []
    for msgid in SYSTEM_REASONS:
        out.append((msgid, _pattern(msgid)))
        with translation.override("en"):
            english = gettext(msgid)
        if english != msgid:
            out.append((msgid, _pattern(english)))
    return out


def told(reason: str) -> str:
    """`reason` in the active language if the system wrote it, else as it was typed."""
    if not reason:
        return reason
    for msgid, pattern in _patterns():
        match = pattern.fullmatch(reason)
        if match:
            return gettext(msgid) % match.groupdict()
    return reason
