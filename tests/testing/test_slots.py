"""Slot plan: one tiny instance per rule where the rule binds; every plan passes the validator.

With one table sampling 60 people an hour, a 30-minute slot takes at most 29 people while
the expected queue stays within 50, 21 within 2 and 18 within 1 (Erlang C).
"""

from __future__ import annotations

import pytest

from optimizer.io import InputError
from optimizer.testing.queueing import expected_wait_minutes, max_people
from optimizer.testing.solver import SolveStats
from optimizer.validate_testing import SlotRow, check_slots


def by_group(plan):
    return {(a.building, a.channel): a for a in plan.slots}


def test_every_group_gets_one_point_and_one_slot(tr):
    folder = tr.build(
        residents=[tr.building("B1", 12, 3), tr.building("B2", 5)], points=[tr.point("P1", 1, 1)]
    )
    plan = tr.plan(folder)
    tr.check(folder, plan)
    groups = by_group(plan)
    assert len(plan.slots) == 3
    assert groups["B1", "children"].people == 3 and groups["B1", "adult"].people == 12


def test_queue_cap_spreads_buildings_over_slots(tr):
    # Two groups of 15 fit one slot at cap 50 (29) but not at cap 1 (18).
    residents = [tr.building("B1", 15), tr.building("B2", 15)]
    loose = tr.build(residents=residents, testing={"max_waiting": 50})
    tight = tr.build(residents=residents, testing={"max_waiting": 1}, weights={"wait": 1})
    plan = tr.plan(tight)
    tr.check(tight, plan)
    assert len({a.start for a in plan.slots}) == 2
    assert max(a.expected_wait for a in plan.slots) == pytest.approx(
        expected_wait_minutes(15, 30, 1, 60), abs=0.05
    )
    assert tr.plan(loose).ok


def test_spacing_along_the_queue_line_caps_the_queue(tr):
    # 1 m spacing on a 2 m line: at most 2 waiting, so 21 people per slot.
    folder = tr.build(
        residents=[tr.building("B1", 22, split=True)], points=[tr.point("P1", queue_metres=2)]
    )
    plan = tr.plan(folder)
    tr.check(folder, plan)
    assert max(a.people for a in plan.slots) <= max_people(30, 1, 60, 2)
    assert len(plan.slots) == 2


def test_split_building_stays_at_one_point(tr):
    folder = tr.build(
        residents=[tr.building("B1", 50, split=True)], points=[tr.point("P1"), tr.point("P2", x=10)]
    )
    plan = tr.plan(folder)
    tr.check(folder, plan)
    assert sum(a.people for a in plan.slots) == 50
    assert len({a.point for a in plan.slots}) == 1 and len(plan.slots) == 2


def test_building_too_big_for_any_slot_is_bad_input(tr):
    folder = tr.build(residents=[tr.building("B1", 10), tr.building("B2", 30)])
    with pytest.raises(InputError) as err:
        tr.load(folder)
    assert "residents.csv, row 3, column 'adults'" in str(err.value)
    assert "do not fit one slot" in str(err.value)


def test_children_go_through_the_childrens_channel_before_it_closes(tr):
    # P1 (near) has no children's channel; P2 has one; it closes at 07:30.
    folder = tr.build(
        residents=[tr.building("B1", 5, 4)],
        points=[tr.point("P1"), tr.point("P2", 1, 1, x=300)],
        testing={"children_end": "07:30"},
    )
    plan = tr.plan(folder)
    tr.check(folder, plan)
    groups = by_group(plan)
    assert groups["B1", "children"].point == "P2"
    assert groups["B1", "children"].start == 7 * 60
    assert groups["B1", "adult"].point == "P1"


def test_children_first_weight_moves_children_to_the_first_slot(tr):
    # Waiting alone would spread the two children's groups; lateness puts both first.
    residents = [tr.building("B1", 0, 8), tr.building("B2", 0, 8)]
    points = [tr.point("P1", 0, 1)]
    early = tr.build(residents=residents, points=points, weights={"wait": 1, "children_late": 50})
    plan = tr.plan(early)
    tr.check(early, plan)
    assert {a.start for a in plan.slots} == {7 * 60}
    spread = tr.plan(tr.build(residents=residents, points=points, weights={"wait": 1}))
    assert len({a.start for a in spread.slots}) == 2


def test_walking_picks_the_nearest_point_with_room(tr):
    folder = tr.build(
        residents=[tr.building("B1", 20, x=0), tr.building("B2", 20, x=600)],
        points=[tr.point("P1", x=0), tr.point("P2", x=600)],
        testing={"end": "07:30"},
    )
    plan = tr.plan(folder)
    reports = tr.check(folder, plan)
    assert {(a.building, a.point) for a in plan.slots} == {("B1", "P1"), ("B2", "P2")}
    assert reports["slots"].objective == plan.stat("slots").objective == 40


def test_max_walk_keeps_far_points_out(tr):
    # B1 must go to P2 (far) when P1 is full, unless P2 is beyond the walking limit.
    residents = [tr.building("B0", 20), tr.building("B1", 20, x=0)]
    points = [tr.point("P1"), tr.point("P2", x=1200)]
    ok = tr.build(residents=residents, points=points, testing={"end": "07:30"})
    assert tr.plan(ok).ok
    limited = tr.build(
        residents=residents, points=points, testing={"end": "07:30", "max_walk_minutes": 10}
    )
    assert tr.plan(limited).stat("slots").status == "infeasible"


def test_window_and_opening_hours_bound_the_slots(tr):
    folder = tr.build(
        residents=[tr.building("B1", 5)], points=[tr.point("P1", opens="07:30", closes="08:00")]
    )
    plan = tr.plan(folder)
    tr.check(folder, plan)
    assert [a.start for a in plan.slots] == [7 * 60 + 30]


def test_slots_objective_matches_the_validator_with_waiting(tr):
    folder = tr.build(
        residents=[tr.building("B1", 14), tr.building("B2", 13, x=50)], weights={"wait": 1}
    )
    plan = tr.plan(folder)
    reports = tr.check(folder, plan)
    # The model prices waiting by the lower hull of the rounded table: at most 1 per slot less.
    assert 0 <= reports["slots"].objective - plan.stat("slots").objective <= 2


def test_timeout_falls_back_to_the_greedy_plan(tr, monkeypatch):
    import optimizer.testing.slots as slots

    def no_time(model, name, **kwargs):
        return None, SolveStats(name, "timeout", None, None, None, 0.1)

    monkeypatch.setattr(slots, "solve_model", no_time)
    folder = tr.build(
        residents=[tr.building("B1", 14), tr.building("B2", 13, x=50)], weights={"wait": 1}
    )
    rnd = tr.load(folder)
    plan, stats = slots.plan_slots(rnd, time_limit=1)
    assert stats.status == "feasible" and stats.bound is None
    validator = check_slots(
        rnd,
        [
            SlotRow(a.building, a.point, a.channel, a.start, a.end, a.people, a.expected_wait)
            for a in plan
        ],
    )
    assert validator.violations == []
    assert 0 <= validator.objective - stats.objective <= 2
