"""Time-slot plan (CP-SAT): each building's children and adults to one point and one slot.

Rules (``instances/README.md``, "Testing round"):

- every group (a building's children, a building's adults) goes to exactly one point and one
  slot; a building with ``split`` may spread the group over several slots of one point;
- children go through a children's channel, which closes at ``children_end`` (children first);
- a channel's expected queue in a slot stays within its cap (the people-waiting rule and the
  1 m spacing along the marked line), which limits the people per slot;
- a point is offered only within ``max_walk_minutes`` (the nearest point always is);
- cost: walking person-minutes, expected waiting person-minutes, and children's lateness
  (children × slot index), each times its weight.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.testing.domain import CHANNELS, CHILDREN, Building, TestingRound
from optimizer.testing.queueing import expected_queue, expected_wait_minutes, max_people
from optimizer.testing.solver import Progress, SolveStats, solve_model

Key = tuple[str, str, int]  # (point id, channel, slot index)
PACKING = 0.9  # share of a point's slot capacity the first-guess point choice may fill


@dataclass(frozen=True)
class SlotAssignment:
    """``people`` of a building's ``channel`` come to ``point`` in ``[start, end)``.

    ``start``/``end`` are minutes after midnight of the round's date.
    """

    building: str
    point: str
    channel: str
    start: int
    end: int
    people: int
    expected_wait: float


def channel_limits(rnd: TestingRound) -> dict[Key, int]:
    """Most people per open (point, channel, slot) keeping the expected queue within its cap."""
    r = rnd.rules
    limits: dict[Key, int] = {}
    for p in rnd.points:
        for ch in CHANNELS:
            most = max_people(
                r.slot_minutes, p.channel_tables(ch), p.throughput, rnd.channel_cap(p, ch)
            )
            for i, s in enumerate(rnd.slots()):
                if most and rnd.slot_open(p, ch, s):
                    limits[p.id, ch, i] = most
    return limits


def offered_points(
    rnd: TestingRound, b: Building, channel: str, open_points: set[str]
) -> list[str]:
    """Points a group may be sent to: within the walking limit, or else the nearest one."""
    cands = sorted(open_points, key=lambda p: (rnd.walk_minutes(b.id, p), p))
    limit = rnd.rules.max_walk_minutes
    if limit is None:
        return cands
    near = [p for p in cands if rnd.walk_minutes(b.id, p) <= limit]
    return near or cands[:1]


def wait_table(rnd: TestingRound, key: Key, most: int) -> list[int]:
    """Expected waiting person-minutes (``Lq · T`` rounded half up) for 0..``most`` people."""
    point = rnd.point(key[0])
    slot = rnd.rules.slot_minutes
    return [
        # Half up, with a margin so float noise at an exact half cannot flip it.
        math.floor(
            expected_queue(n, slot, point.channel_tables(key[1]), point.throughput) * slot
            + 0.5
            + 1e-9
        )
        for n in range(most + 1)
    ]


def lower_hull(table: list[int]) -> list[tuple[int, int]]:
    """Corner points ``(n, table[n])`` of the lower convex hull of the table."""
    hull: list[tuple[int, int]] = []
    for n, y in enumerate(table):
        # Drop the last corner while it lies on or above the segment to the new point.
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (n - x1) >= (y - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append((n, y))
    return hull


def hull_value(table: list[int], n: int) -> int:
    """The lower convex hull of ``table`` at ``n``, rounded up (what the model charges)."""
    hull = lower_hull(table)
    for (x1, y1), (x2, y2) in itertools.pairwise(hull):
        if x1 <= n <= x2:
            return y1 + -(-(y2 - y1) * (n - x1) // (x2 - x1))
    return table[n]


class SlotModel:
    """The CP-SAT model of the slot plan, built rule by rule."""

    def __init__(self, rnd: TestingRound) -> None:
        self.rnd = rnd
        self.m = cp_model.CpModel()
        self.limits = channel_limits(rnd)
        self.load: dict[Key, list[tuple[int, cp_model.IntVar | int]]] = {}
        self.count: dict[tuple[str, str, Key], cp_model.LinearExprT] = {}
        self.cost: list[cp_model.LinearExprT] = []
        self.at: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self.x: dict[tuple[str, str, Key], cp_model.IntVar] = {}
        self.n_var: dict[tuple[str, str, Key], cp_model.IntVar] = {}
        self.load_var: dict[Key, cp_model.IntVar] = {}
        self.wait_var: dict[Key, tuple[cp_model.IntVar, list[int]]] = {}
        self.add_groups()
        self.add_queue_caps()
        self.m.Minimize(sum(self.cost))

    def add_groups(self) -> None:
        """Each group goes to one point and one slot (or slots of one point when split)."""
        rnd, w = self.rnd, self.rnd.rules.weights
        for b in rnd.buildings:
            for ch in CHANNELS:
                size = b.people(ch)
                if size == 0:
                    continue
                open_points = {k[0] for k in self.limits if k[1] == ch}
                pts = offered_points(rnd, b, ch, open_points)
                keys = [k for k in self.limits if k[1] == ch and k[0] in pts]
                at_point = {p: self.m.NewBoolVar(f"{b.id}/{ch}@{p}") for p in pts}
                self.at.update({(b.id, ch, p): y for p, y in at_point.items()})
                self.m.AddExactlyOne(at_point.values())
                for p, y in at_point.items():
                    self.cost.append(w.walk * size * rnd.walk_minutes(b.id, p) * y)
                people, used = [], []
                for k in keys:
                    x = self.m.NewBoolVar(f"{b.id}/{ch}@{k}")
                    self.m.AddImplication(x, at_point[k[0]])
                    used.append(x)
                    self.x[b.id, ch, k] = x
                    if b.split:
                        n = self.m.NewIntVar(0, min(size, self.limits[k]), f"n{b.id}/{ch}@{k}")
                        self.m.Add(n <= self.limits[k] * x)
                        self.m.Add(n >= x)
                        self.n_var[b.id, ch, k] = n
                    else:
                        n = size * x
                    self.count[b.id, ch, k] = n
                    self.load.setdefault(k, []).append((1, n))
                    people.append(n)
                    if ch == CHILDREN:
                        self.cost.append(w.children_late * k[2] * n)
                if b.split:
                    self.m.Add(sum(people) == size)
                else:
                    self.m.AddExactlyOne(used)

    def add_queue_caps(self) -> None:
        """A slot takes at most the people that keep its expected queue within the cap."""
        w = self.rnd.rules.weights
        for k, terms in self.load.items():
            most = self.limits[k]
            load = self.m.NewIntVar(0, most, f"load{k}")
            self.m.Add(load == sum(n for _, n in terms))
            self.load_var[k] = load
            table = wait_table(self.rnd, k, most)
            if table[-1] == 0 or w.wait == 0:
                continue
            wait = self.m.NewIntVar(0, table[-1], f"wait{k}")
            self.wait_var[k] = (wait, table)
            # Waiting grows convexly with the load; rounding to whole person-minutes dents the
            # table slightly, so the cost is its lower convex hull (at most 1 below the table).
            hull = lower_hull(table)
            for (x1, y1), (x2, y2) in itertools.pairwise(hull):
                self.m.Add((x2 - x1) * wait >= (y2 - y1) * (load - x1) + y1 * (x2 - x1))
            self.cost.append(w.wait * wait)

    def point_choice(self, time_limit: float, seed: int) -> dict[tuple[str, str], str]:
        """Points for the groups that least walking needs, each point's slots taken together.

        A small model without slots: a point and channel take at most ``PACKING`` of the
        people all its slots could; the full model then packs the groups into slots.
        """
        m = cp_model.CpModel()
        sizes = {b.id: b for b in self.rnd.buildings}
        room: dict[tuple[str, str], int] = defaultdict(int)
        for k, most in self.limits.items():
            room[k[0], k[1]] += most
        y = {key: m.NewBoolVar(str(key)) for key in self.at}
        for bid, ch in {(b, c) for b, c, _ in self.at}:
            m.AddExactlyOne(v for (b, c, _), v in y.items() if (b, c) == (bid, ch))
        for (pid, ch), most in room.items():
            m.Add(
                sum(sizes[b].people(c) * v for (b, c, p), v in y.items() if (p, c) == (pid, ch))
                <= int(PACKING * most)
            )
        m.Minimize(
            sum(sizes[b].people(c) * self.rnd.walk_minutes(b, p) * v for (b, c, p), v in y.items())
        )
        solver, stats = solve_model(m, "slots/points", time_limit=time_limit, seed=seed)
        if not stats.ok:
            return {}
        return {(b, c): p for (b, c, p), v in y.items() if solver.Value(v)}

    def greedy(
        self, fixed: dict[tuple[str, str], str] | None = None
    ) -> dict[tuple[str, str, Key], int]:
        """A quick plan used as a hint: people per (building, channel, slot key).

        Children first, then the largest groups, each to the open slot of least added cost
        (walking, lateness, extra waiting) at its point in ``fixed`` (any point if absent);
        a split group is handed out in small chunks over its point's slots.
        """
        rnd, w = self.rnd, self.rnd.rules.weights
        room = dict(self.limits)
        tables = {k: wait_table(rnd, k, most) for k, most in self.limits.items()}
        load = dict.fromkeys(self.limits, 0)
        plan: dict[tuple[str, str, Key], int] = {}
        groups = {(bid, ch) for bid, ch, _ in self.x}
        sizes = {b.id: b for b in rnd.buildings}
        order = sorted(
            groups,
            key=lambda g: (g[1] != CHILDREN, sizes[g[0]].split, -sizes[g[0]].people(g[1]), g[0]),
        )
        for bid, ch in order:
            b, size = sizes[bid], sizes[bid].people(ch)
            keys = [
                k
                for (g, c, k) in self.x
                if (g, c) == (bid, ch) and (fixed is None or fixed[g, c] == k[0])
            ]

            def cost(k: Key, n: int, bid: str = bid) -> int:
                extra = tables[k][load[k] + n] - tables[k][load[k]]
                late = w.children_late * k[2] * n if k[1] == CHILDREN else 0
                return w.walk * n * rnd.walk_minutes(bid, k[0]) + late + w.wait * extra

            if not b.split:
                fits = [k for k in keys if room[k] >= size]
                if not fits:
                    return {}
                best = min(fits, key=lambda k: (cost(k, size), k))
                parts = [(best, size)]
            else:
                points = sorted({k[0] for k in keys}, key=lambda p: rnd.walk_minutes(bid, p))
                at = next(
                    (p for p in points if sum(room[k] for k in keys if k[0] == p) >= size), None
                )
                if at is None:
                    return {}
                # Hand out the group in small chunks, each to the slot it costs least in.
                share: dict[Key, int] = defaultdict(int)
                left, chunk = size, max(1, size // 20)
                while left:
                    n = min(left, chunk)
                    k = min(
                        (k for k in keys if k[0] == at and room[k] - share[k] >= n),
                        key=lambda k: (cost(k, share[k] + n) - cost(k, share[k]), k),
                        default=None,
                    )
                    if k is None:
                        chunk = 1
                        continue
                    share[k] += n
                    left -= n
                parts = list(share.items())
            for k, n in parts:
                plan[bid, ch, k] = n
                room[k] -= n
                load[k] += n
        return plan

    def cost_of(self, plan: dict[tuple[str, str, Key], int]) -> int:
        """The objective of ``plan`` as the model prices it."""
        w = self.rnd.rules.weights
        load: dict[Key, int] = defaultdict(int)
        cost = 0
        for (bid, ch, k), n in plan.items():
            load[k] += n
            cost += w.walk * n * self.rnd.walk_minutes(bid, k[0])
            if ch == CHILDREN:
                cost += w.children_late * k[2] * n
        for k, (_, table) in self.wait_var.items():
            cost += w.wait * hull_value(table, load[k])
        return cost

    def hint(self, plan: dict[tuple[str, str, Key], int]) -> None:
        """Start the search from ``plan`` (every decision and derived variable hinted)."""
        load: dict[Key, int] = defaultdict(int)
        for key, x in self.x.items():
            n = plan.get(key, 0)
            self.m.AddHint(x, n > 0)
            load[key[2]] += n
            if key in self.n_var:
                self.m.AddHint(self.n_var[key], n)
        chosen = {(b, ch, k[0]) for (b, ch, k) in plan}
        for key, y in self.at.items():
            self.m.AddHint(y, key in chosen)
        for k, var in self.load_var.items():
            self.m.AddHint(var, load[k])
        for k, (var, table) in self.wait_var.items():
            self.m.AddHint(var, hull_value(table, load[k]))


def plan_slots(
    rnd: TestingRound,
    *,
    time_limit: float,
    seed: int = 0,
    num_workers: int | None = None,
    on_progress: Progress | None = None,
) -> tuple[list[SlotAssignment], SolveStats]:
    """Solve the slot plan; the assignments are empty when no plan was found."""
    t0 = time.perf_counter()
    model = SlotModel(rnd)
    points = model.point_choice(time_limit * 0.1, seed)
    start = (points and model.greedy(points)) or model.greedy()
    if start:
        model.hint(start)
    solver, stats = solve_model(
        model.m,
        "slots",
        time_limit=time_limit - (time.perf_counter() - t0),
        seed=seed,
        num_workers=num_workers,
        on_progress=on_progress,
    )
    if stats.ok:
        chosen = {key: int(solver.Value(n)) for key, n in model.count.items() if solver.Value(n)}
    elif stats.status == "timeout" and start:
        # No solution in time: the hint is a valid plan; it proves no bound.
        chosen = start
        stats = SolveStats("slots", "feasible", model.cost_of(start), None, None, stats.wall_s)
    else:
        return [], stats
    slots = rnd.slots()
    load: dict[Key, int] = {}
    for (_, _, k), n in chosen.items():
        load[k] = load.get(k, 0) + n
    out = []
    for (bid, ch, k), n in sorted(chosen.items(), key=lambda kv: (kv[0][2][2], kv[0][0])):
        point = rnd.point(k[0])
        wait = expected_wait_minutes(
            load[k], rnd.rules.slot_minutes, point.channel_tables(ch), point.throughput
        )
        out.append(SlotAssignment(bid, k[0], ch, *slots[k[2]], n, round(wait, 1)))
    return out, stats
