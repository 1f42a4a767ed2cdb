"""Staffing (CP-SAT): workers to sampling points, slots and roles.

Rules (``instances/README.md``, "Testing round"):

- demand: in each slot a point needs ``per_table`` people of a role per open table (a
  channel's tables are open when the slot plan sends people to that channel then) plus
  ``per_point`` while the point is open; anything missing is *understaffing*, priced and
  reported per point, slot and role, never hidden; nobody is placed beyond demand;
- a worker fills a role only with its skill and only inside their availability;
- one job at a time, and one point for the whole round;
- protective gear: in any ``max_continuous + break`` minutes at most ``max_continuous``
  minutes worked, so after the longest stint comes a break, and relief crews take over;
- the units listed in ``keep_units_together`` work at a single point each;
- cost: understaffing, then workers called in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.testing.domain import CHANNELS, TestingRound, Worker
from optimizer.testing.slots import SlotAssignment
from optimizer.testing.solver import Progress, SolveStats, solve_model

Need = tuple[str, int, str]  # (point id, slot index, role id)
POINT_CHOICES = 4  # points offered to each worker on large rounds (see offered_points)


@dataclass(frozen=True)
class Shift:
    """``worker`` fills ``role`` at ``point`` in ``[start, end)`` (clock minutes of the day)."""

    point: str
    start: int
    end: int
    role: str
    worker: str


@dataclass(frozen=True)
class Shortfall:
    """``missing`` people of ``role`` at ``point`` in the slot ``[start, end)``."""

    point: str
    start: int
    end: int
    role: str
    missing: int


def demand(rnd: TestingRound, plan: list[SlotAssignment]) -> dict[Need, int]:
    """People needed per (point, slot, role), from the tables the slot plan opens."""
    starts = {s[0]: i for i, s in enumerate(rnd.slots())}
    busy: dict[tuple[str, int], set[str]] = defaultdict(set)
    for a in plan:
        busy[a.point, starts[a.start]].add(a.channel)
    need: dict[Need, int] = {}
    for (pid, i), channels in busy.items():
        point = rnd.point(pid)
        tables = sum(point.channel_tables(ch) for ch in CHANNELS if ch in channels)
        for role in rnd.roles:
            n = role.per_table * tables + role.per_point
            if n:
                need[pid, i, role.id] = n
    return need


def available(rnd: TestingRound, w: Worker, slot: tuple[int, int]) -> bool:
    """True when the worker is there for the whole slot."""
    return w.available_from <= slot[0] and slot[1] <= w.available_to


class StaffingModel:
    """The CP-SAT model of the staffing plan, built rule by rule."""

    def __init__(
        self, rnd: TestingRound, need: dict[Need, int], offered: dict[str, set[str]] | None = None
    ) -> None:
        self.rnd = rnd
        self.need = need
        self.offered = offered
        self.m = cp_model.CpModel()
        self.x: dict[tuple[str, Need], cp_model.IntVar] = {}
        self.short: dict[Need, cp_model.IntVar] = {}
        self.at: dict[tuple[str, str], cp_model.IntVar] = {}
        self.add_jobs()
        self.add_cover()
        self.add_one_point()
        self.add_gear_breaks()
        self.add_units_together()
        self.add_headcount_bound()
        w = rnd.rules.weights
        self.m.Minimize(w.understaff * sum(self.short.values()) + w.worker * sum(self.at.values()))

    def add_jobs(self) -> None:
        """A worker fills a role only with its skill and while available; one job at a time."""
        slots = self.rnd.slots()
        roles = {r.id: r for r in self.rnd.roles}
        for w in self.rnd.workers:
            by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            places = None if self.offered is None else self.offered[w.id]
            for need in self.need:
                pid, i, rid = need
                if places is not None and pid not in places:
                    continue
                if roles[rid].skill in w.skills and available(self.rnd, w, slots[i]):
                    var = self.m.NewBoolVar(f"{w.id}@{need}")
                    self.x[w.id, need] = var
                    by_slot[i].append(var)
            for jobs in by_slot.values():
                self.m.AddAtMostOne(jobs)

    def add_cover(self) -> None:
        """Each point, slot and role gets its people; what is missing is understaffing."""
        filled: dict[Need, list[cp_model.IntVar]] = defaultdict(list)
        for (_, need), var in self.x.items():
            filled[need].append(var)
        for need, n in self.need.items():
            short = self.m.NewIntVar(0, n, f"short{need}")
            self.short[need] = short
            self.m.Add(sum(filled[need]) + short == n)

    def add_one_point(self) -> None:
        """A worker serves at one point for the whole round."""
        jobs: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
        for (wid, need), var in self.x.items():
            jobs[wid, need[0]].append(var)
        per_worker: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (wid, pid), vars_ in jobs.items():
            at = self.m.NewBoolVar(f"{wid}@{pid}")
            self.at[wid, pid] = at
            per_worker[wid].append(at)
            for var in vars_:
                self.m.AddImplication(var, at)
            # Called in only where they work: no empty "at" to pad the count.
            self.m.Add(sum(vars_) >= at)
        for ats in per_worker.values():
            self.m.AddAtMostOne(ats)

    def add_gear_breaks(self) -> None:
        """In any stint-plus-break window a worker works at most the longest stint."""
        r = self.rnd.rules
        stint = r.max_continuous_minutes // r.slot_minutes
        window = stint + r.break_minutes // r.slot_minutes
        busy: dict[str, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
        for (wid, need), var in self.x.items():
            busy[wid][need[1]].append(var)
        n_slots = len(self.rnd.slots())
        for per_slot in busy.values():
            for first in range(n_slots - window + 1):
                worked = [v for i in range(first, first + window) for v in per_slot.get(i, [])]
                if len({i for i in range(first, first + window) if i in per_slot}) > stint:
                    self.m.Add(sum(worked) <= stint)

    def add_units_together(self) -> None:
        """Each unit the instance names works at a single point."""
        units = set(self.rnd.rules.keep_units_together)
        unit_of = {w.id: w.unit for w in self.rnd.workers}
        chosen: dict[tuple[str, str], cp_model.IntVar] = {}
        for (wid, pid), at in self.at.items():
            unit = unit_of[wid]
            if unit not in units:
                continue
            if (unit, pid) not in chosen:
                chosen[unit, pid] = self.m.NewBoolVar(f"unit {unit}@{pid}")
            self.m.AddImplication(at, chosen[unit, pid])
        for unit in units:
            self.m.AddAtMostOne(v for (u, _), v in chosen.items() if u == unit)

    def hint(self, jobs: set[tuple[str, Need]]) -> None:
        """Start the search from ``jobs`` (a complete hint: jobs, points, shortfalls)."""
        filled: dict[Need, int] = defaultdict(int)
        for key, var in self.x.items():
            self.m.AddHint(var, key in jobs)
            if key in jobs:
                filled[key[1]] += 1
        places = {(wid, need[0]) for wid, need in jobs}
        for key, at in self.at.items():
            self.m.AddHint(at, key in places)
        for need, short in self.short.items():
            self.m.AddHint(short, self.need[need] - filled[need])

    def add_headcount_bound(self) -> None:
        """Redundant: a point needs enough people to cover any window with stints and breaks."""
        r = self.rnd.rules
        stint = r.max_continuous_minutes // r.slot_minutes
        window = stint + r.break_minutes // r.slot_minutes
        n_slots = len(self.rnd.slots())
        for p in self.rnd.points:
            people = [at for (_, pid), at in self.at.items() if pid == p.id]
            for first in range(max(1, n_slots - window + 1)):
                worked = [
                    self.need[k] - self.short[k]
                    for k in self.need
                    if k[0] == p.id and first <= k[1] < first + window
                ]
                if worked:
                    # Each person at the point works at most `stint` slots of the window.
                    self.m.Add(stint * sum(people) >= sum(worked))
            for i in range(n_slots):
                roles = [self.need[k] - self.short[k] for k in self.need if k[:2] == (p.id, i)]
                if roles:
                    self.m.Add(sum(people) >= sum(roles))


def greedy_jobs(rnd: TestingRound, need: dict[Need, int]) -> set[tuple[str, Need]]:
    """A quick staffing used as a solver hint: crews with staggered breaks.

    Slot by slot, scarce roles first, each need is filled from the point's crew, recruiting
    the least versatile free worker when the crew is short. Every recruit gets a break phase
    (work ``stint`` slots, rest ``break`` slots, repeat) chosen so that breaks at a point are
    spread evenly, which keeps the crew near ``(stint + break) / stint`` times the demand.
    """
    r = rnd.rules
    slots = rnd.slots()
    stint = r.max_continuous_minutes // r.slot_minutes
    period = stint + r.break_minutes // r.slot_minutes
    roles = {role.id: role for role in rnd.roles}
    holders = {role.id: sum(role.skill in w.skills for w in rnd.workers) for role in rnd.roles}
    together = set(r.keep_units_together)
    point_of: dict[str, str] = {}
    unit_point: dict[str, str] = {}
    phase: dict[str, int] = {}
    phases: dict[str, list[int]] = defaultdict(lambda: [0] * period)
    busy: set[tuple[str, int]] = set()
    jobs: set[tuple[str, Need]] = set()

    def on_duty(w: Worker, i: int) -> bool:
        return (i - phase[w.id]) % period < stint

    def can(w: Worker, i: int, rid: str) -> bool:
        return (
            roles[rid].skill in w.skills and available(rnd, w, slots[i]) and (w.id, i) not in busy
        )

    for pid, i, rid in sorted(need, key=lambda k: (k[1], holders[k[2]], k[0])):
        for _ in range(need[pid, i, rid]):
            crew = [
                w
                for w in rnd.workers
                if point_of.get(w.id) == pid and on_duty(w, i) and can(w, i, rid)
            ]
            if crew:
                w = min(crew, key=lambda w: (len(w.skills), w.id))
            else:
                free = [
                    w
                    for w in rnd.workers
                    if w.id not in point_of
                    and can(w, i, rid)
                    and (w.unit not in together or unit_point.get(w.unit, pid) == pid)
                ]
                if not free:
                    break
                w = min(free, key=lambda w: (len(w.skills), w.available_from, w.id))
                point_of[w.id] = pid
                if w.unit in together:
                    unit_point.setdefault(w.unit, pid)
                # Start the recruit's cycle so that slot i is on duty and the break falls
                # where the fewest of the crew rest.
                starts = [q for q in range(period) if (i - q) % period < stint]
                phase[w.id] = min(starts, key=lambda q: (phases[pid][q], q))
                phases[pid][phase[w.id]] += 1
            busy.add((w.id, i))
            jobs.add((w.id, (pid, i, rid)))
    return jobs


def offered_points(rnd: TestingRound, start: set[tuple[str, Need]]) -> dict[str, set[str]] | None:
    """Points each worker may be sent to: all of them on a round of ``POINT_CHOICES`` points
    or fewer; on a larger round the hint's point and ``POINT_CHOICES - 1`` others in turn, so
    the model stays small (its bound is then the bound of this restricted model)."""
    points = [p.id for p in rnd.points]
    if len(points) <= POINT_CHOICES:
        return None
    hinted = {wid: need[0] for wid, need in start}
    offered = {}
    for i, w in enumerate(rnd.workers):
        others = [points[(i + j) % len(points)] for j in range(POINT_CHOICES - 1)]
        offered[w.id] = {hinted.get(w.id, points[(i - 1) % len(points)]), *others}
    return offered


def plan_staffing(
    rnd: TestingRound,
    plan: list[SlotAssignment],
    *,
    time_limit: float,
    seed: int = 0,
    num_workers: int | None = None,
    on_progress: Progress | None = None,
) -> tuple[list[Shift], list[Shortfall], SolveStats]:
    """Solve the staffing plan: stints (consecutive slots merged) and understaffing."""
    need = demand(rnd, plan)
    start = greedy_jobs(rnd, need)
    model = StaffingModel(rnd, need, offered_points(rnd, start))
    model.hint(start)
    solver, stats = solve_model(
        model.m,
        "staffing",
        time_limit=time_limit,
        seed=seed,
        num_workers=num_workers,
        on_progress=on_progress,
        probing=0,
    )
    if stats.ok:
        chosen = {key for key, var in model.x.items() if solver.Value(var)}
    elif stats.status == "timeout":
        # No solution in time: the hint is a valid staffing; it proves no bound.
        chosen = start
        filled = {w for w, _ in start}
        missing = sum(need.values()) - len(start)
        w = rnd.rules.weights
        objective = w.understaff * missing + w.worker * len(filled)
        stats = SolveStats("staffing", "feasible", objective, None, None, stats.wall_s)
    else:
        return [], [], stats
    slots = rnd.slots()
    jobs = sorted((wid, job[0], job[2], job[1]) for wid, job in chosen)
    shifts: list[Shift] = []
    for wid, pid, rid, i in jobs:
        last = shifts[-1] if shifts else None
        # Consecutive slots in the same role at the same point make one stint.
        if last and (last.worker, last.point, last.role, last.end) == (wid, pid, rid, slots[i][0]):
            shifts[-1] = Shift(pid, last.start, slots[i][1], rid, wid)
        else:
            shifts.append(Shift(pid, *slots[i], rid, wid))
    shifts.sort(key=lambda s: (s.point, s.start, s.role, s.worker))
    filled: dict[Need, int] = defaultdict(int)
    for _, job in chosen:
        filled[job] += 1
    shortfalls = [
        Shortfall(pid, *slots[i], rid, n - filled[pid, i, rid])
        for (pid, i, rid), n in sorted(need.items())
        if n > filled[pid, i, rid]
    ]
    return shifts, shortfalls, stats
