"""Celery tasks of the early warning: thin, idempotent (a re-run stores one more version)."""

from celery import shared_task

from . import services


@shared_task(name="warning.retrain")
def retrain() -> int:
    """Weekly: backtest, store the chosen models as a new version, score the open projects."""
    return len(services.retrain())


@shared_task(name="warning.score_open_projects")
def score_open_projects() -> int:
    return services.score_open_projects()
