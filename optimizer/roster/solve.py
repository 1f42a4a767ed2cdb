"""Solve a roster instance with CP-SAT: progress reports, Ctrl-C, and large-neighbourhood search.

Small instances are solved by one CP-SAT run on the full model. Large ones (many thousands of
assignment variables) first get a roster from a short full-model run, then improve it by
large-neighbourhood search: a few teams or a window of days are freed, everything else is fixed
at the incumbent, and CP-SAT re-solves that neighbourhood with the incumbent as a hint. A final
full-model run with the best roster as hint reports an honest lower bound.

CP-SAT catches SIGINT itself and returns its best solution as if the time limit were reached;
the search loop notices the early return and stops, so Ctrl-C yields the best roster so far.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.roster.domain import Assignment, RosterInstance
from optimizer.roster.explain import counting_checks, explain_infeasible
from optimizer.roster.model import RosterModel
from optimizer.roster.plan import RosterPlan

# Above this many assignment variables the full model alone converges slowly: use LNS.
LNS_THRESHOLD = 20_000


@dataclass(frozen=True)
class Progress:
    """One improvement during the search: objective, best bound, gap (fraction), elapsed."""

    objective: int
    bound: float
    gap: float
    elapsed_s: float


def gap_of(objective: float, bound: float) -> float:
    """Relative gap as a fraction of the objective (0 when the bound meets it)."""
    if objective <= 0 or bound >= objective:
        return 0.0
    return (objective - bound) / objective


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to ``on_progress`` as a :class:`Progress`."""

    def __init__(self, start: float, on_progress: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.start = start
        self.on_progress = on_progress
        self.best: float | None = None

    def on_solution_callback(self) -> None:
        objective = self.ObjectiveValue()
        if self.on_progress is None or (self.best is not None and objective >= self.best):
            return
        self.best = objective
        bound = self.BestObjectiveBound()
        self.on_progress(
            Progress(int(objective), bound, gap_of(objective, bound), time.monotonic() - self.start)
        )


@dataclass
class _Incumbent:
    """Best roster so far as values of the assignment variables, and the run's bound."""

    values: dict[int, int]  # variable index -> value, for every variable of the model
    objective: int
    bound: float


def _params(time_limit: float, workers: int, seed: int, *, bound: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if bound and workers >= 2:
        # The full-model worker runs the strongest LP relaxation (fair-share chords, total
        # work): the default LP worker left the bound at 0 on the Dongying week, max_lp proves
        # the fair-share floor in seconds. The other worker interleaves LNS and local search.
        solver.parameters.subsolvers.append("max_lp")
    return solver


def _run(
    model: cp_model.CpModel,
    solver: cp_model.CpSolver,
    reporter: _Reporter,
) -> tuple[int, bool]:
    """Solve; return the status and whether the run stopped early (Ctrl-C)."""
    limit = solver.parameters.max_time_in_seconds
    status = solver.Solve(model, reporter)
    stopped = status == cp_model.FEASIBLE and solver.WallTime() < 0.9 * limit - 0.05
    return status, stopped


def _values(solver: cp_model.CpSolver, n: int) -> dict[int, int]:
    response = solver.ResponseProto()
    return dict(zip(range(n), response.solution, strict=False))


def _hint(model: RosterModel, hint: Sequence[Assignment]) -> None:
    chosen = {(a.volunteer, a.day, a.shift, a.post) for a in hint}
    for key, var in model.x.items():
        model.cp.AddHint(var, int(key in chosen))


def _neighbourhood(model: RosterModel, rng: random.Random, size: float) -> set[int]:
    """Indices of the assignment variables freed this round: some teams, or a window of days."""
    inst = model.instance
    if rng.random() < 0.5:
        teams = sorted({v.team for v in inst.volunteers})
        k = max(1, round(size * len(teams)))
        free_teams = set(rng.sample(teams, min(k, len(teams))))
        team_of = {v.id: v.team for v in inst.volunteers}
        return {var.Index() for (v, _, _, _), var in model.x.items() if team_of[v] in free_teams}
    width = max(2, round(size * inst.days * 2))
    first = rng.randrange(0, max(1, inst.days - width + 1))
    people = sorted(model.volunteer_by_id)
    chosen = set(rng.sample(people, max(1, min(len(people), round(len(people) * 0.5)))))
    return {
        var.Index()
        for (v, d, _, _), var in model.x.items()
        if first <= d < first + width and v in chosen
    }


def _lns(
    model: RosterModel,
    incumbent: _Incumbent,
    deadline: float,
    workers: int,
    seed: int,
    reporter: _Reporter,
) -> tuple[_Incumbent, bool]:
    """Improve the incumbent by re-solving neighbourhoods until the deadline or Ctrl-C."""
    rng = random.Random(seed)
    proto = model.cp.Proto()
    n = len(proto.variables)
    size = 0.2
    while time.monotonic() < deadline - 1.0:
        free = _neighbourhood(model, rng, size)
        sub = cp_model.CpModel()
        sub.Proto().copy_from(proto)
        variables = sub.Proto().variables
        for var in model.x.values():
            i = var.Index()
            if i not in free:
                domain = variables[i].domain  # a Boolean's domain is [0, 1]: pin both ends
                domain[0] = domain[1] = incumbent.values[i]
        sub.ClearHints()
        hint = sub.Proto().solution_hint
        hint.vars.extend(range(n))
        hint.values.extend(incumbent.values[i] for i in range(n))
        budget = min(10.0, deadline - time.monotonic() - 0.5)
        solver = _params(budget, workers, rng.randrange(1 << 30), bound=False)
        status, stopped = _run(sub, solver, reporter)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            objective = round(solver.ObjectiveValue())
            if objective < incumbent.objective:
                incumbent = _Incumbent(_values(solver, n), objective, incumbent.bound)
            # A neighbourhood solved to optimality quickly is too small: grow it.
            size = min(0.6, size * 1.2) if status == cp_model.OPTIMAL else max(0.05, size / 1.2)
        if stopped:
            return incumbent, True
    return incumbent, False


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
    model = RosterModel(instance)
    reasons = counting_checks(model)
    if reasons:
        return _failed(instance, "infeasible", start, reasons)
    if hint:
        _hint(model, hint)
    reporter = _Reporter(start, on_progress)
    large = len(model.x) > LNS_THRESHOLD
    deadline = start + time_limit
    first_limit = min(max(5.0, 0.2 * time_limit), time_limit) if large else time_limit
    solver = _params(first_limit - (time.monotonic() - start), workers, seed, bound=True)
    status, stopped = _run(model.cp, solver, reporter)
    if status == cp_model.INFEASIBLE:
        remaining = max(1.0, deadline - time.monotonic())
        return _failed(instance, "infeasible", start, explain_infeasible(instance, remaining))
    if status == cp_model.MODEL_INVALID:
        return _failed(instance, "invalid", start, (model.cp.Validate(),))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _failed(instance, "timeout", start, ())
    n = len(model.cp.Proto().variables)
    incumbent = _Incumbent(
        _values(solver, n), round(solver.ObjectiveValue()), solver.BestObjectiveBound()
    )
    optimal = status == cp_model.OPTIMAL
    if large and not optimal and not stopped and time.monotonic() < deadline - 2.0:
        incumbent, stopped = _lns(model, incumbent, deadline, workers, seed, reporter)
    return _plan(model, incumbent, optimal, start)


def _failed(
    instance: RosterInstance, status: str, start: float, reasons: Sequence[str]
) -> RosterPlan:
    return RosterPlan(
        instance, (), status, None, None, None, time.monotonic() - start, (), tuple(reasons)
    )


def _plan(model: RosterModel, incumbent: _Incumbent, optimal: bool, start: float) -> RosterPlan:
    def val(var: cp_model.IntVar) -> int:
        return incumbent.values[var.Index()]

    penalties = model.penalties(val)
    objective = sum(p.amount for p in penalties)
    bound = float(incumbent.bound)
    if optimal:
        bound = float(objective)
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
