"""The critical path by hand: every dependency type with lags, over 国庆 2026.

Working days around it (chinese-calendar; 9-25 is 中秋, 10-1…10-7 国庆, Saturday 10-10 a 调休
working day): W0 9-28, W1 9-29, W2 9-30, W3 10-8, W4 10-9, W5 10-10 (Sat), W6 10-12,
W7 10-13, W8 10-14. All tasks may start 9-28.

    A 2d                 ES W0  EF W1
    B 3d  A FS+1         ES W3 (10-8: A ends W1, one day lag, the holiday skipped)
    C 1d  A SS+1         ES W1
    D 2d  B FF+2         EF = B's EF + 2 = W7 → ES W6
    E 4d  C SF+3         EF >= C's ES + 3 - 1 = W3 → ES W0 (its own start)
    F 1d  D FS, E FS     ES W8 = 10-14, the plan's finish
Backward: F, D, B, A have no float (critical, in that order); E may end by W7 (float 4);
C may start by W5 so that E still ends by W7 (SF: E_end >= C_start + 3), float 4.
"""

from __future__ import annotations

import datetime

import pytest

from coordination.core.workdays import WorkCalendar
from projects.tasks import schedule
from projects.tasks.schedule import Link, Node

D = datetime.date
START = D(2026, 9, 28)


@pytest.fixture
def cal():
    return WorkCalendar()


def _plan():
    nodes = [
        Node(1, START, 2),  # A
        Node(2, START, 3),  # B
        Node(3, START, 1),  # C
        Node(4, START, 2),  # D
        Node(5, START, 4),  # E
        Node(6, START, 1),  # F
    ]
    links = [
        Link(1, 2, "FS", 1),
        Link(1, 3, "SS", 1),
        Link(2, 4, "FF", 2),
        Link(3, 5, "SF", 3),
        Link(4, 6, "FS", 0),
        Link(5, 6, "FS", 0),
    ]
    return nodes, links


def test_critical_path_by_hand_over_national_day(cal):
    plan = schedule.compute(*_plan(), cal)
    t = plan.by_id()
    assert plan.finish == D(2026, 10, 14)
    assert plan.critical_path == [1, 2, 4, 6]
    expected = {
        # id: early start, early finish, late start, late finish, float
        1: (D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 28), D(2026, 9, 29), 0),
        2: (D(2026, 10, 8), D(2026, 10, 10), D(2026, 10, 8), D(2026, 10, 10), 0),
        3: (D(2026, 9, 29), D(2026, 9, 29), D(2026, 10, 10), D(2026, 10, 10), 4),
        4: (D(2026, 10, 12), D(2026, 10, 13), D(2026, 10, 12), D(2026, 10, 13), 0),
        5: (D(2026, 9, 28), D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 13), 4),
        6: (D(2026, 10, 14), D(2026, 10, 14), D(2026, 10, 14), D(2026, 10, 14), 0),
    }
    for tid, (es, ef, ls, lf, slack) in expected.items():
        got = t[tid]
        assert (got.early_start, got.early_finish, got.late_start, got.late_finish) == (
            es,
            ef,
            ls,
            lf,
        ), tid
        assert got.total_float == slack and got.critical == (slack == 0), tid


def test_one_day_task_and_its_fs_successor(cal):
    # API.md: a 1-day task starts and finishes the same date; its successor starts the next
    # working day (9-30 → 10-8 across 国庆)
    plan = schedule.compute([Node(1, D(2026, 9, 30), 1), Node(2, START, 1)], [Link(1, 2)], cal)
    t = plan.by_id()
    assert t[1].early_start == t[1].early_finish == D(2026, 9, 30)
    assert t[2].early_start == D(2026, 10, 8)
    assert plan.finish == D(2026, 10, 8)


def test_a_later_planned_start_holds_and_gives_float_upstream(cal):
    plan = schedule.compute([Node(1, START, 1), Node(2, D(2026, 10, 12), 1)], [Link(1, 2)], cal)
    t = plan.by_id()
    assert t[2].early_start == D(2026, 10, 12) and t[2].critical
    # it may start as late as W5 (10-10, the 调休 Saturday) and still end before 10-12
    assert t[1].total_float == 5 and not t[1].critical
    assert t[1].late_finish == D(2026, 10, 10)
    assert plan.critical_path == [2]


def test_negative_lag_and_company_day_off():
    cal = WorkCalendar(days_off={D(2026, 10, 8)})
    plan = schedule.compute([Node(1, START, 3), Node(2, START, 1)], [Link(1, 2, "FS", -1)], cal)
    t = plan.by_id()
    # A: 9-28, 9-29, 9-30; FS-1 overlaps one day: B on 9-30
    assert t[1].early_finish == D(2026, 9, 30) and t[2].early_start == D(2026, 9, 30)
    # and a 2-day task from 9-30 skips 国庆 and the company's 10-8
    plan = schedule.compute([Node(3, D(2026, 9, 30), 2)], [], cal)
    assert plan.finish == D(2026, 10, 9)


def test_loop_is_named(cal):
    with pytest.raises(schedule.Loop) as caught:
        schedule.compute(
            [Node(1, START, 1), Node(2, START, 1), Node(3, START, 1)],
            [Link(1, 2), Link(2, 3), Link(3, 2)],
            cal,
        )
    assert set(caught.value.tasks) == {2, 3}


def test_reschedule_moves_only_downstream(cal):
    nodes, links = _plan()
    new = schedule.reschedule(nodes, links, cal, fixed={1: D(2026, 10, 8)})
    # A now 10-8, 10-9; B FS+1 → 10-12 … 10-14; D FF+2 on B → ends 10-16
    assert new[1] == (D(2026, 10, 8), D(2026, 10, 9))
    assert new[2] == (D(2026, 10, 12), D(2026, 10, 14))
    assert new[4][1] == D(2026, 10, 16)
    assert new[6] == (D(2026, 10, 19), D(2026, 10, 19))


def test_empty_project(cal):
    plan = schedule.compute([], [], cal)
    assert plan.finish is None and plan.critical_path == [] and plan.tasks == []
