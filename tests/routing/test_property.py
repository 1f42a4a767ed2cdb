"""Random small problems mixing every feature: the engine's verdict matches the validator's.

Depots away from location 0, several profiles, reloads, optional stops, allowed vehicle
types, second windows, work windows and maximum durations all appear; a plan the engine calls
feasible must pass the independent validator, and one it calls infeasible must fail it.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import numpy as np
import pytest

from optimizer.routing.problem import (
    HUGE,
    Depot,
    RoutingProblem,
    Stop,
    VehicleType,
    build_route,
    build_solution,
)
from optimizer.routing.solve import solve
from optimizer.routing.validate import validate


def random_problem(seed: int) -> RoutingProblem:
    """A random problem on up to 9 grid points (Manhattan distances), depots at 0 and 1."""
    rng = random.Random(seed)
    n = rng.randint(4, 9)
    xy = np.array([[rng.randint(0, 50), rng.randint(0, 50)] for _ in range(n)])
    dist = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2).astype(np.int64)
    types = []
    for k in range(rng.randint(1, 3)):
        early = rng.choice([0, 0, 50])
        types.append(
            VehicleType(
                f"t{k}",
                count=rng.randint(1, 2),
                capacity=rng.choice([HUGE, 5, 8]),
                depot=rng.choice([0, 1]),
                earliest=early,
                latest=early + rng.choice([200, 400, HUGE]),
                max_duration=rng.choice([None, 150]),
                reload=rng.random() < 0.5,
                profile=rng.randrange(2),
                fixed_cost=rng.choice([0, 10]),
            )
        )
    stops = []
    for i in range(2, n):
        early, width = rng.randint(0, 200), rng.choice([10, 50, 300])
        stops.append(
            Stop(
                f"s{i}",
                i,
                demand=rng.randint(0, 4),
                service=rng.randint(0, 10),
                earliest=early,
                latest=early + width,
                required=rng.random() < 0.6,
                penalty=rng.randint(0, 200),
                allowed_vehicle_types=(rng.choice(types).id,) if rng.random() < 0.2 else None,
                extra_windows=((early + width + 50, early + width + 100),)
                if rng.random() < 0.2
                else (),
            )
        )
    return RoutingProblem(
        (dist, dist),
        (dist, 2 * dist),
        tuple(stops),
        tuple(types),
        depots=(Depot(0, rng.randint(0, 5)), Depot(1, 3)),
        duration_cost=rng.choice([0, 1]),
    )


@pytest.mark.parametrize("seed", range(6))
def test_engine_status_agrees_with_the_validator(seed):
    problem = random_problem(seed)
    solution = solve(problem, time_limit=0.2, workers=1, seed=seed)
    violations = validate(problem, solution)
    assert solution.feasible == (not violations), violations


def brute_force_cost(problem: RoutingProblem) -> int:
    """Cheapest valid plan of a one-vehicle problem by trying every order of every subset."""
    (vt,) = problem.vehicle_types
    ids = [s.id for s in problem.stops]
    best = HUGE
    for size in range(len(ids) + 1):
        for subset in itertools.combinations(ids, size):
            for order in itertools.permutations(subset):
                routes = [build_route(problem, vt.id, 0, [list(order)])] if order else []
                plan = build_solution(problem, routes)
                if not validate(problem, plan):
                    best = min(best, plan.cost())
    return best


@pytest.mark.parametrize("seed", range(6))
def test_engine_finds_the_brute_force_optimum_on_one_vehicle(seed):
    # Every stop optional, so a valid plan always exists; the depot and profile alternate.
    rng = random.Random(100 + seed)
    base = random_problem(100 + seed)
    vt = replace(
        rng.choice(base.vehicle_types),
        count=1,
        reload=False,
        depot=seed % 2,
        profile=seed // 2 % 2,
    )
    stops = tuple(
        replace(s, required=False, allowed_vehicle_types=None, extra_windows=())
        for s in base.stops[:5]
    )
    problem = replace(base, stops=stops, vehicle_types=(vt,))
    best = brute_force_cost(problem)
    solution = solve(problem, time_limit=0.2, workers=1, seed=seed)
    assert validate(problem, solution) == []
    assert solution.cost() == best
