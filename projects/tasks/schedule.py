"""The critical path method (CPM) over a project's task graph, in working-day ordinals.

Dates become ordinals on the company calendar (WorkCalendar.index / date_at), so every
computation is integer arithmetic: a task starting at ordinal S with d working days occupies
S … S + d - 1 and *ends* (exclusive) at E = S + d. API.md's dates are inclusive: a 1-day task
starts and finishes on the same date (finish = date_at(E - 1)) and its FS successor starts on
the next working day (date_at(E)).

A dependency p → s of type T with a lag of L working days asks (exclusive ends):
    FS: S_s >= E_p + L      SS: S_s >= S_p + L
    FF: E_s >= E_p + L      SF: E_s >= S_p + L
A task's own planned start is a "start no earlier than": the forward pass starts each task
at the later of its planned start and what its predecessors ask.

1. networkx orders the graph topologically (and names a loop, should one exist).
2. Forward pass in that order: early start and early end.
3. The plan ends at the latest early end; the backward pass in reverse order gives each
   task's late end (the earliest its successors allow, the plan's end for the last ones) and
   late start.
4. Total float = late start - early start; a task is critical when its float is 0. The
   critical path lists the critical tasks by early start (then topological order).

Only leaf tasks are scheduled: a parent's dates are its children's roll-up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from coordination.core.workdays import WorkCalendar

FS, SS, FF, SF = "FS", "SS", "FF", "SF"


@dataclass(frozen=True)
class Node:
    id: int
    start: datetime.date  # planned (or forecast) start: start no earlier than
    duration: int  # working days, at least 1


@dataclass(frozen=True)
class Link:
    predecessor: int
    successor: int
    type: str = FS
    lag: int = 0


@dataclass(slots=True)
class TaskTimes:
    id: int
    early_start: datetime.date
    early_finish: datetime.date
    late_start: datetime.date
    late_finish: datetime.date
    total_float: int
    critical: bool


@dataclass
class Schedule:
    finish: datetime.date | None
    critical_path: list[int]
    tasks: list[TaskTimes]

    def by_id(self) -> dict[int, TaskTimes]:
        return {t.id: t for t in self.tasks}


class Loop(ValueError):
    """The graph has a loop: `tasks` are its ids, in order."""

    def __init__(self, tasks: list[int]):
        super().__init__(f"dependency loop: {tasks}")
        self.tasks = tasks


def graph(nodes: Iterable[int], links: Iterable[Link]) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((link.predecessor, link.successor) for link in links)
    return g


def find_loop(g: nx.DiGraph) -> list[int] | None:
    """The ids of a loop in `g`, in order, or None."""
    try:
        edges = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return None
    return [u for u, _v in edges]


def _order(nodes: Sequence[Node], links: Sequence[Link]) -> list[int]:
    g = graph((n.id for n in nodes), links)
    try:
        return list(nx.topological_sort(g))
    except nx.NetworkXUnfeasible:
        raise Loop(find_loop(g) or []) from None


def _incoming(links: Sequence[Link], known: set[int]) -> tuple[dict, dict]:
    preds: dict[int, list[Link]] = {}
    succs: dict[int, list[Link]] = {}
    for link in links:
        if link.predecessor in known and link.successor in known:
            preds.setdefault(link.successor, []).append(link)
            succs.setdefault(link.predecessor, []).append(link)
    return preds, succs


def forward(
    order: Sequence[int],
    earliest: dict[int, int],
    duration: dict[int, int],
    preds: dict[int, list[Link]],
) -> dict[int, int]:
    """Early start ordinal of every task in `order` (topological)."""
    start: dict[int, int] = {}
    for tid in order:
        s = earliest[tid]
        for link in preds.get(tid, ()):
            p = link.predecessor
            ps = start[p]
            kind = link.type
            if kind == FS:
                need = ps + duration[p] + link.lag
            elif kind == SS:
                need = ps + link.lag
            elif kind == FF:
                need = ps + duration[p] + link.lag - duration[tid]
            else:  # SF
                need = ps + link.lag - duration[tid]
            if need > s:
                s = need
        start[tid] = s
    return start


def _ordinals(nodes: Sequence[Node], cal: WorkCalendar) -> dict[int, int]:
    """Each node's start as an ordinal, each distinct date asked of the calendar once."""
    seen: dict[datetime.date, int] = {}
    out = {}
    for n in nodes:
        i = seen.get(n.start)
        if i is None:
            i = seen[n.start] = cal.index(n.start)
        out[n.id] = i
    return out


def _dates(cal: WorkCalendar):
    """cal.date_at, each distinct ordinal asked once (a plan reuses few dates many times)."""
    memo: dict[int, datetime.date] = {}

    def date_at(i: int) -> datetime.date:
        d = memo.get(i)
        if d is None:
            d = memo[i] = cal.date_at(i)
        return d

    return date_at


def compute(nodes: Sequence[Node], links: Sequence[Link], cal: WorkCalendar) -> Schedule:
    """The schedule of `nodes` under `links` (links naming other ids are ignored)."""
    if not nodes:
        return Schedule(finish=None, critical_path=[], tasks=[])
    order = _order(nodes, links)
    duration = {n.id: max(n.duration, 1) for n in nodes}
    earliest = _ordinals(nodes, cal)
    preds, succs = _incoming(links, set(duration))
    es = forward(order, earliest, duration, preds)
    ee = {tid: es[tid] + duration[tid] for tid in order}
    end = max(ee.values())

    le: dict[int, int] = {}
    for tid in reversed(order):
        e = end
        d = duration[tid]
        for link in succs.get(tid, ()):
            s = link.successor
            kind = link.type
            if kind == FS:
                allow = le[s] - duration[s] - link.lag
            elif kind == SS:
                allow = le[s] - duration[s] - link.lag + d
            elif kind == FF:
                allow = le[s] - link.lag
            else:  # SF
                allow = le[s] - link.lag + d
            if allow < e:
                e = allow
        le[tid] = e

    position = {tid: i for i, tid in enumerate(order)}
    date_at = _dates(cal)
    times = []
    for tid in order:
        ls = le[tid] - duration[tid]
        slack = ls - es[tid]
        times.append(
            TaskTimes(
                id=tid,
                early_start=date_at(es[tid]),
                early_finish=date_at(ee[tid] - 1),
                late_start=date_at(ls),
                late_finish=date_at(le[tid] - 1),
                total_float=slack,
                critical=slack == 0,
            )
        )
    path = sorted(
        (t.id for t in times if t.critical), key=lambda tid: (es[tid], ee[tid], position[tid])
    )
    return Schedule(finish=date_at(end - 1), critical_path=path, tasks=times)


def reschedule(
    nodes: Sequence[Node],
    links: Sequence[Link],
    cal: WorkCalendar,
    *,
    fixed: dict[int, datetime.date],
) -> dict[int, tuple[datetime.date, datetime.date]]:
    """Forecast (start, finish) of every task after `fixed` tasks moved to the given starts:
    each other task starts at the later of its own start and what its predecessors' forecasts
    ask (a forward pass; nothing moves earlier than its own start)."""
    order = _order(nodes, links)
    duration = {n.id: max(n.duration, 1) for n in nodes}
    earliest = _ordinals([Node(n.id, fixed.get(n.id, n.start), n.duration) for n in nodes], cal)
    preds, _succs = _incoming(links, set(duration))
    # a fixed task starts where it was put, whatever its predecessors ask
    for tid in fixed:
        preds.pop(tid, None)
    es = forward(order, earliest, duration, preds)
    return {tid: (cal.date_at(es[tid]), cal.date_at(es[tid] + duration[tid] - 1)) for tid in order}
