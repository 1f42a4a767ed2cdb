"""Independent checker of a routing plan against its problem, in exact integer arithmetic.

It reads only the data model (never the engine or the route builder) and re-derives every
claim a plan makes: who is served, on which vehicle, when (no travel faster than the matrix
allows, service windows and durations, work windows, refills), how much is carried per trip,
and how far each route goes. Each broken rule is one :class:`Violation`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from optimizer.routing.problem import Route, RoutingProblem, RoutingSolution, Stop, VehicleType


@dataclass(frozen=True)
class Violation:
    """One broken rule: its name, what it concerns (route or stop), and a sentence."""

    rule: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.subject}: {self.message}"


def validate(problem: RoutingProblem, solution: RoutingSolution) -> list[Violation]:
    """Every rule ``solution`` breaks in ``problem`` (empty when the plan is valid)."""
    found: list[Violation] = []
    stops = {s.id: s for s in problem.stops}
    types = {v.id: v for v in problem.vehicle_types}
    seen: dict[str, str] = {}
    vehicles: set[tuple[str, int]] = set()
    for route in solution.routes:
        name = f"{route.vehicle_type}#{route.index}"
        vt = types.get(route.vehicle_type)
        if vt is None:
            found.append(Violation("vehicle", name, "unknown vehicle type"))
            continue
        if not 0 <= route.index < vt.count or (vt.id, route.index) in vehicles:
            found.append(Violation("fleet", name, f"only {vt.count} vehicle(s), each used once"))
        vehicles.add((vt.id, route.index))
        for v in route.visits:
            if v.stop_id in seen:
                found.append(Violation("once", v.stop_id, f"visited by {seen[v.stop_id]} too"))
            seen.setdefault(v.stop_id, name)
            stop = stops.get(v.stop_id)
            if stop is None:
                found.append(Violation("stop", name, f"unknown stop {v.stop_id}"))
            elif stop.allowed_vehicle_types is not None and vt.id not in stop.allowed_vehicle_types:
                found.append(Violation("vehicle type", v.stop_id, f"may not be served by {vt.id}"))
        if all(v.stop_id in stops for v in route.visits):
            found += _check_route(problem, stops, vt, route, name)
    for s in problem.stops:
        if s.id not in seen and s.required:
            found.append(Violation("required", s.id, "required stop not served"))
        if (s.id not in seen) != (s.id in solution.unserved):
            found.append(Violation("report", s.id, "unserved list disagrees with the routes"))
    return found


def _trips(route: Route, name: str, found: list[Violation]) -> list[list[int]]:
    """Visit positions per trip; trip numbers must go 0, 1, 2, ... with a reload between."""
    trips: list[list[int]] = [[] for _ in range(len(route.reloads) + 1)]
    prev = 0
    for k, v in enumerate(route.visits):
        step = v.trip - prev
        if step not in (0, 1) or v.trip > len(route.reloads) or v.after_reload != (step == 1):
            found.append(Violation("trips", name, f"visit {v.stop_id}: inconsistent trip number"))
            return [list(range(len(route.visits)))]
        trips[v.trip].append(k)
        prev = v.trip
    if any(not t for t in trips):
        found.append(Violation("trips", name, "a trip between reloads visits nothing"))
    return trips


def _check_route(
    problem: RoutingProblem,
    stops: dict[str, Stop],
    vt: VehicleType,
    route: Route,
    name: str,
) -> list[Violation]:
    """Times, loads, reloads and distance of one route."""
    found: list[Violation] = []
    dist = problem.distances[vt.profile]
    dur = problem.durations[vt.profile]
    fill = next((d.service for d in problem.depots if d.location == vt.depot), 0)
    trips = _trips(route, name, found)
    if route.reloads and not vt.reload:
        found.append(Violation("reload", name, "vehicle may not return to reload"))
    if vt.max_reloads is not None and len(route.reloads) > vt.max_reloads:
        found.append(Violation("reload", name, f"{len(route.reloads)} reloads > {vt.max_reloads}"))
    if route.depart < vt.earliest:
        found.append(Violation("work window", name, f"leaves at {route.depart} < {vt.earliest}"))
    free = route.depart + fill  # when the vehicle may leave its current place
    here = vt.depot
    path = [vt.depot]
    for t, trip in enumerate(trips):
        if t > 0:
            reload = route.reloads[t - 1]
            need = free + int(dur[here, vt.depot])
            if reload.arrive < need or reload.end < reload.arrive + fill:
                found.append(Violation("travel", name, f"reload {t} earlier than possible"))
            free, here = reload.end, vt.depot
            path.append(vt.depot)
        load = 0
        for k in trip:
            v = route.visits[k]
            stop = stops[v.stop_id]
            need = free + int(dur[here, stop.location])
            if v.arrive < need:
                found.append(
                    Violation("travel", v.stop_id, f"arrives at {v.arrive}, possible {need}")
                )
            if v.start < v.arrive:
                found.append(Violation("time", v.stop_id, "service starts before arrival"))
            if not any(lo <= v.start <= hi for lo, hi in stop.windows):
                found.append(Violation("window", v.stop_id, f"starts at {v.start}, outside window"))
            if v.end < v.start + stop.service:
                found.append(Violation("service", v.stop_id, f"only {v.end - v.start} on site"))
            load += stop.demand
            free, here = v.end, stop.location
            path.append(stop.location)
        if load > vt.capacity:
            found.append(Violation("capacity", name, f"trip {t} carries {load} > {vt.capacity}"))
    path.append(vt.depot)
    need = free + int(dur[here, vt.depot])
    if route.back < need:
        found.append(Violation("travel", name, f"back at {route.back}, possible {need}"))
    if route.back > vt.latest:
        found.append(Violation("work window", name, f"back at {route.back} > {vt.latest}"))
    if vt.max_duration is not None and route.back - route.depart > vt.max_duration:
        found.append(Violation("duration", name, f"{route.back - route.depart} > max"))
    length = sum(int(dist[a, b]) for a, b in itertools.pairwise(path))
    if length != route.distance:
        found.append(Violation("distance", name, f"reports {route.distance}, drives {length}"))
    if vt.max_distance is not None and length > vt.max_distance:
        found.append(Violation("distance", name, f"{length} > max {vt.max_distance}"))
    return found
