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


def ratio_line(name: str, value: float, target: str, ok: bool) -> str:
    line = f"RATIO {name}={value:.3f} target={target} ok={'yes' if ok else 'no'}"
    print(line, flush=True)
    return line


def detail(text: str) -> None:
    print(f"  {text}", flush=True)
