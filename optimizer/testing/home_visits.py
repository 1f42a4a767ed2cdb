"""Home visits: routes of the mobile sampling teams through the routing core.

Every resident with ``home_visit`` is a required stop at their building with their own
service time (registration and sampling one to one). ``teams`` teams start from and return
to each depot sampling point inside ``[testing.home_visits]`` hours, walking ``walk_factor`` times
slower than residents because they carry kits and cold boxes. Times are clock minutes of the
round's date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.routing.problem import RoutingProblem, Stop, VehicleType
from optimizer.routing.solve import solve
from optimizer.testing.domain import TestingRound
from optimizer.testing.solver import Progress, SolveStats


@dataclass(frozen=True)
class HomeVisit:
    """Team ``team`` (of ``depot``) visits ``resident`` as its ``order``-th stop, sampling in
    ``[start, end)``."""

    team: str
    depot: str
    order: int
    resident: str
    building: str
    start: int
    end: int


def routing_problem(rnd: TestingRound) -> RoutingProblem:
    """The home visits as a routing problem (the depots come first; one vehicle type each)."""
    home = rnd.rules.home
    visits = [p for p in rnd.residents if p.home_visit]
    sites = list(dict.fromkeys([*home.depots, *(p.building for p in visits)]))
    index = {s: i for i, s in enumerate(sites)}
    metres = np.array([[round(rnd.distance[a, b]) for b in sites] for a in sites], dtype=np.int64)
    speed = rnd.rules.walk_metres_per_minute / home.walk_factor
    minutes = np.ceil(metres / speed).astype(np.int64)
    stops = tuple(
        Stop(
            p.id,
            index[p.building],
            service=p.service_minutes,
            earliest=home.start,
            latest=home.end - p.service_minutes,
        )
        for p in visits
    )
    teams = tuple(
        VehicleType(
            d, count=max(1, home.teams), depot=index[d], earliest=home.start, latest=home.end
        )
        for d in home.depots
    )
    return RoutingProblem(
        (metres,), (minutes,), stops, teams, distance_cost=1, name=f"{rnd.name} home visits"
    )


def plan_home_visits(
    rnd: TestingRound,
    *,
    time_limit: float,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> tuple[list[HomeVisit], SolveStats]:
    """Route the mobile teams to every home-visit resident; the status says if all fit."""
    if not any(p.home_visit for p in rnd.residents):
        return [], SolveStats("home_visits", "optimal", 0.0, 0.0, 0.0, 0.0)
    problem = routing_problem(rnd)
    report = None
    if on_progress is not None:

        def report(elapsed: float, cost: int) -> None:
            on_progress(f"home visits: {cost} m walked, {elapsed:.1f} s")

    sol = solve(problem, time_limit=time_limit, seed=seed, on_progress=report)
    building = {p.id: p.building for p in rnd.residents}
    visits = [
        HomeVisit(
            f"{route.vehicle_type}-{route.index + 1}",
            route.vehicle_type,
            k + 1,
            v.stop_id,
            building[v.stop_id],
            v.start,
            v.end,
        )
        for route in sol.routes
        for k, v in enumerate(route.visits)
    ]
    status = "feasible" if sol.feasible else "infeasible"
    # A heuristic proves no bound: the objective (metres walked) is reported without a gap.
    stats = SolveStats("home_visits", status, float(sol.distance), None, None, sol.wall_s)
    return visits, stats
