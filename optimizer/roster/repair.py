"""Repair a roster after people become unavailable, changing as little as possible.

The engine's :class:`~optimizer.roster.model.RosterModel` is built for the instance with the
unavailable people blocked from ``start`` (``--from``) to the end of the horizon. On top of it
this module adds, without touching the engine:

- every post-shift that starts before ``start`` is fixed as in the old roster (it has happened
  or is under way; a shift already under way at ``start`` is left as it is);
- every other assignment that differs from the old roster costs ``change_weight`` points
  (per person added to or removed from a post-shift), added to the engine's soft penalties;
- cover rows after ``start`` that were hard become soft at ``UNCOVERED_WEIGHT`` per missing
  person, so that when no valid roster exists the answer still says which post-shifts cannot
  be covered and by how many people (such a roster is reported, never written as valid).

Penalising changes in the objective (rather than constraining their number) keeps the model
feasible whenever the rules allow any roster, and puts "fewest phone calls" first after cover.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.roster.domain import Assignment, Demand, RosterInstance, Unavailability
from optimizer.roster.model import RosterModel

UNCOVERED_WEIGHT = 1_000_000  # per missing person on a post-shift that was hard


@dataclass(frozen=True)
class Change:
    """One person added to (``added``) or removed from a post-shift."""

    volunteer: str
    day: int
    shift: str
    post: str
    added: bool


@dataclass(frozen=True)
class Shortfall:
    """A post-shift that cannot be covered: ``missing`` people short."""

    post: str
    day: int
    shift: str
    missing: int


@dataclass(frozen=True)
class RepairResult:
    """The repaired roster, its changes, and anything that could not be covered."""

    instance: RosterInstance  # the instance with the new unavailability added
    status: str  # optimal | feasible | infeasible | timeout
    assignments: tuple[Assignment, ...]
    changes: tuple[Change, ...]
    shortfalls: tuple[Shortfall, ...]
    objective: int | None
    bound: float | None
    wall_s: float

    @property
    def valid(self) -> bool:
        """A roster was found and every post-shift is covered."""
        return self.status in ("optimal", "feasible") and not self.shortfalls


def block_people(
    instance: RosterInstance,
    people: Iterable[str],
    start: int,
    old: Sequence[Assignment],
    end: int | None = None,
    reason: str = "quarantine",
) -> RosterInstance:
    """The instance with ``people`` unavailable from ``start`` to ``end`` (default: horizon end).

    A shift of theirs already under way at ``start`` stays; the block begins when it ends.
    Blocked people lose their minimum-hours and minimum-run limits (they cannot meet them).
    """
    people = set(people)
    unknown = people - {v.id for v in instance.volunteers}
    if unknown:
        raise KeyError(sorted(unknown)[0])
    end = instance.days * 1440 if end is None else end
    extra = []
    for vid in sorted(people):
        begin = start
        for a in old:
            s, e = instance.shift(a.shift).span(a.day)
            if a.volunteer == vid and s < start < e:
                begin = max(begin, e)
        if begin < end:
            extra.append(Unavailability(vid, begin, end, reason))
    volunteers = tuple(
        dataclasses.replace(
            v,
            limits=dataclasses.replace(
                v.limits, min_minutes=0, min_consecutive_days=1, min_consecutive_days_off=1
            ),
        )
        if v.id in people
        else v
        for v in instance.volunteers
    )
    return dataclasses.replace(
        instance,
        volunteers=volunteers,
        unavailability=instance.unavailability + tuple(extra),
    )


def _soften_cover(instance: RosterInstance, start: int) -> RosterInstance:
    demand = tuple(
        dataclasses.replace(d, weight_under=UNCOVERED_WEIGHT)
        if d.weight_under is None and instance.shift(d.shift).span(d.day)[0] >= start
        else d
        for d in instance.demand
    )
    return dataclasses.replace(instance, demand=demand)


class RepairModel(RosterModel):
    """The engine's roster model plus a frozen past and a price on every change."""

    def __init__(
        self,
        instance: RosterInstance,
        old: Sequence[Assignment],
        start: int,
        change_weight: int,
    ) -> None:
        super().__init__(_soften_cover(instance, start))
        self.start = start
        old_keys = {(a.volunteer, a.day, a.shift, a.post) for a in old}
        self.old_keys = old_keys
        changes = []
        for key, var in self.x.items():
            was = key in old_keys
            begins = self.shift_by_id[key[2]].span(key[1])[0]
            if begins < start:
                self.cp.Add(var == int(was))
                continue
            self.cp.AddHint(var, int(was))
            changes.append(1 - var if was else var)
        # Old assignments after start with no variable (now impossible) simply disappear and
        # show up as changes; before start they would contradict the frozen past.
        # Post-shifts that lose someone who can no longer work them: (post, day, shift).
        self.holes = {
            (k[3], k[1], k[2])
            for k in old_keys - set(self.x)
            if self.shift_by_id[k[2]].span(k[1])[0] >= start
        }
        past_missing = [
            k for k in old_keys - set(self.x) if self.shift_by_id[k[2]].span(k[1])[0] < start
        ]
        if past_missing:
            v, d, s, p = sorted(past_missing)[0]
            raise ValueError(
                f"the old roster has volunteer {v} on {p} {s} day {d} before --from, "
                "which the rules do not allow"
            )
        objective = self.cp.Proto().objective
        base = sum(
            c * self.cp.GetIntVarFromProtoIndex(i)
            for i, c in zip(objective.vars, objective.coeffs, strict=True)
        )
        self.cp.Minimize(base + change_weight * sum(changes))


