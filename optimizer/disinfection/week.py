"""Plan a week of disinfection: visit days first, then every day's routes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from optimizer.campus import Campus, load_campus
from optimizer.disinfection.daily import SolveFn, route_day
from optimizer.disinfection.plan import DisinfectionPlan
from optimizer.disinfection.visits import WeeklyVisits, day_visits, plan_visits

ProgressFn = Callable[[str], None]
VISIT_SHARE = 0.08  # share of the time limit for the weekly visit plan (at most MAX_VISIT_S)
MAX_VISIT_S = 3.0
QUICK_S = 0.2  # seconds per day: the least any day gets, and all it gets after Ctrl-C


def plan_week(
    instance: str | Path | Campus,
    *,
    time_limit: float = 45.0,
    days: Sequence[int] | None = None,
    seed: int = 0,
    on_progress: ProgressFn | None = None,
    visit_days: dict[str, tuple[int, ...]] | None = None,
    solve: SolveFn | None = None,
) -> DisinfectionPlan:
    """Plan visit days for the whole horizon and route ``days`` (default: every day).

    ``instance`` is an instance folder (loaded and checked; bad input raises
    :class:`optimizer.io.InputError`) or a loaded :class:`Campus`. ``time_limit`` seconds are
    shared between the visit plan and the days; ``on_progress`` receives progress lines.
    ``visit_days`` (site id -> days) skips the visit plan and routes those days' visits;
    ``solve`` replaces the PyVRP engine (e.g. a baseline with the same signature).
    Ctrl-C ends the day being searched with its best routes so far; every later day then gets
    a quick plan (``QUICK_S`` seconds), so the week is still complete.
    """
    if solve is None:
        from optimizer.routing.solve import solve

    start = time.monotonic()
    campus = instance if isinstance(instance, Campus) else load_campus(instance)
    chosen = list(range(campus.days)) if days is None else sorted(set(days))
    for d in chosen:
        if not 0 <= d < campus.days:
            raise ValueError(f"day {d} is outside the horizon (0..{campus.days - 1})")
    if visit_days is None:
        week = plan_visits(
            campus,
            time_limit=min(MAX_VISIT_S, VISIT_SHARE * time_limit),
            on_progress=on_progress,
        )
        if on_progress is not None:
            on_progress(f"visit plan {week.status} in {week.wall_s:.1f} s")
    else:
        week = WeeklyVisits(visit_days, day_visits(campus, visit_days), "given", 0.0)
    plans = []
    interrupted = False
    for i, d in enumerate(chosen):
        left = time_limit - (time.monotonic() - start)
        share = QUICK_S if interrupted else max(QUICK_S, left / (len(chosen) - i))
        day_plan, solution = route_day(
            campus,
            d,
            week.per_day[d],
            time_limit=share,
            solve=solve,
            seed=seed,
            on_progress=on_progress,
        )
        plans.append(day_plan)
        if solution.interrupted and not interrupted:
            interrupted = True
            if on_progress is not None:
                on_progress("stopped (Ctrl-C): the days still to plan get a quick plan each")
        if on_progress is not None:
            on_progress(
                f"{day_plan.date} done: {day_plan.visits} visits, "
                f"{day_plan.walking_m / 1000:.1f} km, {len(day_plan.unserved)} unserved"
            )
    return DisinfectionPlan(
        campus=campus,
        visit_days=week.days,
        visit_status=week.status,
        days=tuple(plans),
        wall_s=time.monotonic() - start,
        interrupted=interrupted,
    )
