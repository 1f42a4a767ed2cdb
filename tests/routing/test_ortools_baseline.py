"""The OR-Tools routing baseline (benchmarks/ortools_routing.py) on the same tiny models."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from optimizer.routing.problem import Depot, Stop, VehicleType

_PATH = Path(__file__).parents[2] / "benchmarks" / "ortools_routing.py"
_spec = importlib.util.spec_from_file_location("ortools_routing", _PATH)
ortools_routing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ortools_routing)


@pytest.fixture
def solve_ortools():
    """The baseline's solve function with a tiny time limit."""
    return lambda problem: ortools_routing.solve_ortools(problem, time_limit=0.5)


def test_reloads_windows_and_optional_stops(line, check, solve_ortools):
    p = line(
        [
            Stop("A", 1, demand=3, latest=30),
            Stop("B", 2, demand=3),
            Stop("far", 6, required=False, penalty=10),
        ],
        [VehicleType("v", capacity=5, reload=True)],
        depots=[Depot(0, service=4)],
    )
    s = solve_ortools(p)
    check(p, s)
    assert s.unserved == ("far",)
    assert len(s.routes[0].reloads) == 1
    assert s.engine.startswith("ortools")


def test_allowed_types_and_second_window(line, check, solve_ortools):
    p = line(
        [
            Stop("C", 3, allowed_vehicle_types=("b",)),
            Stop("A", 1, latest=5, extra_windows=((40, 50),)),
        ],
        [VehicleType("a", earliest=20), VehicleType("b")],
    )
    s = solve_ortools(p)
    check(p, s)
    served_by = {v.stop_id: r.vehicle_type for r in s.routes for v in r.visits}
    assert served_by["C"] == "b"