def repair_roster(
    instance: RosterInstance,
    old: Sequence[Assignment],
    unavailable: Iterable[str],
    start: int,
    *,
    until: int | None = None,
    change_weight: int = 1000,
    time_limit: float = 8.0,
    workers: int | None = None,
    seed: int = 0,
    on_progress: Callable[[int, float], None] | None = None,
) -> RepairResult:
    """Re-plan from minute ``start`` with ``unavailable`` people gone, fewest changes first.

    They are gone until minute ``until`` (default: the end of the horizon).
    ``on_progress(objective, elapsed_s)`` is called at each better roster.
    """
    t0 = time.monotonic()
    blocked = block_people(instance, unavailable, start, old, until)
    model = RepairModel(blocked, old, start, change_weight)
    workers = workers or os.cpu_count() or 1
    callback = _Progress(t0, on_progress)
    # Phase 1: only the post-shifts that lost someone may change. Tiny after presolve, it
    # usually gives the fewest-change roster at once; it then seeds the full model.
    quick = model.cp.clone()
    for k, var in model.x.items():
        if (k[3], k[1], k[2]) not in model.holes:
            quick.add(quick.get_int_var_from_proto_index(var.index) == int(k in model.old_keys))
    best = _solve(quick, 0.6 * time_limit, workers, seed, callback)
    if best is not None:
        best = (best[0], best[1], -math.inf, False)  # proves nothing about the full model
        model.cp.clear_hints()
        for i, value in enumerate(best[0]):
            model.cp.add_hint(model.cp.get_int_var_from_proto_index(i), value)
    remaining = time_limit - (time.monotonic() - t0)
    full = _solve(model.cp, remaining, workers, seed, callback) if remaining > 0.2 else None
    if full is not None and (best is None or full[1] <= best[1]):
        best = full
    wall = time.monotonic() - t0
    if best is None:
        return RepairResult(blocked, "timeout", (), (), (), None, None, wall)
    values, objective, bound, optimal = best
    new = model.value_assignments(lambda var: values[var.Index()])
    shortfalls = tuple(
        Shortfall(d.post, d.day, d.shift, d.required - n)
        for d in model.instance.demand
        if d.weight_under == UNCOVERED_WEIGHT
        and (n := len({a.volunteer for a in new if (a.post, a.day, a.shift) == _slot(d)}))
        < d.required
    )
    return RepairResult(
        instance=blocked,
        status="optimal" if optimal else "feasible",
        assignments=new,
        changes=diff(old, new),
        shortfalls=shortfalls,
        objective=objective,
        bound=bound,
        wall_s=wall,
    )


def _solve(
    cp: cp_model.CpModel, limit: float, workers: int, seed: int, callback: _Progress
) -> tuple[list[int], int, float, bool] | None:
    """Values of all variables, objective, bound and optimality; None without a solution."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.Solve(cp, callback)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = list(solver.response_proto.solution)
    bound = solver.BestObjectiveBound()
    return values, round(solver.ObjectiveValue()), bound, status == cp_model.OPTIMAL


def _slot(d: Demand) -> tuple[str, int, str]:
    return (d.post, d.day, d.shift)


def diff(old: Iterable[Assignment], new: Iterable[Assignment]) -> tuple[Change, ...]:
    """Assignments removed from ``old`` and added in ``new``, in time then post order."""
    a, b = set(old), set(new)
    out = [Change(x.volunteer, x.day, x.shift, x.post, False) for x in a - b]
    out += [Change(x.volunteer, x.day, x.shift, x.post, True) for x in b - a]
    return tuple(sorted(out, key=lambda c: (c.day, c.shift, c.post, c.added, c.volunteer)))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, t0: float, report: Callable[[int, float], None] | None) -> None:
        super().__init__()
        self.t0, self.report = t0, report

    def on_solution_callback(self) -> None:
        if self.report is not None:
            self.report(round(self.ObjectiveValue()), time.monotonic() - self.t0)
