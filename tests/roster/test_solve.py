"""solve_roster: statuses, bound and gap, progress, hints, Ctrl-C, and the search loop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from optimizer.roster import solve
from optimizer.roster.solve import Progress, solve_roster
from optimizer.validate_roster import validate_roster


def _busy_week(tiny):
    """Five people, a week of two shifts with fairness and wishes: many rosters to choose."""
    people = [tiny.person(f"v{i}", team="AB"[i % 2], max_consecutive_days=4) for i in range(5)]
    shifts = [tiny.shift("D", "08:00", 8), tiny.shift("E", "16:00", 8)]
    return tiny.instance(
        people=people,
        days=7,
        shifts=shifts,
        rules=tiny.Rules(min_rest_minutes=600),
        weights=tiny.Weights(fair_minutes=1, isolated_day_off=15, preference=3),
        preferences=[tiny.wish(f"v{i}", i, "D", i % 2 == 0, 2) for i in range(5)],
    )


def test_optimal_plan_reports_bound_gap_and_penalties(tiny):
    inst = _busy_week(tiny)
    seen: list[Progress] = []
    plan = solve_roster(inst, time_limit=2.0, workers=1, on_progress=seen.append)
    assert plan.status == "optimal"
    assert plan.is_feasible()
    assert plan.bound == plan.objective
    assert plan.gap == 0.0
    assert seen and seen[-1].objective == plan.objective
    assert [p.objective for p in seen] == sorted((p.objective for p in seen), reverse=True)
    report = validate_roster(inst, plan.assignments)
    assert report.ok
    assert report.objective == plan.objective
    assert "optimal" in plan.summary()


def test_hint_is_a_valid_start(tiny):
    inst = _busy_week(tiny)
    first = solve_roster(inst, time_limit=2.0, workers=1)
    again = solve_roster(inst, time_limit=2.0, workers=1, hint=first.assignments)
    assert again.objective == first.objective
    assert validate_roster(inst, again.assignments).ok


def test_neighbourhood_search_improves_and_stays_valid(tiny, monkeypatch):
    # Force the large-instance path: a short full run, then neighbourhood re-solves.
    people = [tiny.person(f"v{i}", team="ABC"[i % 3], max_consecutive_days=4) for i in range(9)]
    inst = tiny.instance(
        people=people,
        days=14,
        shifts=[tiny.shift("D", "08:00", 8), tiny.shift("E", "16:00", 8)],
        demand=[tiny.demand("P", d, s, 2) for d in range(14) for s in "DE"],
        rules=tiny.Rules(min_rest_minutes=720),
        weights=tiny.Weights(fair_minutes=1, isolated_day_off=15, preference=3),
        preferences=[tiny.wish(f"v{i}", i, "D", i % 2 == 0, 2) for i in range(9)],
    )
    rounds = []
    improve = solve._Search.improve

    def counted(self, incumbent):
        rounds.append(incumbent.objective)
        return improve(self, incumbent)

    monkeypatch.setattr(solve, "LNS_THRESHOLD", 0)
    monkeypatch.setattr(solve, "BOUND_SHARE", 0.02)
    monkeypatch.setattr(solve, "NEIGHBOURHOOD_S", 0.2)
    monkeypatch.setattr(solve._Search, "improve", counted)
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert rounds, "the neighbourhood search did not run"
    assert plan.is_feasible()  # "optimal" when the search meets the proved bound
    assert plan.objective <= rounds[0]
    report = validate_roster(inst, plan.assignments)
    assert report.ok
    assert report.objective == plan.objective
    assert plan.bound is not None and plan.bound <= plan.objective


CTRL_C_SCRIPT = """
import sys
from optimizer.roster.solve import solve_roster
from optimizer.validate_roster import validate_roster
{load}
def progress(p):
    print("progress", flush=True)
plan = solve_roster(inst, time_limit=60, workers=2, on_progress=progress)
assert validate_roster(inst, plan.assignments).ok
print("status", plan.status, len(plan.assignments), flush=True)
"""
LOAD_WEEK = """
from optimizer.generators.dongying import write
from optimizer.roster.load import load_roster_instance
write(sys.argv[1])
inst = load_roster_instance(sys.argv[1])
"""
# A year-long look-alike of the Curtois-Qu set, solved person by person.
LOAD_YEAR = """
import importlib.util, pathlib
from optimizer.formats.curtois import read_curtois
spec = importlib.util.spec_from_file_location("like", sys.argv[2])
like = importlib.util.module_from_spec(spec)
spec.loader.exec_module(like)
path = pathlib.Path(sys.argv[1] + ".txt")
path.write_text(like.generate(364, 40, 4, 0), encoding="utf-8")
inst = read_curtois(path)
from optimizer.roster import by_person, solve
assert by_person.choices(inst) > solve.BY_PERSON_THRESHOLD
"""


# A month-long look-alike: small, cover all soft, so column generation goes first.
LOAD_MONTH = LOAD_YEAR.replace("generate(364, 40, 4, 0)", "generate(28, 12, 3, 0)").replace(
    "by_person.choices(inst) > solve.BY_PERSON_THRESHOLD",
    "by_person.separable(inst) and by_person.choices(inst) < solve.LNS_THRESHOLD",
)


GENERATOR = str(Path(__file__).parents[2] / "benchmarks" / "curtois_like.py")


def test_ctrl_c_stops_the_running_solve_only_while_it_runs():
    """SIGINT calls the registered stop (CP-SAT's or SCIP's) during the block, not after it."""
    stops = []
    with solve._Interrupt() as interrupt:
        with interrupt.stopping(lambda: stops.append("stop")):
            os.kill(os.getpid(), signal.SIGINT)
            deadline = time.monotonic() + 5
            while not stops and time.monotonic() < deadline:
                time.sleep(0.01)
        assert stops == ["stop"] and interrupt.requested
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
        assert stops == ["stop"]


@pytest.mark.parametrize("load", [LOAD_WEEK, LOAD_MONTH, LOAD_YEAR], ids=["week", "month", "year"])
def test_ctrl_c_returns_the_best_roster_so_far(tmp_path, load):
    proc = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_SCRIPT.format(load=load), str(tmp_path / "week"), GENERATOR],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("progress")
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert time.monotonic() - start < 20
    status = [x for x in out.splitlines() if x.startswith("status")]
    assert status and status[0].split()[1] in ("feasible", "optimal")
    assert int(status[0].split()[2]) > 0
