"""The scorecard configuration: KPI definitions, closed periods, and each department's card
and weights, the latter kept per process under a version held in the shared cache.

The configuration changes a few times a year but is read by every scorecard: each process
keeps what it read, tagged with that version. Every save or delete of those models sets a new
version (kpi/signals.py: at once and when the transaction commits), so a process whose tag
differs reads the database again. Nothing is kept from inside a transaction (it could still
roll back), nor when the cache is not shared between processes (locmem), nor for more than
CONFIG_MEMO_SECONDS (a bound should an invalidation ever be lost).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists

from kpi.models import ClosedPeriod, KpiDefinition, Scorecard, ScorecardWeight

CONFIG_VERSION_KEY = "kpi:scorecard-config:version"
CONFIG_MEMO_SECONDS = 300
_config_memo: dict = {"version": None}


def active_kpis(codes: Iterable[str] | None = None) -> list[KpiDefinition]:
    qs = KpiDefinition.objects.filter(is_active=True)
    if codes:
        qs = qs.filter(code__in=list(codes))
    return list(qs)


def closed_period_keys(keys: Iterable[str]) -> set[str]:
    return set(
        ClosedPeriod.objects.filter(
            period__in=list(keys), status=ClosedPeriod.Status.CLOSED
        ).values_list("period", flat=True)
    )


def config_changed() -> None:
    """Scorecards, weights, KPI definitions or closed periods changed: every process reads
    them from the database again."""
    caches[DEFAULT_CACHE_ALIAS].set(CONFIG_VERSION_KEY, uuid.uuid4().hex, None)


def _config_version() -> str | None:
    """The shared version of the configuration; None when it is not shared between
    processes (a process-local cache) or the cache cannot be reached (then: no memo)."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, LocMemCache | DummyCache):
        return None
    try:
        version = cache.get(CONFIG_VERSION_KEY)
        if version is None:
            cache.add(CONFIG_VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(CONFIG_VERSION_KEY)
    except Exception:  # noqa: BLE001  (an unreachable cache: read the database)
        return None
    return version


def scorecard_config(department: str, period_key: str):
    """(card or None, [(kpi, weight)], period closed?) — from this process's memo when its
    version is current, else in one query (two for a card without weights or no card)."""
    version = None if connections[DEFAULT_DB_ALIAS].in_atomic_block else _config_version()
    memo = _config_memo
    now = time.monotonic()
    if version is None or memo["version"] != version or memo["until"] < now:
        memo = {"version": version, "until": now + CONFIG_MEMO_SECONDS, "cards": {}, "closed": {}}
    if department in memo["cards"] and period_key in memo["closed"]:
        card, weights = memo["cards"][department]
        return card, weights, memo["closed"][period_key]

    closed_now = ClosedPeriod.objects.filter(period=period_key, status=ClosedPeriod.Status.CLOSED)
    rows = list(
        ScorecardWeight.objects.filter(scorecard__department=department)
        .select_related("scorecard", "kpi")
        .annotate(period_closed=Exists(closed_now))
    )
    if rows:
        card, closed = rows[0].scorecard, rows[0].period_closed
    else:  # a card without weights, or none
        card = Scorecard.objects.filter(department=department).first()
        closed = closed_now.exists()
    if card is None:
        weights = [(k, Decimal(1)) for k in active_kpis() if k.is_joint]
    else:
        weights = [
            (w.kpi, w.weight)
            for w in sorted(rows, key=lambda w: (w.kpi.sequence, w.kpi.code))
            if w.kpi.is_active
        ]
    if version is not None:
        memo["cards"][department] = (card, weights)
        memo["closed"][period_key] = closed
        globals()["_config_memo"] = memo
    return card, weights, closed
