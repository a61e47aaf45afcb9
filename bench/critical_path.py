"""The critical path of 10,000 tasks: projects.tasks.schedule.compute against networkx alone.

    python bench/critical_path.py [--tasks 10000] [--rounds 7] [--smoke]

A random DAG like a large plan: each task has 0–3 predecessors among the 300 tasks before it,
all four dependency types with lags of -2 … 5 working days, durations of 1–15 working days,
starts spread over 2025–2026 (国庆 and 春节 inside). The two variants run interleaved, one
each per round, on the same graph:

- `ours`: schedule.compute: networkx topological order, forward and backward pass in
  working-day ordinals, total float, the critical path, every date through WorkCalendar.
- `networkx`: the floor: build the DiGraph with edges weighted by the predecessor's duration
  and ask nx.dag_longest_path (one pass, FS only, no calendar, no float).

Prints the median time of each and RATIO critical_path_vs_networkx (target ≤ 5) and
RATIO critical_path_10k_seconds (target < 1).
"""

from __future__ import annotations

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import detail, parser, ratio_line, setup  # noqa: E402


def build(n: int, seed: int = 17):
    from projects.tasks.schedule import Link, Node

    rnd = random.Random(seed)  # noqa: S311  (a reproducible test graph, not a secret)
    base = datetime.date(2025, 1, 2)
    nodes = [
        Node(i, base + datetime.timedelta(days=rnd.randrange(0, 600)), rnd.randint(1, 15))
        for i in range(1, n + 1)
    ]
    links = []
    for i in range(2, n + 1):
        for p in rnd.sample(range(max(1, i - 300), i), k=min(i - 1, rnd.randint(0, 3))):
            links.append(Link(p, i, rnd.choice("FS FS FS SS FF SF".split()), rnd.randint(-2, 5)))
    return nodes, links


def run(argv: list[str] | None = None) -> dict:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--tasks", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args(argv)
    if args.smoke:
        args.tasks, args.rounds = 300, 2
    setup()
    import networkx as nx

    from coordination.core.workdays import WorkCalendar
    from projects.tasks import schedule

    nodes, links = build(args.tasks)
    duration = {n.id: n.duration for n in nodes}

    def ours():
        return schedule.compute(nodes, links, WorkCalendar())

    def floor():
        g = nx.DiGraph()
        g.add_nodes_from(duration)
        g.add_weighted_edges_from(
            (k.predecessor, k.successor, duration[k.predecessor]) for k in links
        )
        return nx.dag_longest_path(g, weight="weight")

    ours(), floor()  # warm-up: the calendar's statutory tables, imports
    samples: dict[str, list[float]] = {"ours": [], "networkx": []}
    for _ in range(args.rounds):
        for name, func in (("ours", ours), ("networkx", floor)):
            started = time.perf_counter()
            func()
            samples[name].append(time.perf_counter() - started)
    plan = ours()
    med = {name: statistics.median(s) for name, s in samples.items()}
    ratio = med["ours"] / med["networkx"] if med["networkx"] else 0.0
    detail(f"{args.tasks} tasks, {len(links)} dependencies, {args.rounds} rounds interleaved")
    detail(
        f"ours median {med['ours'] * 1000:.1f} ms, networkx median {med['networkx'] * 1000:.1f} ms"
    )
    detail(f"plan finishes {plan.finish}, {len(plan.critical_path)} critical tasks")
    ratio_line("critical_path_vs_networkx", ratio, "<=5", ratio <= 5)
    ratio_line("critical_path_10k_seconds", med["ours"], "<1", med["ours"] < 1)
    return {"ratio": ratio, "seconds": med["ours"], "critical": len(plan.critical_path)}


if __name__ == "__main__":
    run()
