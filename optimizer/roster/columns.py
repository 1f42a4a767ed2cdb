"""Column generation for separable rosters: a proved lower bound and a roster found by diving.

On a separable instance (see :func:`optimizer.roster.by_person.separable`) a roster is one
personal roster (a *column*) per person, and only the cover rows tie people together. The
*master* linear programme picks a convex mix of known columns per person, paying the cover
penalties for what the mix leaves short or over; its duals price every cover row, and for each
person the shortest path over the days of :mod:`optimizer.roster.pricing` (or, where their
rules do not fit it, their own CP-SAT model), with those prices, finds the personal roster of
least reduced cost (*pricing*), which joins the master. Every round of pricing also proves a
Lagrangian lower bound on the roster's objective: the sum of the people's priced optima plus the
prices times the requirements, valid for any price of a row between minus its over-cover weight
and its under-cover weight. On Curtois-Qu Instance 8 that bound reaches 1297 (the optimum is
1300; CP-SAT's own bound stays near 1272 after 60 s). Places short come whole: a second
master that prices only them proves the fewest any roster leaves, and where the first
master's LP leaves a fraction fewer, making it leave that many raises the bound
(:meth:`ColumnGeneration.count_places`).

A roster comes from *diving*: the people whose mix leans most on one column are made to work
that column's rows that most of their mix works, the master is re-priced (their new columns
working those rows), and so on; a person whose mix is one column is fixed to it. Once
everyone is fixed, everyone is freed and the search dives again, until two dives in a row find
nothing better. Then SCIP picks one column per person out of every column found, from the
dives' best roster (*recombining*): on Curtois-Qu Instance 5 that takes the dives' 1148 to
1145, proved the best the columns allow. While a round of dives and recombining finds a better
roster and another still fits in the time, the search starts one, its pool larger by the new
dives' columns. Once two dives have left more places short than the master LP, the search
dives on a places master (only places short count, own penalties not at all) until a dive
leaves no more than the LP; that roster is kept aside for when the cover repair of the best
one fails (see :meth:`Columns.search`).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimizer.roster.by_person import BestResponse, Person, Row
from optimizer.roster.domain import Assignment, RosterInstance
from optimizer.roster.model import RosterModel, WeightedSum
from optimizer.roster.pricing import DayProgramme

if TYPE_CHECKING:
    from optimizer.roster.solve import Clock

# Prices enter the pricing models as integers in units of 1/SCALE penalty point.
SCALE = 100
# Longest pricing solve of one person, seconds.
PRICING_S = 2.0
# Columns kept from one pricing solve (best first: CP-SAT's improving solutions, or the
# shortest paths to the programme's best end states).
COLUMNS_PER_PRICING = 3
# Share of the still-free people fixed at each step of the dive (at least one). With the
# day-by-day pricing, steps of one person on Curtois-Qu Instance 7 (20 people) reach its
# optimum 1056 on 6 seeds of 10, where steps of a quarter ended at 1057 in all four runs.
DIVE_SHARE = 0.05
# Pricing rounds between two steps of the dive.
DIVE_ROUNDS = 8
# Dives in a row that find no better roster before a round of dives ends in recombining.
STALE_DIVES = 2
# Dives that leave more places short than the master LP before the search dives on the places
# master (see Columns.search).
MISSED_DIVES = 2
# Recombining first looks for rosters at most this many points above the master LP's value.
# On Curtois-Qu Instance 7 (LP 1054.08), whose dives now leave the same pool on every seed,
# a first target of 1056 instead of 1057 gave 1056 on 5 seeds of 6 instead of 3.
FIRST_STEP = 1


@dataclass(frozen=True)
class _Column:
    """One personal roster: its own penalties, the cover rows it works, its model values."""

    cost: int
    rows: frozenset[int]
    values: list[int]

    def reduced(self, duals: Sequence[float], convex: float) -> float:
        """Reduced cost at the master's cover row ``duals`` and its person's ``convex`` dual."""
        return self.cost - sum(duals[i] for i in self.rows) - convex


@dataclass(frozen=True)
class _Recombining:
    """SCIP's programme picking one column per person out of ``wanted``."""

    solver: pywraplp.Solver
    wanted: dict[str, list[_Column]]
    pick: dict[str, list[pywraplp.Variable]]  # per person, one variable per wanted column

    def roster(self) -> dict[str, _Column]:
        """The columns of SCIP's solution."""
        return {
            v: next(
                c for c, var in zip(cols, self.pick[v], strict=True) if var.solution_value() > 0.5
            )
            for v, cols in self.wanted.items()
        }


