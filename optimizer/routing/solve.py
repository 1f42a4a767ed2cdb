"""Solve a :class:`RoutingProblem` with PyVRP and turn the result into our own plan.

How our model maps onto PyVRP
-----------------------------
* Every stop gets its own PyVRP location (a copy of its matrix row and column), so a stop
  can be barred from some vehicle types by making its arcs prohibitively long in those types'
  profiles, even when several stops share one place.
* A stop with several windows becomes one PyVRP client per window in a mutually exclusive
  client group: exactly one of them is visited (at most one when the stop is optional).
* Optional stops carry their skip penalty as PyVRP's prize; multi-trip vehicles get their own
  depot as reload depot, and the depot's service time is PyVRP's depot service duration.

PyVRP only chooses the order; :func:`optimizer.routing.problem.build_route` recomputes every
time. With ``workers > 1`` searches with different seeds run in parallel processes: the first
in this process (so progress and Ctrl-C work) searches plainly; each helper searches plainly
for a while, then again with one vehicle fewer than it used (:func:`_squeeze`). The cheapest
feasible plan of all wins.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import numpy as np

from optimizer.routing.problem import (
    HUGE,
    RoutingProblem,
    RoutingSolution,
    build_route,
    build_solution,
)

if TYPE_CHECKING:  # pyvrp is imported lazily so the CLI starts fast
    import pyvrp

Trips = list[list[str]]
"""Stop ids per trip of one route."""
Plan = list[tuple[str, Trips]]
"""Routes as ``(vehicle type id, trips)``."""
SQUEEZE_SHARE = 0.3
"""Share of a helper's time spent on its first, unconstrained search (see :func:`_squeeze`)."""
ProgressFn = Callable[[float, int], None]
"""Called with (elapsed seconds, cost) whenever the search finds a better feasible plan."""


@dataclass(frozen=True)
class PyvrpData:
    """PyVRP's problem data for one of our problems, plus the way back to our ids."""

    data: pyvrp.ProblemData
    client_stop: tuple[str, ...]  # PyVRP client index -> stop id
    type_ids: tuple[str, ...]  # PyVRP vehicle type index -> our vehicle type id


def to_pyvrp(problem: RoutingProblem) -> PyvrpData:
    """Build the PyVRP ``ProblemData`` for ``problem`` (see the module docstring)."""
    import pyvrp

    depot_locs = list(dict.fromkeys(v.depot for v in problem.vehicle_types))
    client_stop: list[str] = []
    client_loc: list[int] = []
    clients = []
    groups = []
    for stop in problem.stops:
        windows = stop.windows
        group = len(groups) if len(windows) > 1 else None
        members = []
        for lo, hi in windows:
            members.append(len(clients))
            client_stop.append(stop.id)
            client_loc.append(stop.location)
            clients.append(
                pyvrp.Client(
                    location=len(depot_locs) + len(clients),
                    delivery=[stop.demand],
                    service_duration=stop.service,
                    tw_early=lo,
                    tw_late=min(hi, HUGE),
                    prize=stop.penalty,
                    required=stop.required and group is None,
                    group=group,
                    name=stop.id,
                )
            )
        if group is not None:
            groups.append(pyvrp.ClientGroup(members, required=stop.required))
    rows = np.array(depot_locs + client_loc)

    # One PyVRP profile per (our profile, set of stops the vehicle type may not serve).
    profile_keys: dict[tuple[int, frozenset[int]], int] = {}
    type_profile = []
    for vt in problem.vehicle_types:
        barred = frozenset(
            len(depot_locs) + c
            for c, sid in enumerate(client_stop)
            if not problem.allows(problem.stop(sid), vt)
        )
        type_profile.append(profile_keys.setdefault((vt.profile, barred), len(profile_keys)))
    distances, durations = [], []
    for profile, barred in profile_keys:
        dist = problem.distances[profile][np.ix_(rows, rows)].astype(np.int64)
        dur = problem.durations[profile][np.ix_(rows, rows)].astype(np.int64)
        if barred:
            # Longer than any plan that avoids it, yet far from overflowing when summed.
            bar = int(max(dist.max(), dur.max()) + 1) * (len(rows) + 1) + sum(
                s.penalty for s in problem.stops
            )
            idx = sorted(barred)
            for mat in (dist, dur):
                mat[idx, :] = bar
                mat[:, idx] = bar
                np.fill_diagonal(mat, 0)
        distances.append(dist)
        durations.append(dur)

    depots = [  # PyVRP locations 0..len(depot_locs)-1 are the depots, in this order
        pyvrp.Depot(k, service_duration=problem.depot_service(loc), name=f"depot{loc}")
        for k, loc in enumerate(depot_locs)
    ]
    index = {loc: k for k, loc in enumerate(depot_locs)}
    types = [
        pyvrp.VehicleType(
            num_available=vt.count,
            capacity=[vt.capacity],
            start_depot=index[vt.depot],
            end_depot=index[vt.depot],
            fixed_cost=vt.fixed_cost,
            tw_early=vt.earliest,
            tw_late=min(vt.latest, HUGE),
            shift_duration=vt.max_duration if vt.max_duration is not None else HUGE,
            max_distance=vt.max_distance if vt.max_distance is not None else HUGE,
            unit_distance_cost=problem.distance_cost,
            unit_duration_cost=problem.duration_cost,
            profile=type_profile[k],
            reload_depots=[index[vt.depot]] if vt.reload else [],
            max_reloads=vt.max_reloads if vt.max_reloads is not None else HUGE,
            name=vt.id,
        )
        for k, vt in enumerate(problem.vehicle_types)
        if vt.count > 0
    ]
    type_ids = tuple(vt.id for vt in problem.vehicle_types if vt.count > 0)
    locations = [pyvrp.Location(0.0, 0.0) for _ in rows]
    data = pyvrp.ProblemData(locations, clients, depots, types, distances, durations, groups=groups)
    return PyvrpData(data, tuple(client_stop), type_ids)


