"""Staffing: one tiny instance per rule where it binds; every plan passes the validator.

The slot plan is given by hand (one building per point and slot) so each test controls
exactly which point, slot and role needs people. Defaults: one role ``sampler`` per table,
30-minute slots, at most 60 minutes in gear within any 90 minutes.
"""

from __future__ import annotations

import pytest

from optimizer.io import InputError
from optimizer.testing.plan import TestingPlan
from optimizer.testing.queueing import expected_wait_minutes
from optimizer.testing.slots import SlotAssignment
from optimizer.testing.solver import SolveStats
from optimizer.testing.staffing import demand, plan_staffing

H7 = 7 * 60


def visits(*cells: tuple[str, str, int]) -> list[SlotAssignment]:
    """Building ``b`` (10 adults) at point ``p`` in slot ``i`` (0 = 07:00)."""
    wait = round(expected_wait_minutes(10, 30, 1, 60), 1)
    return [
        SlotAssignment(b, p, "adult", H7 + 30 * i, H7 + 30 * i + 30, 10, wait) for b, p, i in cells
    ]


def staff(tr, folder, slots):
    """Staff the hand-made slot plan and check it with the validator; return plan, reports."""
    rnd = tr.load(folder)
    shifts, short, stats = plan_staffing(rnd, slots, time_limit=2, num_workers=2)
    assert stats.status == "optimal"
    none = SolveStats("home_visits", "optimal", 0, 0, 0, 0)
    plan = TestingPlan(rnd, tuple(slots), tuple(shifts), tuple(short), (), (stats, none), 0)
    reports = tr.check(folder, plan)
    assert reports["staffing"].objective == stats.objective
    return plan, reports


def test_demand_counts_tables_of_open_channels_and_point_roles(tr):
    folder = tr.build(
        residents=[tr.building("B1", 10, 4)],
        points=[tr.point("P1", 2, 1)],
        roles=[tr.role("sampler"), tr.role("runner", per_table=0, per_point=1)],
        workers=[tr.worker("W1", "sampler|runner")],
    )
    rnd = tr.load(folder)
    slots = [*visits(("B1", "P1", 0)), SlotAssignment("B1", "P1", "children", H7, H7 + 30, 4, 0)]
    assert demand(rnd, slots) == {("P1", 0, "sampler"): 3, ("P1", 0, "runner"): 1}
    assert demand(rnd, slots[:1]) == {("P1", 0, "sampler"): 2, ("P1", 0, "runner"): 1}


def test_skills_decide_who_fills_which_role(tr):
    folder = tr.build(
        roles=[tr.role("sampler"), tr.role("registrar")],
        workers=[tr.worker("W1", "sampler|registrar"), tr.worker("W2", "sampler")],
    )
    plan, _ = staff(tr, folder, visits(("B1", "P1", 0)))
    assert {(s.worker, s.role) for s in plan.shifts} == {("W1", "registrar"), ("W2", "sampler")}


def test_availability_brings_in_a_second_worker(tr):
    folder = tr.build(
        residents=[tr.building("B1"), tr.building("B2")],
        workers=[tr.worker("W1", available_from="07:30"), tr.worker("W2", available_to="07:30")],
    )
    plan, _ = staff(tr, folder, visits(("B1", "P1", 0), ("B2", "P1", 1)))
    assert {(s.worker, s.start) for s in plan.shifts} == {("W2", H7), ("W1", H7 + 30)}


def test_gear_break_needs_relief_after_the_longest_stint(tr):
    folder = tr.build(residents=[tr.building(f"B{i}") for i in range(3)], testing={"end": "08:30"})
    plan, _ = staff(tr, folder, visits(*[(f"B{i}", "P1", i) for i in range(3)]))
    assert plan.workers_used() == 2 and not plan.shortfalls
    assert plan.crews() == {"P1": {"workers": 2, "at_once": 1, "relief": 1}}


def test_understaffing_is_reported_per_point_slot_and_role(tr):
    folder = tr.build(
        residents=[tr.building(f"B{i}") for i in range(3)],
        workers=[tr.worker("W1")],
        testing={"end": "08:30"},
    )
    plan, reports = staff(tr, folder, visits(*[(f"B{i}", "P1", i) for i in range(3)]))
    assert [(s.point, s.role, s.missing) for s in plan.shortfalls] == [("P1", "sampler", 1)]
    priced = [p for p in reports["staffing"].penalties if p.rule == "understaffing"]
    assert [p.amount for p in priced] == [1000]


def test_a_worker_stays_at_one_point(tr):
    folder = tr.build(
        residents=[tr.building("B1"), tr.building("B2")],
        points=[tr.point("P1"), tr.point("P2")],
        workers=[tr.worker("W1")],
    )
    plan, _ = staff(tr, folder, visits(("B1", "P1", 0), ("B2", "P2", 1)))
    assert len(plan.shortfalls) == 1 and plan.workers_used() == 1


@pytest.mark.parametrize("together", [False, True])
def test_unit_kept_together_at_one_point(tr, together):
    folder = tr.build(
        residents=[tr.building("B1"), tr.building("B2")],
        points=[tr.point("P1"), tr.point("P2")],
        workers=[tr.worker("W1", unit="附属中学"), tr.worker("W2", unit="附属中学")],
        testing={"keep_units_together": ["附属中学"] if together else []},
    )
    plan, _ = staff(tr, folder, visits(("B1", "P1", 0), ("B2", "P2", 0)))
    assert len(plan.shortfalls) == (1 if together else 0)


def test_role_no_one_can_fill_is_bad_input(tr):
    folder = tr.build(roles=[tr.role("sampler"), tr.role("runner", per_table=0, per_point=1)])
    with pytest.raises(InputError) as err:
        tr.load(folder)
    assert "testing_roles.csv, row 3, column 'skill'" in str(err.value)


def test_timeout_falls_back_to_the_greedy_staffing(tr, monkeypatch):
    import optimizer.testing.staffing as staffing

    def no_time(model, name, **kwargs):
        return None, SolveStats(name, "timeout", None, None, None, 0.1)

    monkeypatch.setattr(staffing, "solve_model", no_time)
    folder = tr.build(residents=[tr.building(f"B{i}") for i in range(3)], testing={"end": "08:30"})
    rnd = tr.load(folder)
    slots = visits(*[(f"B{i}", "P1", i) for i in range(3)])
    shifts, short, stats = staffing.plan_staffing(rnd, slots, time_limit=1)
    assert stats.status == "feasible" and stats.bound is None
    assert stats.objective == 20 and not short  # two workers, nobody missing
    none = SolveStats("home_visits", "optimal", 0, 0, 0, 0)
    plan = TestingPlan(rnd, tuple(slots), tuple(shifts), (), (), (stats, none), 0)
    assert tr.check(folder, plan)["staffing"].objective == 20
