"""Column generation: the bound it proves is valid, and the roster it dives to is exact."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimizer.formats.curtois import read_curtois
from optimizer.roster import columns, solve
from optimizer.roster.columns import ColumnGeneration, Columns, pinned
from optimizer.roster.model import RosterModel
from optimizer.roster.solve import Clock, solve_roster
from optimizer.validate_roster import validate_roster

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


def _clock(time_limit: float, on_progress=None, workers: int = 1) -> Clock:
    start = time.monotonic()
    reporter = solve._Reporter(start, on_progress)
    return Clock(start, time_limit, workers, 0, reporter, solve._Interrupt())


def _read(tmp_path: Path, text: str):
    path = tmp_path / "Short.txt"
    path.write_text(text, encoding="utf-8")
    return read_curtois(path)


def _search(model: RosterModel, time_limit: float) -> solve._Search:
    """A one-worker search over ``model`` whose clock starts now."""
    start = time.monotonic()
    search = solve._Search(
        start, time_limit, 1, 0, solve._Reporter(start, None), solve._Interrupt()
    )
    search.model = model
    return search


def _converged(found: Columns) -> ColumnGeneration:
    """``found``'s column generation with its master converged (for at most 10 s)."""
    generation = found.generation
    assert generation.start(found.pool)
    generation.converge(10**9, found.clock.start + 10.0, found.pool)
    return generation


def _optimum(inst) -> int:
    """The proved optimum of the whole model (no column generation)."""
    return _proved(RosterModel(inst))


