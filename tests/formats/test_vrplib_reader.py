"""VRPLIB VRPTW reader: values, safe integer scaling, header variants, located errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import vrplib

from optimizer.formats.vrplib_reader import read_vrplib
from optimizer.io import InputError

TINY = """NAME : tiny
TYPE : CVRPTW
DIMENSION : 4
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 1 1
4 0 7
DEMAND_SECTION
1 0
2 4
3 6
4 3
TIME_WINDOW_SECTION
1 0 100
2 0 50.5
3 10.25 60
4 0 100
DEPOT_SECTION
1
-1
EOF
"""
C101 = Path(__file__).parent.parent / "data" / "vrptw" / "C101.vrp"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.vrp"
    path.write_text(text, encoding="utf-8")
    return path


def test_tiny_file_is_read(tmp_path):
    inst = read_vrplib(_write(tmp_path, TINY))
    assert (inst.name, inst.vehicles, inst.capacity, inst.depot) == ("tiny", 2, 10, 0)
    assert inst.customers == [1, 2, 3]
    assert inst.service.tolist() == [0, 5, 5, 5]  # the header's service time: customers only
    assert inst.demand.tolist() == [0, 4, 6, 3]
    assert inst.distances()[0, 1] == 5.0


def test_scaling_rounds_times_up_and_windows_inwards(tmp_path):
    p = read_vrplib(_write(tmp_path, TINY)).to_problem(scale=100)
    dist, dur = p.distances[0], p.durations[0]
    assert dur[0, 1] == dist[0, 1] == 500  # a whole distance stays exact
    assert dist[0, 2] == round(100 * math.sqrt(2)) == 141
    assert dur[0, 2] == 142  # travel time rounded up
    b, c = p.stop("2"), p.stop("3")
    assert (b.earliest, b.latest, b.service, b.demand) == (1025, 6000, 500, 6)
    assert p.stop("1").latest == 5050
    (vehicle,) = p.vehicle_types
    assert (vehicle.count, vehicle.capacity, vehicle.latest) == (2, 10, 10000)
    assert c.location == 3


def test_missing_vehicles_and_per_node_service_times(tmp_path):
    text = TINY.replace("VEHICLES : 2\n", "").replace("SERVICE_TIME : 5\n", "")
    text = text.replace(
        "DEPOT_SECTION", "SERVICE_TIME_SECTION\n1 9\n2 1\n3 2.5\n4 3\nDEPOT_SECTION"
    )
    inst = read_vrplib(_write(tmp_path, text))
    assert inst.vehicles == 3  # one per customer when the fleet is not given
    assert inst.service.tolist() == [0, 1, 2.5, 3]  # the depot's value is ignored


def test_matches_the_vrplib_package_on_solomon_c101():
    ref = vrplib.read_instance(str(C101))
    inst = read_vrplib(C101)
    assert np.array_equal(inst.coords, ref["node_coord"])
    assert np.array_equal(inst.demand, ref["demand"])
    assert np.array_equal(inst.latest, ref["time_window"][:, 1])
    assert (inst.vehicles, inst.capacity) == (ref["vehicles"], ref["capacity"])
    assert inst.service[1] == ref["service_time"] and inst.service[0] == 0


@pytest.mark.parametrize(
    ("old", "new", "row", "message"),
    [
        ("3 1 1\n", "3 1 x\n", 11, "not a number"),
        ("3 1 1\n", "3 1\n", 11, "need 3 numbers"),
        ("2 4\n", "2 4.5\n", 15, "not a whole number"),
        ("EDGE_WEIGHT_TYPE : EUC_2D", "EDGE_WEIGHT_TYPE : GEO", None, "not supported"),
        ("DEPOT_SECTION", "PICKUP_SECTION\nDEPOT_SECTION", 23, "unsupported section"),
        ("4 0 100\nDEPOT", "4 100 0\nDEPOT", 22, "closes before it opens"),
        ("4 3\n", "4 -3\n", 17, "negative"),
        ("CAPACITY : 10\n", "", None, "missing CAPACITY"),
        ("4 3\nTIME", "TIME", None, "exactly once"),
    ],
)
def test_bad_files_name_the_line(tmp_path, old, new, row, message):
    assert old in TINY
    with pytest.raises(InputError, match=message) as err:
        read_vrplib(_write(tmp_path, TINY.replace(old, new, 1)))
    assert err.value.row == row


def _tight_instance(rng: np.random.Generator, n: int) -> tuple[str, list[int]]:
    """A random file whose windows close just before or after a random order arrives.

    Coordinates, service times and windows are fractional, so every arc is irrational and
    whether the order is on time hinges on how travel times are rounded.
    """
    xy = rng.uniform(0, 50, size=(n + 1, 2)).round(3)
    service = [0.0, *rng.uniform(0, 9, size=n).round(2)]
    order = [int(c) for c in rng.permutation(np.arange(1, n + 1))]
    latest = [1000.0] * (n + 1)
    t, here = 0.0, 0
    for c in order:
        dx, dy = xy[c] - xy[here]
        t += float(np.sqrt(dx * dx + dy * dy))
        latest[c] = round(t + rng.uniform(-0.002, 0.02), 6)
        t += service[c]
        here = c
    lines = ["NAME : rand", f"DIMENSION : {n + 1}", "CAPACITY : 1000", "NODE_COORD_SECTION"]
    lines += [f"{i + 1} {x} {y}" for i, (x, y) in enumerate(xy)]
    lines += ["DEMAND_SECTION"] + [f"{i + 1} 1" for i in range(n + 1)]
    lines += ["TIME_WINDOW_SECTION"] + [f"{i + 1} 0 {lo}" for i, lo in enumerate(latest)]
    lines += ["SERVICE_TIME_SECTION"] + [f"{i + 1} {s}" for i, s in enumerate(service)]
    return "\n".join([*lines, "DEPOT_SECTION", "1", "-1", "EOF"]) + "\n", order


def test_integer_feasible_routes_are_feasible_in_double_precision(tmp_path):
    # Whenever the scaled integer model accepts a route, recomputing its times with real
    # distances must keep every start within its window (here the windows are tight).
    from optimizer.routing.problem import build_route

    rng = np.random.default_rng(5)
    accepted = 0
    for _ in range(200):
        text, order = _tight_instance(rng, 6)
        inst = read_vrplib(_write(tmp_path, text))
        route = build_route(inst.to_problem(scale=1000), "vehicle", 0, [[str(c) for c in order]])
        if route.late:
            continue
        accepted += 1
        real = inst.distances()
        t, here = 0.0, 0
        for c in order:
            t = max(t + real[here, c], inst.earliest[c])
            assert t <= inst.latest[c]
            t += inst.service[c]
            here = c
    assert 20 < accepted < 180  # both outcomes occur, so the rounding is really tested
