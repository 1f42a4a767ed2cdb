"""Night dispatch: which groups to call, their route from the depot, and the deadline check.

The answer comes in two steps so the night-duty person is never left waiting: a constructive
order (groups ranked by on-call duty, least recent call-out and how far the leader lives from
the depot; sites inserted one by one where they delay the finish least) and then local search
(moving and swapping sites within and between the called groups) only while the time budget
lasts. Times are absolute minutes from 00:00 of the horizon's first day. At night the usual
site windows do not apply (an emergency disinfection goes in when it is called); work windows
do not apply either. Sprayer capacity does: a group that runs dry walks back to the depot
and refills.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from optimizer.campus.domain import Group, Site
from optimizer.campus.model import Campus, travel_minutes
from optimizer.incidents.rules import DispatchSettings, IncidentKind, IncidentRules
from optimizer.io import InputError

MAX_COMBINATIONS = 64  # group sets tried when the first choice misses the deadline


@dataclass(frozen=True)
class Candidate:
    """A group that has the skills, and what the ranking looks at."""

    group: Group
    on_call: bool  # rostered on an on-call post at the time of the call
    far: bool  # its depot is much farther from the incident than the nearest group's
    last_called: int | None  # when its last call-out began (None = never)
    leader_minutes: int  # leader's walk home -> depot, plus depot -> the nearest site
    free_at: int  # earliest minute it can leave the depot

    def rank(self) -> tuple[bool, bool, float, int, str]:
        """Smaller is better: on call, then nearby, then least recently called, then the
        leader who can be at the incident soonest."""
        last = -math.inf if self.last_called is None else self.last_called
        return (not self.on_call, self.far, last, self.leader_minutes, self.group.id)


@dataclass(frozen=True)
class Stop:
    """One site on a group's route: arrival, start and end of disinfection."""

    site: Site
    arrive: int
    start: int
    end: int
    refill: bool  # went back to the depot to refill just before this site


@dataclass(frozen=True)
class GroupRoute:
    """One called group's night route."""

    candidate: Candidate
    depart: int
    stops: tuple[Stop, ...]
    back: int  # back at the depot

    @property
    def finish(self) -> int:
        """When its last site is done (its departure if it has no site)."""
        return self.stops[-1].end if self.stops else self.depart


@dataclass(frozen=True)
class Order:
    """The dispatch order: the incident, the called groups' routes, the deadline verdict."""

    kind: IncidentKind
    where: str
    where_name: str
    at: int
    deadline: int
    routes: tuple[GroupRoute, ...]
    earliest_finish: int  # best finish found with any choice of groups (all of them if needed)
    earliest_groups: tuple[str, ...]
    improved: bool  # local search changed the constructive order

    @property
    def finish(self) -> int:
        """When the last called group finishes its last site."""
        return max(r.finish for r in self.routes)

    @property
    def meets_deadline(self) -> bool:
        """Every site is done by the deadline."""
        return self.finish <= self.deadline


# ----------------------------------------------------------------------------------- sites


def target_sites(
    campus: Campus, rules: IncidentRules, kind: IncidentKind, where: str
) -> list[Site]:
    """The sites an incident of ``kind`` at ``where`` asks to disinfect, without repeats.

    Raises ``InputError`` (reported against ``--where``) for an unknown building or site.
    """
    sites: dict[str, Site] = {}
    if kind.where == "building":
        if where not in campus.buildings:
            raise InputError("--where", f"unknown building '{where}'")
        anchor = where
    else:
        if where not in campus.sites:
            raise InputError("--where", f"unknown site '{where}'")
        anchor = campus.sites[where].building or _building_at(campus, campus.sites[where].node)
        if kind.own_site:
            sites[where] = campus.sites[where]
        if kind.supplied:
            for sid in rules.supplies.get(where, ()):
                sites[sid] = campus.sites[sid]
    if kind.building_sites and anchor is not None:
        for s in campus.building_sites(anchor):
            sites[s.id] = s
    if anchor is not None:
        for site_kind in kind.within:
            for sid, _ in campus.nearest_sites(anchor, site_kind, within=kind.radius_m):
                sites[sid] = campus.sites[sid]
        for site_kind in kind.nearest:
            near = campus.nearest_sites(anchor, site_kind, count=1)
            if near and near[0][1] <= kind.radius_m:
                sites[near[0][0]] = campus.sites[near[0][0]]
    if not sites:
        raise InputError("--where", f"'{where}' has no site that a {kind.kind} asks to disinfect")
    return list(sites.values())


def _building_at(campus: Campus, node: str) -> str | None:
    return next((b.id for b in campus.buildings.values() if b.node == node), None)


# ---------------------------------------------------------------------------------- routes