def _proved(model: RosterModel) -> int:
    """The proved optimum of ``model``'s CP-SAT model, whatever its objective."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 2
    assert solver.Solve(model.cp) == cp_model.OPTIMAL
    return round(solver.ObjectiveValue())


def test_unavoidable_shortfall_is_proved(tmp_path):
    inst = _read(tmp_path, SHORT)
    clock = _clock(10.0)
    with Columns(inst, clock) as columns:
        assert columns.search(clock.start + 5.0, clock.start + 8.0)
        assert columns.bound == 200  # the LP sees the shortfall: two places, 100 each
        assert columns.cost == 200
        report = validate_roster(inst, columns.roster())
    assert report.ok and report.objective == 200


# Three people, a week, two shift types (B may not follow A): the master LP leaves 3.5 places
# short, every roster at least 4 (the last day needs three on A, and C is off on it).
HALF_PLACE = Path(__file__).parents[1] / "data" / "curtois_half_place.txt"


def _fewest_short(inst) -> int:
    """The fewest places short of any roster, proved by CP-SAT."""
    model = RosterModel(inst)
    short = []
    for d in inst.demand:
        s = model.cp.NewIntVar(0, d.required, "")
        model.cp.Add(s >= d.required - sum(model.demand_people[(d.post, d.day, d.shift)]))
        short.append(s)
    model.cp.Minimize(sum(short))
    return _proved(model)


def test_whole_places_short_raise_the_bound_to_the_optimum():
    inst = read_curtois(HALF_PLACE)
    clock = _clock(20.0)
    with Columns(inst, clock) as found:
        generation = _converged(found)
        assert generation.solve_master() and generation.full.short() == pytest.approx(3.5)
        assert generation.bound == 360  # the LP's own bound
        generation.count_places(clock.start + 15.0, found.pool)
        assert generation.floor == _fewest_short(inst) == 4
        # The floor is lifted again for the dives: the LP's fraction is back.
        assert generation.solve_master() and generation.full.short() == pytest.approx(3.5)
    optimum = _optimum(inst)
    assert generation.bound == optimum == 410
    plan = solve_roster(inst, time_limit=10.0, workers=1)
    assert plan.status == "optimal" and plan.bound == 410
    assert validate_roster(inst, plan.assignments).objective == 410


class _PresolveFails:
    """GLOP whose solves all fail (``ABNORMAL``) unless from scratch without presolve."""

    def __init__(self, lp: pywraplp.Solver) -> None:
        self._lp = lp
        self._options = ""

    def SetSolverSpecificParametersAsString(self, options: str) -> bool:
        self._options = options
        return self._lp.SetSolverSpecificParametersAsString(options)

    def Solve(self, *params: pywraplp.MPSolverParameters) -> int:
        if params and "use_preprocessing: false" in self._options:
            return self._lp.Solve(*params)
        return pywraplp.Solver.ABNORMAL

    def __getattr__(self, name: str) -> object:
        return getattr(self._lp, name)


def test_a_failed_master_solve_is_repeated_from_scratch_without_presolve(tmp_path):
    inst = _read(tmp_path, SHORT)
    clock = _clock(10.0)
    with Columns(inst, clock) as columns:
        columns.generation.full.lp = _PresolveFails(columns.generation.full.lp)
        assert columns.search(clock.start + 5.0, clock.start + 8.0)
        # Without the second solve the bound phase stops at once and proves nothing.
        assert columns.bound == 200
        assert columns.cost == 200
        report = validate_roster(inst, columns.roster())
    assert report.ok and report.objective == 200


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bound_is_valid_and_roster_exact(tmp_path, seed, curtois_like):
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 5, 2, seed), encoding="utf-8", newline="")
    inst = read_curtois(path)
    clock = _clock(20.0)
    with Columns(inst, clock) as columns:
        assert columns.search(clock.start + 10.0, clock.start + 18.0)
        report = validate_roster(inst, columns.roster())
        assert report.ok, report.violations[:3]
        assert report.objective == columns.cost
        assert 0 < columns.bound <= _optimum(inst) <= columns.cost


def test_a_round_at_one_set_of_prices_proves_a_bound_before_the_master_converges(
    tmp_path, curtois_like
):
    """Rounds in batches price each batch at prices of its own, so they prove no bound until
    the master converges; one round of everyone at one set of prices does, and the search
    runs one when its time for the bound is out before the master converged."""
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 5, 2, 0), encoding="utf-8", newline="")
    inst = read_curtois(path)
    optimum = _optimum(inst)
    clock = _clock(20.0)
    with Columns(inst, clock, batches=3) as found:
        generation = found.generation
        assert generation.start(found.pool)
        assert not generation.converge(2, clock.start + 10.0, found.pool)
        assert generation.bound == 0
        generation.converge(1, clock.start + 10.0, found.pool, batches=1)
        assert 0 < generation.bound <= optimum
    clock = _clock(20.0)
    with Columns(inst, clock, batches=3) as found:
        # No time for the bound or the dives at all: the master never converges.
        assert found.search(clock.start, clock.start)
        assert 0 < found.bound <= optimum <= found.cost
        report = validate_roster(inst, found.roster())
        assert report.ok and report.objective == found.cost


def test_a_dive_on_a_master_of_fewer_columns_brings_back_those_it_prices(tmp_path, curtois_like):
    """With ``dive_columns=1`` a dive's master starts from each person's column of least
    reduced cost and those the full master's solution uses; a known column priced again
    re-enters it; the full master is left as it was; and the search's roster is exact."""
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 5, 2, 0), encoding="utf-8", newline="")
    inst = read_curtois(path)
    clock = _clock(20.0)
    with Columns(inst, clock, dive_columns=1) as found:
        generation = _converged(found)
        full = generation.full
        held = full.lp.NumVariables()
        master = generation._dive_master()
        assert master is not full
        duals = [row.dual_value() for row in full.cover]
        left_out = []
        for v, cols in generation.columns.items():
            used = {k for k, x in full.mix[v].items() if x.solution_value() > 1e-9}
            reduced = {
                k: c.cost - sum(duals[i] for i in c.rows) - full.convex[v].dual_value()
                for k, c in enumerate(cols)
            }
            assert used <= set(master.mix[v]) and len(master.mix[v]) <= len(used) + 1
            assert min(reduced[k] for k in master.mix[v]) == pytest.approx(min(reduced.values()))
            left_out += [(v, k) for k in range(len(cols)) if k not in master.mix[v]]
        assert left_out  # the dive's master holds fewer columns than the full one
        v, k = left_out[0]
        generation.master = master
        assert generation.add(v, generation.columns[v][k].values) == k
        assert k in master.mix[v] and full.lp.NumVariables() == held
        generation.master = full
        chosen = generation.dive(clock.start + 10.0, found.pool)
        assert generation.master is full and not generation.fixed
        assert all(x.ub() == full.lp.infinity() for m in full.mix.values() for x in m.values())
        report = validate_roster(inst, generation.assignments(chosen))
        assert report.ok, report.violations[:3]
        assert report.objective == generation.cost(chosen)
        assert found.search(clock.start + 12.0, clock.start + 18.0)
        report = validate_roster(inst, found.roster())
        assert report.ok and report.objective == found.cost
        assert 0 < found.bound <= _optimum(inst) <= found.cost


