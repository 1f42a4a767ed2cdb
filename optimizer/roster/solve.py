"""Solve a roster instance with CP-SAT: progress reports, Ctrl-C, and large-neighbourhood search.

The search runs in up to three phases, sharing one progress reporter:

1. *first roster*: on small instances whose cover is all soft, column generation's roster and
   bound (:mod:`optimizer.roster.columns`); elsewhere the hard rules alone, without the
   objective, which CP-SAT satisfies in seconds where the objective-driven portfolio needs
   much longer;
2. *bound*: the full model with the strongest LP worker (``max_lp``) and the first roster, if
   any, as a hint: it finds or improves the roster and proves the bound the plan reports (a
   columns' roster more than 2 % above their bound is first re-solved for its cover alone,
   which the full model, hinted it, would keep; on mid-sized models by windows of days; where
   that and one more dive still leave a place short that the master covers, a roster that a
   dive on places alone found takes its place);
3. *neighbourhoods* (large instances, and the second half of the time column generation
   leaves on mid-sized ones): a few teams, or a window of days for half the people, are
   freed, everything else is fixed at the incumbent, and CP-SAT re-solves that neighbourhood
   around the incumbent; the bound stays the one phase 2 proved.

Ctrl-C: CP-SAT's own SIGINT handling is switched off; a Python handler plus a wakeup file
descriptor lets a watcher thread stop the running solve (CP-SAT's ``StopSearch``, SCIP's
``InterruptSolve`` while column generation recombines), which then returns its best solution.
The phases check the flag, so Ctrl-C yields the best roster so far.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from types import FrameType, TracebackType

from ortools.sat.python import cp_model

from optimizer.roster.by_person import (
    BY_PERSON_THRESHOLD,
    Row,
    choices,
    separable,
    solve_by_person,
)
from optimizer.roster.columns import Columns, pinned
from optimizer.roster.domain import Assignment, RosterInstance
from optimizer.roster.explain import counting_checks, explain_infeasible
from optimizer.roster.model import RosterModel, Sum
from optimizer.roster.plan import Progress, RosterPlan, gap_of

# Above this many assignment variables the full model alone converges slowly: use LNS.
LNS_THRESHOLD = 20_000
# Share of the time limit that the large-instance path gives the bound phase.
BOUND_SHARE = 0.25
# Share of the time limit the portfolio gets for a first roster of a large instance.
FIRST_SHARE = 0.35
FIRST_CAP_S = 20.0  # ... but at most this long: where it succeeds, it does within seconds
# Above this many assignment variables the round-robin search goes first instead.
ROUND_ROBIN_FIRST = 60_000
# Small instances whose cover is all soft: column generation proves a bound until this share of
# the time limit, then dives to a roster until DIVE_SHARE (SPLIT_DIVE_SHARE on a model above
# COLUMNS_LNS_THRESHOLD).
COLUMNS_SHARE = 0.35
DIVE_SHARE = 0.6
# On a split model the dive is what finds the cover and the full model only trades the rest
# (look-alike of 12: a dive's 4724 re-covered and traded to 4616 within 4 s, then nothing for
# 14 s): dives end later there. Look-alike of 12, seeds 0-7: 349 places short in all instead
# of 362, median 4463.5 instead of 4618 (0.9: 349, median 4509); look-alike of 15, seeds 0-2:
# 4974, 5104, 5074 instead of 5040, 5141, 5163. Not on smaller models: on Instance 8 with 0.85
# two seeds of three ended a cover place short (1401, 1404) and 6 lost its proof on two. Since
# the cover repair (SPLIT_COVER_FIRST_SHARE) 0.75 instead of 0.85: 15 at 4575, 4686, 4588
# (seeds 0-2) instead of 4669, 4665, 4668; 12 within its noise (seeds 0-10: 5 of 11 at 43
# places short, median 4513; as before, 4 of 12, median 4506).
SPLIT_DIVE_SHARE = 0.75
# ... and price in batches (see ColumnGeneration): on 12 the master's bound phase otherwise ends
# at 21 s, before it converges (23 s), and some seeds reported a bound of 4135-4230 instead of
# 4354; with three, every seed of 0-7 reports 4354-4355 and the rosters stay within their noise
# (351 places short in all instead of 349; 15, seeds 0-2: 4963, 4999, 5193). Not on smaller
# models, which converge in time anyway: there Instance 6 proved its optimum on one seed of
# three instead of all three.
SPLIT_BATCHES = 3
# ... and dive on a master of their own over each person's this many columns of least reduced
# cost (see ColumnGeneration): look-alike of 12, seeds 0-4, 4406 on all five, where diving on
# the master of every column gave 4407, 4506, 4406, 4508, 4406. Not on smaller models, whose
# dives fit in the window anyway: there Instance 7's dives took 1.6 s instead of 2.5 but
# their pool recombined to 1057-1058 instead of 1056 (though a few other dives of the full
# master, with slightly other settings, recombine to 1057 as well), while 8 gained (1303 and
# 1304 on seeds 0-1, against 1310 and 1304).
SPLIT_DIVE_COLUMNS = 20
# Above this many assignment variables the full model gets this share of the time left after
# the dives, neighbourhoods the rest (Curtois-Qu look-alikes, 60 s: 15 at 5033-5039 instead of
# 5133-5149; 12 at 4511-4724 over three seeds instead of 4606-4810, within its noise). Smaller
# instances keep the full model to the end: split there, Instance 6 lost its optimum on two
# seeds of three (1951) and 7, 8 and look-alikes 10-11 gained nothing.
COLUMNS_LNS_THRESHOLD = 5_000
COLUMNS_FULL_SHARE = 0.5
# ... for horizons up to this many days: on Curtois-Qu look-alikes of 56-84 days the pricing is
# too slow to converge in time, and the full model alone did better (17: 2428 vs 2634).
COLUMNS_MAX_DAYS = 42
# A columns' roster this far above the bound is first re-solved for its cover alone, for at
# most COVER_FIRST_S seconds and COVER_FIRST_SHARE of the time left (see _Search.cover_first).
COVER_FIRST_GAP = 0.02
COVER_FIRST_S = 8.0
COVER_FIRST_SHARE = 0.25
# ... and on a split model this share: its one dive takes the whole window (look-alike of 12:
# 14-51 s) and the repair needs more than the 2 s a quarter left it (replayed from 16 rosters
# of 12 44 or more places short, two seeds each: 43 places short within 2.3 s in 7 runs of 32,
# within 6 s in 9).
SPLIT_COVER_FIRST_SHARE = 0.5
# ... there by windows of days (see _Search.cover_windows), each re-solved for at most this long.
WINDOW_S = 1.5
# When the repaired roster still leaves a place short that the master LP covers, the columns
# dive once more if this many seconds are left besides the last REDIVE_RESERVE_S, kept for the
# full model (a dive of Instance 8 takes 12-13 s). There the new dive ends 12 places short about
# one time in three, where the full model from 13 short came back one time in nine: 10 of 24 runs
# whose repair had failed ended within 2 %, against 3 of 28.
REDIVE_S = 12.0
REDIVE_RESERVE_S = 4.0
# Longest single neighbourhood re-solve, seconds.
NEIGHBOURHOOD_S = 2.0


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to ``on_progress`` as a :class:`Progress`."""

    def __init__(self, start: float, on_progress: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.start = start
        self.on_progress = on_progress
        self.best: float | None = None
        self.bound = 0.0  # best bound proved (on the full model, or by column generation)
        self.local = False  # True while solving a neighbourhood: its bound is not global

    def on_solution_callback(self) -> None:
        objective = self.ObjectiveValue()
        if objective <= self.bound:
            self.StopSearch()  # proved optimal by a bound found outside this solve
        if self.on_progress is None or (self.best is not None and objective >= self.best):
            return
        self.best = objective
        # Neighbourhood runs know no global bound: keep the best one proved so far.
        bound = self.bound if self.local else max(self.bound, self.BestObjectiveBound())
        self.on_progress(
            Progress(int(objective), bound, gap_of(objective, bound), time.monotonic() - self.start)
        )


class _Interrupt:
    """Ctrl-C during the search stops the running solve and sets ``requested``."""

    def __init__(self) -> None:
        self.requested = False
        self._stop: Callable[[], None] | None = None  # stops the running solve
        self._active = threading.current_thread() is threading.main_thread()

    def __enter__(self) -> _Interrupt:
        if not self._active:
            return self  # signals reach only the main thread; nothing to catch elsewhere
        self._read, self._write = socket.socketpair()
        self._write.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._old_handler = signal.signal(signal.SIGINT, self._on_signal)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True

    def _watch(self) -> None:
        # The C-level handler writes the signal number here even while the main thread is
        # blocked inside CP-SAT, so the stop reaches the solver at once.
        while data := self._read.recv(16):
            if signal.SIGINT in data:
                self.requested = True
                if self._stop is not None:
                    self._stop()

    @contextlib.contextmanager
    def stopping(self, stop: Callable[[], None]) -> Iterator[None]:
        """While the block runs, Ctrl-C calls ``stop`` (a solver's stop-search method)."""
        self._stop = stop
        try:
            yield
        finally:
            self._stop = None

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        if not self._active:
            return
        signal.signal(signal.SIGINT, self._old_handler)
        signal.set_wakeup_fd(self._old_fd)
        self._write.close()  # the watcher reads end-of-file and returns
        self._thread.join()
        self._read.close()


@dataclass
class _Incumbent:
    """Best roster so far as values of every model variable, and the proved bound."""

    values: list[int]
    objective: int
    bound: float


class Clock:
    """One solve_roster call's budget: deadline, workers, seed, reporter and Ctrl-C flag."""

    def __init__(
        self,
        start: float,
        time_limit: float,
        workers: int,
        seed: int,
        reporter: _Reporter,
        interrupt: _Interrupt,
    ) -> None:
        self.start = start
        self.deadline = start + time_limit
        self.workers = workers
        self.rng = random.Random(seed)
        self.reporter = reporter
        self.interrupt = interrupt

    def left(self) -> float:
        """Seconds until the deadline."""
        return self.deadline - time.monotonic()

    def run(
        self,
        cp: cp_model.CpModel,
        limit: float,
        *,
        bound: bool = False,
        report: bool = True,
        fixed: bool = False,
        light: bool = False,
        presolve: bool = True,
        local_search: bool = False,
        interruptible: bool = True,
    ) -> tuple[int, cp_model.CpSolver]:
        """Solve ``cp`` for at most ``limit`` seconds; return the status and the solver.

        ``local_search``: one worker running only local search (feasibility jump), which finds
        a first solution of a small model as fast as the portfolio on one core instead of all.
        ``interruptible=False``: Ctrl-C does not stop this solve (one whose answer is needed).
        """
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.01, min(limit, self.left()))
        params.num_workers = self.workers
        params.random_seed = self.rng.randrange(1 << 30)
        params.catch_sigint_signal = False  # _Interrupt handles Ctrl-C
        params.cp_model_presolve = presolve
        if light:
            params.cp_model_probing_level = 0
            params.max_presolve_iterations = 1
        if local_search:
            params.num_workers = 1
            params.use_ls_only = True
        if fixed:
            params.num_workers = 1
            params.search_branching = cp_model.FIXED_SEARCH
            params.linearization_level = 0
        if bound and self.workers >= 2:
            # The full-model worker runs the strongest LP relaxation (fair-share chords, total
            # work): the default LP worker left the bound at 0 on the Dongying week, max_lp
            # proves the fair-share floor in seconds. The other worker interleaves LNS.
            params.subsolvers.append("max_lp")
        with self.interrupt.stopping(solver.StopSearch if interruptible else lambda: None):
            status = solver.Solve(cp, self.reporter if report else None)
        return status, solver

    def report(self, objective: int, bound: float) -> None:
        """Report a roster found outside a CP-SAT solve (later solves report only better ones)."""
        self.reporter.best = objective
        if self.reporter.on_progress is not None:
            elapsed = time.monotonic() - self.start
            self.reporter.on_progress(Progress(objective, bound, gap_of(objective, bound), elapsed))

    def hint(self, cp: cp_model.CpModel, values: Sequence[int]) -> None:
        """Replace ``cp``'s hint by a value for every variable."""
        cp.ClearHints()
        hint = cp.Proto().solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)


