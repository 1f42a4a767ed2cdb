"""Large rosters whose people are independent under the hard rules, solved person by person.

When every cover row is soft on both sides, no row asks for leads and no soft rule ties people
together (fair shares, teams), each hard rule is one person's own: any set of personal rosters
that each meet their own rules is a valid roster, and the objective is every person's own
penalties plus the cover penalties. For one person, given everyone else's roster, the cover
penalty is linear: working a row that is still short saves its under-cover weight, working a
row that is already full costs its over-cover weight. So each person's roster can be re-solved
exactly by a small CP-SAT model with those prices (*best response*), person after person.

The first sweep over the people builds the first roster; later sweeps improve it until the time
limit, each person by local search alone while it still finds them a better roster, then by the
whole portfolio (see :meth:`BestResponse.visit`). No model of the whole instance is ever built:
a year-long Curtois-Qu file (150 people x 364 days x 32 shift types, ~1 M variables) takes 30 s
to build and more than a minute to presolve as one model, while a person's model builds in a
fraction of a second.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from ortools.sat.python import cp_model

from optimizer.roster.domain import (
    Assignment,
    Demand,
    Preference,
    RosterInstance,
    Unavailability,
    Volunteer,
)
from optimizer.roster.explain import explain_infeasible
from optimizer.roster.model import RosterModel
from optimizer.roster.plan import RosterPlan

if TYPE_CHECKING:
    from optimizer.roster.solve import Clock

Row = tuple[str, int, str]  # (post, day, shift id)
T = TypeVar("T", Preference, Unavailability, Assignment)

# Above this many possible (person, day, shift, post) assignments a separable instance is
# solved person by person rather than as one model.
BY_PERSON_THRESHOLD = 30_000
# The first roster of a person is searched for at least FIRST_S seconds, or for this share of
# the time left per person still to plan, doubling on each retry.
FIRST_S = 1.0
FIRST_SHARE = 0.5
# Longest re-solve of one person by local search alone in the improving sweeps (while it
# still improves their roster), seconds.
LOCAL_S = 0.1
# Longest re-solve of one person by the whole portfolio in the improving sweeps, seconds.
PERSON_S = 0.3
# Share of the time limit kept for writing the plan at the end.
PLAN_SHARE = 0.015


def separable(instance: RosterInstance) -> bool:
    """True when every hard rule binds one person only and no soft rule ties people together."""
    w = instance.weights
    if w.fair_minutes or w.fair_nights or w.fair_weekends:
        return False
    if w.team and any(p.team_policy for p in instance.posts):
        return False
    return all(
        d.weight_under is not None and d.weight_over is not None and d.leads == 0
        for d in instance.demand
    )


def choices(instance: RosterInstance) -> int:
    """How many (person, day, shift, post) assignments the whole model could have, at most."""
    rows = Counter(d.shift for d in instance.demand)
    return sum(n for v in instance.volunteers for s, n in rows.items() if v.shift_cap(s) != 0)


def _by_volunteer(items: Sequence[T]) -> dict[str, tuple[T, ...]]:
    """Rows grouped by their ``volunteer`` field, in their order."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for item in items:
        grouped[item.volunteer].append(item)
    return {v: tuple(rows) for v, rows in grouped.items()}