@pytest.mark.parametrize("workers", [1, 2])
def test_recombining_swaps_a_column(tmp_path, workers):
    """Both people on day 0 (one too many, day 1 short): recombining moves one to day 1.

    With two workers two SCIP programmes run side by side, the first to finish stops the other.
    """
    inst = _read(tmp_path, SHORT.replace("0,E,2,", "0,E,1,").replace("1,E,2,", "1,E,1,"))
    clock = _clock(10.0, workers=workers)
    generation = ColumnGeneration(inst, clock)
    chosen = {}
    for v, person in generation.people.items():
        for day in (1, 0):  # the day-0 column is the one chosen
            solver = cp_model.CpSolver()
            assert solver.Solve(pinned(person.model, {(v, day, "E", "ward")})) == cp_model.OPTIMAL
            k = generation.add(v, list(solver.ResponseProto().solution))
        chosen[v] = generation.columns[v][k]
    assert generation.cost(chosen) == 50 + 100
    assert generation.solve_master()
    assert generation._promising(chosen, 149) == (generation.columns, math.inf)  # all may help
    with ThreadPoolExecutor(max_workers=workers) as pool:
        better = generation.recombine(chosen, time.monotonic() + 5.0, pool)
    assert generation.cost(better) == 0
    assert sorted(generation.rows[i][1] for c in better.values() for i in c.rows) == [0, 1]
    # Nothing beats a roster at the LP's value: only its own columns are worth a look.
    assert generation._promising(better, -1)[0] == {v: [c] for v, c in better.items()}


# An odd cycle: A works D on day 1 and E on day 2, or L on day 3 and S on day 4 (exactly 960
# minutes); B works D on day 1, or E on day 2 and L on day 3, or D on day 0 (exactly 720). Each
# of the three rows needs one: any roster leaves day 2 or 3 short or over (100), while the LP
# mixes both people's first two rosters half and half and covers every row exactly (0). Day 1
# short costs 30, over nothing; B on day 0 costs 60 (a reduced cost of 60 to 90); every other
# cell 1000.
CYCLE = """\
SECTION_HORIZON
7

SECTION_SHIFTS
E,240,
D,720,
L,480,
S,480,

SECTION_STAFF
A,E=1|D=1|L=1|S=1,960,960,5,1,1,1
B,E=1|D=1|L=1|S=1,720,720,5,1,1,1

SECTION_COVER
""" + "".join(
    f"{day},{shift},{need},{under},{over}\n"
    for day in range(7)
    for shift in "EDLS"
    for need, under, over in [
        {
            "1D": (1, 30, 0),
            "2E": (1, 100, 100),
            "3L": (1, 100, 100),
            "4S": (0, 0, 0),
            "0D": (0, 0, 60),
        }.get(f"{day}{shift}", (0, 0, 1000))
    ]
)


def test_recombining_doubles_its_target_until_the_pool_is_searched(tmp_path, monkeypatch):
    """The LP is 0 and the best roster 100 (from 130). SCIP first looks among the columns of
    rosters costing at most 1, which leaves B's day-0 column out: its 100 is proved the best of
    those, not yet of the pool, so the target doubles until that column is in."""
    inst = _read(tmp_path, CYCLE)
    clock = _clock(20.0)
    generation = ColumnGeneration(inst, clock)
    options = {
        "A": [[(1, "D"), (2, "E")], [(3, "L"), (4, "S")]],
        "B": [[(1, "D")], [(2, "E"), (3, "L")], [(0, "D")]],
    }
    for v, rosters in options.items():
        for worked in rosters:
            solver = cp_model.CpSolver()
            model = pinned(generation.people[v].model, {(v, d, s, "ward") for d, s in worked})
            assert solver.Solve(model) == cp_model.OPTIMAL
            generation.add(v, list(solver.ResponseProto().solution))
    chosen = {v: columns[1] for v, columns in generation.columns.items()}
    assert generation.cost(chosen) == 130  # day 1 short, day 3 over
    targets = []
    promising = generation._promising

    def spy(best, target):
        targets.append(target)
        return promising(best, target)

    monkeypatch.setattr(generation, "_promising", spy)
    with ThreadPoolExecutor(max_workers=1) as pool:
        better = generation.recombine(chosen, time.monotonic() + 15.0, pool)
    # Doubled until B's day-0 column is in (64, or 99 when best's 100 caps the target).
    assert targets[:7] == [1, 2, 4, 8, 16, 32, 64] and targets[7:] in ([], [99])
    assert generation.cost(better) == 100
    report = validate_roster(inst, generation.assignments(better))
    assert report.ok and report.objective == 100