def _plan_of(mapping: PyvrpData, solution: pyvrp.Solution) -> Plan:
    """Read ``(vehicle type id, trips)`` per route off a PyVRP solution."""
    plan: Plan = []
    for route in solution.routes():
        trips: Trips = [[] for _ in range(route.num_trips())]
        for act in route.schedule():
            if act.is_client():
                trips[act.trip].append(mapping.client_stop[act.idx])
        plan.append((mapping.type_ids[route.vehicle_type()], trips))
    return plan


def _pyvrp_solution(mapping: PyvrpData, initial: RoutingSolution) -> pyvrp.Solution:
    """Our solution as a PyVRP warm start (window copies chosen by the planned start time)."""
    import pyvrp

    by_stop: dict[str, list[int]] = {}
    for c, sid in enumerate(mapping.client_stop):
        by_stop.setdefault(sid, []).append(c)
    data = mapping.data
    routes = []
    for r in initial.routes:
        vt = mapping.type_ids.index(r.vehicle_type)
        depot = pyvrp.Activity(pyvrp.ActivityType.DEPOT, data.vehicle_type(vt).start_depot)
        acts = []
        for v in r.visits:
            if v.after_reload:
                acts.append(depot)
            options = by_stop[v.stop_id]
            fits = [c for c in options if data.client(c).tw_early <= v.start]
            chosen = fits[-1] if fits else options[0]
            acts.append(pyvrp.Activity(pyvrp.ActivityType.CLIENT, chosen))
        routes.append(pyvrp.Route(data, acts, vt))
    return pyvrp.Solution(data, routes)


class _Stop:
    """PyVRP stopping rule: a wall-clock deadline or Ctrl-C; reports improvements.

    With ``give_up`` (a time), the search also stops then unless it has found a feasible plan
    cheaper than ``beat``.
    """

    def __init__(
        self,
        deadline: float,
        start: float,
        on_progress: ProgressFn | None = None,
        give_up: float | None = None,
        beat: float = float("inf"),
    ) -> None:
        self.deadline = deadline
        self.start = start
        self.on_progress = on_progress
        self.give_up = give_up
        self.beat = beat
        self.best = float("inf")
        self.interrupted = False

    def __call__(self, best_cost: float) -> bool:
        now = time.monotonic()
        if best_cost < self.best:
            self.best = best_cost
            if self.on_progress is not None:
                self.on_progress(now - self.start, int(best_cost))
        if self.give_up is not None and now >= self.give_up and not self.best < self.beat:
            return True
        return self.interrupted or now >= self.deadline


def _search(
    problem: RoutingProblem, stop: _Stop, seed: int, initial: RoutingSolution | None = None
) -> Plan:
    """One PyVRP search until ``stop`` says so; returns the best plan found."""
    import pyvrp
    from pyvrp.PenaltyManager import PenaltyBoundWarning

    mapping = to_pyvrp(problem)
    init = _pyvrp_solution(mapping, initial) if initial is not None else None
    with warnings.catch_warnings():
        # Raised on instances where feasibility is hard; our status reports that instead.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            mapping.data, stop, seed=seed, collect_stats=False, initial_solution=init
        )
    return _plan_of(mapping, result.best)


def _fewer_vehicles(problem: RoutingProblem, plan: Plan) -> tuple[RoutingProblem, Plan] | None:
    """The fleet ``plan`` used minus one vehicle, and ``plan`` without its smallest route.

    The vehicle is taken from the type with the most routes. None if no route can go.
    """
    used = Counter(type_id for type_id, _ in plan)
    if sum(used.values()) <= 1:
        return None
    cut = used.most_common(1)[0][0]
    fleet = tuple(replace(vt, count=used[vt.id] - (vt.id == cut)) for vt in problem.vehicle_types)
    smallest = min(
        (k for k, (type_id, _) in enumerate(plan) if type_id == cut),
        key=lambda k: sum(len(trip) for trip in plan[k][1]),
    )
    return replace(problem, vehicle_types=fleet), plan[:smallest] + plan[smallest + 1 :]


