"""Minutes to action items: sentences of a review's minutes and decisions such as
"由张三负责，周五前完成图纸修订" or "Wei Li to send the drawings by Friday" become proposed
action items, which whoever keeps the minutes confirms or discards.

A sentence is proposed when it names one of the people who may own the review's action items
(by display name, either name order, or @username) beside an owner cue (负责, 牵头, 跟进, 落实,
owner, "to …") or a deadline. The due date is read relative to the review's date (周五前,
下周三, 12月10日前, 2026-12-10, 3个工作日内, 5天内, 月底前, 明天, by Friday, within 3 working
days …) and resolved on the working calendar: a deadline on a day off moves to the working day
before it; no deadline proposes 5 working days after the review. Nothing is stored until a
proposal is confirmed (coordination.reviews.services.confirm_proposal)."""

from __future__ import annotations

import calendar
import datetime
import hashlib
import re
from dataclasses import dataclass

import cn2an

from coordination.core.people import display_name
from coordination.core.workdays import WorkCalendar

DEFAULT_WORKING_DAYS = 5

_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_NUMBER = r"(\d+|[一二三四五六七八九十两]+)"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_WEEKDAYS = {
    name: i
    for i, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
_OWNER_CUE = re.compile(r"负责|牵头|跟进|落实|承办|owner|\bto\b|@", re.I)

# (pattern, how to read it): the first that matches gives the deadline
_DEADLINES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})[日号]?(?:之?前|以前)?"), "ymd"),
    (re.compile(r"(\d{1,2})月(\d{1,2})[日号](?:之?前|以前)?"), "md"),
    (re.compile(_NUMBER + r"个?工作日(?:之?内|以内)"), "working_days"),
    (re.compile(_NUMBER + r"天(?:之?内|以内)"), "days"),
    (
        re.compile(r"(下下|下|本|这)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])(?:之?前|以前)?"),
        "weekday",
    ),
    (re.compile(r"(?:本|这个?)?月底(?:之?前|以前)?"), "month_end"),
    (re.compile(r"本周内|这周内"), "week_end"),
    (re.compile(r"明天|明日"), "tomorrow"),
    (re.compile(r"后天"), "after_tomorrow"),
    (re.compile(r"(?i)\bby (\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(?i)\bwithin (\d+) working days?"), "working_days"),
    (re.compile(r"(?i)\b(?:within|in) (\d+) days?"), "days"),
    (
        re.compile(r"(?i)\bby (next )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"),
        "en_weekday",
    ),
    (re.compile(r"(?i)\bby (?:the )?end of (?:the )?month"), "month_end"),
    (re.compile(r"(?i)\btomorrow\b"), "tomorrow"),
]


@dataclass
class Proposal:
    key: str  # what identifies the sentence (a confirmed or discarded one is not proposed again)
    sentence: str
    title: str
    owner: object  # a user
    due_date: datetime.date
    due_stated: bool  # False: no deadline in the sentence, the default was proposed


def sentence_key(sentence: str) -> str:
    return hashlib.sha256(sentence.strip().encode()).hexdigest()[:16]


def _number(text: str) -> int:
    return int(text) if text.isdigit() else int(cn2an.cn2an(text, "smart"))


def _after(day: datetime.date, weekday: int, weeks_ahead: int) -> datetime.date:
    """That weekday of the review's week (`weeks_ahead` 0), or of a following week; this week's
    day already past becomes next week's."""
    monday = day - datetime.timedelta(days=day.weekday())
    found = monday + datetime.timedelta(days=weekday, weeks=weeks_ahead)
    if weeks_ahead == 0 and found < day:
        found += datetime.timedelta(weeks=1)
    return found


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def read_deadline(
    sentence: str, day: datetime.date, workcal: WorkCalendar
) -> tuple[datetime.date | None, str]:
    """(the deadline relative to `day`, the phrase it was read from), or (None, "")."""
    for pattern, kind in _DEADLINES:
        m = pattern.search(sentence)
        if not m:
            continue
        try:
            due = _resolve(kind, m, day, workcal)
        except (ValueError, TypeError):
            continue  # 2月30日, a numeral cn2an cannot read: not a deadline
        if due is None:
            continue
        if kind != "working_days":  # a deadline on a day off: the working day before it
            due = workcal.roll_back(due) if due > day else due
        return due, m.group(0)
    return None, ""