def test_a_row_the_dive_makes_someone_work_binds_their_pricing(tmp_path):
    """Made to work day 2, A's other columns are barred and every new one works day 2.

    The Lagrangian bound is not raised meanwhile (it would be 301, above the optimum 200), and
    freeing A lifts the row again.
    """
    inst = _read(tmp_path, SHORT)
    clock = _clock(10.0)
    generation = ColumnGeneration(inst, clock)
    row = {generation.rows[i][1]: i for i in range(len(generation.rows))}  # by day

    def open_days() -> list[set[int]]:
        """The days worked by A's columns the master may use."""
        return [
            {generation.rows[i][1] for i in generation.columns["A"][k].rows}
            for k, x in generation.master.mix["A"].items()
            if x.ub() > 0
        ]

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert generation.start(pool)
        generation.converge(20, clock.start + 8.0, pool)
        assert generation.bound == 200
        assert {0} in open_days() or {1} in open_days()
        generation.bound = 0
        solver = cp_model.CpSolver()
        person = generation.people["A"].model
        assert solver.Solve(pinned(person, {("A", 2, "E", "ward")})) == cp_model.OPTIMAL
        generation.add("A", list(solver.ResponseProto().solution))
        generation.work("A", {row[2]})
        assert open_days() == [{2}]
        generation.converge(20, clock.start + 8.0, pool)
        assert generation.bound == 0
        assert generation.master.lp.Objective().Value() == pytest.approx(301)  # 3 short, 1 over
        for values in generation._price("A", [0] * len(generation.rows))[2]:
            generation.add("A", values)
        assert open_days() == [{2}]
        generation.fix("A", None)
        assert not generation.worked["A"]
        pays = [100 * 100 * (i == row[0]) for i in range(len(generation.rows))]
        _, _, solutions = generation._price("A", pays)  # day 0 pays: no longer bound to 2
        generation.add("A", solutions[0])
        assert {0} in open_days() and {2} in open_days()


def test_a_person_without_a_roster(tmp_path):
    inst = _read(tmp_path, SHORT.replace("B,E=7,480,480", "B,E=0,480,480"))  # no shift to work
    clock = _clock(5.0)
    with Columns(inst, clock) as columns:
        assert not columns.search(clock.start + 2.0, clock.start + 4.0)
    plan = solve_roster(inst, time_limit=5.0, workers=1)
    assert plan.status == "infeasible"
    assert any("hours" in line for line in plan.explanation)


def test_plan_reports_the_proved_bound(tmp_path):
    inst = _read(tmp_path, SHORT)
    seen = []
    plan = solve_roster(inst, time_limit=5.0, workers=1, on_progress=seen.append)
    assert plan.status == "optimal" and plan.objective == plan.bound == 200
    assert validate_roster(inst, plan.assignments).objective == 200
    # The columns' roster is reported with the bound column generation proved.
    assert seen[-1].bound == 200 and seen[-1].objective == 200


def test_a_kept_roster_does_not_claim_its_own_cost_as_bound(tmp_path, monkeypatch, curtois_like):
    """Without the full model's solve, the plan keeps the columns' roster and their bound."""
    path = tmp_path / "Like.txt"
    # Column generation proves 14 here and its roster costs 19.
    path.write_text(curtois_like.generate(28, 6, 2, 2), encoding="utf-8", newline="")
    inst = read_curtois(path)
    run = solve.Clock.run

    def no_full_model(self, cp, limit, **kwargs):
        if kwargs.get("bound"):
            limit = 0.0  # the full model's solve finds nothing
        return run(self, cp, limit, **kwargs)

    monkeypatch.setattr(solve.Clock, "run", no_full_model)
    seen = []
    plan = solve_roster(inst, time_limit=10.0, workers=1, on_progress=seen.append)
    assert validate_roster(inst, plan.assignments).objective == plan.objective
    assert plan.objective == seen[-1].objective > seen[-1].bound  # the columns stopped short
    assert plan.bound == seen[-1].bound
    assert plan.status == "feasible"


@pytest.mark.parametrize(("round_s", "rounds"), [(100.0, 1), (1e-4, columns.DIVE_ROUNDS)])
def test_a_dive_prices_less_when_time_is_short(
    monkeypatch, curtois_like, tmp_path, round_s, rounds
):
    """Rounds too slow for the steps left: one round a step; fast ones: the full eight."""
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 5, 2, 0), encoding="utf-8", newline="")
    clock = _clock(30.0)
    generation = ColumnGeneration(read_curtois(path), clock)
    asked = []
    monkeypatch.setattr(generation, "converge", lambda r, *_: asked.append(r))
    with ThreadPoolExecutor(1) as pool:
        assert generation.start(pool)
        generation.round_s = round_s
        chosen = generation.dive(clock.start + 20.0, pool)
    assert len(chosen) == 5
    assert len(asked) > 1 and set(asked) == {rounds}  # in steps, not all at once


class _Priced(dict):
    """A roster of columns with a made-up cost and places short (``ColumnGeneration.cost`` and
    ``places_short`` patched to read them)."""

    def __init__(self, columns: dict, cost: int, short: int = 0) -> None:
        super().__init__(columns)
        self.cost = cost
        self.short = short


