"""Separable rosters solved person by person: valid, exactly scored, and priced right."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import random
import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from optimizer.formats.curtois import read_curtois
from optimizer.roster import by_person, solve
from optimizer.roster.domain import Assignment, Weights
from optimizer.roster.solve import Clock, solve_roster
from optimizer.validate_roster import validate_roster

# Two people who must each work exactly one early shift in the week; days 0 and 1 need one
# person each (100 per person short, 50 per person too many), other days nobody (1 too many).
TWO = """\
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,

SECTION_STAFF
A,E=7,480,480,1,1,1,1
B,E=7,480,480,1,1,1,1

SECTION_COVER
0,E,1,100,50
1,E,1,100,50
2,E,0,100,1
3,E,0,100,1
4,E,0,100,1
5,E,0,100,1
6,E,0,100,1
"""


def _read(tmp_path: Path, text: str) -> object:
    path = tmp_path / "Two.txt"
    path.write_text(text, encoding="utf-8")
    return read_curtois(path)


@pytest.fixture
def by_person_always(monkeypatch):
    """Send every separable instance down the person-by-person path, however small."""
    monkeypatch.setattr(solve, "BY_PERSON_THRESHOLD", 0)


def test_what_is_separable(tmp_path):
    inst = _read(tmp_path, TWO)
    assert by_person.separable(inst)
    assert by_person.choices(inst) == 14  # two people, seven rows each
    fair = dataclasses.replace(inst, weights=Weights(fair_minutes=1))
    assert not by_person.separable(fair)
    hard = dataclasses.replace(
        inst, demand=(dataclasses.replace(inst.demand[0], weight_under=None), *inst.demand[1:])
    )
    assert not by_person.separable(hard)


@pytest.mark.parametrize("seed", [0, 1])
def test_roster_is_valid_and_scored_exactly(tmp_path, by_person_always, seed, curtois_like):
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(28, 12, 4, seed), encoding="utf-8", newline="")
    inst = read_curtois(path)
    seen = []
    plan = solve_roster(inst, time_limit=3.0, workers=1, seed=seed, on_progress=seen.append)
    assert plan.is_feasible()
    report = validate_roster(inst, plan.assignments)
    assert report.ok, report.violations[:3]
    assert report.objective == plan.objective == sum(p.amount for p in plan.penalties)
    # The running objective kept during the sweeps is the roster's exact objective.
    assert seen and seen[-1].objective == plan.objective
    assert all(a.objective >= b.objective for a, b in itertools.pairwise(seen))
    # The models hidden from the garbage collector during the solve are handed back to it.
    assert gc.get_freeze_count() == 0


def test_a_person_moves_off_a_full_row_onto_a_short_one(tmp_path):
    """Both start on day 0: for A that row is full (B is there) and day 1 is short."""
    inst = _read(tmp_path, TWO)
    start = time.monotonic()
    clock = Clock(start, 10.0, 1, 0, solve._Reporter(start, None), solve._Interrupt())
    search = by_person.BestResponse(inst, clock)
    for v in inst.volunteers:
        person = by_person.Person(search.person_instance(v))
        pinned = cp_model.CpModel()
        pinned.Proto().copy_from(person.model.cp.Proto())
        day0 = next(x for (_, d, _, _), x in person.model.x.items() if d == 0)
        pinned.Add(pinned.GetBoolVarFromProtoIndex(day0.Index()) == 1)
        solver = cp_model.CpSolver()
        assert solver.Solve(pinned) == cp_model.OPTIMAL
        person.values = list(solver.ResponseProto().solution)
        search.people[v.id] = person
        search.count.update(person.worked())
    assert search.cover_cost() == 50 + 100  # one too many on day 0, nobody on day 1
    searches = []
    run = clock.run

    def recorded(cp, limit, **kwargs):
        searches.append(kwargs["local_search"])
        return run(cp, limit, **kwargs)

    clock.run = recorded
    saved = search.visit(search.people["A"], 5.0)
    assert saved == 150
    assert search.people["A"].worked() == [("ward", 1, "E")]
    assert search.cover_cost() == 0
    # B is now alone on day 0: staying is best, nothing to save, and since local search found
    # nothing better, B's next visit runs the whole portfolio; A's still local search.
    assert search.visit(search.people["B"], 5.0) == 0
    assert search.people["A"].local and not search.people["B"].local
    assert search.visit(search.people["B"], 5.0) == 0
    assert search.visit(search.people["A"], 5.0) == 0
    assert searches == [True, True, False, True]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_priced_objective_is_the_priced_cost(tmp_path, seed, curtois_like):
    """What a person's model minimises after ``minimize`` is exactly their priced cost."""
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(28, 3, 3, seed), encoding="utf-8", newline="")
    inst = read_curtois(path)
    search = by_person.BestResponse(inst, None)
    rng = random.Random(seed)
    for v in inst.volunteers:
        person = by_person.Person(search.person_instance(v))
        prices = [rng.choice([-100, -7, 0, 1, 5]) for _ in person.rows]
        person.minimize(prices)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.Solve(person.model.cp) == cp_model.OPTIMAL
        values = list(solver.ResponseProto().solution)
        # CP-SAT reports the value as a float (1.9999999999999996 for 2, with Minimize too).
        assert round(solver.ObjectiveValue()) == person.priced_cost(values, prices)
        # Pricing again replaces the prices rather than adding to them.
        person.minimize([0] * len(prices))
        assert solver.Solve(person.model.cp) == cp_model.OPTIMAL
        values = list(solver.ResponseProto().solution)
        assert round(solver.ObjectiveValue()) == person.priced_cost(values, [0] * len(prices))