def _squeeze(problem: RoutingProblem, deadline: float, seed: int) -> list[Plan]:
    """Search, then search with one vehicle fewer than that plan used; returns the plans.

    Distance-minimal plans often use fewer routes than where a search settles (an extra route
    is hard to empty under tight windows); forcing one route out explores that side. If the
    smaller fleet has not beaten the first plan within two thirds of its time, the rest of the
    time continues the first search instead. The caller keeps the cheapest feasible plan.
    """
    start = time.monotonic()
    first = _search(problem, _Stop(start + SQUEEZE_SHARE * (deadline - start), start), seed)
    first_plan = _build(problem, first, 0.0)
    smaller = _fewer_vehicles(problem, first)
    if smaller is not None and first_plan.feasible:
        tight, warm = smaller
        now = time.monotonic()
        give_up = now + (deadline - now) * 2 / 3
        stop = _Stop(deadline, start, give_up=give_up, beat=first_plan.cost())
        second = _search(tight, stop, seed, _build(tight, warm, 0.0))
        if stop.best < stop.beat:
            return [first, second]
    return [first, _search(problem, _Stop(deadline, start), seed + 1, first_plan)]


def _worker(problem: RoutingProblem, deadline: float, seed: int, conn: Connection) -> None:
    """Subprocess entry: :func:`_squeeze` until ``deadline`` (time.monotonic), send the plans."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent process handles Ctrl-C
    try:
        conn.send(_squeeze(problem, deadline, seed))
    finally:
        conn.close()


def _build(problem: RoutingProblem, plan: Plan, wall_s: float) -> RoutingSolution:
    """Our solution from a plan: vehicles numbered per type in order, times recomputed."""
    routes = []
    used: dict[str, int] = {}
    for type_id, trips in plan:
        index = used.get(type_id, 0)
        used[type_id] = index + 1
        routes.append(build_route(problem, type_id, index, trips))
    return build_solution(problem, routes, wall_s=wall_s, engine="pyvrp")


def solve(
    problem: RoutingProblem,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int | None = None,
    initial: RoutingSolution | None = None,
    on_progress: ProgressFn | None = None,
) -> RoutingSolution:
    """Find a low-cost plan for ``problem`` within ``time_limit`` seconds of wall time.

    ``workers`` searches (default: one per core) run in parallel with seeds ``seed``,
    ``seed + 1``, ...: this process's search is warm-started from ``initial`` and reports to
    ``on_progress``; helper processes also try a smaller fleet (see :func:`_squeeze`). The best
    feasible plan (then the cheapest) is returned, its times recomputed by our route builder.
    Ctrl-C stops the search and returns the best plan found so far.
    """
    start = time.monotonic()
    if not problem.stops or not any(vt.count > 0 for vt in problem.vehicle_types):
        return build_solution(problem, [], wall_s=0.0, engine="pyvrp")
    workers = max(1, workers if workers is not None else os.cpu_count() or 1)
    if multiprocessing.current_process().daemon:
        workers = 1  # a daemonic process (e.g. a pool worker) may not start helpers
    # Leave a little time for turning the results into plans.
    deadline = start + max(0.05, time_limit - 0.05 - 0.002 * len(problem.stops))
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    helpers = []
    for k in range(1, workers):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(problem, deadline, seed + k, send), daemon=True)
        proc.start()
        send.close()
        helpers.append((proc, recv))
    stop = _Stop(deadline, start, on_progress)
    # Ctrl-C ends the search gracefully (best plan so far kept) when we own the signal.
    previous = None
    if threading.current_thread() is threading.main_thread():

        def interrupt(*_: object) -> None:
            stop.interrupted = True

        previous = signal.signal(signal.SIGINT, interrupt)
    try:
        plans = [_search(problem, stop, seed, initial)]
        for _proc, recv in helpers:
            # After Ctrl-C, do not wait for helpers still searching.
            if not stop.interrupted and recv.poll(max(1.0, deadline - time.monotonic() + 5.0)):
                with contextlib.suppress(EOFError):  # a helper that failed sends nothing
                    plans += recv.recv()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        for proc, recv in helpers:
            recv.close()
            proc.terminate()
            proc.join()
    wall = time.monotonic() - start
    candidates = [_build(problem, plan, wall) for plan in plans]
    best = min(candidates, key=lambda s: (not s.feasible, s.cost()))
    return replace(best, interrupted=stop.interrupted)
