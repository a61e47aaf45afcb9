"""China's working calendar: the one place every working-day computation asks.

A day is a working day when China's statutory calendar says so (`chinese-calendar`: public
holidays and the 调休 make-up working Saturdays and Sundays) and no company day off or site
shutdown (CompanyDayOff, kept by PMO in the admin) covers it. A date beyond the package's data
is computed Monday to Friday; `beyond_data` says so, the UI shows it and the log warns once
per year.

Counting conventions (API.md, schedule and working-days endpoints):
- `finish_of(start, n)`: the day on which n working days starting on `start` end, inclusive:
  a 1-day task starting on a working day finishes the same day.
- `add_working_days(day, n)`: n working days after `day` (the handover SLA: signed Friday,
  2 working days → Tuesday); 0 rolls a day off forward to the next working day.

`WorkCalendar` loads the company days off once; a computation over many dates (a schedule)
takes one calendar and asks it, so it costs one query whatever its size.
"""

from __future__ import annotations

import datetime
import logging
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

import chinese_calendar
from django.db import transaction

from coordination.core.models import CompanyDayOff
from coordination.core.services import record_audit, snapshot

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)
_warned_years: set[int] = set()


def statutory_range() -> tuple[datetime.date, datetime.date]:
    """First and last day the statutory data covers (whole years)."""
    first = min(chinese_calendar.holidays)
    last = max(max(chinese_calendar.holidays), max(chinese_calendar.workdays))
    return datetime.date(first.year, 1, 1), datetime.date(last.year, 12, 31)


_FIRST, _LAST = statutory_range()


def beyond_data(day: datetime.date) -> bool:
    """True when `day` lies outside the statutory data: computed Monday to Friday."""
    return not (_FIRST <= day <= _LAST)


def _warn_if_beyond(day: datetime.date) -> None:
    """Log once per year that a date asked for or computed lies beyond the statutory data."""
    if beyond_data(day) and day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning(
            "working calendar: %s has no statutory data (chinese-calendar covers %s to %s);"
            " computed Monday to Friday",
            day.year,
            _FIRST,
            _LAST,
        )


def _statutory_working(day: datetime.date) -> bool:
    if beyond_data(day):
        return day.weekday() < 5
    return chinese_calendar.is_workday(day)