class Person:
    """One person's own model: their hard rules and own soft terms; cover enters as prices."""

    def __init__(self, instance: RosterInstance) -> None:
        self.model = RosterModel(instance)
        self.xs = list(self.model.x.values())
        self.index = [x.Index() for x in self.xs]
        self.rows: list[Row] = [(p, d, s) for (_, d, s, p) in self.model.x]
        self.values: list[int] | None = None  # the current roster, as values of every variable
        self.local = True  # local search alone still improved this person's roster last time
        # The own penalties as the model states them (RosterModel minimises them).
        objective = self.model.cp.Proto().objective
        self._own: Counter[int] = Counter()  # variable index -> coefficient
        for i, c in zip(objective.vars, objective.coeffs, strict=True):
            self._own[i] += c
        self._offset = objective.offset
        self._scaling = objective.scaling_factor

    def minimize(self, prices: Sequence[int]) -> None:
        """Make the model minimise the own penalties plus ``prices`` (one per row) worked.

        Written into the objective directly: through ``Minimize`` the expression of a year's
        rows took a seventh of a visit on a Curtois-Qu look-alike of 24.
        """
        coeffs = self._own.copy()
        for i, price in zip(self.index, prices, strict=True):
            coeffs[i] += price
        proto = self.model.cp.Proto()
        proto.clear_objective()
        terms = [(i, c) for i, c in coeffs.items() if c]
        proto.objective.vars.extend([i for i, _ in terms])
        proto.objective.coeffs.extend([c for _, c in terms])
        proto.objective.offset = self._offset
        proto.objective.scaling_factor = self._scaling

    def pattern(self, rng: random.Random) -> list[int]:
        """A roster to start the first search from: runs of work and rest within the person's
        own limits, at a random phase, one shift type per run, worked as often as the middle
        of their minimum and maximum time asks (a value for every variable).

        It meets most of the person's rules already, so local search repairs it in a third of
        the time it takes to build a roster from nothing (look-alike of 24), and the random
        phase spreads the people over the days. Runs on the shift types whose rows are
        shortest at the current prices gave a better first roster (24: 616k against 990k) but
        worse final ones where the sweeps settle (13: 12508 against 12020, medians of three).
        """
        model = self.model
        values = [0] * len(model.cp.Proto().variables)
        v = model.instance.volunteers[0]
        limits = v.limits
        offers = {d: shifts for (_, d), shifts in model.day_shifts.items()}
        minutes = [model.shift_by_id[s].minutes for shifts in offers.values() for s in shifts]
        target = (limits.min_minutes + (limits.max_minutes or limits.min_minutes)) / 2
        if not minutes or target <= 0:
            return values
        share = min(1.0, target * len(minutes) / sum(minutes) / model.instance.days)
        # Runs a little shorter than the longest allowed leave room to fit around days off.
        on = max(limits.min_consecutive_days, round(0.8 * (limits.max_consecutive_days or 7)))
        off = max(limits.min_consecutive_days_off, round(on * (1 - share) / share))
        posts: dict[tuple[int, str], int] = {}  # (day, shift id) -> index of its first x
        for (_, d, s), i in zip(self.rows, self.index, strict=True):
            posts.setdefault((d, s), i)
        for first in range(-rng.randrange(on + off), model.instance.days, on + off):
            run = [d for d in range(first, first + on) if d in offers]
            counts = Counter(s for d in run for s in offers[d])
            if not counts:
                continue
            most = max(counts.values())
            shift = rng.choice(sorted(s for s, n in counts.items() if n == most))
            for d in run:
                if shift in offers[d]:
                    values[offers[d][shift].Index()] = 1
                    values[posts[(d, shift)]] = 1
                    works = model.works(v.id, d)
                    if not isinstance(works, int):
                        values[works.Index()] = 1
        return values

    def worked(self) -> list[Row]:
        """Rows this person works in the current roster."""
        assert self.values is not None
        return self.worked_in(self.values)

    def worked_in(self, values: Sequence[int]) -> list[Row]:
        """Rows this person works in the roster ``values`` (a value for every variable)."""
        return [row for row, i in zip(self.rows, self.index, strict=True) if values[i]]

    def priced_cost(self, values: Sequence[int], prices: Sequence[int]) -> int:
        """Own penalties plus the priced cover of a roster of this person."""
        own = self.model.cost(lambda var: values[var.Index()])
        return own + sum(p for p, i in zip(prices, self.index, strict=True) if values[i])


