"""Daily routes: the visits of one day routed for every group through the routing core.

Each group works in each of its work windows as one vehicle of the routing core: it leaves
its depot with filled sprayers (the depot's service time is the fill), may come back to
refill (multi-trip, capacity in decilitres), and is back before the window closes; the gap
between windows is the break. Every visit is optional with a large penalty, so an overloaded
day still gets routes and the visits left out are reported with a reason.

Balance between groups: the routing objective (metres walked, plus minutes on duty) alone
would load a few groups fully and leave others idle, so each half-day first gets a duration
cap of its fair share of the day's estimated work plus ``balance``; if that cap leaves visits
out, the day is solved again without caps, starting from the capped routes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.campus import Campus, travel_minutes
from optimizer.campus.domain import window_text
from optimizer.disinfection.plan import DayPlan, DayVisit, GroupDay, RouteVisit, Unserved
from optimizer.disinfection.visits import HOP_MINUTES
from optimizer.routing.problem import (
    Depot,
    RoutingProblem,
    RoutingSolution,
    Stop,
    VehicleType,
)

DECILITRES = 10  # demands and capacities are integers: litres x 10
DURATION_COST = 10  # points per minute on duty (1 point = 1 metre walked)
CAPPED_SHARE = 0.6  # share of a day's time spent on the balanced (capped) solve

ProgressFn = Callable[[str], None]
SolveFn = Callable[..., RoutingSolution]


@dataclass(frozen=True)
class DayProblem:
    """A day's routing problem and what is needed to read its solution back."""

    problem: RoutingProblem
    visits: tuple[DayVisit, ...]
    capped: bool


def vehicle_id(group_id: str, window: int) -> str:
    """Routing-core vehicle type of ``group_id`` in its ``window``-th work window."""
    return f"{group_id}@{window}"


def build_day_problem(
    campus: Campus, visits: Sequence[DayVisit], *, balanced: bool = True
) -> DayProblem:
    """The routing problem of one day's ``visits`` (with balance caps if ``balanced``)."""
    sites = list(dict.fromkeys(v.site_id for v in visits))
    rows = [campus.depot_loc(b) for b in campus.depots] + [campus.site_loc(s) for s in sites]
    metres = campus.distances[np.ix_(rows, rows)]
    speeds = sorted({g.speed for g in campus.groups})
    durations = tuple(np.ceil(metres / speed - 1e-9).astype(np.int64) for speed in speeds)
    distances = tuple(np.rint(metres).astype(np.int64) for _ in speeds)
    nd = len(campus.depots)
    loc = {sid: nd + i for i, sid in enumerate(sites)}
    stops = []
    for v in visits:
        rule = campus.sites[v.site_id].rule
        # The routing core bounds the start of service: the whole service must fit inside.
        ws = [
            (w0, w1 - rule.service_minutes)
            for w0, w1 in v.windows
            if w1 - rule.service_minutes >= w0
        ]
        stops.append(
            Stop(
                id=v.stop_id,
                location=loc[v.site_id],
                demand=math.ceil(rule.litres * DECILITRES - 1e-9),
                service=rule.service_minutes,
                earliest=ws[0][0],
                latest=ws[0][1],
                extra_windows=tuple(ws[1:]),
                required=False,
                penalty=campus.settings.unserved_penalty,
            )
        )
    share = _fair_share(campus, visits, metres) if balanced else None
    # No cap below what the longest single visit needs (fill, walk out, service, walk back).
    slowest = min(g.speed for g in campus.groups)
    floor = max(
        (
            campus.settings.refill_minutes
            + 2 * travel_minutes(float(metres[:nd, loc[v.site_id]].min()), slowest)
            + campus.sites[v.site_id].rule.service_minutes
            for v in visits
        ),
        default=0,
    )
    types = []
    for g in campus.groups:
        for j, (w0, w1) in enumerate(g.work):
            cap = None if share is None else max(floor, math.ceil((w1 - w0) * share))
            types.append(
                VehicleType(
                    id=vehicle_id(g.id, j),
                    capacity=math.floor(g.capacity * DECILITRES + 1e-9),
                    depot=campus.depot_loc(g.depot),
                    earliest=w0,
                    latest=w1,
                    max_duration=cap if cap is not None and cap < w1 - w0 else None,
                    reload=True,
                    profile=speeds.index(g.speed),
                )
            )
    depots = tuple(
        Depot(campus.depot_loc(b), campus.settings.refill_minutes) for b in campus.depots
    )
    problem = RoutingProblem(
        distances=distances,
        durations=durations,
        stops=tuple(stops),
        vehicle_types=tuple(types),
        depots=depots,
        distance_cost=1,
        duration_cost=DURATION_COST,
    )
    capped = any(t.max_duration is not None for t in types)
    return DayProblem(problem, tuple(visits), capped)