class WorkCalendar:
    """The working calendar with a fixed set of company days off."""

    def __init__(self, days_off: Iterable[datetime.date] = ()):
        self.days_off = frozenset(days_off)
        self._memo: dict[datetime.date, bool] = {}
        # Sorted working days of the years asked so far, for index arithmetic.
        self._years: set[int] = set()
        self._days: list[datetime.date] = []

    # ------------------------------------------------------------ one day
    def is_working_day(self, day: datetime.date) -> bool:
        _warn_if_beyond(day)
        return self._working(day)

    def _working(self, day: datetime.date) -> bool:
        known = self._memo.get(day)
        if known is None:
            known = day not in self.days_off and _statutory_working(day)
            self._memo[day] = known
        return known

    def is_closed(self, day: datetime.date) -> bool:
        """A statutory holiday (国庆, 春节 … with the weekend days inside them) or a company day
        off: a day nobody meets, whatever its weekday. An ordinary weekend is not closed."""
        return day in self.days_off or (not beyond_data(day) and day in chinese_calendar.holidays)

    def roll_forward(self, day: datetime.date) -> datetime.date:
        """`day` itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def roll_back(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def next_working_day(self, day: datetime.date) -> datetime.date:
        return self.roll_forward(day + ONE_DAY)

    # ------------------------------------------------------------ counting
    def add_working_days(self, day: datetime.date, days: int) -> datetime.date:
        """`days` working days after `day` (negative: before); 0 rolls forward."""
        if days == 0:
            return self.roll_forward(day)
        index = self.index(day)  # `day`, or the first working day after it
        if days > 0 and not self.is_working_day(day):
            index -= 1
        return self.date_at(index + days)

    def finish_of(self, start: datetime.date, days: int) -> datetime.date:
        """The day on which `days` working days starting on `start` end (inclusive); 0 or 1
        day: the first working day on or after `start`."""
        return self.date_at(self.index(start) + max(days, 1) - 1)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in [start, end], both included; 0 when end is before start."""
        if end < start:
            return 0
        self._cover(start.year, end.year)
        return bisect_right(self._days, end) - bisect_left(self._days, start)

    # ------------------------------------------------------------ index arithmetic
    def index(self, day: datetime.date) -> int:
        """The ordinal of the first working day on or after `day` (comparable only within
        this calendar)."""
        self._cover(day.year - 1, day.year + 1)
        return bisect_left(self._days, day) - self._offset

    def date_at(self, index: int) -> datetime.date:
        """The working day with ordinal `index` (inverse of `index` on working days)."""
        position = index + self._offset
        while position < 0:
            self._extend_back()
            position = index + self._offset
        while position >= len(self._days):
            self._cover(self._days[-1].year + 1, self._days[-1].year + 1)
        _warn_if_beyond(self._days[position])
        return self._days[position]

    # Ordinals stay stable as years are added in front: `_offset` counts the working days
    # inserted before the first year ever covered.
    _offset = 0

    def _cover(self, first_year: int, last_year: int) -> None:
        if self._years:
            low, high = min(self._years), max(self._years)
            while first_year < low:
                self._extend_back()
                low -= 1
            for year in range(high + 1, last_year + 1):
                self._add_year(year, at_end=True)
            return
        for year in range(first_year, last_year + 1):
            self._add_year(year, at_end=True)

    def _extend_back(self) -> None:
        self._add_year(min(self._years) - 1, at_end=False)

    def _add_year(self, year: int, *, at_end: bool) -> None:
        if year in self._years:
            return
        day = datetime.date(year, 1, 1)
        days = []
        while day.year == year:
            if self._working(day):
                days.append(day)
            day += ONE_DAY
        self._years.add(year)
        if at_end:
            self._days.extend(days)
        else:
            self._days[:0] = days
            self._offset += len(days)

    def flagged(self, days: Iterable[datetime.date | None]) -> list[datetime.date]:
        """Those of `days` computed Monday to Friday for lack of statutory data."""
        return sorted({d for d in days if d is not None and beyond_data(d)})


def estimated(*days: datetime.date | None) -> bool:
    """True when any of `days` was computed Monday to Friday (the UI's note, the API's
    `estimated`)."""
    return any(d is not None and beyond_data(d) for d in days)


def company_days_off() -> set[datetime.date]:
    """Every date a CompanyDayOff covers (one query)."""
    days: set[datetime.date] = set()
    for start, end in CompanyDayOff.objects.values_list("start", "end"):
        day = start
        while day <= end:
            days.add(day)
            day += ONE_DAY
    return days


DAY_OFF_FIELDS = ("start", "end", "kind", "name")


@transaction.atomic
def save_company_day_off(day_off: CompanyDayOff, *, by, before: dict | None = None) -> None:
    """PMO adds or edits a company day off or site shutdown (the admin); audited."""
    created = day_off.pk is None
    day_off.full_clean()
    day_off.save()
    record_audit(
        actor=by,
        action="company_day_off.created" if created else "company_day_off.updated",
        target=day_off,
        before=None if created else before,
        after=snapshot(day_off, DAY_OFF_FIELDS),
    )


@transaction.atomic
def delete_company_day_off(day_off: CompanyDayOff, *, by) -> None:
    record_audit(
        actor=by,
        action="company_day_off.deleted",
        target=day_off,
        before=snapshot(day_off, DAY_OFF_FIELDS),
    )
    day_off.delete()


def calendar() -> WorkCalendar:
    """The company's working calendar as it stands now (one query)."""
    return WorkCalendar(company_days_off())


# Module-level shortcuts for one-off questions (each loads the calendar: one query).
def is_working_day(day: datetime.date) -> bool:
    return calendar().is_working_day(day)


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    return calendar().add_working_days(day, days)


def finish_of(start: datetime.date, days: int) -> datetime.date:
    return calendar().finish_of(start, days)