class BestResponse:
    """The sweeps over the people, the cover counts and the running objective."""

    def __init__(self, instance: RosterInstance, clock: Clock) -> None:
        self.instance = instance
        self.clock = clock
        self.demand: dict[Row, Demand] = {(d.post, d.day, d.shift): d for d in instance.demand}
        self.count: Counter[Row] = Counter()  # people working each row
        self.people: dict[str, Person] = {}
        # Each person's own instance: their rules, wishes and absences; the demand rows say
        # where they may work, at no cost of their own (cover is priced per visit instead).
        self._free: dict[str, list[Demand]] = defaultdict(list)  # by shift id
        for d in instance.demand:
            self._free[d.shift].append(dataclasses.replace(d, weight_under=0, weight_over=0))
        self._wishes = _by_volunteer(instance.preferences)
        self._away = _by_volunteer(instance.unavailability)
        self._history = _by_volunteer(instance.history)

    def person_instance(self, v: Volunteer) -> RosterInstance:
        """The instance of ``v`` alone."""
        return dataclasses.replace(
            self.instance,
            volunteers=(v,),
            demand=tuple(d for s, rows in self._free.items() if v.shift_cap(s) != 0 for d in rows),
            preferences=self._wishes.get(v.id, ()),
            unavailability=self._away.get(v.id, ()),
            history=self._history.get(v.id, ()),
        )

    def prices(self, person: Person) -> list[int]:
        """Cost of one more person on each of ``person``'s rows given the people counted now:
        a short row saves its under weight, a full one costs its over weight."""
        count, demand = self.count, self.demand
        return [
            -(d.weight_under or 0) if count.get(row, 0) < d.required else d.weight_over or 0
            for row, d in zip(person.rows, map(demand.__getitem__, person.rows), strict=True)
        ]

    def cover_cost(self) -> int:
        """Cover penalties of the counted roster."""
        return sum(
            (d.weight_under or 0) * max(0, d.required - self.count[row])
            + (d.weight_over or 0) * max(0, self.count[row] - d.required)
            for row, d in self.demand.items()
        )

    def first(self, person: Person, limit: float, *, quick: bool) -> int:
        """Any roster meeting the person's hard rules; return the CP-SAT status.

        ``quick``: local search on one core without presolve, which finds most people's first
        roster in a tenth of a second and leaves the other core to the thread building the
        next models; otherwise the whole portfolio, which can also prove there is none.
        """
        cp = person.model.cp
        cp.ClearObjective()
        status, solver = self.clock.run(
            cp, limit, report=False, presolve=not quick, local_search=quick
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            person.values = list(solver.ResponseProto().solution)
            self.count.update(person.worked())
        return status

    def visit(self, person: Person, limit: float) -> int:
        """Re-solve one person against everyone else, for at most ``limit`` seconds; return
        the points saved.

        The person's rows leave the counts first, so the prices are those of everyone else
        and the change in the person's priced cost is exactly the change in the objective; a
        new roster is kept only when it costs less than the current one. Local search alone
        (``LOCAL_S``) re-solves the person until it finds nothing better for them, the whole
        portfolio (``PERSON_S``) from then on: local search saves three times as many points
        a second at first (look-alike of 23), an eighth as many once the easy moves are made.
        """
        assert person.values is not None
        self.count.subtract(person.worked())
        prices = self.prices(person)
        person.minimize(prices)
        cp = person.model.cp
        self.clock.hint(cp, person.values)
        local = person.local
        status, solver = self.clock.run(
            cp,
            min(limit, LOCAL_S if local else PERSON_S),
            report=False,
            presolve=not local,
            local_search=local,
        )
        saved = 0
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = list(solver.ResponseProto().solution)
            saved = person.priced_cost(person.values, prices) - person.priced_cost(values, prices)
            if saved > 0:
                person.values = values
        person.local = local and saved > 0
        self.count.update(person.worked())
        return max(0, saved)


def solve_by_person(
    instance: RosterInstance, clock: Clock, hint: Sequence[Assignment] = ()
) -> RosterPlan:
    """Plan a separable roster by best response (see the module docstring).

    The people's models live to the end, so each is moved out of the garbage collector's sight
    once built (``gc.freeze``, undone on the way out): its full passes over a year of models
    took up to 0.65 s each on a look-alike of 24, 16,000 passes in the minute, and one at the
    end overran the time limit.
    """
    try:
        return _sweeps(instance, clock, hint)
    finally:
        gc.unfreeze()


def _sweeps(instance: RosterInstance, clock: Clock, hint: Sequence[Assignment]) -> RosterPlan:
    """The first roster, then the improving sweeps until the time limit; the plan."""
    search = BestResponse(instance, clock)
    order = list(instance.volunteers)
    clock.rng.shuffle(order)
    failed = _first_roster(search, order, {(a.volunteer, a.day, a.shift, a.post) for a in hint})
    if failed is not None:
        return failed
    objective = search.cover_cost() + sum(
        p.model.cost(lambda var, p=p: p.values[var.Index()]) for p in search.people.values()
    )
    report = _Improvements(clock, objective)
    # Writing the plan out of a year of models takes about a second: stop sweeping in time.
    reserve = 0.2 + PLAN_SHARE * (clock.deadline - clock.start)
    while clock.left() > reserve and not clock.interrupt.requested:
        clock.rng.shuffle(order)
        for v in order:
            if clock.left() <= reserve or clock.interrupt.requested:
                break
            report.gain(search.visit(search.people[v.id], clock.left() - reserve))
    return _plan(search, clock.start)


def _first_roster(
    search: BestResponse, order: Sequence[Volunteer], hinted: set[tuple[str, int, str, str]]
) -> RosterPlan | None:
    """Give every person a roster meeting their hard rules; a failed plan if that fails.

    A helper thread builds the people's models in order while this one solves them: CP-SAT
    releases the interpreter lock, so building (Python) and solving (C++) overlap.
    """
    clock = search.clock
    with ThreadPoolExecutor(max_workers=1) as builder:
        built = [builder.submit(Person, search.person_instance(v)) for v in order]
        try:
            for i, (v, future) in enumerate(zip(order, built, strict=True)):
                person = future.result()
                search.people[v.id] = person
                if hinted:
                    for key, var in person.model.x.items():
                        if key in hinted:
                            person.model.cp.AddHint(var, 1)
                else:
                    clock.hint(person.model.cp, person.pattern(clock.rng))
                limit = max(FIRST_S, FIRST_SHARE * clock.left() / (len(order) - i))
                for attempt in itertools.count():
                    if clock.interrupt.requested or clock.left() <= 0:
                        return RosterPlan.failed(search.instance, "timeout", clock.start)
                    status = search.first(person, limit * 2**attempt, quick=attempt == 0)
                    if status == cp_model.INFEASIBLE:
                        alone = search.person_instance(v)
                        reasons = explain_infeasible(alone, max(1.0, clock.left()))
                        return RosterPlan.failed(
                            search.instance, "infeasible", clock.start, reasons
                        )
                    if person.values is not None:
                        break
                gc.freeze()
        finally:
            builder.shutdown(cancel_futures=True)
    return None


class _Improvements:
    """Keeps the running objective and reports each improvement to the clock's reporter."""

    def __init__(self, clock: Clock, objective: int) -> None:
        self.clock = clock
        self.objective = objective
        self._send()

    def gain(self, saved: int) -> None:
        if saved > 0:
            self.objective -= saved
            self._send()

    def _send(self) -> None:
        self.clock.report(self.objective, 0.0)


def _plan(search: BestResponse, start: float) -> RosterPlan:
    """The roster of the last sweep, its penalties each stated once, and the trivial bound 0."""
    assignments: list[Assignment] = []
    penalties = []
    for person in search.people.values():
        values = person.values
        assert values is not None

        def val(var: cp_model.IntVar, values: list[int] = values) -> int:
            return values[var.Index()]

        assignments.extend(person.model.value_assignments(val))
        penalties.extend(person.model.penalties(val))
    # The cover penalties, from a model of nobody with every worked row counted as covered.
    nobody = dataclasses.replace(
        search.instance, volunteers=(), preferences=(), unavailability=(), history=()
    )
    penalties.extend(RosterModel(nobody, covered=search.count).penalties(lambda _var: 0))
    objective = sum(p.amount for p in penalties)
    return RosterPlan(
        instance=search.instance,
        assignments=tuple(sorted(assignments, key=lambda a: (a.volunteer, a.day, a.shift))),
        status="optimal" if objective == 0 else "feasible",
        objective=objective,
        bound=0.0,
        gap=0.0 if objective == 0 else 1.0,
        wall_s=time.monotonic() - start,
        penalties=tuple(penalties),
    )