def _resolve(kind: str, m: re.Match, day: datetime.date, workcal: WorkCalendar):
    if kind == "ymd":
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if kind == "md":
        found = datetime.date(day.year, int(m.group(1)), int(m.group(2)))
        return found if found >= day else found.replace(year=day.year + 1)
    if kind == "working_days":
        return workcal.add_working_days(day, _number(m.group(1)))
    if kind == "days":
        return day + datetime.timedelta(days=_number(m.group(1)))
    if kind == "weekday":
        ahead = {"下": 1, "下下": 2}.get(m.group(1) or "", 0)
        return _after(day, _WEEKDAYS[m.group(2)], ahead)
    if kind == "en_weekday":
        return _after(day, _EN_WEEKDAYS[m.group(2).lower()], 1 if m.group(1) else 0)
    if kind == "month_end":
        return _month_end(day)
    if kind == "week_end":
        return _after(day, 4, 0)
    if kind == "tomorrow":
        return day + datetime.timedelta(days=1)
    if kind == "after_tomorrow":
        return day + datetime.timedelta(days=2)
    return None


def _names(user) -> list[str]:
    """How minutes name a person: display name (李伟 / Wei Li), the other order, @username."""
    names = {display_name(user), f"@{user.get_username()}"}
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        names |= {f"{last}{first}", f"{first} {last}", f"{last} {first}"}
    return sorted((n for n in names if len(n.strip("@")) >= 2), key=len, reverse=True)


def _owner_in(sentence: str, people) -> tuple[object | None, str]:
    best = (None, "")
    for person in people:
        for name in _names(person):
            if name in sentence and len(name) > len(best[1]):
                best = (person, name)
    return best


_OWNER_PHRASES = [
    r"由\s*{name}\s*(?:负责|牵头|跟进|落实|承办)?",
    r"{name}\s*(?:负责|牵头|跟进|落实|承办)",
    r"(?i)owner\s*[:：]\s*{name}",
    r"(?i){name}\s+to\b",
    r"{name}",
]


def _title(sentence: str, name: str, deadline: str) -> str:
    text = sentence
    if deadline:
        text = text.replace(deadline, " ")
    for phrase in _OWNER_PHRASES:
        pattern = re.compile(phrase.format(name=re.escape(name)))
        if pattern.search(text):
            text = pattern.sub(" ", text, count=1)
            break
    text = re.sub(r"^[\s，,、：:.]+|[\s，,、：:.]+$", "", re.sub(r"\s+", " ", text))
    text = re.sub(r"^(?:完成|并)?\s*[，,]\s*", "", text)
    return (text or sentence.strip())[:255]


def propose(
    text: str, *, day: datetime.date, people, workcal: WorkCalendar, skip: set[str] = frozenset()
) -> list[Proposal]:
    """The proposals in `text` (minutes, decisions), in order; `skip`: keys already confirmed
    or discarded."""
    people = list(people)
    out: list[Proposal] = []
    seen: set[str] = set()
    for raw in _SENTENCE.findall(text or ""):
        sentence = raw.strip(" \t，,")
        key = sentence_key(sentence)
        if len(sentence) < 4 or key in skip or key in seen:
            continue
        owner, name = _owner_in(sentence, people)
        if owner is None:
            continue
        due, phrase = read_deadline(sentence, day, workcal)
        if due is None and not _OWNER_CUE.search(sentence):
            continue
        seen.add(key)
        out.append(
            Proposal(
                key=key,
                sentence=sentence,
                title=_title(sentence, name, phrase),
                owner=owner,
                due_date=due or workcal.add_working_days(day, DEFAULT_WORKING_DAYS),
                due_stated=due is not None,
            )
        )
    return out
