"""Daily routes: the visits of one day routed for every group through the routing core.

Each group works in each of its work windows as one vehicle of the routing core: it leaves
its depot with filled sprayers (the depot's service time is the fill), may come back to
refill (multi-trip, capacity in decilitres), and is back before the window closes; the gap
between windows is the break. Every visit is optional with a large penalty, so an overloaded
day still gets routes and the visits left out are reported with a reason.

Balance between groups: the routing objective (metres walked) alone would load a few groups
fully and leave others idle. So the day is solved briefly without caps to learn its work;
then each half-day is capped at its fair share of that work plus ``balance`` and the day is
solved again. If the caps would cost visits, the uncapped routes are kept.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.campus import Campus, travel_minutes
from optimizer.campus.domain import window_text
from optimizer.disinfection.plan import DayPlan, DayVisit, GroupDay, RouteVisit, Unserved
from optimizer.routing.problem import (
    Depot,
    RoutingProblem,
    RoutingSolution,
    Stop,
    VehicleType,
    Visit,
)

DECILITRES = 10  # demands and capacities are integers: litres x 10
LEG_MINUTES = 60  # most service minutes of one building's units walked as one leg
FREE_SHARE = 0.2  # share of a day's time for the first, uncapped solve (finds the work)

ProgressFn = Callable[[str], None]
SolveFn = Callable[..., RoutingSolution]


@dataclass(frozen=True)
class Leg:
    """A routing stop: one visit, or the stairwell units of one building due the same day
    walked door to door (``hops``: metres between consecutive doors)."""

    id: str
    visits: tuple[DayVisit, ...]
    hops: tuple[float, ...] = ()


@dataclass(frozen=True)
class DayProblem:
    """A day's routing problem and what is needed to read its solution back."""

    problem: RoutingProblem
    visits: tuple[DayVisit, ...]
    legs: dict[str, Leg]


def vehicle_id(group_id: str, window: int) -> str:
    """Routing-core vehicle type of ``group_id`` in its ``window``-th work window."""
    return f"{group_id}@{window}"


def walk_minutes(hops: Sequence[float], speed: float) -> int:
    """Minutes to walk door to door along ``hops`` (each hop rounded up, as on the map)."""
    return sum(travel_minutes(h, speed) for h in hops)


def make_legs(campus: Campus, visits: Sequence[DayVisit]) -> list[Leg]:
    """Group the day's stairwell visits by building (in table order, so neighbouring doors
    follow each other) into legs of at most ``LEG_MINUTES`` (service and walking, and at most
    half the shortest window) and half the smallest sprayer; every other visit is a leg of
    its own."""
    half_tank = min(g.capacity for g in campus.groups) / 2
    slowest = min(g.speed for g in campus.groups)
    legs: list[Leg] = []
    open_leg: dict[tuple, list[DayVisit]] = {}

    def hops_of(chain: Sequence[DayVisit]) -> tuple[float, ...]:
        return tuple(
            float(campus.distances[campus.site_loc(a.site_id), campus.site_loc(b.site_id)])
            for a, b in itertools.pairwise(chain)
        )

    def close(key: tuple) -> None:
        chain = open_leg.pop(key)
        hops = hops_of(chain)
        legs.append(
            Leg(
                chain[0].stop_id if len(chain) == 1 else f"{chain[0].stop_id}+{len(chain) - 1}",
                tuple(chain),
                hops,
            )
        )

    for v in visits:
        site = campus.sites[v.site_id]
        if site.kind != "stairwell" or site.building is None:
            legs.append(Leg(v.stop_id, (v,)))
            continue
        key = (site.building, v.k, v.windows)
        chain = open_leg.get(key, [])
        longer = [*chain, v]
        minutes = sum(campus.sites[x.site_id].rule.service_minutes for x in longer)
        minutes += walk_minutes(hops_of(longer), slowest)
        litres = sum(campus.sites[x.site_id].rule.litres for x in longer)
        # A leg also stays within half its shortest window, so it always fits one.
        shortest = min(w1 - w0 for w0, w1 in v.windows)
        if chain and (minutes > min(LEG_MINUTES, shortest / 2) or litres > half_tank):
            close(key)
        open_leg.setdefault(key, []).append(v)
    for key in list(open_leg):
        close(key)
    return legs


