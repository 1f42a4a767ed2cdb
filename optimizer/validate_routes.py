"""Independent checker of disinfection routes (``routes.csv``) against an instance.

It reads the instance through the campus loader and the route file as a coordinator might have
edited it, recomputes walking distances with networkx shortest paths, and never imports the
planner (``optimizer.disinfection``) or the routing engine. Rules checked, each a
:class:`RouteViolation`:

* ``frequency``: every run of ``every_days`` consecutive planned days holds a visit of the site;
  on a visit day the site is visited ``times_per_day`` times; home monitoring adds daily visits;
* ``window``: each visit lies inside one of the site's windows (visit i of n > 1 in window i);
* ``service``: service starts no earlier than arrival and lasts at least the site's minutes;
* ``work``: each visit lies in one work window of its group; each window starts with filling
  the sprayers at the depot and ends back at the depot; nothing happens during breaks;
* ``travel``: no arrival earlier than the shortest path at the group's speed allows (via the
  depot, with the refill time, when the row says ``refill``);
* ``capacity``: disinfectant used between refills fits in the group's sprayers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from optimizer.campus import Campus, Group, load_campus
from optimizer.io import Col, InputError, check_ref, clock, read_table

EPS = 1e-6


@dataclass(frozen=True)
class RouteRow:
    """One visit as written in ``routes.csv`` (clock minutes of its date)."""

    line: int
    date: str
    day: int
    group: str
    seq: int
    site_id: str
    arrive: int
    start: int
    end: int
    refill: bool


@dataclass(frozen=True)
class RouteViolation:
    """One broken rule, where (date, group, site) and what happened."""

    rule: str
    date: str
    group: str
    site_id: str
    message: str

    @property
    def text(self) -> str:
        """The violation in words, with where it happened."""
        where = " ".join(x for x in (self.date, self.group, self.site_id) if x)
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return f"[{self.rule}] {self.text}"


@dataclass(frozen=True)
class RoutesReport:
    """What ``fangyi check --routes`` prints: violations, and metres walked as the objective
    (routes carry no soft penalties)."""

    violations: list[RouteViolation]
    objective: int
    penalties: tuple = ()


def read_routes(campus: Campus, path: str | Path) -> list[RouteRow]:
    """Read ``routes.csv`` (only date, group, seq, site_id, arrive, start, end, refill)."""
    rows = read_table(
        path,
        [
            Col("date", "date"),
            Col("group"),
            Col("seq", "int", min=1),
            Col("site_id"),
            Col("arrive", "time"),
            Col("start", "time"),
            Col("end", "time"),
            Col("refill", "bool", required=False, default=False),
        ],
        allow_empty=True,
    )
    groups = {g.id for g in campus.groups}
    out = []
    for r in rows:
        day = campus.day_of(r["date"])
        if not 0 <= day < campus.days:
            raise r.error("date", f"{r['date']} is outside the horizon")
        check_ref(r, "group", r["group"], groups, "group")
        check_ref(r, "site_id", r["site_id"], campus.sites, "site")
        out.append(
            RouteRow(
                r.line,
                r["date"].isoformat(),
                day,
                r["group"],
                r["seq"],
                r["site_id"],
                r["arrive"],
                r["start"],
                r["end"],
                r["refill"],
            )
        )
    return out


def planned_days(campus: Campus, routes_path: str | Path) -> set[int]:
    """Days the route file covers: from ``routes_summary.json`` beside it, else the horizon."""
    summary = Path(routes_path).with_name("routes_summary.json")
    if summary.exists():
        try:
            dates = json.loads(summary.read_text(encoding="utf-8"))["days_planned"]
            import datetime as dt

            return {campus.day_of(dt.date.fromisoformat(d)) for d in dates}
        except (ValueError, KeyError, TypeError):
            raise InputError(summary, "cannot read 'days_planned' (a list of dates)") from None
    return set(range(campus.days))


class _Walk:
    """Shortest walking metres between nodes, by networkx (cached per pair)."""

    def __init__(self, campus: Campus) -> None:
        self.graph = campus.graph.graph
        self.cache: dict[tuple[str, str], float] = {}

    def __call__(self, a: str, b: str) -> float:
        if a == b:
            return 0.0
        key = (a, b) if a < b else (b, a)
        if key not in self.cache:
            self.cache[key] = nx.shortest_path_length(self.graph, a, b, weight="length")
        return self.cache[key]


def validate_routes(
    campus: Campus, rows: list[RouteRow], days: set[int] | None = None
) -> list[RouteViolation]:
    """Every rule the routes in ``rows`` break (empty when valid) over the planned ``days``."""
    days = set(range(campus.days)) if days is None else days
    walk = _Walk(campus)
    found: list[RouteViolation] = []
    by_group_day: dict[tuple[int, str], list[RouteRow]] = {}
    by_site_day: dict[tuple[str, int], list[RouteRow]] = {}
    for r in rows:
        by_group_day.setdefault((r.day, r.group), []).append(r)
        by_site_day.setdefault((r.site_id, r.day), []).append(r)
    for (_day, gid), visits in sorted(by_group_day.items()):
        visits.sort(key=lambda r: r.seq)
        found += _check_group_day(campus, campus.group(gid), visits, walk)
    found += [v for r in rows for v in _check_window(campus, r, by_site_day[r.site_id, r.day])]
    found += _check_frequency(campus, rows, days)
    return found


def _v(rule: str, r: RouteRow, message: str) -> RouteViolation:
    return RouteViolation(rule, r.date, r.group, r.site_id, message)


def _check_group_day(
    campus: Campus, group: Group, visits: list[RouteRow], walk: _Walk
) -> list[RouteViolation]:
    """Service, work windows, travel and capacity along one group's day."""
    found = []
    depot = campus.buildings[group.depot].node
    fill = campus.settings.refill_minutes

    def minutes(a: str, b: str) -> float:
        return walk(a, b) / group.speed

    seqs = [r.seq for r in visits]
    if len(set(seqs)) != len(seqs):
        found.append(_v("work", visits[0], "two visits share a seq number"))
    prev: RouteRow | None = None
    prev_window = -1
    load = 0.0
    for r in visits:
        site = campus.sites[r.site_id]
        node = site.node
        rule = site.rule
        if r.start < r.arrive:
            found.append(
                _v(
                    "service",
                    r,
                    f"service starts {clock(r.start)} before arrival {clock(r.arrive)}",
                )
            )
        if r.end - r.start < rule.service_minutes:
            found.append(
                _v("service", r, f"{r.end - r.start} min of service, {rule.service_minutes} needed")
            )
        w = next(
            (j for j, (w0, w1) in enumerate(group.work) if w0 <= r.arrive and r.end <= w1), None
        )
        if w is None:
            found.append(
                _v("work", r, f"{clock(r.arrive)}-{clock(r.end)} is not inside one work window")
            )
            prev, prev_window = r, -1
            continue
        w0 = group.work[w][0]
        if prev is not None and prev_window >= 0 and prev_window != w:
            back = prev.end + minutes(campus.sites[prev.site_id].node, depot)
            if back > group.work[prev_window][1] + EPS:
                found.append(
                    _v("work", prev, f"back at the depot {back:.1f} min after the break began")
                )
        new_window = prev is None or prev_window != w
        if new_window:
            # Each work window starts at the depot with filling the sprayers.
            earliest = w0 + fill + minutes(depot, node)
            load = 0.0
            if w < prev_window:
                found.append(_v("work", r, "visits are not in time order"))
        elif r.refill:
            earliest = prev.end + minutes(campus.sites[prev.site_id].node, depot) + fill
            earliest += minutes(depot, node)
            load = 0.0
        else:
            earliest = prev.end + minutes(campus.sites[prev.site_id].node, node)
        if r.arrive < earliest - EPS:
            found.append(
                _v(
                    "travel",
                    r,
                    f"arrives {clock(r.arrive)}; the shortest path allows {_hm(earliest)} earliest",
                )
            )
        load += rule.litres
        if load > group.capacity + EPS:
            found.append(
                _v(
                    "capacity",
                    r,
                    f"{load:g} L used since the last refill, sprayers hold {group.capacity:g} L",
                )
            )
        prev, prev_window = r, w
    if prev is not None and prev_window >= 0:
        back = prev.end + minutes(campus.sites[prev.site_id].node, depot)
        if back > group.work[prev_window][1] + EPS:
            found.append(
                _v("work", prev, f"back at the depot at {_hm(back)}, after the work window ends")
            )
    return found