class _Search(Clock):
    """The whole-model search: first roster, bound phase and neighbourhoods."""

    model: RosterModel  # set right after construction

    def first_roster(self, large: bool, time_limit: float) -> tuple[int, cp_model.CpSolver]:
        """Any roster meeting the hard rules, ignoring the soft ones.

        CP-SAT's portfolio finds one in seconds up to scale 5 but wanders at scale 10 (none in
        300 s), where one worker filling the demand rows in time order, people round-robin,
        after presolve's probing, finds one with a handful of conflicts (and at scale 5 that
        worker thrashes). Large instances therefore get the portfolio for a third of the time
        limit (at most ``FIRST_CAP_S``), then the round-robin search for the rest; the very
        largest (``ROUND_ROBIN_FIRST``) start with round-robin and fall back to the portfolio.
        Small instances get the portfolio until the deadline (it stops at the first roster).
        """
        rules_only = cp_model.CpModel()
        rules_only.Proto().copy_from(self.model.cp.Proto())
        rules_only.Proto().clear_objective()
        round_robin = large and len(self.model.x) > ROUND_ROBIN_FIRST
        if round_robin:
            rules_only.AddDecisionStrategy(
                self._round_robin(), cp_model.CHOOSE_FIRST, cp_model.SELECT_MAX_VALUE
            )
        limit = min(FIRST_SHARE * time_limit, FIRST_CAP_S) if large else self.left()
        if round_robin:
            limit = 0.9 * self.left()
        status, solver = self.run(rules_only, limit, report=False, fixed=round_robin)
        if large and status == cp_model.UNKNOWN and not self.interrupt.requested:
            # The other strategy for what is left.
            rules_only = cp_model.CpModel()
            rules_only.Proto().copy_from(self.model.cp.Proto())
            rules_only.Proto().clear_objective()
            if not round_robin:
                rules_only.AddDecisionStrategy(
                    self._round_robin(), cp_model.CHOOSE_FIRST, cp_model.SELECT_MAX_VALUE
                )
            status, solver = self.run(rules_only, self.left(), report=False, fixed=not round_robin)
        return (cp_model.FEASIBLE if status == cp_model.OPTIMAL else status), solver

    def columns(self, time_limit: float, split: bool) -> tuple[int, cp_model.CpSolver | None]:
        """Column generation's bound and roster (see :mod:`optimizer.roster.columns`).

        The bound goes to the reporter (which stops any later solve that reaches it); the
        roster, completed to every variable of the full model, is the full model's hint. On a
        ``split`` model the dives end later and the pricing is in batches (see
        ``SPLIT_DIVE_SHARE`` and ``SPLIT_BATCHES``). On Curtois-Qu Instance 8 the full model
        then ends at 1304-1306 on two seeds in three, where alone it stopped at 1415. Returns
        the completing solve, or (UNKNOWN, None) when column generation found no roster.
        """
        m = self.model
        with Columns(
            m.instance,
            self,
            batches=SPLIT_BATCHES if split else 1,
            dive_columns=SPLIT_DIVE_COLUMNS if split else None,
        ) as columns:
            dives_end = SPLIT_DIVE_SHARE if split else DIVE_SHARE
            found = columns.search(
                self.start + COLUMNS_SHARE * time_limit, self.start + dives_end * time_limit
            )
            # Not posted as the objective's domain: that slowed the search down (Instance 6:
            # 2047 instead of optimal in 40 s); the reporter stops a solve that reaches it.
            self.reporter.bound = columns.bound
            if not found:
                return cp_model.UNKNOWN, None
            return self._complete(columns, split)

    def _complete(self, columns: Columns, split: bool) -> tuple[int, cp_model.CpSolver | None]:
        """Complete the columns' best roster to every variable of the full model; hint it.

        A roster more than ``COVER_FIRST_GAP`` above the bound first gets its cover repaired
        (see :meth:`cover_first`; on a ``split`` model by :meth:`cover_windows`, for
        SPLIT_COVER_FIRST_SHARE of the time left). When the repaired roster still leaves a
        place short that the master LP covers, and a dive still fits, the columns dive once
        more, and a better roster of theirs is completed instead (REDIVE_S); if the roster
        still leaves such a place short, the one a places dive left at the master's places is
        completed instead, if any (see :meth:`Columns.search`: tight look-alike of 10, 2801
        and 2803 on the two seeds of three where one did, against 2880-2889).
        """
        m = self.model
        solver = self._pinned(columns.roster())
        if solver is None:
            return cp_model.UNKNOWN, None
        values = list(solver.ResponseProto().solution)
        if columns.cost is not None and columns.cost > (1 + COVER_FIRST_GAP) * columns.bound:
            master, covered = columns.generation.master_cover()
            share = SPLIT_COVER_FIRST_SHARE if split else COVER_FIRST_SHARE
            limit = min(COVER_FIRST_S, share * self.left())
            if split:
                values, cover = self.cover_windows(values, limit, master)
            else:
                values, cover = self.cover_first(values, limit, covered)
            # Half a place above the master's cover: a place short that the master covers (on 8
            # the master pays 1201, 12 places and a forced surplus; a roster 13 short, 1300).
            place = min((d.weight_under for d in m.instance.demand if d.weight_under), default=0)
            if (
                place > 0
                and self.left() >= REDIVE_S + REDIVE_RESERVE_S
                and cover >= master + place / 2
                and columns.dive(time.monotonic() + self.left() - REDIVE_RESERVE_S)
                and columns.cost < _objective_of(m.cp, values)
            ):
                redived = self._pinned(columns.roster())
                if redived is not None:
                    solver, values = redived, list(redived.ResponseProto().solution)
            kept = columns.counted_roster()
            counted = None if kept is None or place == 0 else self._pinned(kept)
            if counted is not None:
                # Their cover penalties against those of ``values`` (``cover``, unless redived).
                cover_model = self._cover_model()
                counted_values = list(counted.ResponseProto().solution)
                ours, theirs = (_objective_of(cover_model, v) for v in (values, counted_values))
                if theirs <= ours - place / 2:
                    solver, values = counted, counted_values
        self.hint(m.cp, values)
        return cp_model.FEASIBLE, solver

    def _pinned(self, roster: Sequence[Assignment]) -> cp_model.CpSolver | None:
        """The solve of the full model with every variable fixed to a roster of the columns
        (None if it failed)."""
        worked = {(a.volunteer, a.day, a.shift, a.post) for a in roster}
        # Not interruptible: a Ctrl-C stopping this (every variable fixed, milliseconds) lost the
        # columns' roster, and the plan came back empty although a roster had been reported.
        status, solver = self.run(
            pinned(self.model, worked), self.left(), report=False, interruptible=False
        )
        return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    def cover_first(
        self, values: list[int], limit: float, covered: Collection[Row] = ()
    ) -> tuple[list[int], int]:
        """A roster whose cover penalties alone are lower than ``values``', else ``values``;
        with the cover penalties of the roster returned.

        The full model, hinted a roster that leaves a shift short the optimum covers, keeps
        that cover and trades the rest (Curtois-Qu Instance 8: 1516 → 1408 and 1411 in 24 s,
        two seeds). Minimising the cover penalties alone from that roster for a few seconds
        finds the better cover, and the full model then the rest (1317 and 1310).

        The ``covered`` rows (those the master LP covers, see
        :meth:`ColumnGeneration.master_cover`) must be fully staffed in that search, so the
        places left short go where the LP leaves them; if they cannot all be, the search runs
        without them. From 20 rosters of Instance 8 13 or more places short, 6 s each, three
        seeds: 12 places short in 48 runs of 60 with them, 33 of 60 without; 49 of 50 whole runs
        then ended within 2 %, where 22 of 84 had before.
        """
        deadline = time.monotonic() + limit
        # Both tries have the same objective, so ``before`` is the same in each.
        for hard in dict.fromkeys([frozenset(covered), frozenset()]):
            cover = self._cover_model(hard)
            self.hint(cover, values)
            before = _objective_of(cover, values)
            status, solver = self.run(cover, deadline - time.monotonic(), report=False)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() < before:
                return list(solver.ResponseProto().solution), round(solver.ObjectiveValue())
            if status != cp_model.INFEASIBLE:
                break
        return values, before

    def cover_windows(
        self, values: list[int], limit: float, target: float
    ) -> tuple[list[int], int]:
        """Like :meth:`cover_first`, by windows of days re-solved for everyone, one at a time,
        until the cover penalties reach ``target`` (the master LP's) or ``limit`` seconds pass.

        Each window runs from the day of a row worked by more people than it needs to that of
        one of the three short rows nearest it (around a short row when none is over), widened
        by 1-3 days: the place to move is the surplus one. From two rosters of the tight
        look-alike of 12 (7,956 assignments) a place short of the LP with one row over, the
        whole-model repair found the place on three replays of six, the windows on three of
        four, most often in the first window.
        """
        m = self.model
        deadline = time.monotonic() + limit
        cover = self._cover_model()
        best = _objective_of(cover, values)
        while (
            best > target + 1e-6
            and time.monotonic() < deadline - 0.05
            and not self.interrupt.requested
        ):
            short, over = [], []
            for d in m.instance.demand:
                key = (d.post, d.day, d.shift)
                staffed = sum(values[x.Index()] for x in m.demand_people[key])
                staffed += m.covered.get(key, 0)
                if staffed < d.required:
                    short.append(key)
                elif staffed > d.required:
                    over.append(key)
            if not short:
                break
            if over:
                surplus = self.rng.choice(over)
                nearest = sorted(short, key=lambda r: (abs(r[1] - surplus[1]), self.rng.random()))
                days = (surplus[1], nearest[self.rng.randrange(min(3, len(nearest)))][1])
            else:
                days = (self.rng.choice(short)[1],) * 2
            pad = self.rng.choice((1, 2, 3))
            first, last = min(days) - pad, max(days) + pad
            free = {var.Index() for key, var in m.x.items() if first <= key[1] <= last}
            status, solver = self.run(
                self._around(cover, free, values),
                min(WINDOW_S, deadline - time.monotonic()),
                report=False,
                light=True,
            )
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() <= best:
                # Equal cover is kept too: the next window starts from another roster.
                values, best = list(solver.ResponseProto().solution), round(solver.ObjectiveValue())
        return values, best

    def _cover_model(self, hard: Collection[Row] = ()) -> cp_model.CpModel:
        """A copy of the full model that minimises its cover penalties alone, with the
        ``hard`` rows fully staffed."""
        m = self.model
        cover = cp_model.CpModel()
        cover.Proto().copy_from(m.cp.Proto())
        for d in m.instance.demand:
            key = (d.post, d.day, d.shift)
            if key in hard:
                cover.Add(Sum(m.demand_people[key]) >= d.required - m.covered.get(key, 0))
        cover.Minimize(m.cover_objective)
        return cover

    def _around(self, cp: cp_model.CpModel, free: set[int], values: list[int]) -> cp_model.CpModel:
        """A copy of ``cp`` with every assignment but the ``free`` ones fixed to ``values``,
        hinted ``values``."""
        sub = cp_model.CpModel()
        sub.Proto().copy_from(cp.Proto())
        variables = sub.Proto().variables
        for var in self.model.x.values():
            i = var.Index()
            if i not in free:
                domain = variables[i].domain  # a Boolean's domain is [0, 1]: pin both ends
                domain[0] = domain[1] = values[i]
        self.hint(sub, values)
        return sub

    def _round_robin(self) -> list[cp_model.IntVar]:
        """Assignment literals row by row in time order, people taken round-robin.

        Each demand row starts where the previous one stopped in the list of people, so the
        first roster already spreads the work (fairness) instead of loading the first ids.
        """
        m = self.model
        shift_order = {s.id: i for i, s in enumerate(m.instance.shifts)}
        position = {v.id: i for i, v in enumerate(m.instance.volunteers)}
        n = len(position)
        by_row: dict[tuple[int, int, str], list[tuple[str, cp_model.IntVar]]] = {}
        for (v, d, s, p), var in m.x.items():
            by_row.setdefault((d, shift_order[s], p), []).append((v, var))
        required = {(d.day, shift_order[d.shift], d.post): d.required for d in m.instance.demand}
        order: list[cp_model.IntVar] = []
        offset = 0
        for row in sorted(by_row):
            people = sorted(by_row[row], key=lambda item: (position[item[0]] - offset) % n)
            order.extend(var for _, var in people)
            offset += required.get(row, 0)
        return order

    def cost(self, solver: cp_model.CpSolver) -> int:
        """The full model's objective of a solve's roster (the solve may have been another)."""
        return self.incumbent(solver, 0.0).objective

    def incumbent(self, solver: cp_model.CpSolver, bound: float) -> _Incumbent:
        # Valued on the full model's objective: the solve may have been the rules-only one.
        values = list(solver.ResponseProto().solution)
        return _Incumbent(values, _objective_of(self.model.cp, values), bound)

    def neighbourhood(self, size: float) -> set[int]:
        """Indices of the assignment variables freed this round.

        Three shapes, drawn at random: whole rosters of some people (or of some teams, when
        there are several), every roster over a window of days, or a window of days for
        half the people. ``size`` is the share of people or of days freed.
        """
        m = self.model
        rng = self.rng
        people = sorted(m.volunteer_by_id)
        days = m.instance.days
        shape = rng.randrange(3)
        if shape == 0:
            teams = sorted({v.team for v in m.instance.volunteers})
            if len(teams) > 1 and rng.random() < 0.5:
                k = min(len(teams), max(1, round(size * len(teams))))
                chosen_teams = set(rng.sample(teams, k))
                chosen = {v.id for v in m.instance.volunteers if v.team in chosen_teams}
            else:
                chosen = set(
                    rng.sample(people, min(len(people), max(2, round(size * len(people)))))
                )
            return {var.Index() for key, var in m.x.items() if key[0] in chosen}
        width = min(days, max(2, round(size * days)))
        first = rng.randrange(0, days - width + 1)
        if shape == 1:
            return {var.Index() for key, var in m.x.items() if first <= key[1] < first + width}
        width = min(days, 2 * width)
        first = rng.randrange(0, days - width + 1)
        chosen = set(rng.sample(people, max(1, len(people) // 2)))
        return {
            var.Index()
            for (v, d, _, _), var in m.x.items()
            if first <= d < first + width and v in chosen
        }

    def improve(self, incumbent: _Incumbent) -> _Incumbent:
        """Re-solve neighbourhoods around the incumbent until the deadline or Ctrl-C."""
        size = 0.1
        while (
            self.left() > 1.0
            and not self.interrupt.requested
            and incumbent.objective > incumbent.bound
        ):
            sub = self._around(self.model.cp, self.neighbourhood(size), incumbent.values)
            self.reporter.local = True
            # Presolving a copy of a big model costs seconds even with most of it pinned:
            # scale the budget with the model and keep presolve light.
            budget = NEIGHBOURHOOD_S + len(self.model.x) / 10_000
            status, solver = self.run(sub, min(budget, self.left() - 0.5), light=True)
            self.reporter.local = False
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = self.incumbent(solver, incumbent.bound)
                if found.objective < incumbent.objective:
                    incumbent = found
            # Solved to optimality quickly: the neighbourhood is too small, grow it.
            size = min(0.6, size * 1.25) if status == cp_model.OPTIMAL else max(0.05, size / 1.25)
        return incumbent


def solve_roster(
    instance: RosterInstance,
    *,
    time_limit: float = 60.0,
    workers: int | None = None,
    seed: int = 0,
    hint: Sequence[Assignment] = (),
    on_progress: Callable[[Progress], None] | None = None,
) -> RosterPlan:
    """Plan the roster: the best one found within ``time_limit`` seconds, or why none exists.

    ``workers`` defaults to the machine's cores; ``hint`` is a roster to start from;
    ``on_progress`` receives each improvement. Ctrl-C returns the best roster found so far.
    """
    start = time.monotonic()
    workers = workers or os.cpu_count() or 1
    soft_cover = separable(instance)
    if soft_cover and choices(instance) > BY_PERSON_THRESHOLD:
        with _Interrupt() as interrupt:
            clock = Clock(
                start, time_limit, workers, seed, _Reporter(start, on_progress), interrupt
            )
            return solve_by_person(instance, clock, hint)
    model = RosterModel(instance)
    reasons = counting_checks(model)
    if reasons:
        return RosterPlan.failed(instance, "infeasible", start, reasons)
    _hint_roster(model, hint)
    reporter = _Reporter(start, on_progress)
    with _Interrupt() as interrupt:
        search = _Search(start, time_limit, workers, seed, reporter, interrupt)
        search.model = model
        large = len(model.x) > LNS_THRESHOLD
        status, solver = cp_model.UNKNOWN, None
        columns = soft_cover and not large and not hint and instance.days <= COLUMNS_MAX_DAYS
        split = columns and len(model.x) > COLUMNS_LNS_THRESHOLD
        if columns:
            status, solver = search.columns(time_limit, split)
        # Where every cover row is soft any roster is easy to find, and a small instance's full
        # model did better started cold than from a rules-only roster (Curtois-Qu Instance 8:
        # median 1515 from one, 1423 cold); elsewhere the hard rules are the difficulty.
        if (large or not soft_cover) and not hint:
            status, solver = search.first_roster(large, time_limit)
            if status == cp_model.FEASIBLE:
                search.hint(model.cp, list(solver.ResponseProto().solution))
        proved = reporter.bound
        if status in (cp_model.UNKNOWN, cp_model.FEASIBLE) and not interrupt.requested:
            limit = BOUND_SHARE * time_limit if large else time_limit
            if split and solver is not None:
                limit = COLUMNS_FULL_SHARE * search.left()
            bound_status, bound_solver = search.run(model.cp, limit, bound=True)
            proved = max(proved, bound_solver.BestObjectiveBound())
            kept = solver is not None and (
                bound_status == cp_model.UNKNOWN
                or (
                    bound_status == cp_model.FEASIBLE
                    and search.cost(solver) < search.cost(bound_solver)
                )
            )
            if not kept:
                status, solver = bound_status, bound_solver
        if status == cp_model.INFEASIBLE:
            reasons = explain_infeasible(instance, max(1.0, search.left()))
            return RosterPlan.failed(instance, "infeasible", start, reasons)
        if status == cp_model.MODEL_INVALID:
            return RosterPlan.failed(instance, "invalid", start, (model.cp.Validate(),))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return RosterPlan.failed(instance, "timeout", start)
        optimal = status == cp_model.OPTIMAL
        # Proved by the full model's solve (not by a pinned or rules-only one) or by columns.
        incumbent = search.incumbent(solver, proved)
        reporter.bound = incumbent.bound
        if (large or split) and not optimal and not interrupt.requested:
            incumbent = search.improve(incumbent)
    return _plan(model, incumbent, optimal, start)


def _objective_of(cp: cp_model.CpModel, values: Sequence[int]) -> int:
    """``cp``'s objective at ``values`` (a value for every variable)."""
    objective = cp.Proto().objective
    return round(
        objective.offset
        + sum(c * values[v] for v, c in zip(objective.vars, objective.coeffs, strict=True))
    )


def _hint_roster(model: RosterModel, roster: Sequence[Assignment]) -> None:
    """Hint ``roster`` (every assignment variable: 1 where it works, 0 elsewhere)."""
    if roster:
        chosen = {(a.volunteer, a.day, a.shift, a.post) for a in roster}
        for key, var in model.x.items():
            model.cp.AddHint(var, int(key in chosen))


def _plan(model: RosterModel, incumbent: _Incumbent, optimal: bool, start: float) -> RosterPlan:
    def val(var: cp_model.IntVar) -> int:
        return incumbent.values[var.Index()]

    penalties = model.penalties(val)
    objective = sum(p.amount for p in penalties)
    optimal = optimal or objective <= incumbent.bound  # the search met the proved bound
    bound = float(objective) if optimal else min(float(incumbent.bound), float(objective))
    return RosterPlan(
        instance=model.instance,
        assignments=model.value_assignments(val),
        status="optimal" if optimal else "feasible",
        objective=objective,
        bound=bound,
        gap=gap_of(objective, bound),
        wall_s=time.monotonic() - start,
        penalties=penalties,
    )