def build_day_problem(
    campus: Campus, visits: Sequence[DayVisit], *, share: float | None = None
) -> DayProblem:
    """The routing problem of one day's ``visits``; with ``share``, each work window of each
    group is capped at that fraction of its length (never below the longest single leg).

    A leg's matrix row is its last door and its column its first door; walking between its
    doors is added to the leg's outgoing arcs (per profile, so each group's speed counts).
    """
    legs = make_legs(campus, visits)
    nd = len(campus.depots)
    first = [campus.depot_loc(b) for b in campus.depots]
    first += [campus.site_loc(leg.visits[0].site_id) for leg in legs]
    last = first[:nd] + [campus.site_loc(leg.visits[-1].site_id) for leg in legs]
    metres = campus.distances[np.ix_(last, first)].copy()
    inside = np.array([0.0] * nd + [sum(leg.hops) for leg in legs])
    speeds = sorted({g.speed for g in campus.groups})
    slowest = speeds[0]
    n = len(first)
    off_diagonal = 1 - np.eye(n)
    distances, durations = [], []
    for speed in speeds:
        inner = np.array([0] * nd + [walk_minutes(leg.hops, speed) for leg in legs])
        durations.append(
            ((np.ceil(metres / speed - 1e-9) + inner[:, None]) * off_diagonal).astype(np.int64)
        )
        distances.append((np.rint(metres + inside[:, None]) * off_diagonal).astype(np.int64))
    stops = []
    for i, leg in enumerate(legs):
        rules = [campus.sites[v.site_id].rule for v in leg.visits]
        # The routing core bounds the start of service: the whole leg must fit inside.
        busy = sum(r.service_minutes for r in rules) + walk_minutes(leg.hops, slowest)
        ws = _merge_breaks(
            campus,
            [(w0, w1 - busy) for w0, w1 in leg.visits[0].windows if w1 - busy >= w0],
            busy,
        )
        stops.append(
            Stop(
                id=leg.id,
                location=nd + i,
                demand=math.ceil(sum(r.litres for r in rules) * DECILITRES - 1e-9),
                service=sum(r.service_minutes for r in rules),
                earliest=ws[0][0],
                latest=ws[0][1],
                extra_windows=tuple(ws[1:]),
                required=False,
                penalty=campus.settings.unserved_penalty * len(leg.visits),
            )
        )
    # No cap below what the longest single leg needs (fill, walk out, service, walk back).
    floor = max(
        (
            campus.settings.refill_minutes
            + travel_minutes(float(metres[:nd, nd + i].min()), slowest)
            + stop.service
            + int(durations[0][nd + i, :nd].max())
            for i, stop in enumerate(stops)
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
        distances=tuple(distances),
        durations=tuple(durations),
        stops=tuple(stops),
        vehicle_types=tuple(types),
        depots=depots,
        # Metres walked only: a cost per minute on duty made the search several times slower
        # to converge (waiting, reloads and caps interact); the caps bound the days instead.
        distance_cost=1,
    )
    return DayProblem(problem, tuple(visits), {leg.id: leg for leg in legs})


def _merge_breaks(
    campus: Campus, starts: list[tuple[int, int]], service: int
) -> list[tuple[int, int]]:
    """Join start windows whose gap lies in every group's break (nobody could start service
    then anyway): the same plans, but one routing client instead of one per window."""
    out = starts[:1]
    for a, b in starts[1:]:
        gap_from, gap_to = out[-1][1], a
        busy = any(
            w0 < gap_to and w1 - service > gap_from for g in campus.groups for w0, w1 in g.work
        )
        out[-1:] = [out[-1], (a, b)] if busy else [(out[-1][0], b)]
    return out


def _fair_share(campus: Campus, dp: DayProblem, sol: RoutingSolution) -> float | None:
    """Share of each work window a balanced day needs: the work of ``sol`` (route durations
    and the service of what it left out) spread evenly, plus the balance slack; None when
    that is the whole window anyway."""
    left = set(sol.unserved)
    work = sol.duration + sum(dp.problem.stop(s).service for s in left)
    available = sum(w1 - w0 for g in campus.groups for w0, w1 in g.work)
    share = work / available * (1 + campus.settings.balance)
    return share if share < 1 else None


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

    # First the plain problem (shortest walks), then, knowing the day's real work, again with
    # every half-day capped at its fair share.
    free = build_day_problem(campus, visits)
    sol = solve(free.problem, time_limit=time_limit * FREE_SHARE, seed=seed, on_progress=progress)
    if sol.interrupted:
        return to_day_plan(campus, day, free, sol, began), sol
    share = _fair_share(campus, free, sol)
    rest = max(0.1, time_limit - (time.monotonic() - began))
    if share is None:
        sol2 = solve(free.problem, time_limit=rest, seed=seed, initial=sol, on_progress=progress)
        best = min((sol, sol2), key=lambda x: x.cost())
        return to_day_plan(campus, day, free, best, began), best
    capped = build_day_problem(campus, visits, share=share)
    # A fresh search: starting from the uncapped routes, which break the caps, was no better.
    sol2 = solve(capped.problem, time_limit=rest, seed=seed, on_progress=progress)
    if len(sol2.unserved) > len(sol.unserved):
        # Balance must not cost visits: keep the unbalanced routes that serve more.
        return to_day_plan(campus, day, free, sol, began), sol
    return to_day_plan(campus, day, capped, sol2, began), sol2


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
                visits += _expand(campus, dp.legs[v.stop_id], v, g.speed)
        groups.append(GroupDay(g.id, tuple(visits), walking, working, refills))
    unserved = _reasons(campus, day, dp, sol, began)
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


def _expand(campus: Campus, leg: Leg, v: Visit, speed: float) -> list[RouteVisit]:
    """The visits of a leg with their own times: door after door, walking in between."""
    out = []
    arrive, start = v.arrive, v.start
    for k, dv in enumerate(leg.visits):
        rule = campus.sites[dv.site_id].rule
        end = start + rule.service_minutes
        out.append(
            RouteVisit(dv.site_id, arrive, start, end, v.after_reload and k == 0, rule.litres)
        )
        if k < len(leg.hops):
            arrive = start = end + travel_minutes(leg.hops[k], speed)
    return out


def _reasons(
    campus: Campus, day: int, dp: DayProblem, sol: RoutingSolution, began: float
) -> tuple[Unserved, ...]:
    """Why each left-out visit was left out, in a coordinator's words (``began``: when the
    day's search started)."""
    if not sol.unserved:
        return ()
    visits = [v for s in sol.unserved for v in dp.legs[s].visits]
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
            reason = (
                f"no group could fit it into a route within its windows {windows} on "
                f"{weekday} (after a {time.monotonic() - began:.0f} s search)"
            )
        out.append(Unserved(v.site_id, reason))
    return tuple(out)
