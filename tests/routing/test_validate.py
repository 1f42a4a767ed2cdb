"""The independent validator: a valid plan passes, each kind of broken plan is caught."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.routing.problem import (
    Depot,
    Reload,
    RoutingSolution,
    Stop,
    VehicleType,
    build_route,
    build_solution,
)
from optimizer.routing.validate import validate


@pytest.fixture
def plan(line):
    """Two stops on one multi-trip route (capacity 5, demands 3), refills take 4."""
    p = line(
        [Stop("A", 1, demand=3, service=2, latest=20), Stop("B", 2, demand=3, service=2)],
        [VehicleType("v", capacity=5, reload=True, latest=500)],
        depots=[Depot(0, service=4)],
    )
    return p, build_solution(p, [build_route(p, "v", 0, [["A"], ["B"]])])


def _with_route(solution: RoutingSolution, **changes) -> RoutingSolution:
    """The solution with its single route changed."""
    return replace(solution, routes=(replace(solution.routes[0], **changes),))


def _rules(problem, solution) -> set[str]:
    return {v.rule for v in validate(problem, solution)}


def test_valid_plan_passes(plan):
    p, s = plan
    assert validate(p, s) == []


def test_late_start_is_caught(plan):
    p, s = plan
    visits = list(s.routes[0].visits)
    visits[0] = replace(visits[0], arrive=21, start=21, end=23)
    assert "window" in _rules(p, _with_route(s, visits=tuple(visits)))


def test_travel_faster_than_the_matrix_is_caught(plan):
    p, s = plan
    visits = list(s.routes[0].visits)
    visits[1] = replace(visits[1], arrive=visits[1].arrive - 1, start=visits[1].start - 1)
    assert "travel" in _rules(p, _with_route(s, visits=tuple(visits)))


def test_short_refill_is_caught(plan):
    p, s = plan
    (reload,) = s.routes[0].reloads
    broken = _with_route(s, reloads=(Reload(reload.arrive, reload.arrive + 3),))
    assert "travel" in _rules(p, broken)


def test_over_capacity_is_caught(plan):
    p, s = plan
    merged = build_route(p, "v", 0, [["A", "B"]])
    assert "capacity" in _rules(p, replace(s, routes=(merged,)))


def test_reload_by_a_vehicle_that_may_not_is_caught(plan, line):
    p, s = plan
    no_reload = line(
        p.stops,
        [VehicleType("v", capacity=5, latest=500)],
        depots=p.depots,
    )
    assert "reload" in _rules(no_reload, s)


def test_wrong_distance_is_caught(plan):
    p, s = plan
    assert "distance" in _rules(p, _with_route(s, distance=s.routes[0].distance - 1))


def test_missing_and_duplicate_stops_are_caught(plan):
    p, s = plan
    route = s.routes[0]
    only_a = build_route(p, "v", 0, [["A"]])
    assert {"required", "report"} <= _rules(p, replace(s, routes=(only_a,)))
    twice = replace(route, index=0)
    assert {"once", "fleet"} <= _rules(p, replace(s, routes=(route, twice)))


def test_late_return_and_early_departure_are_caught(plan):
    p, s = plan
    assert "work window" in _rules(p, _with_route(s, back=501))
    assert "work window" in _rules(p, _with_route(s, depart=-1))


def test_inconsistent_trip_numbers_are_caught(plan):
    p, s = plan
    visits = tuple(replace(v, trip=0, after_reload=False) for v in s.routes[0].visits)
    assert "trips" in _rules(p, _with_route(s, visits=visits))
