"""benchmarks/vrptw.py: the script end to end on a tiny file, and its exact checker."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

_DIR = Path(__file__).parents[2] / "benchmarks"
_spec = importlib.util.spec_from_file_location("vrptw_benchmark", _DIR / "vrptw.py")
vrptw = importlib.util.module_from_spec(_spec)
_saved_path = list(sys.path)
try:
    _spec.loader.exec_module(vrptw)  # it puts benchmarks/ on sys.path for its sibling module
finally:
    sys.path[:] = _saved_path

# Customer 1 at (3, 4) opens at 10; customer 2 at (0, 8) must start by 9.
TINY = """NAME : tiny
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 1
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 0 8
DEMAND_SECTION
1 0
2 6
3 4
TIME_WINDOW_SECTION
1 0 100
2 10 20
3 0 9
DEPOT_SECTION
1
-1
EOF
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "tiny.vrp").write_text(TINY)
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\ntiny,1,20.0,test\n")
    return tmp_path


def _check(folder: Path, routes: str) -> tuple[int, float, list[str]]:
    sol = folder / "try.sol"
    sol.write_text(routes + "Cost 0\n")
    return vrptw.check_exact(folder / "tiny.vrp", sol)


def test_exact_checker_accepts_a_valid_plan_and_measures_it(folder):
    # 0 -> 2 (8) -> 1 (5, then wait to 10) -> 0 (5): feasible, 18 long.
    vehicles, distance, problems = _check(folder, "Route #1: 2 1\n")
    assert (vehicles, distance, problems) == (1, 18.0, [])


@pytest.mark.parametrize(
    ("routes", "problem"),
    [
        ("Route #1: 1 2\n", "starts at"),  # 2 is reached at 16 > 9
        ("Route #1: 2\n", "not all served"),
        ("Route #1: 2 1\nRoute #2: 1\n", "not all served"),
        ("Route #1: 2 1 7\n", "unknown customer"),
    ],
)
def test_exact_checker_catches_broken_plans(folder, routes, problem):
    _, _, problems = _check(folder, routes)
    assert any(problem in p for p in problems), problems


def test_over_capacity_is_caught(folder):
    (folder / "tiny.vrp").write_text(TINY.replace("CAPACITY : 10", "CAPACITY : 9"))
    _, _, problems = _check(folder, "Route #1: 2 1\n")
    assert any("capacity" in p for p in problems)


def test_script_writes_sol_files_and_results(folder):
    out = folder / "out"
    code = vrptw.main(
        [str(folder / "tiny.vrp"), "--time-limit", "0.3", "--out", str(out), "--solver", "both"]
    )
    assert code == 0
    assert (out / "tiny.sol").read_text().startswith("Route #1: 2 1\n")
    assert (out / "tiny.ortools.sol").exists()
    with (out / "results.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["solver"] for r in rows] == ["fangyi", "ortools"]
    assert rows[0]["distance"] == "18.0000" and rows[0]["feasible"] == "True"
    assert rows[0]["gap_pct"] == "-10.000"  # against the 20.0 of bks.csv
    assert {"machine", "date", "time_limit", "loadavg"} <= set(rows[0])