def _hm(minutes: float) -> str:
    """Fractional clock minutes as ``HH:MM`` rounded up (the earliest whole minute)."""
    return clock(math.ceil(minutes - EPS))


def _check_window(campus: Campus, r: RouteRow, same: list[RouteRow]) -> list[RouteViolation]:
    """A visit lies inside a window of its site (visit i of several in window i); ``same``
    holds every visit of the site that day, by any group."""
    site = campus.sites[r.site_id]
    ws = site.rule.windows
    if site.rule.times_per_day > 1 or (len(ws) > 1 and campus.monitored(site, r.day) > 1):
        ordered = sorted(same, key=lambda x: x.start)
        i = ordered.index(r)
        ws = ws[i : i + 1] if i < len(ws) else ws
    if any(w0 <= r.start and r.end <= w1 for w0, w1 in ws):
        return []
    allowed = "|".join(f"{clock(a)}-{clock(b)}" for a, b in ws)
    return [_v("window", r, f"{clock(r.start)}-{clock(r.end)} is outside {allowed}")]


def _check_frequency(campus: Campus, rows: list[RouteRow], days: set[int]) -> list[RouteViolation]:
    """Each site is visited at its frequency over the planned days (monitoring included)."""
    count: dict[tuple[str, int], int] = {}
    for r in rows:
        count[r.site_id, r.day] = count.get((r.site_id, r.day), 0) + 1
    found = []
    for sid, site in campus.sites.items():
        k = site.rule.every_days
        visited = {d for d in days if count.get((sid, d), 0) > 0}
        for s in range(campus.days - k + 1):
            run = range(s, s + k)
            if all(d in days for d in run) and not any(d in visited for d in run):
                a, b = campus.date(s).isoformat(), campus.date(s + k - 1).isoformat()
                when = f"on {a} (daily)" if k == 1 else f"between {a} and {b} (every {k} days)"
                found.append(RouteViolation("frequency", a, "", sid, f"not visited {when}"))
        for d in sorted(days):
            need = campus.monitored(site, d)
            if d in visited:
                need = max(need, site.rule.times_per_day)
            have = count.get((sid, d), 0)
            if have < need:
                found.append(
                    RouteViolation(
                        "frequency",
                        campus.date(d).isoformat(),
                        "",
                        sid,
                        f"visited {have} times, {need} needed that day",
                    )
                )
    return found


def walked_metres(campus: Campus, rows: list[RouteRow]) -> int:
    """Metres walked by all groups: depot, visits (via the depot on refills), depot."""
    walk = _Walk(campus)
    total = 0.0
    by_group_day: dict[tuple[int, str], list[RouteRow]] = {}
    for r in rows:
        by_group_day.setdefault((r.day, r.group), []).append(r)
    for (_, gid), visits in by_group_day.items():
        group = campus.group(gid)
        depot = campus.buildings[group.depot].node
        here, window = depot, None
        for r in sorted(visits, key=lambda x: x.seq):
            node = campus.sites[r.site_id].node
            w = next((j for j, (w0, w1) in enumerate(group.work) if w0 <= r.arrive < w1), None)
            if w != window or r.refill:
                total += walk(here, depot)
                here = depot
            total += walk(here, node)
            here, window = node, w
        total += walk(here, depot)
    return round(total)


def routes_report(instance: str | Path, routes: str | Path) -> RoutesReport:
    """Load ``instance`` and ``routes`` (InputError on bad input); report every violation."""
    campus = load_campus(instance)
    rows = read_routes(campus, routes)
    found = validate_routes(campus, rows, planned_days(campus, routes))
    return RoutesReport(found, walked_metres(campus, rows))
