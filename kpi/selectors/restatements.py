"""Pending restatements: inputs dated in a closed period, recorded after it closed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from kpi.models import Restatement


def pending_counts(keys: Iterable[str] | None = None) -> dict[str, int]:
    """{period key: pending restatements} (every period with some when keys is None)."""
    qs = Restatement.objects.filter(status=Restatement.Status.PENDING)
    if keys is not None:
        qs = qs.filter(period__in=list(keys))
    return dict(qs.values_list("period").annotate(n=Count("pk")).values_list("period", "n"))


def restatements_by_period(status: str | None = Restatement.Status.PENDING) -> list[dict]:
    """[{period, rows}] newest period first, for the restatement page."""
    qs = Restatement.objects.select_related("project", "created_by", "resolved_by")
    if status:
        qs = qs.filter(status=status)
    grouped: dict[str, list[Restatement]] = {}
    for row in qs.order_by("-period", "created_at", "pk"):
        grouped.setdefault(row.period, []).append(row)
    return [{"period": key, "rows": rows} for key, rows in grouped.items()]