class _Solutions(cp_model.CpSolverSolutionCallback):
    """Keeps every solution a pricing solve reports, in the order found (improving)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[list[int]] = []

    def on_solution_callback(self) -> None:
        self.found.append(list(self.response_proto.solution))


class _Master:
    """A master LP over some of the known columns: a cover row per requirement (its shortfall
    and surplus priced by their weights) and a convexity row per person.

    A *places* master prices only the places left short, one point each, and nothing else
    (no column's own penalties, no surplus): its optimum is the fewest places short a mix of
    the columns can leave.
    """

    def __init__(self, demand: Sequence, people: Sequence[str], places: bool = False) -> None:
        lp = pywraplp.Solver.CreateSolver("GLOP")
        assert lp is not None
        self.lp = lp
        self.places = places
        # Per cover row, the price of a place short and of one over.
        self.weights = [
            (int(bool(d.weight_under)), 0) if places else (d.weight_under or 0, d.weight_over or 0)
            for d in demand
        ]
        self.cover, self.under = _cover_rows(lp, demand, self.weights)
        self.convex = {v: lp.Constraint(1, 1) for v in people}
        # ``floor`` places short at least over the rows that price one (see :meth:`floor`).
        self.floor_row: pywraplp.Constraint | None = None
        # Per person, the variable of each column it holds, by the column's index.
        self.mix: dict[str, dict[int, pywraplp.Variable]] = {v: {} for v in people}
        lp.Objective().SetMinimization()
        self._cold = pywraplp.MPSolverParameters()
        self._cold.SetIntegerParam(self._cold.INCREMENTALITY, self._cold.INCREMENTALITY_OFF)

    def enter(self, volunteer: str, k: int, column: _Column) -> None:
        """Add a person's ``k``-th column."""
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.convex[volunteer].SetCoefficient(var, 1)
        for i in column.rows:
            self.cover[i].SetCoefficient(var, 1)
        self.lp.Objective().SetCoefficient(var, 0 if self.places else column.cost)
        self.mix[volunteer][k] = var

    def floor(self, places: int) -> None:
        """Require at least ``places`` places short over the rows whose shortfall is priced
        (0 lifts it): valid for every roster once a places master proved that many."""
        if self.floor_row is None:
            self.floor_row = self.lp.Constraint(0, self.lp.infinity())
            for under in self._priced_under():
                self.floor_row.SetCoefficient(under, 1)
        self.floor_row.SetLb(places)

    def short(self) -> float:
        """The places the solved LP leaves short on the rows whose shortfall is priced."""
        return sum(under.solution_value() for under in self._priced_under())

    def _priced_under(self) -> list[pywraplp.Variable]:
        return [u for u, (weight, _) in zip(self.under, self.weights, strict=True) if weight]

    def solve(self) -> bool:
        """Solve the LP; True when GLOP reports it optimal.

        GLOP's presolve now and then fails (``ABNORMAL``) on a degenerate master after
        hundreds of good solves, warm-started or from scratch alike, while the same programme
        solves without it: on Curtois-Qu Instance 7 the dive then fixed everyone at once (a
        7165 roster), on Instance 5 (seed 3) two dives in a row did (8359) and the search
        stopped diving. A failed solve is therefore repeated from scratch without presolve.
        """
        if self.lp.Solve() == pywraplp.Solver.OPTIMAL:
            return True
        self.lp.SetSolverSpecificParametersAsString("use_preprocessing: false")
        try:
            return self.lp.Solve(self._cold) == pywraplp.Solver.OPTIMAL
        finally:
            self.lp.SetSolverSpecificParametersAsString("")


def _cover_rows(
    solver: pywraplp.Solver, demand: Sequence, weights: Sequence[tuple[int, int]]
) -> tuple[list[pywraplp.Constraint], list[pywraplp.Variable]]:
    """One row per cover requirement, its shortfall and surplus priced by ``weights``
    (under, over); the rows and their shortfall variables."""
    rows, unders = [], []
    for d, (weight_under, weight_over) in zip(demand, weights, strict=True):
        row = solver.Constraint(d.required, d.required)
        under = solver.NumVar(0, solver.infinity(), "")
        over = solver.NumVar(0, solver.infinity(), "")
        row.SetCoefficient(under, 1)
        row.SetCoefficient(over, -1)
        solver.Objective().SetCoefficient(under, weight_under)
        solver.Objective().SetCoefficient(over, weight_over)
        rows.append(row)
        unders.append(under)
    return rows, unders


class ColumnGeneration:
    """The master LP over the columns found so far, the people's pricing models and the dive."""

    def __init__(
        self,
        instance: RosterInstance,
        clock: Clock,
        batches: int = 1,
        dive_columns: int | None = None,
    ) -> None:
        """``batches``: how many batches a pricing round takes the people in, the master
        re-solved after each, so later batches price at duals that already use the earlier
        ones' columns (*partial pricing*). The master then converges 25-35 % sooner (Curtois-Qu
        Instance 7: 4.3 s instead of 6.0, 8: 14.7 instead of 18.4, look-alike of 12: 16.8
        instead of 23.1, of 15: 47.5 instead of more than 60), but a bound comes only from a
        round at one set of prices, so seldom before the master converges.

        ``dive_columns``: when given, each dive works on a master of its own that starts from
        each person's that many columns of least reduced cost (see :meth:`_dive_master`); its
        pricing brings back any other it needs. With every column, the master's re-solves
        take most of a dive and grow with the pool (look-alike of 11, three dives: 5.3 of 7.5 s,
        8.9 of 10.9, 11.0 of 12.5, at 25-60 ms a solve); with 20 a person, 3.3-3.9 s of
        5.5-6.0, at 15 ms.
        """
        self.clock = clock
        self.batches = batches
        self.dive_columns = dive_columns
        self.search = search = BestResponse(instance, clock)
        self.rows = list(search.demand)
        self.index = {row: i for i, row in enumerate(self.rows)}
        self.demand = [search.demand[row] for row in self.rows]
        self.people = {v.id: Person(search.person_instance(v)) for v in instance.volunteers}
        # Per person, the day-by-day pricing where their rules allow (else CP-SAT prices them).
        self.programmes = {
            v: DayProgramme.of(p.model, [self.index[row] for row in p.rows], SCALE)
            for v, p in self.people.items()
        }
        self.columns: dict[str, list[_Column]] = {v: [] for v in self.people}
        self.fixed: dict[str, int] = {}
        # Per person, the cover rows the dive made them work (any column without one is barred).
        self.worked: dict[str, set[int]] = {v: set() for v in self.people}
        self.bound = 0
        # The fewest places short any roster can leave, as proved by the places master.
        self.floor = 0
        self.round_s = 1.0  # seconds per pricing round of everyone, as last measured
        # The master over every column; a dive works on one over fewer (see :meth:`dive`).
        self.full = self.master = _Master(self.demand, list(self.people))

    def solve_master(self) -> bool:
        """Solve the master in use; True when it is solved to optimality."""
        return self.master.solve()

    def add(self, volunteer: str, values: list[int]) -> int:
        """Add a personal roster as a column of the master (unless known); return its index."""
        person = self.people[volunteer]
        rows = frozenset(self.index[row] for row in person.worked_in(values))
        for k, known in enumerate(self.columns[volunteer]):
            if known.rows == rows:
                if k not in self.master.mix[volunteer]:
                    self.master.enter(volunteer, k, known)  # one a dive's master left out
                return k
        cost = person.model.cost(lambda var: values[var.Index()])
        column = _Column(cost, rows, values)
        self.columns[volunteer].append(column)
        k = len(self.columns[volunteer]) - 1
        self.full.enter(volunteer, k, column)
        if self.master is not self.full:
            self.master.enter(volunteer, k, column)
        return k

    def _price(self, volunteer: str, prices: Sequence[int]) -> tuple[str, float, list[list[int]]]:
        """Pricing of one person at scaled row prices: (bound on the priced optimum, solutions).

        By their day-by-day programme where it answers, else by their CP-SAT model; for the
        places master, without their own penalties."""
        own = not self.master.places
        programme = self.programmes[volunteer]
        if programme is not None:
            priced = programme.price(
                np.asarray(prices, dtype=np.int64),
                self.worked[volunteer],
                COLUMNS_PER_PRICING,
                own,
            )
            if priced is not None:
                return volunteer, *priced
        person = self.people[volunteer]
        cp = person.model.cp
        cp.Minimize(
            (SCALE if own else 0) * person.model.objective
            + WeightedSum(person.xs, [-prices[self.index[row]] for row in person.rows])
        )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.01, min(PRICING_S, self.clock.left()))
        solver.parameters.random_seed = self.clock.rng.randrange(1 << 30)
        solver.parameters.catch_sigint_signal = False
        found = _Solutions()
        # The rows the dive made this person work are pinned for this solve only.
        variables = cp.Proto().variables
        forced = [
            i
            for row, i in zip(person.rows, person.index, strict=True)
            if self.index[row] in self.worked[volunteer]
        ]
        for i in forced:
            variables[i].domain[0] = 1
        try:
            status = solver.Solve(cp, found)
        finally:
            for i in forced:
                variables[i].domain[0] = 0
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return volunteer, -math.inf, []
        return volunteer, solver.BestObjectiveBound(), found.found[::-1][:COLUMNS_PER_PRICING]

    def converge(
        self, rounds: int, deadline: float, pool: ThreadPoolExecutor, batches: int | None = None
    ) -> bool:
        """Price and re-solve the master until no column improves it, for at most ``rounds``;
        True if it ended so (the master then solved, unchanged since).

        A round prices the free people in up to ``batches`` batches (by default the
        constructor's), the master re-solved after each. While nobody is fixed, a round whose
        batches all priced at the same prices (with batches, in practice only the round that
        adds no column; always with one) raises the proved bound (on the places master, the
        proved fewest places short).
        """
        free = [v for v in self.people if v not in self.fixed]
        k = max(1, min(batches or self.batches, len(free) // self.clock.workers))
        groups = [free[i::k] for i in range(k)]
        quiet, began = 0, time.monotonic()
        # Per batch, the sum of its people's priced optima at ``same``, the prices (rows, floor)
        # of the last step.
        same: tuple[list[int], int] | None = None
        optima: dict[int, float] = {}
        for step in range(rounds * k):
            if self.clock.interrupt.requested or time.monotonic() >= deadline:
                return False
            if not self.solve_master():
                return False  # failed twice: keep the columns found so far
            duals = [row.dual_value() for row in self.master.cover]
            convex = {v: c.dual_value() for v, c in self.master.convex.items()}
            prices, floor = self.prices(), self._floor_price()
            if (prices, floor) != same:
                same, optima = (prices, floor), {}
            held = self.master.lp.NumVariables()
            optima[step % k] = 0.0
            for volunteer, priced, solutions in pool.map(
                functools.partial(self._price, prices=prices), groups[step % k]
            ):
                optima[step % k] += priced
                for values in solutions:
                    if self._reduced_cost(volunteer, values, duals) < convex[volunteer] - 1e-6:
                        self.add(volunteer, values)
            if len(optima) == k and not self.fixed and not any(self.worked.values()):
                # Everyone priced at the same prices: a Lagrangian bound.
                lagrangian = sum(optima.values()) + sum(
                    p * d.required for p, d in zip(prices, self.demand, strict=True)
                )
                if self.master.floor_row is not None:
                    lagrangian += floor * self.master.floor_row.lb()
                if lagrangian > -math.inf:
                    # Any roster's objective (or places short) is an integer at least
                    # lagrangian / SCALE.
                    proved = -(-math.floor(lagrangian + 1e-6) // SCALE)
                    if self.master.places:
                        self.floor = max(self.floor, proved)
                    else:
                        self.bound = max(self.bound, proved)
            if step % k == k - 1:
                # Seconds per round with everyone free (pricing dominates; it scales with people).
                share = len(free) / len(self.people)
                self.round_s = (time.monotonic() - began) / share
                began = time.monotonic()
            quiet = quiet + 1 if self.master.lp.NumVariables() == held else 0
            if quiet >= k:
                return True
        return False

    def prices(self) -> list[int]:
        """The solved master's row duals as scaled integer prices, clipped to the cover
        weights, less the floor's price on the rows it counts (so the Lagrangian bound stays
        valid: no shortfall or surplus variable then has a negative reduced cost)."""
        floor = self._floor_price()
        return [
            max(
                -SCALE * over,
                min(SCALE * under - (floor if under else 0), round(SCALE * row.dual_value())),
            )
            for row, (under, over) in zip(self.master.cover, self.master.weights, strict=True)
        ]

    def _floor_price(self) -> int:
        """The solved master's floor dual as a scaled integer price (0 without a floor)."""
        row = self.master.floor_row
        return 0 if row is None else max(0, round(SCALE * row.dual_value()))

    def count_places(self, deadline: float, pool: ThreadPoolExecutor) -> None:
        """Raise the bound by whole places short, converging until ``deadline``.

        Where the full master's LP leaves a fraction of a place short, the places master,
        from every column found so far, proves the fewest places short any roster leaves
        (``floor``); where that is more than the LP leaves, the LP is made to leave that many
        and converged again. On Curtois-Qu tight look-alikes of 9 the bound rises from 3540
        to 3565 (the best roster found is 3580) and from 2082 to 2128 (2153). The floor is
        lifted again afterwards: the dives on the master with it ended at 3666-3670 instead
        of 3580 on the first.
        """
        if not self.solve_master():
            return
        short = self.full.short()
        if abs(short - round(short)) < 1e-6:
            return  # whole already: the fewest places short are at most these
        self.master = self._places_master()
        try:
            self.converge(10**9, deadline, pool)
        finally:
            self.master = self.full
        if self.floor > short + 1e-6:
            self.full.floor(self.floor)
            try:
                self.converge(10**9, deadline, pool)
            finally:
                self.full.floor(0)

    def _places_master(self) -> _Master:
        """A places master over every column found so far."""
        places = _Master(self.demand, list(self.people), places=True)
        for v, columns in self.columns.items():
            for k, column in enumerate(columns):
                places.enter(v, k, column)
        return places

    def master_places(self) -> int:
        """The places short the master LP leaves with everyone free, rounded up, and at least
        the proved ``floor``: what a dive's roster should leave."""
        if not self.solve_master():
            return self.floor
        return max(self.floor, math.ceil(self.full.short() - 1e-6))

    def places_short(self, chosen: dict[str, _Column]) -> int:
        """The places a roster of columns leaves short on the rows whose shortfall is priced."""
        worked = [0] * len(self.rows)
        for column in chosen.values():
            for i in column.rows:
                worked[i] += 1
        return sum(
            max(0, d.required - n)
            for d, n in zip(self.demand, worked, strict=True)
            if d.weight_under
        )

    def master_cover(self) -> tuple[float, set[Row]]:
        """The cover penalties the master LP pays with everyone free (``math.inf`` if it fails):
        its value less its columns' own penalties; and the rows of every shift of a post that
        it leaves no place short on any day."""
        if not self.solve_master():
            return math.inf, set()
        own = 0.0
        worked = [0.0] * len(self.rows)
        for v in self.people:
            for k, x in self.master.mix[v].items():
                column = self.columns[v][k]
                own += x.solution_value() * column.cost
                for i in column.rows:
                    worked[i] += x.solution_value()
        short = {
            (post, shift)
            for (post, _, shift), n, d in zip(self.rows, worked, self.demand, strict=True)
            if n < d.required - 1e-6
        }
        covered = {row for row in self.rows if (row[0], row[2]) not in short}
        return self.master.lp.Objective().Value() - own, covered

    def _reduced_cost(self, volunteer: str, values: list[int], duals: Sequence[float]) -> float:
        person = self.people[volunteer]
        cost = 0 if self.master.places else person.model.cost(lambda var: values[var.Index()])
        return cost - sum(duals[self.index[row]] for row in person.worked_in(values))

    def start(self, pool: ThreadPoolExecutor) -> bool:
        """Give every person a first column (their cheapest own roster); False if one has none."""
        zero = [0] * len(self.rows)
        for volunteer, _, solutions in pool.map(
            functools.partial(self._price, prices=zero), self.people
        ):
            if not solutions:
                return False
            self.add(volunteer, solutions[0])
        return True

    def dive(
        self, deadline: float, pool: ThreadPoolExecutor, places: bool = False
    ) -> dict[str, _Column]:
        """Dive to a roster: people work rows of their heaviest column, re-priced in between.

        Fixing a person straight to their heaviest column, when it carries half their mix or
        less, often cost a shift the others could not make up (Curtois-Qu Instance 8, 60 s,
        seeds 4-9: 1403-1419 on four seeds of six); made to work only that column's rows most
        of their mix works, with the rest of their roster re-priced, five seeds of six ended
        within 2 % (1310-1315; one 1408).

        Each step prices for at most ``DIVE_ROUNDS`` rounds, fewer when the steps still needed
        would not otherwise end by the deadline (Curtois-Qu look-alike of Instance 12, 60
        people: 5018 instead of 10667, where eight rounds a step left the last 26 people to be
        fixed at once when time ran out). Past the deadline, on Ctrl-C or when the master
        fails, everyone still free is fixed at once (to the heaviest column, or the first if
        the master has no solution). Returns the roster of the fixed columns and frees
        everyone again, so the next dive starts from the whole master.

        ``places``: the dive works on a places master over every column, first converged: it
        leaves as few places short as it can whatever the own penalties cost.
        """
        self.master = self._places_master() if places else self._dive_master()
        try:
            if places:
                self.converge(10**9, deadline, pool)
            return self._dive(deadline, pool)
        finally:
            for volunteer in self.people:
                self.fix(volunteer, None)
            self.master = self.full

    def _dive_master(self) -> _Master:
        """The master a dive works on: the full one, or with ``dive_columns`` a new one over
        each person's that many columns of least reduced cost at the full master's duals, and
        every column its solution uses (all if it fails)."""
        if self.dive_columns is None:
            return self.full
        solved = self.full.solve()
        duals = [row.dual_value() for row in self.full.cover] if solved else []
        master = _Master(self.demand, list(self.people))
        for v, columns in self.columns.items():
            keep: list[int] = list(range(len(columns)))
            if solved:
                convex = self.full.convex[v].dual_value()
                used = [k for k, x in self.full.mix[v].items() if x.solution_value() > 1e-9]
                keep = sorted(keep, key=lambda k: columns[k].reduced(duals, convex))
                keep = list(dict.fromkeys(used + keep[: self.dive_columns]))
            for k in keep:
                master.enter(v, k, columns[k])
        return master

    def _dive(self, deadline: float, pool: ThreadPoolExecutor) -> dict[str, _Column]:
        while len(self.fixed) < len(self.people):
            # As many pricing rounds per step as let the steps still needed end by the deadline.
            unfixed = len(self.people) - len(self.fixed)
            steps = math.ceil(math.log(max(unfixed, 2)) / -math.log(1 - DIVE_SHARE))
            per_round = self.round_s * unfixed / len(self.people)
            fit = (deadline - time.monotonic()) / (steps * per_round)
            converged = self.converge(max(1, min(DIVE_ROUNDS, int(fit))), deadline, pool)
            solved = converged or self.solve_master()
            weight = {
                v: {k: x.solution_value() if solved else 0.0 for k, x in self.master.mix[v].items()}
                for v in self.people
                if v not in self.fixed
            }
            free = sorted(weight, key=lambda v: -max(weight[v].values()))
            late = not solved or self.clock.interrupt.requested or time.monotonic() >= deadline
            # Steps of rows take about twice the steps of columns: only while two rounds fit.
            rows = fit >= 2
            for volunteer in free if late else free[: max(1, round(DIVE_SHARE * len(free)))]:
                mix = weight[volunteer]
                heaviest = max(mix, key=mix.__getitem__)
                # The column itself only once the mix is whole, time is short or no row is left.
                whole = late or not rows or mix[heaviest] > 0.999
                work = set() if whole else self._majority(volunteer, mix, heaviest)
                if work:
                    self.work(volunteer, work)
                else:
                    self.fix(volunteer, heaviest)
        return {v: self.columns[v][k] for v, k in self.fixed.items()}

    def _majority(self, volunteer: str, mix: dict[int, float], heaviest: int) -> set[int]:
        """The rows of a person's heaviest column they should now work (none: fix the column).

        Its rows not yet worked that at least half of the mix works, or, if none, the one the
        mix works most.
        """
        columns = self.columns[volunteer]
        share = {
            i: sum(w for k, w in mix.items() if i in columns[k].rows)
            for i in columns[heaviest].rows - self.worked[volunteer]
        }
        return {i for i, w in share.items() if w >= 0.5} or (
            {max(share, key=share.__getitem__)} if share else set()
        )

    def work(self, volunteer: str, rows: set[int]) -> None:
        """Make a person work the cover ``rows``: bar their columns that do not."""
        self.worked[volunteer] |= rows
        for k, x in self.master.mix[volunteer].items():
            if not self.worked[volunteer] <= self.columns[volunteer][k].rows:
                x.SetBounds(0, 0)

    def fix(self, volunteer: str, column: int | None) -> None:
        """Fix a person's mix to one column, or free it (``None``) of every fixing."""
        if column is None:
            self.fixed.pop(volunteer, None)
            self.worked[volunteer].clear()
        else:
            self.fixed[volunteer] = column
        for k, x in self.master.mix[volunteer].items():
            if column is None:
                x.SetBounds(0, self.master.lp.infinity())
            else:
                x.SetBounds(int(k == column), int(k == column))

    def recombine(
        self, best: dict[str, _Column], until: float, pool: ThreadPoolExecutor
    ) -> dict[str, _Column]:
        """One column per person out of all found, by SCIP from ``best``; the best roster.

        A set-partitioning programme, which a MIP solver handles far better than CP-SAT: on
        Curtois-Qu Instance 7's pool after the dives (3,584 columns) SCIP proved 1056 optimal
        in 6 s on one core, where CP-SAT stayed at the dives' 1062 for 30 s on two.

        SCIP first looks only among the columns of rosters at most ``FIRST_STEP`` points above
        the master LP's value (see :meth:`_promising`); until the roster it proves best there
        is proved the best of the whole pool, the step doubles. On Instance 7 the dives' best
        was 1062 on one seed and 1158 on another: among every column that could beat those,
        SCIP found nothing better in 10-14 s, while the 1,305 columns of rosters at most 1057
        held a 1056 that SCIP proved optimal in 13 s.
        """
        if not self.solve_master():
            return self._scip(self.columns, best, until, pool)[0]
        floor = math.ceil(self.master.lp.Objective().Value() - 1e-6)
        step = FIRST_STEP
        cost = self.cost(best)
        while not self.clock.interrupt.requested and time.monotonic() < until:
            target = min(cost - 1, floor + step)
            if target < floor:
                break  # best is at the master's bound
            wanted, reach = self._promising(best, target)
            found, proved = self._scip(wanted, best, until, pool)
            best, cost = min((found, self.cost(found)), (best, cost), key=lambda rc: rc[1])
            if not proved or cost <= reach:
                break  # out of time, or no roster of the pool is cheaper than ``best``
            step *= 2
        return best

    def _scip(
        self,
        wanted: dict[str, list[_Column]],
        best: dict[str, _Column],
        until: float,
        pool: ThreadPoolExecutor,
    ) -> tuple[dict[str, _Column], bool]:
        """SCIP's best roster of ``wanted``'s columns (``best`` if none); True if proved.

        How long SCIP takes depends on its random seed (on two pools of Instance 7, five
        seeds each: the pool's best proved in 7 to 18 s, or not within 20 s on one run in ten),
        and it runs on one core: so each worker of ``pool`` solves the programme with a seed of
        its own, and the first to prove its roster optimal stops the others.
        """
        ips = [self._recombining(wanted, best, until) for _ in range(self.clock.workers)]

        def stop() -> None:
            for ip in ips:
                ip.solver.InterruptSolve()

        def solve(ip: _Recombining) -> tuple[dict[str, _Column] | None, bool]:
            status = ip.solver.Solve()
            if status == pywraplp.Solver.OPTIMAL:
                stop()
            solved = status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
            return (ip.roster() if solved else None), status == pywraplp.Solver.OPTIMAL

        with self.clock.interrupt.stopping(stop):
            results = list(pool.map(solve, ips))
        rosters = [roster for roster, _ in results if roster is not None]
        return min(rosters, key=self.cost, default=best), any(proved for _, proved in results)

    def _recombining(
        self, wanted: dict[str, list[_Column]], best: dict[str, _Column], until: float
    ) -> _Recombining:
        """SCIP's set-partitioning programme over ``wanted``, hinted ``best``, seeded at random."""
        ip = pywraplp.Solver.CreateSolver("SCIP")
        assert ip is not None
        # Primal simplex re-solving the nodes' LPs: on two pools of Instance 7 and five seeds
        # each, SCIP proved the pool's best within 20 s on 9 runs of 10 (7 with the default).
        seed = self.clock.rng.randrange(1 << 30)
        ip.SetSolverSpecificParametersAsString(
            f"randomization/randomseedshift = {seed}\nlp/resolvealgorithm = p\n"
        )
        # The cover slacks before the columns: the other way round, SCIP took 23 s instead of 6
        # on that pool of Instance 7 (the same programme, its variables in another order).
        rows, _ = _cover_rows(ip, self.demand, self.full.weights)
        pick: dict[str, list[pywraplp.Variable]] = {}
        hint = []
        for v, cols in wanted.items():
            one = ip.Constraint(1, 1)
            pick[v] = []
            for column in cols:
                var = ip.BoolVar("")
                pick[v].append(var)
                one.SetCoefficient(var, 1)
                ip.Objective().SetCoefficient(var, column.cost)
                for i in column.rows:
                    rows[i].SetCoefficient(var, 1)
                hint.append(float(column is best[v]))
        ip.Objective().SetMinimization()
        ip.SetHint([var for v in wanted for var in pick[v]], hint)
        ip.SetTimeLimit(max(1, int(1000 * (until - time.monotonic()))))
        return _Recombining(ip, wanted, pick)

    def _promising(
        self, best: dict[str, _Column], target: int
    ) -> tuple[dict[str, list[_Column]], float]:
        """Per person, the columns that can be part of a roster costing at most ``target``.

        Any roster of known columns costs at least the master LP's value plus the reduced
        costs of its columns, so a column whose reduced cost alone exceeds the gap between
        ``target`` and the LP is in no such roster (kept anyway: ``best``'s own, SCIP's hint).
        Also returns the least any roster with a column left out can cost (``math.inf`` when
        none is). The master must be solved. On Curtois-Qu Instance 7, a target of 1056 keeps
        1,647 of 3,475 columns, and SCIP proves the pool's 1057 optimal in 20 s instead of not
        at all in 25 s.
        """
        duals = [row.dual_value() for row in self.master.cover]
        lp = self.master.lp.Objective().Value()
        wanted: dict[str, list[_Column]] = {}
        reach = math.inf
        for v, cols in self.columns.items():
            wanted[v] = []
            convex = self.master.convex[v].dual_value()
            for c in cols:
                reduced = c.reduced(duals, convex)
                if c is best[v] or reduced <= target - lp + 1e-6:
                    wanted[v].append(c)
                else:
                    reach = min(reach, lp + reduced)
        # Objectives are integers.
        return wanted, math.ceil(reach - 1e-6) if reach < math.inf else reach

    def assignments(self, chosen: dict[str, _Column]) -> tuple[Assignment, ...]:
        """The assignments of a roster of columns."""
        return tuple(
            a
            for v, column in chosen.items()
            for a in self.people[v].model.value_assignments(
                lambda var, c=column: c.values[var.Index()]
            )
        )

    def cost(self, chosen: dict[str, _Column]) -> int:
        """Exact objective of a roster of columns: their own penalties plus the cover's."""
        self.search.count.clear()
        for column in chosen.values():
            self.search.count.update(self.rows[i] for i in column.rows)
        return sum(c.cost for c in chosen.values()) + self.search.cover_cost()


class Columns:
    """Column generation's bound and best roster for one solve, as the search's partner.

    ``with Columns(instance, clock) as columns:`` owns the pricing threads; ``search`` proves
    the bound, dives and recombines; ``roster`` is the best roster found.
    """

    def __init__(self, instance: RosterInstance, clock: Clock, **settings: int | None) -> None:
        """``settings``: :class:`ColumnGeneration`'s ``batches`` and ``dive_columns``."""
        self.clock = clock
        self.generation = ColumnGeneration(instance, clock, **settings)
        self.pool = ThreadPoolExecutor(max_workers=clock.workers)
        self.best: dict[str, _Column] = {}
        self.cost: int | None = None  # objective of ``best``
        self.counted: dict[str, _Column] | None = None  # see :meth:`counted_roster`

    def __enter__(self) -> Columns:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)

    @property
    def bound(self) -> int:
        """The proved lower bound on any roster's objective."""
        return self.generation.bound

    def search(self, bound_until: float, until: float) -> bool:
        """Price until ``bound_until`` (monotonic time), then dive and recombine until ``until``.

        False if there is no roster: a person's pricing found none of theirs (infeasible, or
        out of time).
        """
        generation = self.generation
        if not generation.start(self.pool):
            return False
        # Everyone's cheapest own roster: poor cover, but a roster within a second or two
        # (the first dive can take half the minute on 60 people).
        self._keep({v: columns[0] for v, columns in generation.columns.items()})
        if not generation.converge(10**9, bound_until, self.pool):
            # Out of time before the master converged (on 60 people, now and then): one round
            # of everyone at one set of prices still proves a bound, in a round's time. On the
            # tight look-alike of 12 stopped at 12 s and 16 s: 2345 and 2385 in 0.3 s, where
            # the converged master proves 2415 and an unconverged one proved nothing.
            generation.converge(1, self.clock.deadline, self.pool, batches=1)
        generation.count_places(bound_until, self.pool)
        if generation.bound > 0 and self.cost is not None:
            self.clock.report(self.cost, self.bound)  # the bound proved since that roster
        # Each dive starts from the master with everyone free again and every column found so
        # far. Curtois-Qu Instance 7, 3 seeds: median 1058 instead of 1062; on Instance 8 the
        # seed with a poor single dive (1401-1613) ended at 1312 in one run of two.
        # Rounds of dives and recombining, each round's dives adding to the pool the next
        # recombines, while the last round found a better roster and another would still end
        # in the window. Instance 5, seeds 0-5: 1143 on five instead of three. Rounds to the
        # window's end whatever they find cost 6 its optimum on a seed (1951): the full model,
        # which finds and proves 1950 there, started 16 s later.
        # After MISSED_DIVES dives that left more places short than the master LP, while the
        # best roster does too, dives on the places master until one leaves no more
        # (``counted``, kept aside: see the redive in optimizer.roster.solve). On the tight
        # look-alike of 10 every dive on the whole master leaves 26 places short where the LP
        # leaves 25, and the cover repair (CP-SAT on the cover alone, 20 s) finds no 25; dives
        # on the places master reach 25 about one time in four, at 2811-2820 against
        # 2885-2990. Their rosters are poor starts where the repair succeeds: on Instance 8 a
        # places roster (1386, 12 places short) ended at 1332-1349, the repaired roster of a
        # whole dive (13 short) at 1304-1326.
        fewest = generation.master_places()
        missed = 0  # dives that left more places short than ``fewest``
        again, dived = True, False
        while again and not self._done() and time.monotonic() < until:
            began, before = time.monotonic(), self.cost
            stale = 0
            while not self._done():
                places = (
                    missed >= MISSED_DIVES
                    and self.counted is None
                    and generation.places_short(self.best) > fewest
                )
                if stale >= STALE_DIVES or not self._dive_fits(until, dived, places):
                    break
                best = self.cost
                chosen = generation.dive(until, self.pool, places)
                dived = True
                short = generation.places_short(chosen)
                if places and short <= fewest:
                    self.counted = chosen
                    continue
                missed += short > fewest
                self._keep(chosen)
                stale = 0 if self.cost != best else stale + 1
            if self._done():
                break
            self._keep(generation.recombine(self.best, until, self.pool))
            again = self.cost != before and 2 * time.monotonic() - began <= until
        return True

    def dive(self, until: float) -> bool:
        """One more dive from the whole master, to end by ``until``; True if its roster is
        better than the best so far (it becomes the best)."""
        before = self.cost
        self._keep(self.generation.dive(until, self.pool))
        return self.cost != before

    def roster(self) -> tuple[Assignment, ...]:
        """The best roster found."""
        return self.generation.assignments(self.best)

    def counted_roster(self) -> tuple[Assignment, ...] | None:
        """The roster of a places dive that left no more places short than the master LP
        (None if none did)."""
        return None if self.counted is None else self.generation.assignments(self.counted)

    def _dive_fits(self, until: float, dived: bool, places: bool = False) -> bool:
        """True if a dive may start: before ``until`` and, once one has ``dived``, one pricing
        round a step of rows fits (a step on the ``places`` master: its dives take 5-7 s on
        the tight look-alike of 10 where the others take 9-10, and the rule would leave the
        window's last 16 s to recombining, which found nothing there).

        After each step ``1 - DIVE_SHARE`` of the free people are still free, so one round a
        step adds up to about ``1 / DIVE_SHARE`` rounds of everyone (fewer with steps of one
        person, counted as such all the same), twice that in steps of rows. A
        dive that runs out of time fixes everyone still free at once: a poor roster (look-alike
        of 12: 12987-13594 with time for one round; Instance 8: 3122, 4120 with time for two,
        2933 with time for four), for seconds the full model lost. The first dive starts
        anyway: its roster may be the only one better than the start's.
        """
        left = until - time.monotonic()
        rounds = 1 if places else 2
        return left > 0 and (not dived or left >= rounds * self.generation.round_s / DIVE_SHARE)

    def _done(self) -> bool:
        return self.clock.interrupt.requested or (self.cost is not None and self.cost <= self.bound)

    def _keep(self, chosen: dict[str, _Column]) -> None:
        cost = self.generation.cost(chosen)
        if self.cost is None or cost < self.cost:
            self.best, self.cost = chosen, cost
            self.clock.report(cost, self.bound)


def pinned(model: RosterModel, worked: set[tuple[str, int, str, str]]) -> cp_model.CpModel:
    """A copy of ``model``'s CP-SAT model with every assignment fixed to the roster ``worked``."""
    cp = cp_model.CpModel()
    cp.Proto().copy_from(model.cp.Proto())
    variables = cp.Proto().variables
    for key, var in model.x.items():
        domain = variables[var.Index()].domain
        domain[0] = domain[1] = int(key in worked)
    return cp