def _fair_share(campus: Campus, visits: Sequence[DayVisit], metres: np.ndarray) -> float:
    """Fair share of each work window the day's work needs, plus the balance slack."""
    nd = len(campus.depots)
    speed = sum(g.speed for g in campus.groups) / len(campus.groups)
    # Work estimate: service, a hop to the nearest other site, and per half-day the fill and
    # a walk out and back to an average site.
    near = metres[nd:, nd:] + np.eye(metres.shape[0] - nd) * 1e9
    hop = float(near.min(axis=1).mean()) / speed if len(near) > 1 else HOP_MINUTES
    out = float(metres[:nd, nd:].mean()) * 2 / speed if len(near) else 0.0
    halves = sum(len(g.work) for g in campus.groups)
    work = sum(campus.sites[v.site_id].rule.service_minutes + hop for v in visits)
    work += halves * (campus.settings.refill_minutes + out)
    available = sum(w1 - w0 for g in campus.groups for w0, w1 in g.work)
    return min(1.0, work / available) * (1 + campus.settings.balance)


def route_day(
    campus: Campus,
    day: int,
    visits: Sequence[DayVisit],
    *,
    time_limit: float,
    solve: SolveFn,
    seed: int = 0,
    on_progress: ProgressFn | None = None,
) -> tuple[DayPlan, RoutingSolution]:
    """Route one day's ``visits`` with ``solve`` (the PyVRP engine or a baseline)."""
    label = f"{campus.date(day)} {campus.weekday(day)[:3]}"
    began = time.monotonic()

    def progress(elapsed: float, cost: int) -> None:
        if on_progress is not None:
            on_progress(f"{label}: {len(visits)} visits, cost {cost}, {elapsed:.1f} s")

    first = build_day_problem(campus, visits, balanced=True)
    if not first.capped:
        sol = solve(first.problem, time_limit=time_limit, seed=seed, on_progress=progress)
        return to_day_plan(campus, day, first, sol, began), sol
    sol = solve(
        first.problem, time_limit=time_limit * CAPPED_SHARE, seed=seed, on_progress=progress
    )
    if not sol.unserved:
        return to_day_plan(campus, day, first, sol, began), sol
    # The balance caps cost visits: drop them and let the groups work their full windows.
    rest = build_day_problem(campus, visits, balanced=False)
    warm = _rebase(rest.problem, sol)
    sol2 = solve(
        rest.problem,
        time_limit=time_limit * (1 - CAPPED_SHARE),
        seed=seed,
        initial=warm,
        on_progress=progress,
    )
    return to_day_plan(campus, day, rest, sol2, began), sol2


def _rebase(problem: RoutingProblem, sol: RoutingSolution) -> RoutingSolution:
    """The same routes as ``sol``, rebuilt against ``problem`` (used as a warm start)."""
    from optimizer.routing.problem import build_route, build_solution

    routes = [build_route(problem, r.vehicle_type, r.index, r.trips) for r in sol.routes]
    return build_solution(problem, routes)


def to_day_plan(
    campus: Campus, day: int, dp: DayProblem, sol: RoutingSolution, began: float
) -> DayPlan:
    """Turn a routing solution into the day's group routes and reasons for what is left out
    (``began``: ``time.monotonic()`` when the day's planning started)."""
    by_type = {r.vehicle_type: r for r in sol.routes}
    groups = []
    for g in campus.groups:
        visits: list[RouteVisit] = []
        walking = working = refills = 0
        for j in range(len(g.work)):
            route = by_type.get(vehicle_id(g.id, j))
            if route is None:
                continue
            walking += route.distance
            working += route.duration
            refills += len(route.reloads)
            for v in route.visits:
                sid = v.stop_id.rsplit("#", 1)[0]
                visits.append(
                    RouteVisit(
                        sid, v.arrive, v.start, v.end, v.after_reload, campus.sites[sid].rule.litres
                    )
                )
        groups.append(GroupDay(g.id, tuple(visits), walking, working, refills))
    unserved = _reasons(campus, day, dp, sol)
    return DayPlan(
        day=day,
        date=campus.date(day),
        groups=tuple(groups),
        unserved=unserved,
        cost=sol.cost(),
        wall_s=time.monotonic() - began,
        engine_status=sol.status,
        problem=dp.problem,
    )


def _reasons(
    campus: Campus, day: int, dp: DayProblem, sol: RoutingSolution
) -> tuple[Unserved, ...]:
    """Why each left-out visit was left out, in a coordinator's words."""
    if not sol.unserved:
        return ()
    left = set(sol.unserved)
    visits = [v for v in dp.visits if v.stop_id in left]
    available = sum(w1 - w0 for g in campus.groups for w0, w1 in g.work)
    speed = min(g.speed for g in campus.groups)
    # Work still needed: what the routes take plus the service and a short walk per visit left.
    needed = sol.duration + sum(
        campus.sites[v.site_id].rule.service_minutes + travel_minutes(50, speed) for v in visits
    )
    short = needed - available
    weekday = campus.weekday(day)
    out = []
    for v in visits:
        if short > 0:
            reason = f"not enough group-hours on {weekday}: {short / 60:.1f} h short"
        else:
            windows = "|".join(window_text(w) for w in v.windows)
            reason = f"no group could fit it into a route within its windows {windows} on {weekday}"
        out.append(Unserved(v.site_id, reason))
    return tuple(out)
