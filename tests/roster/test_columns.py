"""Column generation: the bound it proves is valid, and the roster it dives to is exact."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from optimizer.formats.curtois import read_curtois
from optimizer.roster import solve
from optimizer.roster.columns import dive
from optimizer.roster.model import RosterModel
from optimizer.roster.solve import Clock, solve_roster
from optimizer.validate_roster import validate_roster

_FILE = Path(__file__).parents[2] / "benchmarks" / "curtois_like.py"
_spec = importlib.util.spec_from_file_location("curtois_like", _FILE)
curtois_like = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(curtois_like)

# Two people who must each work exactly one early shift in the week, and days 0 and 1 each
# need two: two places stay short whatever the roster, 100 each.
SHORT = """\
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,

SECTION_STAFF
A,E=7,480,480,1,1,1,1
B,E=7,480,480,1,1,1,1

SECTION_COVER
0,E,2,100,50
1,E,2,100,50
2,E,0,100,1
3,E,0,100,1
4,E,0,100,1
5,E,0,100,1
6,E,0,100,1
"""


def _clock(time_limit: float) -> Clock:
    start = time.monotonic()
    return Clock(start, time_limit, 1, 0, solve._Reporter(start, None), solve._Interrupt())


def _optimum(inst) -> int:
    """The proved optimum of the whole model (no column generation)."""
    model = RosterModel(inst)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    assert solver.Solve(model.cp) == cp_model.OPTIMAL
    return round(solver.ObjectiveValue())


def test_unavoidable_shortfall_is_proved(tmp_path):
    path = tmp_path / "Short.txt"
    path.write_text(SHORT, encoding="utf-8")
    inst = read_curtois(path)
    clock = _clock(10.0)
    result = dive(inst, clock, clock.start + 5.0, clock.start + 8.0)
    assert result.bound == 200  # the LP sees the shortfall: two places, 100 each
    assert result.objective == 200
    report = validate_roster(inst, result.assignments)
    assert report.ok and report.objective == 200


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bound_is_valid_and_dive_roster_exact(tmp_path, seed):
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 5, 2, seed), encoding="utf-8", newline="")
    inst = read_curtois(path)
    clock = _clock(20.0)
    result = dive(inst, clock, clock.start + 10.0, clock.start + 18.0)
    report = validate_roster(inst, result.assignments)
    assert report.ok, report.violations[:3]
    assert report.objective == result.objective
    assert 0 < result.bound <= _optimum(inst) <= result.objective


def test_plan_reports_the_proved_bound(tmp_path):
    path = tmp_path / "Short.txt"
    path.write_text(SHORT, encoding="utf-8")
    inst = read_curtois(path)
    seen = []
    plan = solve_roster(inst, time_limit=5.0, workers=1, on_progress=seen.append)
    assert plan.status == "optimal" and plan.objective == plan.bound == 200
    assert validate_roster(inst, plan.assignments).objective == 200
    # The dive's roster is the first one reported, with the bound column generation proved.
    assert seen[0].bound == 200