@pytest.mark.parametrize(
    ("improving", "recombine_s", "window_s", "round_s", "rounds"),
    [
        (True, 0.1, 2.0, 1e-4, "several"),
        (False, 0.1, 2.0, 1e-4, "one"),
        (True, 2.0, 3.0, 1e-4, "one"),
        (False, 0.1, 2.0, 100.0, "one"),  # no second dive: one pricing round does not fit
        (False, 0.1, 2.0, 0.4, "one"),  # nor here: four rounds fit, not one a step of rows
    ],
)
def test_rounds_of_dives_and_recombining_repeat_while_they_improve_and_fit(
    monkeypatch, curtois_like, tmp_path, improving, recombine_s, window_s, round_s, rounds
):
    """Two dives that find nothing better, then recombining; again if it found better in time.

    A dive after the first starts only while one pricing round of ``round_s`` a step of rows
    fits: ``2 / DIVE_SHARE`` rounds of everyone.
    """
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(28, 6, 2, 2), encoding="utf-8", newline="")
    reported = []
    clock = _clock(30.0, reported.append)
    steps = []
    with Columns(read_curtois(path), clock) as found:
        generation = found.generation
        until = clock.start + window_s
        start = 10**6  # the start roster's cost, and every dive's

        def same_dive(_deadline, _pool, _places=False):
            assert reported  # the start roster is out before the first dive
            assert not generation.fixed  # everyone free when a dive starts
            steps.append("dive")
            return _Priced({v: cols[0] for v, cols in generation.columns.items()}, start)

        def slow_recombine(best, _until, _pool):
            time.sleep(recombine_s)
            steps.append(("recombined", time.monotonic()))
            return _Priced(best, found.cost - 1 if improving else found.cost)

        monkeypatch.setattr(generation, "cost", lambda chosen: getattr(chosen, "cost", start))
        monkeypatch.setattr(generation, "dive", same_dive)
        monkeypatch.setattr(generation, "recombine", slow_recombine)
        # No bound phase: its rounds would measure ``round_s`` anew.
        monkeypatch.setattr(generation, "converge", lambda *_args, **_kwargs: False)
        generation.round_s = round_s
        assert found.search(clock.start, until)
    ends = [step[1] for step in steps if step != "dive"]
    each = ["dive"] * (columns.STALE_DIVES if 2 * round_s / columns.DIVE_SHARE < window_s else 1)
    assert steps == [step for end in ends for step in [*each, ("recombined", end)]]
    assert (len(ends) > 1) == (rounds == "several")
    if rounds == "several":  # none started that could not end in the window
        assert ends[-1] <= until + 0.1


@pytest.mark.parametrize(
    ("found_by_dives", "kinds", "counted"),
    [
        # Each dive's cost and places short: two rounds of dives, the second finding nothing.
        (
            [(900, 3), (800, 3), (850, 3), (700, 2), (950, 3), (950, 3), (950, 2)],
            [False, False, True, True, False, False, False],
            700,
        ),
        # The second dive leaves 2: the best roster does not need the places master.
        ([(900, 3), (800, 2), (850, 3), (950, 3), (950, 3), (950, 2)], [False] * 6, None),
    ],
)
def test_after_two_dives_short_of_the_masters_places_the_dives_count_places_alone(
    monkeypatch, tmp_path, found_by_dives, kinds, counted
):
    """The master LP leaves 2 places short. Two dives on the whole master leave 3, and so does
    the best roster: the next count places alone. One that leaves 3 is a roster like any other;
    the first that leaves 2 is kept aside (not as the best: the repair of a whole dive's roster
    comes first), and the dives after it are whole again."""
    inst = _read(tmp_path, SHORT)
    clock = _clock(30.0)
    dived = []
    results = iter(found_by_dives)
    with Columns(inst, clock) as found:
        generation = found.generation

        def dive(_deadline, _pool, places=False):
            dived.append(places)
            everyone = {v: cols[0] for v, cols in generation.columns.items()}
            return _Priced(everyone, *next(results))

        monkeypatch.setattr(generation, "cost", lambda chosen: getattr(chosen, "cost", 10**6))
        monkeypatch.setattr(generation, "places_short", lambda chosen: getattr(chosen, "short", 9))
        monkeypatch.setattr(generation, "dive", dive)
        monkeypatch.setattr(generation, "recombine", lambda best, *_: best)
        generation.round_s = 1e-4
        assert found.search(clock.start + 5.0, clock.start + 10.0)
        assert generation.master_places() == 2
        assert found.cost == 800
        assert (found.counted and found.counted.cost) == counted
        if counted:
            assert found.counted_roster() == generation.assignments(found.counted)
        else:
            assert found.counted_roster() is None
    assert dived == kinds


