"""OR-Tools routing baseline: the same :class:`RoutingProblem` in, the same solution out.

The model is the textbook RoutingModel: arc costs from the distance matrix of each vehicle's
profile, a time dimension (service + travel, waiting allowed, windows on the start of service,
vehicle work windows, maximum duration), a load dimension for capacity, disjunctions with the
skip penalty for optional stops, a distance dimension when a vehicle has a maximum distance,
and allowed vehicles per stop (set on the stop's vehicle variable: this OR-Tools build's
``SetAllowedVehiclesForIndex`` rejects Python lists). Multi-trip vehicles get extra
optional "reload" nodes at their depot (the OR-Tools reload idiom: demand ``-capacity`` with
slack, so the load can drop back to zero), as many as the trips they could need, at most
``MAX_RELOAD_NODES`` per vehicle.

Search: ``PATH_CHEAPEST_ARC`` first solution plus guided local search until the time limit.
A failing first-solution search can run out the whole limit (it does on tight windows such
as R101), so it gets ``FIRST_SHARE`` of the time; without a first solution by then,
``PARALLEL_CHEAPEST_INSERTION`` tries with the rest. The solution's ``engine`` says which
strategy produced it. OR-Tools routing runs on one core.
Times are recomputed by our own route builder, as for the PyVRP engine.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.routing.problem import (
    HUGE,
    RoutingProblem,
    RoutingSolution,
    build_route,
    build_solution,
)

MAX_RELOAD_NODES = 20
FIRST = "PATH_CHEAPEST_ARC"
FALLBACK = "PARALLEL_CHEAPEST_INSERTION"
FIRST_SHARE = 0.3
"""Share of the time limit the first strategy may spend looking for a first solution."""


def _nodes(problem: RoutingProblem) -> tuple[list[int], list[int], list[int], list[int], list]:
    """Node tables: location, service, demand, owning vehicle (-1: any), stop (or None)."""
    vehicles = [vt for vt in problem.vehicle_types for _ in range(vt.count)]
    loc, service, demand, owner, stop = [], [], [], [], []
    for v, vt in enumerate(vehicles):  # one start node per vehicle (the end shares it)
        loc.append(vt.depot)
        service.append(problem.depot_service(vt.depot))
        demand.append(0)
        owner.append(v)
        stop.append(None)
    for s in problem.stops:
        loc.append(s.location)
        service.append(s.service)
        demand.append(s.demand)
        owner.append(-1)
        stop.append(s)
    for v, vt in enumerate(vehicles):
        if not vt.reload:
            continue
        total = sum(s.demand for s in problem.stops if problem.allows(s, vt))
        need = math.ceil(total / vt.capacity) - 1 if vt.capacity > 0 else 0
        cap = vt.max_reloads if vt.max_reloads is not None else MAX_RELOAD_NODES
        for _ in range(max(0, min(need, cap, MAX_RELOAD_NODES))):
            loc.append(vt.depot)
            service.append(problem.depot_service(vt.depot))
            demand.append(-vt.capacity)
            owner.append(v)
            stop.append(None)
    return loc, service, demand, owner, stop


def solve_ortools(problem: RoutingProblem, *, time_limit: float) -> RoutingSolution:
    """Plan ``problem`` with OR-Tools routing within ``time_limit`` seconds (one core)."""
    start = time.monotonic()
    vehicles = [(vt, i) for vt in problem.vehicle_types for i in range(vt.count)]
    loc, service, demand, owner, stop = _nodes(problem)
    n_vehicles = len(vehicles)
    if n_vehicles == 0 or not problem.stops:
        return build_solution(problem, [], wall_s=time.monotonic() - start, engine="ortools")
    starts = list(range(n_vehicles))
    manager = pywrapcp.RoutingIndexManager(len(loc), n_vehicles, starts, starts)
    routing = pywrapcp.RoutingModel(manager)
    locs = np.array(loc)

    arc_cb: dict[int, int] = {}
    time_cb: dict[int, int] = {}
    for p in sorted({vt.profile for vt, _ in vehicles}):
        dist = problem.distances[p][np.ix_(locs, locs)].astype(np.int64)
        dur = problem.durations[p][np.ix_(locs, locs)].astype(np.int64)
        cost = problem.distance_cost * dist
        arc_cb[p] = routing.RegisterTransitMatrix(cost.tolist())
        time_cb[p] = routing.RegisterTransitMatrix((dur + np.array(service)[:, None]).tolist())
    for v, (vt, _) in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(arc_cb[vt.profile], v)
        routing.SetFixedCostOfVehicle(vt.fixed_cost, v)

    horizon = min(HUGE, max(min(vt.latest, HUGE) for vt, _ in vehicles))
    routing.AddDimensionWithVehicleTransits(
        [time_cb[vt.profile] for vt, _ in vehicles], horizon, horizon, False, "time"
    )
    time_dim = routing.GetDimensionOrDie("time")
    load_cb = routing.RegisterUnaryTransitVector(demand)
    caps = [min(vt.capacity, HUGE) for vt, _ in vehicles]
    routing.AddDimensionWithVehicleCapacity(load_cb, max(caps), caps, True, "load")
    load_dim = routing.GetDimensionOrDie("load")

    limits = [vt.max_distance for vt, _ in vehicles]
    if any(m is not None for m in limits):
        raw = {
            p: routing.RegisterTransitMatrix(problem.distances[p][np.ix_(locs, locs)].tolist())
            for p in arc_cb
        }
        routing.AddDimensionWithVehicleTransitAndCapacity(
            [raw[vt.profile] for vt, _ in vehicles],
            0,
            [min(m if m is not None else HUGE, HUGE) for m in limits],
            True,
            "distance",
        )

    for node in range(n_vehicles, len(loc)):
        index = manager.NodeToIndex(node)
        s = stop[node]
        if s is None:  # a reload node: only for its vehicle, free to skip, load may reset
            routing.VehicleVar(index).SetValues([-1, owner[node]])
            routing.AddDisjunction([index], 0)
            continue
        load_dim.SlackVar(index).SetValue(0)
        windows = s.windows
        cumul = time_dim.CumulVar(index)
        cumul.SetRange(windows[0][0], min(windows[-1][1], horizon))
        for (_, hi), (lo, _) in itertools.pairwise(windows):
            if hi + 1 <= lo - 1:
                cumul.RemoveInterval(hi + 1, lo - 1)
        allowed = [v for v, (vt, _) in enumerate(vehicles) if problem.allows(s, vt)]
        if len(allowed) < n_vehicles:
            routing.VehicleVar(index).SetValues([-1, *allowed])
        if not s.required:
            routing.AddDisjunction([index], s.penalty)
    for v, (vt, _) in enumerate(vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(vt.earliest, min(vt.latest, horizon))
        time_dim.CumulVar(routing.End(v)).SetMax(min(vt.latest, horizon))
        load_dim.SlackVar(routing.Start(v)).SetValue(0)
        if vt.max_duration is not None:
            time_dim.SetSpanUpperBoundForVehicle(vt.max_duration, v)
        time_dim.SetSpanCostCoefficientForVehicle(problem.duration_cost, v)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(v)))

    solution, used = _search(routing, start, time_limit)
    wall = time.monotonic() - start
    if solution is None:
        unserved = tuple(s.id for s in problem.stops)
        return RoutingSolution(problem, (), unserved, wall, "no solution", "ortools")

    routes = []
    for v, (vt, i) in enumerate(vehicles):
        trips: list[list[str]] = [[]]
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if stop[node] is None:
                trips.append([])
            else:
                trips[-1].append(stop[node].id)
            index = solution.Value(routing.NextVar(index))
        if any(trips):
            routes.append(build_route(problem, vt.id, i, [t for t in trips if t]))
    engine = f"ortools({used}+GLS)" if used == FIRST else f"ortools(fallback {used}+GLS)"
    return build_solution(problem, routes, wall_s=wall, engine=engine)


def _params(strategy: str, seconds: float, first_only: bool) -> object:
    """Search parameters: a first-solution strategy, guided local search, a time limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if first_only:
        params.solution_limit = 1
    return params


def _search(
    routing: pywrapcp.RoutingModel, start: float, time_limit: float
) -> tuple[pywrapcp.Assignment | None, str]:
    """First solution by ``FIRST`` (else ``FALLBACK``), then guided local search until the limit.

    A first-solution attempt that fails can use the whole time limit without returning, so
    the first strategy only gets ``FIRST_SHARE`` of it to find a first solution.
    """
    first = None
    used = ""
    for strategy, share in ((FIRST, FIRST_SHARE), (FALLBACK, 1.0)):
        left = time_limit - (time.monotonic() - start)
        first = routing.SolveWithParameters(_params(strategy, left * share, True))
        if first is not None:
            used = strategy
            break
    if first is None:
        return None, ""
    left = time_limit - (time.monotonic() - start)
    if left <= 0.05:
        return first, used
    best = routing.SolveFromAssignmentWithParameters(first, _params(used, left, False))
    return (best if best is not None else first), used
