"""Periodic KPI work. The beat schedule (monthly, e.g. the 1st at 01:00) lives in settings."""

from __future__ import annotations

from celery import shared_task

from kpi import services


def close_previous_month() -> list[str]:
    """Freeze last month's KPI values (and its quarter / year when it ends them)."""
    return services.close_previous_month()


@shared_task(name="kpi.tasks.close_period")
def close_period(period: str | None = None) -> list[str]:
    """Freeze `period` (a month key like 2026-07), or last month when none is given.
    Idempotent: a closed period is skipped, snapshot rows are unique."""
    if period:
        return services.close_period(period, by=None)
    return close_previous_month()