# One person, four weeks, who works 14-16 early shifts in runs of 2-5 days with 2 days off.
RUNS = """\
SECTION_HORIZON
28

SECTION_SHIFTS
E,480,

SECTION_STAFF
A,E=28,7680,6720,5,2,2,4

SECTION_COVER
""" + "".join(f"{d},E,1,100,1\n" for d in range(28))


def test_the_first_search_starts_from_runs_within_the_persons_limits(tmp_path):
    """The pattern alone already meets the run and time rules here, at a phase of its own."""
    inst = _read(tmp_path, RUNS)
    search = by_person.BestResponse(inst, None)
    person = by_person.Person(search.person_instance(inst.volunteers[0]))
    rosters = set()
    for seed in range(5):
        rows = person.worked_in(person.pattern(random.Random(seed)))
        # Runs of 4 (the longest, 5, less a fifth), rests of 3: 16 shifts in four weeks.
        assert len(rows) == 16
        plan = [Assignment("A", d, s, post) for post, d, s in rows]
        assert validate_roster(inst, plan).ok
        rosters.add(tuple(rows))
    assert len(rosters) > 1


def test_a_person_who_cannot_meet_their_own_rules(tmp_path, by_person_always):
    inst = _read(tmp_path, TWO.replace("B,E=7,480,480", "B,E=0,480,480"))  # 480 min, no shift
    plan = solve_roster(inst, time_limit=5.0, workers=1)
    assert plan.status == "infeasible"
    assert not plan.assignments
    assert any("hours" in line for line in plan.explanation)


def test_no_time_no_roster(tmp_path, by_person_always):
    plan = solve_roster(_read(tmp_path, TWO), time_limit=0.0, workers=1)
    assert plan.status == "timeout"
    assert not plan.assignments


def test_small_instances_with_soft_cover_start_the_full_model_cold(tmp_path, monkeypatch):
    calls = []
    first_roster = solve._Search.first_roster

    def counted(self, *args):
        calls.append(args)
        return first_roster(self, *args)

    monkeypatch.setattr(solve._Search, "first_roster", counted)
    soft = _read(tmp_path, TWO)
    plan = solve_roster(soft, time_limit=5.0, workers=1)
    assert plan.status == "optimal" and plan.objective == 0
    assert validate_roster(soft, plan.assignments).ok
    assert not calls
    hard = dataclasses.replace(
        soft, demand=(dataclasses.replace(soft.demand[0], weight_under=None), *soft.demand[1:])
    )
    plan = solve_roster(hard, time_limit=5.0, workers=1)
    assert plan.status == "optimal" and plan.objective == 0
    assert len(calls) == 1
    assert validate_roster(hard, plan.assignments).ok
