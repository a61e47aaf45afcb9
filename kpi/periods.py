"""Reporting periods: month `2026-07`, quarter `2026-Q3`, year `2026` (dates in Asia/Shanghai)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

MONTH, QUARTER, YEAR = "month", "quarter", "year"
GRANULARITIES = (MONTH, QUARTER, YEAR)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    key: str
    granularity: str
    start: datetime.date  # first day
    end: datetime.date  # first day after the period (exclusive)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        return local_midnight(self.end)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end

    def __str__(self) -> str:
        return self.key


def local_midnight(day: datetime.date) -> datetime.datetime:
    """00:00 of `day` in the company's time zone, so datetimes are bucketed by local date."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def month(year: int, month_no: int) -> Period:
    ey, em = _add_months(year, month_no, 1)
    return Period(
        f"{year:04d}-{month_no:02d}",
        MONTH,
        datetime.date(year, month_no, 1),
        datetime.date(ey, em, 1),
    )


def quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    ey, em = _add_months(year, first, 3)
    return Period(
        f"{year:04d}-Q{q}", QUARTER, datetime.date(year, first, 1), datetime.date(ey, em, 1)
    )


def year(y: int) -> Period:
    return Period(f"{y:04d}", YEAR, datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1))


def parse(key: str) -> Period:
    """`2026-07` / `2026-Q3` / `2026` → Period; ValueError on anything else."""
    key = (key or "").strip()
    if m := _MONTH_RE.match(key):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12 or y < 1900:
            raise ValueError(key)
        return month(y, mo)
    if m := _QUARTER_RE.match(key):
        if int(m.group(1)) < 1900:
            raise ValueError(key)
        return quarter(int(m.group(1)), int(m.group(2)))
    if m := _YEAR_RE.match(key):
        if int(m.group(1)) < 1900:
            raise ValueError(key)
        return year(int(m.group(1)))
    raise ValueError(key)


def containing(day: datetime.date, granularity: str) -> Period:
    if granularity == MONTH:
        return month(day.year, day.month)
    if granularity == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if granularity == YEAR:
        return year(day.year)
    raise ValueError(granularity)


def following(period: Period) -> Period:
    return containing(period.end, period.granularity)


def preceding(period: Period) -> Period:
    return containing(period.start - datetime.timedelta(days=1), period.granularity)


def span(first: Period, last: Period, limit: int = 120) -> list[Period]:
    """Every period of one granularity from `first` to `last` inclusive."""
    if first.granularity != last.granularity:
        raise ValueError("granularity")
    out, current = [], first
    while current.start <= last.start:
        out.append(current)
        if len(out) > limit:
            raise ValueError("too many periods")
        current = following(current)
    return out


def current(granularity: str, today: datetime.date | None = None) -> Period:
    return containing(today or timezone.localdate(), granularity)


def previous_month(today: datetime.date | None = None) -> Period:
    return preceding(current(MONTH, today))


def closing_together(month_period: Period) -> list[Period]:
    """Closing a month also closes its quarter (at quarter end) and its year (in December)."""
    periods = [month_period]
    if month_period.start.month % 3 == 0:
        periods.append(containing(month_period.start, QUARTER))
    if month_period.start.month == 12:
        periods.append(containing(month_period.start, YEAR))
    return periods


def enclosing(period: Period) -> list[Period]:
    """The period itself and the longer periods that contain it (reopening cascades upward)."""
    out = [period]
    if period.granularity == MONTH:
        out += [containing(period.start, QUARTER), containing(period.start, YEAR)]
    elif period.granularity == QUARTER:
        out.append(containing(period.start, YEAR))
    return out
