"""Independent validator for testing-round plans: slots, staffing, home visits, rotation.

It reads the plan files back (also after editing in Excel) and checks them against the rules
in ``instances/README.md`` ("Testing round") with its own code: the queue formula, the
staffing demand, the gear rule and the route times are recomputed here, never taken from the
models in :mod:`optimizer.testing` (only the domain and the loaders are shared).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.io import Col, InputError, Row, find_table, read_table
from optimizer.testing.domain import ADULT, CHANNELS, CHILDREN, TestingRound
from optimizer.testing.load import load_round
from optimizer.testing.school import School, load_school


@dataclass(frozen=True)
class Finding:
    """A hard violation: rule name and a sentence."""

    rule: str
    text: str


@dataclass(frozen=True)
class Penalty:
    """A priced item of the plan (points), with a sentence."""

    rule: str
    amount: int
    text: str


@dataclass
class TestingReport:
    """Violations, penalties and the recomputed objective of one plan file."""

    __test__ = False  # not a pytest test class, despite the name

    violations: list[Finding] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    @property
    def objective(self) -> int:
        """Sum of the penalties."""
        return sum(p.amount for p in self.penalties)

    def bad(self, rule: str, text: str) -> None:
        """Record a hard violation."""
        self.violations.append(Finding(rule, text))

    def cost(self, rule: str, amount: int, text: str) -> None:
        """Record a priced item (skipped when zero)."""
        if amount:
            self.penalties.append(Penalty(rule, amount, text))


# ------------------------------------------------------------------------------ reading


def _plan_rows(path: Path, columns: list[Col]) -> list[Row]:
    if not path.exists() and find_table(path.parent, path.stem) is None:
        raise InputError(path, "file not found")
    return read_table(find_table(path.parent, path.stem) or path, columns, allow_empty=True)


def _clock_of(row: Row, column: str, date: dt.date) -> int:
    """Minutes after midnight of ``date`` of a ``YYYY-MM-DD HH:MM`` cell."""
    value: dt.datetime = row[column]
    if value.date() != date and not (value.time() == dt.time() and value.date() > date):
        raise row.error(column, f"expected a time on {date}, got {value:%Y-%m-%d %H:%M}")
    return round((value - dt.datetime.combine(date, dt.time())).total_seconds() / 60)


SLOT_COLS = [
    Col("building_id"),
    Col("point_id"),
    Col("channel", choices=CHANNELS),
    Col("slot_start", "datetime"),
    Col("slot_end", "datetime"),
    Col("people", "int", min=0),
    Col("expected_wait_min", "float", required=False),
]


@dataclass(frozen=True)
class SlotRow:
    """One row of ``slots.csv`` (times as clock minutes of the round's date)."""

    building: str
    point: str
    channel: str
    start: int
    end: int
    people: int
    wait: float | None


def read_slots(path: Path) -> tuple[dt.date, list[SlotRow]]:
    """The round's date and the rows of a ``slots.csv`` file."""
    rows = _plan_rows(path, SLOT_COLS)
    if not rows:
        raise InputError(path, "empty table: at least one data row is expected")
    date = rows[0]["slot_start"].date()
    return date, [
        SlotRow(
            r["building_id"],
            r["point_id"],
            r["channel"],
            _clock_of(r, "slot_start", date),
            _clock_of(r, "slot_end", date),
            r["people"],
            r["expected_wait_min"],
        )
        for r in rows
    ]


def waiting(people: int, minutes: int, tables: int, per_hour: int) -> float:
    """Expected people in line, from the M/M/c stationary distribution (summed directly).

    ``P(n) ∝ a^n / n!`` for ``n ≤ c`` and ``P(c) ρ^(n−c)`` above; ``Lq = Σ (n − c) P(n)``,
    which in closed form is ``P(c) ρ / (1 − ρ)²``.
    """
    if people == 0:
        return 0.0
    a = (people / minutes) / (per_hour / 60)
    rho = a / tables
    if rho >= 1:
        return math.inf
    weights = [1.0]
    for n in range(1, tables + 1):
        weights.append(weights[-1] * a / n)
    total = sum(weights[:-1]) + weights[-1] / (1 - rho)
    return (weights[-1] / total) * rho / (1 - rho) ** 2


# ------------------------------------------------------------------------------ slots


def check_slots(rnd: TestingRound, rows: list[SlotRow]) -> TestingReport:
    """Every resident covered once, channels and hours kept, queues within their caps."""
    rep = TestingReport()
    r = rnd.rules
    points = {p.id: p for p in rnd.points}
    buildings = {b.id: b for b in rnd.buildings}
    grid = set(range(r.start, r.end, r.slot_minutes))
    load: Counter[tuple[str, str, int]] = Counter()
    groups: dict[tuple[str, str], list[SlotRow]] = defaultdict(list)
    for row in rows:
        where = f"{row.building} at {row.point} {row.channel} {_hhmm(row.start)}"
        if row.building not in buildings or row.point not in points:
            rep.bad("unknown", f"{where}: unknown building or point")
            continue
        p = points[row.point]
        if row.start not in grid or row.end != row.start + r.slot_minutes:
            rep.bad("window", f"{where}: not a {r.slot_minutes}-minute slot of the round window")
        if row.start < p.opens or row.end > p.closes:
            rep.bad("hours", f"{where}: outside the point's hours")
        tables = p.children_tables if row.channel == CHILDREN else p.tables
        if tables == 0:
            rep.bad("channel", f"{where}: the point has no {row.channel} tables")
        if row.channel == CHILDREN and row.end > r.children_end:
            rep.bad(
                "children_first", f"{where}: the children's channel closes {_hhmm(r.children_end)}"
            )
        load[row.point, row.channel, row.start] += row.people
        groups[row.building, row.channel].append(row)
    _check_groups(rnd, groups, rep)
    for (pid, ch, start), n in sorted(load.items()):
        _check_queue(rnd, pid, ch, start, n, rows, rep)
    for row in rows:
        if row.building in buildings and row.point in points:
            rep.cost(
                "walk",
                r.weights.walk * row.people * _walk(rnd, row.building, row.point),
                f"{row.building} {row.channel}: {row.people} people walk to {row.point}",
            )
            if row.channel == CHILDREN:
                index = (row.start - r.start) // r.slot_minutes
                rep.cost(
                    "children_late",
                    r.weights.children_late * index * row.people,
                    f"{row.building}: {row.people} children in slot {index + 1}",
                )
    return rep


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _walk(rnd: TestingRound, building: str, point: str) -> int:
    return max(1, math.ceil(rnd.distance[building, point] / rnd.rules.walk_metres_per_minute))


def _check_groups(
    rnd: TestingRound, groups: dict[tuple[str, str], list[SlotRow]], rep: TestingReport
) -> None:
    limit = rnd.rules.max_walk_minutes
    for b in rnd.buildings:
        for ch in CHANNELS:
            got = groups.get((b.id, ch), [])
            need = b.children if ch == CHILDREN else b.adults
            if sum(x.people for x in got) != need:
                rep.bad(
                    "coverage",
                    f"{b.id} {ch}: {sum(x.people for x in got)} of {need} people have a slot",
                )
            if len({x.point for x in got}) > 1:
                rep.bad("one_point", f"{b.id} {ch}: sent to several points")
            if len(got) > 1 and not b.split:
                rep.bad("no_split", f"{b.id} {ch}: split over {len(got)} slots")
            if limit is not None and got:
                offered = [
                    p.id for p in rnd.points if any(rnd.slot_open(p, ch, s) for s in rnd.slots())
                ]
                nearest = min(_walk(rnd, b.id, p) for p in offered)
                walk = _walk(rnd, b.id, got[0].point)
                if walk > max(limit, nearest):
                    rep.bad("walk", f"{b.id} {ch}: {walk} min to {got[0].point}, limit {limit} min")


def _check_queue(
    rnd: TestingRound,
    pid: str,
    ch: str,
    start: int,
    n: int,
    rows: list[SlotRow],
    rep: TestingReport,
) -> None:
    r = rnd.rules
    p = next(x for x in rnd.points if x.id == pid)
    tables = p.children_tables if ch == CHILDREN else p.tables
    if tables == 0:
        return
    if ch == CHILDREN:
        cap = r.max_waiting_children
    else:
        cap = r.max_waiting
        if p.queue_metres is not None:
            cap = min(cap, math.floor(p.queue_metres / r.spacing_metres))
    lq = waiting(n, r.slot_minutes, tables, p.throughput)
    where = f"{pid} {ch} {_hhmm(start)}"
    if lq > cap + 1e-9:
        rep.bad("queue_cap", f"{where}: {n} people, expected queue {lq:.1f} > cap {cap}")
        return
    wait = lq * r.slot_minutes / n if n else 0.0
    for row in rows:
        same = (row.point, row.channel, row.start) == (pid, ch, start)
        if same and row.wait is not None and abs(row.wait - wait) > 0.051:
            rep.bad(
                "expected_wait",
                f"{row.building} {where}: expected_wait_min "
                f"{row.wait} but the queue gives {wait:.1f}",
            )
    rep.cost(
        "wait",
        r.weights.wait * math.floor(lq * r.slot_minutes + 0.5 + 1e-9),  # half up
        f"{where}: {n} people, {lq:.2f} waiting on average",
    )


# ------------------------------------------------------------------------------ staffing


STAFF_COLS = [
    Col("point_id"),
    Col("slot_start", "datetime"),
    Col("slot_end", "datetime"),
    Col("role"),
    Col("worker_id"),
]


def check_staffing(rnd: TestingRound, slots: list[SlotRow], path: Path) -> TestingReport:
    """Skills, availability, one job and one point, gear breaks, units together, demand."""
    rep = TestingReport()
    r = rnd.rules
    step = r.slot_minutes
    rows = _plan_rows(path, STAFF_COLS)
    workers = {w.id: w for w in rnd.workers}
    roles = {x.id: x for x in rnd.roles}
    points = {p.id: p for p in rnd.points}
    # Demand from the slots file: open tables of each channel, per role.
    channels: dict[tuple[str, int], set[str]] = defaultdict(set)
    for s in slots:
        if s.people:
            channels[s.point, s.start].add(s.channel)
    demand: dict[tuple[str, int, str], int] = {}
    for (pid, start), chs in channels.items():
        p = points.get(pid)
        if p is None:
            continue
        tables = (p.tables if ADULT in chs else 0) + (p.children_tables if CHILDREN in chs else 0)
        for role in rnd.roles:
            if role.per_table * tables + role.per_point:
                demand[pid, start, role.id] = role.per_table * tables + role.per_point
    filled: Counter[tuple[str, int, str]] = Counter()
    busy: dict[str, Counter[int]] = defaultdict(Counter)
    where_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        wid, rid, pid = row["worker_id"], row["role"], row["point_id"]
        start = _clock_of(row, "slot_start", rnd.date)
        end = _clock_of(row, "slot_end", rnd.date)
        label = f"{wid} {rid} at {pid} {_hhmm(start)}-{_hhmm(end)}"
        if wid not in workers or rid not in roles or pid not in points:
            rep.bad("unknown", f"{label}: unknown worker, role or point")
            continue
        w = workers[wid]
        if roles[rid].skill not in w.skills:
            rep.bad("skills", f"{label}: lacks skill {roles[rid].skill}")
        if start < w.available_from or end > w.available_to:
            rep.bad(
                "availability",
                f"{label}: available {_hhmm(w.available_from)}-{_hhmm(w.available_to)}",
            )
        if (start - r.start) % step or (end - start) % step or end <= start:
            rep.bad("window", f"{label}: not whole slots of the round")
            continue
        where_of[wid].add(pid)
        for t in range(start, end, step):
            busy[wid][t] += 1
            filled[pid, t, rid] += 1
    stint, window = r.max_continuous_minutes, r.max_continuous_minutes + r.break_minutes
    for wid, times in busy.items():
        if any(n > 1 for n in times.values()):
            rep.bad("one_job", f"{wid}: two jobs at once")
        if len(where_of[wid]) > 1:
            rep.bad("one_point", f"{wid}: works at {', '.join(sorted(where_of[wid]))}")
        for t0 in range(r.start - window, r.end, step):
            worked = step * sum(1 for t in times if t0 <= t < t0 + window)
            if worked > stint:
                rep.bad(
                    "gear_break",
                    f"{wid}: {worked} min in gear within {window} min from "
                    f"{_hhmm(max(t0, r.start))} (at most {stint})",
                )
                break
    for unit in r.keep_units_together:
        at = {p for wid, ps in where_of.items() if workers[wid].unit == unit for p in ps}
        if len(at) > 1:
            rep.bad("unit_together", f"{unit}: at {', '.join(sorted(at))}")
    for key in sorted(set(demand) | set(filled)):
        need, got = demand.get(key, 0), filled[key]
        pid, start, rid = key
        if got > need:
            rep.bad("over_demand", f"{pid} {_hhmm(start)} {rid}: {got} placed, {need} needed")
        elif got < need:
            rep.cost(
                "understaffing",
                r.weights.understaff * (need - got),
                f"{pid} {_hhmm(start)} {rid}: {need - got} of {need} missing",
            )
    rep.cost("workers", r.weights.worker * len(busy), f"{len(busy)} workers called in")
    return rep


# ------------------------------------------------------------------------------ home visits


HOME_COLS = [
    Col("team"),
    Col("depot"),
    Col("order", "int", min=1),
    Col("resident_id"),
    Col("start", "datetime"),
    Col("end", "datetime"),
]


def check_home_visits(rnd: TestingRound, path: Path) -> TestingReport:
    """Every home-visit resident visited once, in hours, with service and walking time."""
    rep = TestingReport()
    h = rnd.rules.home
    rows = _plan_rows(path, HOME_COLS)
    people = {p.id: p for p in rnd.residents}
    seen = Counter(r["resident_id"] for r in rows)
    for p in rnd.residents:
        if p.home_visit and seen[p.id] != 1:
            rep.bad("coverage", f"{p.id}: visited {seen[p.id]} times")
    teams: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row["resident_id"] not in people or not people[row["resident_id"]].home_visit:
            rep.bad("unknown", f"{row['resident_id']}: not a resident needing a home visit")
        elif row["depot"] not in h.depots:
            rep.bad("unknown", f"team {row['team']}: '{row['depot']}' is not a depot")
        else:
            teams[row["team"]].append(row)
    for depot, n in Counter(r[0]["depot"] for r in teams.values()).items():
        if n > h.teams:
            rep.bad("teams", f"{depot}: {n} teams used, {h.teams} available")
    speed = rnd.rules.walk_metres_per_minute / h.walk_factor
    metres = 0.0
    for team, visits in sorted(teams.items()):
        visits.sort(key=lambda r: r["order"])
        if [v["order"] for v in visits] != list(range(1, len(visits) + 1)):
            rep.bad("order", f"team {team}: orders are not 1..{len(visits)}")
        depot = visits[0]["depot"]
        if any(v["depot"] != depot for v in visits):
            rep.bad("depot", f"team {team}: starts from more than one depot")
        here, free = depot, h.start
        for v in visits:
            p = people[v["resident_id"]]
            start = _clock_of(v, "start", rnd.date)
            end = _clock_of(v, "end", rnd.date)
            walk = rnd.distance[here, p.building]
            metres += walk
            if start < free + math.ceil(round(walk) / speed):
                rep.bad("travel", f"team {team} {p.id}: starts {_hhmm(start)} before it can arrive")
            if end - start < p.service_minutes:
                rep.bad(
                    "service", f"team {team} {p.id}: {end - start} min, needs {p.service_minutes}"
                )
            here, free = p.building, end
        back = free + math.ceil(round(rnd.distance[here, depot]) / speed)
        if back > h.end:
            rep.bad("hours", f"team {team}: back at {_hhmm(back)}, after {_hhmm(h.end)}")
        metres += rnd.distance[here, depot]
    rep.cost("distance", round(metres), f"{round(metres)} m walked by the teams")
    return rep


# ------------------------------------------------------------------------------ rotation


def check_rotation(school: School, path: Path) -> TestingReport:
    """Every pupil once, 20 % ± 1 of each class a day, brothers and sisters together."""
    rep = TestingReport()
    rows = _plan_rows(path, [Col("pupil_id"), Col("class"), Col("weekday", "int")])
    pupils = {p.id: p for p in school.pupils}
    day: dict[str, int] = {}
    for row in rows:
        pid = row["pupil_id"]
        if pid not in pupils:
            rep.bad("unknown", f"{pid}: unknown pupil")
        elif pid in day:
            rep.bad("once", f"{pid}: listed twice")
        elif row["weekday"] not in range(1, 6):
            rep.bad("weekday", f"{pid}: weekday {row['weekday']} is not 1-5")
        else:
            if row["class"] != pupils[pid].class_id:
                rep.bad(
                    "class", f"{pid}: class {row['class']}, instance says {pupils[pid].class_id}"
                )
            day[pid] = row["weekday"]
    for p in school.pupils:
        if p.id not in day:
            rep.bad("coverage", f"{p.id}: no weekday")
    family: dict[str, set[int]] = defaultdict(set)
    size: Counter[str] = Counter(p.class_id for p in school.pupils)
    count: Counter[tuple[str, int]] = Counter()
    for p in school.pupils:
        if p.id in day:
            family[p.family].add(day[p.id])
            count[p.class_id, day[p.id]] += 1
    for fam, days in family.items():
        if len(days) > 1:
            rep.bad("siblings", f"family {fam}: tested on days {sorted(days)}")
    for cid, n in size.items():
        for d in range(1, 6):
            k = count[cid, d]
            if abs(5 * k - n) > 5:
                rep.bad("balance", f"{cid} day {d}: {k} of {n} pupils (20 % ± 1 allowed)")
            elif not n // 5 <= k <= -(-n // 5):
                rep.cost("balance", 100, f"{cid} day {d}: {k} of {n}, not exactly 20 %")
    for p in school.pupils:
        if p.previous is not None and p.id in day and day[p.id] != p.previous:
            rep.cost("moved", school.weight_change, f"{p.id}: moved off day {p.previous}")
    return rep


# ------------------------------------------------------------------------------ fronts


def slots_report(instance: Path, path: Path) -> TestingReport:
    """Validate ``slots.csv`` against the instance (the round date is read from the file)."""
    date, rows = read_slots(path)
    return check_slots(load_round(instance, date), rows)


def staffing_report(instance: Path, path: Path) -> TestingReport:
    """Validate ``staffing.csv``; the demand comes from ``slots.csv`` in the same folder."""
    date, slots = read_slots(path.parent / "slots.csv")
    return check_staffing(load_round(instance, date), slots, path)


def home_visits_report(instance: Path, path: Path) -> TestingReport:
    """Validate ``home_visits.csv``; the round date comes from ``slots.csv`` beside it."""
    date, _ = read_slots(path.parent / "slots.csv")
    return check_home_visits(load_round(instance, date), path)


def round_reports(instance: Path, folder: Path) -> dict[str, TestingReport]:
    """Validate ``slots.csv``, ``staffing.csv`` and ``home_visits.csv`` of ``folder``."""
    return {
        "slots": slots_report(instance, folder / "slots.csv"),
        "staffing": staffing_report(instance, folder / "staffing.csv"),
        "home_visits": home_visits_report(instance, folder / "home_visits.csv"),
    }


def rotation_report(instance: Path, path: Path) -> TestingReport:
    """Validate ``rotation.csv`` against the instance's classes and pupils."""
    return check_rotation(load_school(instance), path)
