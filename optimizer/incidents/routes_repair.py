"""Repair the week's disinfection routes after a call-out, touching other groups as little as
possible.

A called group rests until ``ready`` (absolute minutes). On each day its rest overlaps, its
visits in work windows that begin before it is ready are taken off its route; each is then
inserted, one at a time, where it adds the least walking: into another group's trip of that
day or into the called group's own later windows (which start when it is ready). Only the
trips that receive a visit are re-timed; every other trip keeps its rows exactly. A home
under quarantine adds one visit per site of the building on each later day until its date,
inserted the same way. A visit that fits nowhere is reported, never forced.

Times follow the route rules of ``instances/README.md``: each work window starts at the
group's depot with filling the sprayers, a refill is a walk back to the depot, and the whole
service lies inside one of the site's windows (visit ``k`` of several in window ``k``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from optimizer.campus.domain import Group, Window
from optimizer.campus.model import Campus
from optimizer.io import clock
from optimizer.validate_routes import RouteRow

DAY = 1440


@dataclass(frozen=True)
class Slot:
    """A visit to place: its site, and the site windows it may lie in (clock minutes)."""

    site_id: str
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class Timed:
    """A visit with its times (clock minutes of its day)."""

    slot: Slot
    arrive: int
    start: int
    end: int
    refill: bool


@dataclass(frozen=True)
class RoutesRepair:
    """New route rows, the visits moved, those added, and those that fit nowhere."""

    rows: tuple[RouteRow, ...]
    moved: tuple[tuple[str, str, str, str], ...]  # (date, site id, from group or "", to group)
    unserved: tuple[tuple[str, str], ...]  # (date, site id)
    touched_groups: tuple[tuple[str, str], ...]  # (date, group) whose route changed


class _Day:
    """One day's trips: (group id, work window index) -> visits in order, and re-timing."""

    def __init__(self, campus: Campus, day: int, rows: list[RouteRow]) -> None:
        self.campus = campus
        self.day = day
        self.date = campus.date(day).isoformat()
        self.trips: dict[tuple[str, int], list[Slot]] = {}
        self.original: dict[tuple[str, int], list[RouteRow]] = {}
        self.ready: dict[str, int] = {}  # group id -> clock minute it may start
        for r in sorted(rows, key=lambda r: (r.group, r.seq)):
            group = campus.group(r.group)
            w = _window_of(group, r.arrive)
            self.trips.setdefault((r.group, w), []).append(self.slot_of(r.site_id, r.start))
            self.original.setdefault((r.group, w), []).append(r)
        self.changed: set[tuple[str, int]] = set()
        self.ejected: list[tuple[str, str, str]] = []  # (site id, from group, to group)

    def slot_of(self, site_id: str, start: int | None) -> Slot:
        """The windows a visit of ``site_id`` may use (pinned to one when the site has
        several visits a day, so visit ``k`` stays in window ``k``)."""
        rule = self.campus.sites[site_id].rule
        if rule.times_per_day > 1 and start is not None:
            pinned = tuple(w for w in rule.windows if w[0] <= start < w[1])
            return Slot(site_id, pinned or rule.windows)
        return Slot(site_id, rule.windows)

    def walk(self, group: Group, a: str | None, b: str | None) -> float:
        """Minutes (fractional) from site ``a`` to site ``b``; None is the group's depot."""
        c = self.campus
        ia = c.depot_loc(group.depot) if a is None else c.site_loc(a)
        ib = c.depot_loc(group.depot) if b is None else c.site_loc(b)
        return float(c.distances[ia, ib]) / group.speed

    def schedule(self, gid: str, w: int, slots: list[Slot]) -> tuple[list[Timed], float] | None:
        """Earliest times of ``slots`` in window ``w`` of group ``gid`` and the minutes
        walked, or None when they do not fit."""
        c = self.campus
        group = c.group(gid)
        w0, w1 = group.work[w]
        fill = c.settings.refill_minutes
        t = max(w0, self.ready.get(gid, w0)) + fill
        here: str | None = None
        load, walked, out = 0.0, 0.0, []
        for s in slots:
            rule = c.sites[s.site_id].rule
            refill = here is not None and load + rule.litres > group.capacity + 1e-9
            if refill:
                back = self.walk(group, here, None)
                walked += back
                t += math.ceil(back - 1e-9) + fill
                here, load = None, 0.0
            step = self.walk(group, here, s.site_id)
            walked += step
            arrive = t + math.ceil(step - 1e-9)
            start = next(
                (
                    max(arrive, a)
                    for a, b in s.windows
                    if max(arrive, a) + rule.service_minutes <= b
                ),
                None,
            )
            if start is None:
                return None
            end = start + rule.service_minutes
            out.append(Timed(s, arrive, start, end, refill))
            t, here, load = end, s.site_id, load + rule.litres
        home = self.walk(group, here, None) if here is not None else 0.0
        if t + home > w1 + 1e-9:
            return None
        return out, walked + home

    def cost(self, key: tuple[str, int], slots: list[Slot]) -> float | None:
        """Minutes walked by a trip, None if infeasible (an empty trip costs nothing)."""
        if not slots:
            return 0.0
        done = self.schedule(key[0], key[1], slots)
        return None if done is None else done[1]

    def _best_insertion(
        self, slot: Slot, keys: Iterable[tuple[str, int]]
    ) -> tuple[float, tuple[str, int], list[Slot]] | None:
        """Cheapest (added minutes, trip, new trip) placing ``slot`` in one of ``keys``."""
        best: tuple[float, tuple[str, int], list[Slot]] | None = None
        for key in keys:
            slots = self.trips.get(key, [])
            before = self.cost(key, slots)
            if before is None:
                continue
            for pos in range(len(slots) + 1):
                trial = [*slots[:pos], slot, *slots[pos:]]
                after = self.cost(key, trial)
                if after is not None and (best is None or after - before < best[0]):
                    best = (after - before, key, trial)
        return best

    def insert(self, slot: Slot, keys: list[tuple[str, int]]) -> tuple[str, int] | None:
        """Insert ``slot`` where it adds the least walking; if it fits nowhere, make room by
        moving one visit of a trip to another trip. Return the trip used, or None."""
        best = self._best_insertion(slot, keys)
        if best is not None:
            _, key, trial = best
            self.trips[key] = trial
            self.changed.add(key)
            return key
        # Ejection: take visit j out of trip `key`, put `slot` there, and `out` elsewhere.
        options = []
        for key in keys:
            slots = self.trips.get(key, [])
            for j in range(len(slots)):
                rest = slots[:j] + slots[j + 1 :]
                self.trips[key] = rest
                placed = self._best_insertion(slot, [key])
                self.trips[key] = slots
                if placed is not None:
                    options.append((placed[0], key, j, placed[2]))
        for _, key, j, trial in sorted(options, key=lambda o: o[0]):
            slots = self.trips[key]
            self.trips[key] = trial
            moved = self._best_insertion(slots[j], [k for k in keys if k != key])
            if moved is not None:
                self.trips[moved[1]] = moved[2]
                self.changed.update((key, moved[1]))
                self.ejected.append((slots[j].site_id, key[0], moved[1][0]))
                return key
            self.trips[key] = slots
        return None

    def rows(self) -> list[RouteRow]:
        """All rows of the day: untouched trips as they were, changed trips re-timed."""
        out: list[RouteRow] = []
        for gid in sorted({k[0] for k in self.trips} | {k[0] for k in self.original}):
            seq = 0
            group = self.campus.group(gid)
            for w in range(len(group.work)):
                key = (gid, w)
                if key not in self.changed:
                    for r in self.original.get(key, []):
                        seq += 1
                        out.append(
                            RouteRow(
                                0,
                                r.date,
                                r.day,
                                gid,
                                seq,
                                r.site_id,
                                r.arrive,
                                r.start,
                                r.end,
                                r.refill,
                            )
                        )
                    continue
                slots = self.trips.get(key, [])
                done = self.schedule(gid, w, slots) if slots else ([], 0.0)
                assert done is not None  # every insertion was checked
                for t in done[0]:
                    seq += 1
                    out.append(
                        RouteRow(
                            0,
                            self.date,
                            self.day,
                            gid,
                            seq,
                            t.slot.site_id,
                            t.arrive,
                            t.start,
                            t.end,
                            t.refill,
                        )
                    )
        return out