class _Timer:
    """Walk times and service times for one incident, memoised (small, hot loops).

    Walking metres come from the campus's shortest-path matrix (depots first, then sites),
    which the campus keeps cached on disk, so a dispatch runs no shortest-path search.
    """

    def __init__(self, campus: Campus, kind: IncidentKind) -> None:
        self.campus = campus
        self.matrix = campus.distances
        self.factor = kind.service_factor
        self.refill = campus.settings.refill_minutes
        self._walk: dict[tuple[int, int, float], int] = {}

    def depot(self, group: Group) -> int:
        """Matrix row of ``group``'s depot."""
        return self.campus.depot_loc(group.depot)

    def site(self, site: Site) -> int:
        """Matrix row of ``site``."""
        return self.campus.site_loc(site.id)

    def walk(self, a: int, b: int, speed: float) -> int:
        """Whole minutes to walk from matrix row ``a`` to row ``b``."""
        key = (a, b, speed)
        if key not in self._walk:
            self._walk[key] = travel_minutes(float(self.matrix[a, b]), speed) if a != b else 0
        return self._walk[key]

    def service(self, site: Site) -> int:
        """Minutes of emergency disinfection at ``site`` (the kind's factor applied)."""
        return math.ceil(site.rule.service_minutes * self.factor - 1e-9)

    def litres(self, site: Site) -> float:
        """Disinfectant used at ``site``."""
        return site.rule.litres * self.factor


def build_route(timer: _Timer, cand: Candidate, sites: Sequence[Site]) -> GroupRoute:
    """Times of a group walking ``sites`` in order from its depot, refilling when dry."""
    group = cand.group
    depot = timer.depot(group)
    t = cand.free_at
    here = depot
    load = group.capacity
    stops: list[Stop] = []
    for site in sites:
        need = timer.litres(site)
        refill = here != depot and need > load + 1e-9
        if refill:
            t += timer.walk(here, depot, group.speed) + timer.refill
            here, load = depot, group.capacity
        there = timer.site(site)
        arrive = t + timer.walk(here, there, group.speed)
        end = arrive + timer.service(site)
        stops.append(Stop(site, arrive, arrive, end, refill))
        t, here, load = end, there, load - need
    back = t + timer.walk(here, depot, group.speed)
    return GroupRoute(cand, cand.free_at, tuple(stops), back)


def _cost(routes: Sequence[GroupRoute]) -> tuple[int, int]:
    """Finish of the last group first, then total group-minutes out."""
    return max(r.finish for r in routes), sum(r.back - r.depart for r in routes)


def _plan(timer: _Timer, cands: Sequence[Candidate], seqs: list[list[Site]]) -> list[GroupRoute]:
    return [build_route(timer, c, s) for c, s in zip(cands, seqs, strict=True)]


def constructive(
    timer: _Timer, cands: Sequence[Candidate], sites: Sequence[Site]
) -> list[list[Site]]:
    """Insert sites, farthest from the depot first, where they delay the finish least."""
    seqs: list[list[Site]] = [[] for _ in cands]
    routes = _plan(timer, cands, seqs)
    home = timer.depot(cands[0].group)
    order = sorted(sites, key=lambda s: (-float(timer.matrix[home, timer.site(s)]), s.id))
    for site in order:
        best: tuple[tuple[int, int], int, int, GroupRoute] | None = None
        for g, seq in enumerate(seqs):
            others = [r for h, r in enumerate(routes) if h != g]
            for pos in range(len(seq) + 1):
                route = build_route(timer, cands[g], [*seq[:pos], site, *seq[pos:]])
                cost = _cost([*others, route])
                if best is None or cost < best[0]:
                    best = (cost, g, pos, route)
        assert best is not None
        _, g, pos, route = best
        seqs[g].insert(pos, site)
        routes[g] = route
    return seqs


def improve(
    timer: _Timer, cands: Sequence[Candidate], seqs: list[list[Site]], until: float
) -> tuple[list[list[Site]], bool]:
    """Relocate and swap sites (within and between groups) while it helps and time remains."""
    best = _cost(_plan(timer, cands, seqs))
    changed = False
    moved = True
    while moved and time.monotonic() < until:
        moved = False
        for trial in _neighbours(seqs):
            if time.monotonic() >= until:
                break
            cost = _cost(_plan(timer, cands, trial))
            if cost < best:
                best, seqs, moved, changed = cost, trial, True, True
                break
    return seqs, changed


