"""Shared helpers of the bench scripts: Django setup, timing, the RATIO line."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    """Configure Django for a script run from the command line (bench settings)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true", help="tiny run for the test suite")
    return p


def timed(func: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: list[float]) -> dict:
    """Requests/s and latency percentiles (ms) of a list of per-request durations (s)."""
    total = sum(samples)
    return {
        "n": len(samples),
        "rps": len(samples) / total if total else 0.0,
        "p50_ms": percentile(samples, 50) * 1000,
        "p95_ms": percentile(samples, 95) * 1000,
        "mean_ms": statistics.fmean(samples) * 1000 if samples else 0.0,
    }


def side_by_side(variants: dict[str, Callable[[], object]], rounds: int, per_round: int) -> dict:
    """Run the variants interleaved (round-robin, `per_round` calls each per round) so
    drift of the machine hits them alike; returns {name: summary}."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for func in variants.values():  # warm-up: caches, connections, plans
        for _ in range(min(3, per_round)):
            func()
    for _ in range(rounds):
        for name, func in variants.items():
            for _ in range(per_round):
                started = time.perf_counter()
                func()
                samples[name].append(time.perf_counter() - started)
    return {name: summary(s) for name, s in samples.items()}


def interleaved(
    variants: dict[str, Callable[[], object]], rounds: int, per_round: int, warmup: int = 3
) -> dict[str, list[float]]:
    """Run the variants interleaved in this one process: every round calls each variant
    `per_round` times, the order of the variants reversed every other round, so drift of the
    machine hits them alike. Returns {name: [median seconds of each round]}."""
    for func in variants.values():  # warm-up: caches, connections, plans
        for _ in range(warmup):
            func()
    names = list(variants)
    medians: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        for name in names if i % 2 == 0 else names[::-1]:
            func, samples = variants[name], []
            for _ in range(per_round):
                started = time.perf_counter()
                func()
                samples.append(time.perf_counter() - started)
            medians[name].append(statistics.median(samples))
    return medians


def per_round(numerator: list[float], denominator: list[float]) -> list[float]:
    """The ratio of two variants in each round (round medians paired)."""
    return [n / d for n, d in zip(numerator, denominator, strict=True) if d]


def ratio_line(
    name: str,
    value: float,
    target: str,
    ok: bool,
    spread: tuple[float, float] | None = None,
    rounds: int | None = None,
) -> str:
    """`RATIO name=value target=… ok=yes|no [spread=lo..hi] [rounds=n]`: value is the median
    of the per-round figures, spread their minimum and maximum."""
    line = f"RATIO {name}={value:.3f} target={target.replace(' ', '')} ok={'yes' if ok else 'no'}"
    if spread is not None:
        line += f" spread={spread[0]:.3f}..{spread[1]:.3f}"
    if rounds is not None:
        line += f" rounds={rounds}"
    print(line, flush=True)
    return line


def median_line(name: str, values: list[float], target: str, holds) -> str:
    """A RATIO line from per-round values: their median, judged by `holds(median)`."""
    value = statistics.median(values) if values else 0.0
    return ratio_line(
        name, value, target, bool(values) and holds(value), (min(values), max(values)), len(values)
    )


def detail(text: str) -> None:
    print(f"  {text}", flush=True)


def api_token(user) -> str:
    """An API token key for `user` (the one place the benches get one): a new token, as
    POST /api/v1/auth/token/ issues it (it ends after API_TOKEN_TTL_HOURS)."""
    from coordination.core.tokens.services import issue_token

    return issue_token(user, name="bench")[1]
