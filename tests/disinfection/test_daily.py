"""The daily routing problem: legs, merged windows, balance caps."""

from __future__ import annotations

from optimizer.campus import load_campus
from optimizer.disinfection.daily import build_day_problem
from optimizer.disinfection.visits import plan_visits


def day_problem(folder, share=None):
    """Day 0's routing problem of the campus in ``folder``."""
    campus = load_campus(folder)
    week = plan_visits(campus, time_limit=0.5)
    return build_day_problem(campus, week.per_day[0], share=share)


def test_units_due_together_are_one_leg(tiny):
    dp = day_problem(tiny(files={"monitoring.csv": "building_id,until\nF1,2026-12-02\n"}))
    leg = dp.problem.stop("F1-1#0+2")
    assert leg.service == 30 and leg.demand == 60  # three 10-minute, 2-litre units
    # Walking between the doors (2 x 12 m) is on the leg's way out, per group speed.
    assert dp.legs["F1-1#0+2"].hops == (12.0, 12.0)
    assert [v.site_id for v in dp.legs["F1-1#0+2"].visits] == ["F1-1", "F1-2", "F1-3"]
    # The leg must end by 17:00: it may start at 16:28 at the latest (30 min + 2 one-minute hops).
    assert leg.latest == 17 * 60 - 32


def test_windows_split_only_by_the_break_are_merged(tiny):
    dp = day_problem(tiny())
    dorm = dp.problem.stop("X8#0")  # 08:00-11:30 | 14:00-17:00: nobody works 11:30-14:00
    assert dorm.windows == ((8 * 60, 17 * 60 - 30),)
    refuse = dp.problem.stop("R01#0")  # 14:00-14:30 is work time but before collection
    assert refuse.windows == ((8 * 60 + 30, 11 * 60 + 25), (14 * 60 + 30, 17 * 60 + 25))


def test_balance_caps_each_work_window(tiny):
    free = day_problem(tiny())
    capped = day_problem(tiny(), share=0.5)
    assert all(v.max_duration is None for v in free.problem.vehicle_types)
    morning = capped.problem.vehicle_type("G1@0")
    assert morning.max_duration == 120  # half of 07:30-11:30
    assert all(v.reload for v in capped.problem.vehicle_types)


def test_ctrl_c_ends_the_week_with_quick_plans_for_the_days_left(tiny, checked):
    """Ctrl-C during one day's search: that day keeps its routes, later days get QUICK_S."""
    from dataclasses import replace

    from optimizer.disinfection.week import QUICK_S
    from optimizer.routing.solve import solve

    limits: list[float] = []

    def interrupted_on_first_call(problem, *, time_limit, **kw):
        limits.append(time_limit)
        found = solve(problem, time_limit=min(time_limit, 0.3), workers=1, **kw)
        return replace(found, interrupted=len(limits) == 1)

    plan = checked(tiny(), time_limit=30.0, days=[0, 1, 2], solve=interrupted_on_first_call)
    assert plan.interrupted
    # Day 0 stopped after its first (uncapped) search; days 1 and 2 got the quick budget.
    assert limits[0] > QUICK_S and len(plan.days) == 3
    assert all(t <= QUICK_S + 1e-9 for t in limits[1:])
    assert all(d.visits for d in plan.days)