@pytest.mark.parametrize(
    ("threshold", "share", "dives_end", "batches", "dive_columns", "repair"),
    [
        (
            0,
            solve.COLUMNS_FULL_SHARE,
            solve.SPLIT_DIVE_SHARE,
            solve.SPLIT_BATCHES,
            solve.SPLIT_DIVE_COLUMNS,
            solve.SPLIT_COVER_FIRST_SHARE,
        ),
        (10**9, 1.0, solve.DIVE_SHARE, 1, None, solve.COVER_FIRST_SHARE),
    ],
)
def test_mid_sized_columns_dive_longer_in_batches_and_leave_half_the_time_to_neighbourhoods(
    tmp_path, monkeypatch, curtois_like, threshold, share, dives_end, batches, dive_columns, repair
):
    """Above the threshold (234 variables here) the dives end later, the pricing is in
    batches, the dives work on masters of fewer columns, the cover repair is by windows of
    days and gets its own share, and the full model half the time left."""
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(28, 6, 2, 2), encoding="utf-8", newline="")
    inst = read_curtois(path)
    asked = []
    run = solve.Clock.run

    def no_full_model(self, cp, limit, **kwargs):
        if kwargs.get("bound"):
            asked.append((limit, self.left()))
            limit = 0.0  # the full model finds nothing: the columns' roster (19 > 14) stays
        return run(self, cp, limit, **kwargs)

    started = []
    improve = solve._Search.improve

    def counted(self, incumbent):
        started.append(incumbent.objective)
        return improve(self, incumbent)

    windows = []
    search = Columns.search

    def window(self, bound_until, until):
        generation = self.generation
        windows.append((until - self.clock.start, generation.batches, generation.dive_columns))
        return search(self, bound_until, until)

    repairs = []
    cover_first, cover_windows = solve._Search.cover_first, solve._Search.cover_windows

    def timed(self, values, limit, covered=()):
        repairs.append(("whole model", limit, self.left()))
        return cover_first(self, values, limit, covered)

    def windowed(self, values, limit, target):
        repairs.append(("windows", limit, self.left()))
        return cover_windows(self, values, limit, target)

    monkeypatch.setattr(solve.Clock, "run", no_full_model)
    monkeypatch.setattr(solve._Search, "improve", counted)
    monkeypatch.setattr(solve._Search, "cover_first", timed)
    monkeypatch.setattr(solve._Search, "cover_windows", windowed)
    monkeypatch.setattr(Columns, "search", window)
    monkeypatch.setattr(solve, "COLUMNS_LNS_THRESHOLD", threshold)
    plan = solve_roster(inst, time_limit=10.0, workers=1)
    assert windows == [(pytest.approx(dives_end * 10.0), batches, dive_columns)]
    [(limit, left)] = asked
    [(kind, repair_limit, repair_left)] = repairs
    assert kind == ("windows" if threshold == 0 else "whole model")
    assert repair_limit == pytest.approx(min(solve.COVER_FIRST_S, repair * repair_left), abs=0.05)
    report = validate_roster(inst, plan.assignments)
    assert report.ok and report.objective == plan.objective
    if share < 1:
        assert limit == pytest.approx(share * left, abs=0.05)
        [objective] = started  # the neighbourhoods ran, from the columns' roster
        assert plan.objective <= objective
    else:
        assert limit >= left and not started


def _values_of(model: RosterModel, worked: set[tuple[str, int, str, str]]) -> list[int]:
    """Every variable's value in the roster ``worked``."""
    solver = cp_model.CpSolver()
    assert solver.Solve(pinned(model, worked)) == cp_model.OPTIMAL
    return list(solver.ResponseProto().solution)


def _poor_short_roster(tmp_path):
    """SHORT, its model, a search, the validator's objective of values (nobody there has
    anything but cover to pay for), and a roster that works two empty days: days 0 and 1
    short by two each, days 3 and 4 over by one (402)."""
    inst = _read(tmp_path, SHORT)
    model = RosterModel(inst)

    def cover(values: list[int]) -> int:
        return validate_roster(
            inst, model.value_assignments(lambda var: values[var.Index()])
        ).objective

    post = inst.posts[0].id
    poor = _values_of(model, {("A", 3, "E", post), ("B", 4, "E", post)})
    assert cover(poor) == 402
    return _search(model, 10.0), cover, poor