def _window_of(group: Group, minute: int) -> int:
    """Index of the work window holding clock minute ``minute`` (the nearest one before)."""
    best = 0
    for i, (w0, _) in enumerate(group.work):
        if w0 <= minute:
            best = i
    return best


def repair_routes(
    campus: Campus,
    rows: list[RouteRow],
    rest: dict[str, tuple[int, int]],
    home: tuple[list[str], int, int] | None = None,
) -> RoutesRepair:
    """Re-plan ``rows`` so that each group in ``rest`` (id -> absolute [from, until)) does
    nothing in a work window that begins during its rest, and, with ``home`` = (site ids,
    first day, last day), each of those sites is visited on each of those days."""
    by_day: dict[int, list[RouteRow]] = {}
    for r in rows:
        by_day.setdefault(r.day, []).append(r)
    affected: set[int] = set()
    for begin, until in rest.values():
        affected.update(d for d in by_day if d * DAY < until and begin < (d + 1) * DAY)
    home_days = set(range(home[1], home[2] + 1)) & set(by_day) if home else set()
    moved: list[tuple[str, str, str, str]] = []
    unserved: list[tuple[str, str]] = []
    touched: list[tuple[str, str]] = []
    new_rows = [r for r in rows if r.day not in affected | home_days]
    for d in sorted(affected | home_days):
        day = _Day(campus, d, by_day[d])
        todo: list[tuple[Slot, str]] = []
        for gid, (begin, until) in rest.items():
            group = campus.group(gid)
            ready = until - d * DAY
            if ready <= 0 or begin >= (d + 1) * DAY:
                continue
            day.ready[gid] = ready
            called = begin - d * DAY
            for w, (w0, w1) in enumerate(group.work):
                if w0 < ready and w1 > called and (gid, w) in day.trips:
                    todo += [(s, gid) for s in day.trips.pop((gid, w))]
                    day.changed.add((gid, w))
        if home and d in home_days:
            seen = {r.site_id for r in by_day[d]}
            todo += [(day.slot_of(sid, None), "") for sid in home[0] if sid not in seen]
        keys = [
            (g.id, w)
            for g in campus.groups
            for w, (_, w1) in enumerate(g.work)
            if w1 > day.ready.get(g.id, 0)
        ]
        for slot, origin in todo:
            key = day.insert(slot, keys)
            if key is None:
                unserved.append((day.date, slot.site_id))
            else:
                moved.append((day.date, slot.site_id, origin, key[0]))
        moved += [(day.date, sid, a, b) for sid, a, b in day.ejected]
        new_rows += day.rows()
        touched += sorted({(day.date, k[0]) for k in day.changed})
    new_rows.sort(key=lambda r: (r.day, r.group, r.seq))
    return RoutesRepair(tuple(new_rows), tuple(moved), tuple(unserved), tuple(touched))


def route_lines(campus: Campus, rows: Iterable[RouteRow]) -> list[list[object]]:
    """Rows for ``routes.csv`` (``date,group,seq,site_id,site_kind,site_name,arrive,...``)."""
    out: list[list[object]] = []
    for r in rows:
        site = campus.sites[r.site_id]
        out.append(
            [
                r.date,
                r.group,
                r.seq,
                r.site_id,
                site.kind,
                site.name,
                clock(r.arrive),
                clock(r.start),
                clock(r.end),
                int(r.refill),
            ]
        )
    return out
