"""The data model's checks and the route builder's forward pass (times are ours)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.routing.problem import (
    Depot,
    Reload,
    RoutingProblem,
    Stop,
    VehicleType,
    build_route,
    build_solution,
)


def test_waiting_is_moved_to_a_later_departure(line):
    # A opens at 50 but is 10 away: leaving at 0 would mean waiting 40, so leave at 40.
    p = line([Stop("A", 1, service=5, earliest=50, latest=60)])
    route = build_route(p, "v", 0, [["A"]])
    assert (route.depart, route.visits[0].arrive, route.visits[0].start) == (40, 50, 50)
    assert (route.back, route.duration, route.distance, route.late) == (65, 25, 20, 0)


def test_departure_delay_stops_where_a_later_window_would_close(line):
    # B (at 20) closes at 25, so the route cannot leave later than 5 even though A waits.
    p = line(
        [Stop("B", 2, latest=25), Stop("A", 1, earliest=100, latest=200)],
    )
    route = build_route(p, "v", 0, [["B", "A"]])
    assert route.depart == 5
    assert route.visits[0].start == 25
    assert route.visits[1].start == 100


def test_reload_takes_the_depot_service_time(line):
    p = line(
        [Stop("A", 1, demand=3), Stop("B", 2, demand=3)],
        [VehicleType("v", capacity=4, reload=True)],
        depots=[Depot(0, service=7)],
    )
    route = build_route(p, "v", 0, [["A"], ["B"]])
    assert route.reloads == (Reload(arrive=27, end=34),)
    assert [(v.stop_id, v.trip, v.after_reload, v.arrive) for v in route.visits] == [
        ("A", 0, False, 17),
        ("B", 1, True, 54),
    ]
    assert route.distance == 60 and route.excess_load == 0


def test_second_window_is_used_when_the_first_has_closed(line):
    p = line([Stop("A", 1, earliest=0, latest=5, extra_windows=((50, 60),))])
    route = build_route(p, "v", 0, [["A"]])
    assert route.visits[0].start == 50 and route.late == 0


def test_lateness_and_excess_load_make_a_solution_infeasible(line):
    p = line([Stop("A", 3, demand=9, latest=10)], [VehicleType("v", capacity=5)])
    route = build_route(p, "v", 0, [["A"]])
    assert route.late == 20 and route.excess_load == 4
    solution = build_solution(p, [route])
    assert solution.status == "infeasible"


def test_unserved_required_stop_makes_a_solution_infeasible(line):
    p = line([Stop("A", 1), Stop("B", 2, required=False, penalty=7)])
    solution = build_solution(p, [build_route(p, "v", 0, [["A"]])])
    assert solution.feasible and solution.unserved == ("B",) and solution.cost() == 20 + 7
    assert build_solution(p, []).status == "infeasible"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stops": (Stop("A", 9),)}, "outside the matrices"),
        ({"stops": (Stop("A", 1), Stop("A", 2))}, "unique"),
        ({"stops": (Stop("A", 1, earliest=5, latest=4),)}, "closes before"),
        ({"stops": (Stop("A", 1, allowed_vehicle_types=("x",)),)}, "unknown vehicle types"),
        ({"vehicle_types": (VehicleType("v", profile=1),)}, "no profile"),
    ],
)
def test_inconsistent_problems_are_refused(kwargs, message):
    dist = np.zeros((3, 3), dtype=np.int64)
    base = {"stops": (Stop("A", 1),), "vehicle_types": (VehicleType("v"),)}
    with pytest.raises(ValueError, match=message):
        RoutingProblem((dist,), (dist,), **(base | kwargs))


def test_float_matrices_are_refused():
    dist = np.zeros((2, 2))
    with pytest.raises(ValueError, match="integer"):
        RoutingProblem((dist,), (dist,), (Stop("A", 1),), (VehicleType("v"),))