def test_cover_first_finds_the_cover_a_roster_leaves_short(tmp_path):
    """From a roster that works the empty days, the cover alone is re-solved: 402 → 200."""
    search, cover, poor = _poor_short_roster(tmp_path)
    better, penalties = search.cover_first(poor, 5.0)
    assert cover(better) == penalties == 200
    # A roster whose cover cannot be bettered comes back unchanged.
    assert search.cover_first(better, 5.0) == (better, 200)


def test_cover_windows_move_the_surplus_places_to_short_rows_until_the_target(
    tmp_path, monkeypatch
):
    """Windows of days from each over-covered day to a short one re-solve the cover: 402 →
    200; none is solved once the cover is at the target, and without a surplus the windows
    around the short rows find nothing better."""
    search, cover, poor = _poor_short_roster(tmp_path)
    windows = []
    run = solve.Clock.run

    def counted(self, cp, limit, **kwargs):
        windows.append(limit)
        return run(self, cp, limit, **kwargs)

    monkeypatch.setattr(solve.Clock, "run", counted)
    better, penalties = search.cover_windows(poor, 5.0, 200.0)
    assert cover(better) == penalties == 200 and windows
    windows.clear()
    assert search.cover_windows(better, 5.0, 200.0) == (better, 200) and not windows
    again, penalties = search.cover_windows(better, 1.0, 0.0)
    assert cover(again) == penalties == 200 and windows
    assert all(limit <= solve.WINDOW_S for limit in windows)


# One person who works exactly one shift in the week; day 0 needs an early (100 a place short)
# and a late (50): the LP staffs the early shift and leaves the late one short.
TWO_KINDS = """\
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,
L,480,

SECTION_STAFF
A,E=7|L=7,480,480,1,1,1,1

SECTION_COVER
""" + "".join(
    f"{day},{shift},{int(day == 0)},{100 if shift == 'E' else 50},1\n"
    for day in range(7)
    for shift in "EL"
)


def test_the_cover_repair_staffs_the_rows_the_master_covers(tmp_path):
    """The master covers the early rows (the late shift is short: 50); the repair told to staff
    the late rows leaves the early one short instead (100), and told to staff both, which
    cannot be, repairs without them (50)."""
    inst = _read(tmp_path, TWO_KINDS)
    model = RosterModel(inst)
    search = _search(model, 20.0)
    post = inst.posts[0].id
    rows = {shift: {(post, day, shift) for day in range(7)} for shift in "EL"}
    with Columns(inst, search) as found:
        generation = _converged(found)
        master, covered = generation.master_cover()
    assert master == pytest.approx(50) and covered == rows["E"]
    poor = _values_of(model, {("A", 3, "L", post)})  # a late on an empty day: 151

    def worked(values: list[int]) -> set[tuple[int, str]]:
        plan = model.value_assignments(lambda var: values[var.Index()])
        assert validate_roster(inst, plan).ok
        return {(a.day, a.shift) for a in plan}

    for hard, cover, shift in [
        (rows["E"], 50, "E"),
        (rows["L"], 100, "L"),
        (rows["E"] | rows["L"], 50, "E"),
        (set(), 50, "E"),
    ]:
        values, penalties = search.cover_first(poor, 3.0, hard)
        assert penalties == cover and worked(values) == {(0, shift)}


