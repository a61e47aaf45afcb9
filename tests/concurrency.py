"""Run calls at the same moment, each in its own thread and database connection."""

from __future__ import annotations

import threading

from django.db import connection


def together(calls, *, timeout: float = 60) -> list:
    """Each call's result, or the exception it raised (a loser's refusal is a result too)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