def _neighbours(seqs: list[list[Site]]) -> Iterator[list[list[Site]]]:
    """Every plan one relocation or one swap away from ``seqs``."""
    slots = [(g, i) for g, seq in enumerate(seqs) for i in range(len(seq))]
    for g, i in slots:
        site = seqs[g][i]
        without = [*seqs]
        without[g] = seqs[g][:i] + seqs[g][i + 1 :]
        for h, seq in enumerate(without):
            for pos in range(len(seq) + 1):
                if h == g and pos == i:
                    continue  # that is where it came from
                trial = [*without]
                trial[h] = [*seq[:pos], site, *seq[pos:]]
                yield trial
    for (g, i), (h, j) in itertools.combinations(slots, 2):
        trial = [list(s) for s in seqs]
        trial[g][i], trial[h][j] = seqs[h][j], seqs[g][i]
        yield trial


# ------------------------------------------------------------------------------- selection


def candidates(
    campus: Campus,
    kind: IncidentKind,
    at: int,
    sites: Sequence[Site],
    *,
    settings: DispatchSettings,
    on_call: set[str],
    last_called: dict[str, int],
    busy_until: dict[str, int],
    skills: dict[str, frozenset[str]],
) -> list[Candidate]:
    """Groups with every skill the kind needs, best ranked first.

    ``on_call``: ids of groups on call now; ``last_called``: group id -> start of its last
    call-out; ``busy_until``: group id -> when it is back from a call-out still under way;
    ``skills``: group id -> the skills its members bring.
    """
    timer = _Timer(campus, kind)
    rows = [timer.site(s) for s in sites]
    found = []
    for g in campus.groups:
        if not kind.skills <= skills.get(g.id, frozenset()):
            continue
        depot = timer.depot(g)
        lead = _leader_minutes(campus, timer, g, settings.muster_minutes)
        reach = min(timer.walk(depot, r, g.speed) for r in rows)
        free = max(at + max(settings.muster_minutes, lead), busy_until.get(g.id, at))
        found.append((g, lead, reach, free))
    if not found:
        return []
    closest = min(reach for _, _, reach, _ in found)
    out = [
        Candidate(
            group=g,
            on_call=g.id in on_call,
            far=reach > closest + settings.nearby_minutes,
            last_called=last_called.get(g.id),
            leader_minutes=lead + reach,
            free_at=free,
        )
        for g, lead, reach, free in found
    ]
    return sorted(out, key=Candidate.rank)


def _leader_minutes(campus: Campus, timer: _Timer, group: Group, default: int) -> int:
    """Walk from the leader's home building to the group's depot (``default`` if unknown)."""
    leader = group.leader
    home = campus.buildings.get(leader.home_building or "") if leader else None
    if home is None:
        return default
    own = campus.building_sites(home.id)
    if own:  # a site of the building stands for it: one matrix look-up, no path search
        return timer.walk(timer.depot(group), timer.site(own[0]), group.speed)
    metres = campus.graph.distances_from(campus.buildings[group.depot].node).get(home.node)
    return default if metres is None else travel_minutes(metres, group.speed)


def make_order(
    campus: Campus,
    kind: IncidentKind,
    where: str,
    where_name: str,
    at: int,
    sites: Sequence[Site],
    ranked: Sequence[Candidate],
    improve_seconds: float,
) -> Order:
    """Choose the groups and their routes; improve while ``improve_seconds`` last."""
    if not ranked:
        raise InputError("--event", f"no group has the skills a {kind.kind} needs")
    until = time.monotonic() + improve_seconds
    timer = _Timer(campus, kind)
    deadline = at + kind.deadline_minutes
    k = min(kind.groups, len(ranked))
    chosen = list(ranked[:k])
    seqs = constructive(timer, chosen, sites)
    routes = _plan(timer, chosen, seqs)
    if _cost(routes)[0] > deadline:
        # The first choice is late: a set of groups that makes it wins over rank order.
        for combo in itertools.islice(itertools.combinations(ranked, k), 1, MAX_COMBINATIONS):
            trial = _plan(timer, combo, constructive(timer, combo, sites))
            if _cost(trial)[0] <= deadline:
                chosen, routes = list(combo), trial
                break
    seqs = [[s.site for s in r.stops] for r in routes]
    improved = False
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the constructive order stands
        seqs, improved = improve(timer, chosen, seqs, until)
    routes = _plan(timer, chosen, seqs)
    earliest, earliest_groups = _cost(routes)[0], tuple(c.group.id for c in chosen)
    if earliest > deadline and len(ranked) > k:
        everyone = _plan(timer, ranked, constructive(timer, ranked, sites))
        if _cost(everyone)[0] < earliest:
            earliest = _cost(everyone)[0]
            earliest_groups = tuple(r.candidate.group.id for r in everyone if r.stops)
    return Order(
        kind=kind,
        where=where,
        where_name=where_name,
        at=at,
        deadline=deadline,
        routes=tuple(routes),
        earliest_finish=earliest,
        earliest_groups=earliest_groups,
        improved=improved,
    )