@pytest.mark.parametrize("repair", ["fails", "succeeds", "fails, and so does the dive"])
def test_a_cover_repair_that_leaves_a_place_short_dives_again(tmp_path, monkeypatch, repair):
    """The columns' best roster works the empty days (402). When its cover repair leaves a place
    short that the master LP covers (its cover is 200), the columns dive once more and their
    new roster (200) is completed instead; when that dive finds nothing better either, the
    roster a places dive left at the master's places (200) is; a repair that reaches the
    master's cover is not followed by a dive."""
    inst = _read(tmp_path, SHORT)
    model = RosterModel(inst)
    search = _search(model, 30.0)
    post = inst.posts[0].id
    dives = []
    dive = Columns.dive

    def counted(self, until):
        dives.append(until - time.monotonic())
        return dive(self, until) if repair == "fails" else False

    monkeypatch.setattr(Columns, "dive", counted)
    cover_model = cp_model.CpModel()
    cover_model.Proto().copy_from(model.cp.Proto())
    cover_model.Minimize(model.cover_objective)
    if repair != "succeeds":  # the repair returns the roster it was given, and its cover
        monkeypatch.setattr(
            solve._Search,
            "cover_first",
            lambda self, values, limit, covered: (
                values,
                solve._objective_of(cover_model, values),
            ),
        )
    with Columns(inst, search) as found:
        generation = _converged(found)
        assert generation.master_cover()[0] == pytest.approx(200)

        def roster(days: dict[str, int]) -> dict:
            """The roster of A and B each working the early shift of their day."""
            chosen = {}
            for v, day in days.items():
                person = generation.people[v]
                solver = cp_model.CpSolver()
                worked = {(v, day, "E", post)}
                assert solver.Solve(pinned(person.model, worked)) == cp_model.OPTIMAL
                chosen[v] = generation.columns[v][
                    generation.add(v, list(solver.ResponseProto().solution))
                ]
            return chosen

        found.best = roster({"A": 3, "B": 4})
        found.cost = generation.cost(found.best)
        assert found.cost == 402
        if repair == "fails, and so does the dive":
            found.counted = roster({"A": 0, "B": 1})
        status, solver = search._complete(found, False)
    assert status == cp_model.FEASIBLE
    hint = dict(
        zip(model.cp.Proto().solution_hint.vars, model.cp.Proto().solution_hint.values, strict=True)
    )
    hinted = validate_roster(inst, model.value_assignments(lambda var: hint[var.Index()]))
    completed = validate_roster(inst, model.value_assignments(solver.Value))
    assert hinted.ok and completed.ok and hinted.objective == 200
    if repair == "succeeds":
        assert dives == [] and completed.objective == 402
    else:
        [budget] = dives  # the dive ends before the time kept for the full model
        assert 0 < budget <= 30.0 - solve.REDIVE_RESERVE_S
        assert completed.objective == 200  # a dive's roster, not the repaired one


def test_a_round_prices_in_batches_and_proves_only_at_one_set_of_prices(curtois_like, tmp_path):
    """Six people in three batches of two, the master re-solved before each: every raise of
    the bound follows a round's six pricings, everyone at the same prices."""
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 6, 2, 1), encoding="utf-8", newline="")
    inst = read_curtois(path)
    clock = _clock(20.0)
    generation = ColumnGeneration(inst, clock, batches=3)
    calls: list[tuple[str, tuple[int, ...]]] = []
    seen: list[tuple[int, int]] = []  # (pricings so far, bound) at each master solve, and at end
    price, solve_master = generation._price, generation.solve_master

    def spy(volunteer, prices):
        calls.append((volunteer, tuple(prices)))
        return price(volunteer, prices)

    def watch():
        seen.append((len(calls), generation.bound))
        return solve_master()

    generation._price, generation.solve_master = spy, watch
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert generation.start(pool)
        calls.clear()
        seen.clear()
        generation.converge(50, clock.start + 15.0, pool)
    seen.append((len(calls), generation.bound))
    pairs = zip(seen[1:], seen[:-1], strict=True)
    raises = [n for (n, bound), (_, before) in pairs if bound > before]
    people = sorted(generation.people)
    assert sorted(v for v, _ in calls[:6]) == people
    assert len({calls[0][1], calls[2][1], calls[4][1]}) == 3  # new duals for every batch
    assert raises  # the master converged: its last round priced everyone at one set of prices
    for n in raises:
        last = calls[n - 6 : n]
        assert sorted(v for v, _ in last) == people
        assert len({prices for _, prices in last}) == 1
    assert 0 < generation.bound <= _optimum(inst)


# One person, a week: day 0 needs them, but they asked for it off at 50 points where the place
# left short costs 10. The optimum leaves it short; only counting places covers it.
REQUEST = (
    "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nE,480,\n\nSECTION_STAFF\nA,E=7,3360,0,7,1,1,1\n\n"
    "SECTION_SHIFT_OFF_REQUESTS\nA,0,E,50\n\nSECTION_COVER\n"
    + "".join(f"{day},E,{int(day == 0)},10,1\n" for day in range(7))
)


def test_a_places_dive_leaves_the_fewest_places_short_whatever_they_cost(tmp_path):
    inst = _read(tmp_path, REQUEST)
    clock = _clock(10.0)
    with Columns(inst, clock) as found:
        generation = _converged(found)
        assert generation.master_places() == 1  # the LP leaves the place: 10 < 50
        dived = generation.dive(clock.start + 5.0, found.pool)
        counted = generation.dive(clock.start + 8.0, found.pool, places=True)
        assert generation.master is generation.full and not generation.fixed
        assert [generation.places_short(r) for r in (dived, counted)] == [1, 0]
        rosters = [generation.assignments(r) for r in (dived, counted)]
        costs = [generation.cost(r) for r in (dived, counted)]
    reports = [validate_roster(inst, roster) for roster in rosters]
    assert all(r.ok for r in reports)
    assert [r.objective for r in reports] == costs
    assert costs[0] == 10 and costs[1] >= 50  # the request broken, perhaps a day over besides
