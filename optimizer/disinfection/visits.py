"""Weekly visit plan: on which days each site is visited.

Rules (from the instance):

* a site with ``every_days = k`` is visited on days ``a, a + k, a + 2k, ...`` for a phase ``a``
  in ``0..k-1`` of our choosing, so every run of k consecutive days holds a visit;
* daily sites (``k = 1``) are visited every day;
* a building under home monitoring has its sites visited every day of the monitoring period
  (which may make the periodic visits unnecessary, if those days already cover the rule);
* on a visit day a site is visited ``times_per_day`` times (or as often as monitoring asks).

The phases are chosen by a small CP-SAT model: balance the daily workload (busiest minus
quietest day) and keep each day's sites compact (few building-days and few area-days).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optimizer.campus import Campus, Site
from optimizer.disinfection.plan import DayVisit

AREA_M = 300  # side of the square areas used to keep each day's sites close together
HOP_MINUTES = 2  # rough walking time per visit, for the workload estimate
WEIGHT_SPREAD = 3  # points per minute between the busiest and the quietest day
WEIGHT_BUILDING = 2  # points per day a building is visited (its units split over days)
WEIGHT_AREA = 6  # points per day an area is visited

ProgressFn = Callable[[str], None]


@dataclass(frozen=True)
class WeeklyVisits:
    """Visit days per site, the visits of each day, and how the choice was made."""

    days: dict[str, tuple[int, ...]]
    per_day: tuple[tuple[DayVisit, ...], ...]
    status: str
    wall_s: float


def covers(days: set[int], every: int, horizon: int) -> bool:
    """Whether ``days`` holds a day in every run of ``every`` consecutive horizon days."""
    return all(any(d in days for d in range(s, s + every)) for s in range(horizon - every + 1))


def candidates(campus: Campus, site: Site) -> list[tuple[int, ...]]:
    """The visit-day patterns allowed for ``site`` (one is chosen per site)."""
    k, horizon = site.rule.every_days, campus.days
    monitored = {d for d in range(horizon) if campus.monitored(site, d)}
    out = {tuple(sorted(monitored | set(range(a, horizon, k)))) for a in range(k)}
    if monitored and covers(monitored, k, horizon):
        out.add(tuple(sorted(monitored)))
    return sorted(out)


def visits_on(campus: Campus, site: Site, day: int) -> list[DayVisit]:
    """The visits ``site`` needs on a visit day: one per window when several are needed."""
    n = max(site.rule.times_per_day, campus.monitored(site, day))
    ws = site.rule.windows
    if n == 1:
        return [DayVisit(site.id, 0, ws)]
    return [DayVisit(site.id, i, (ws[i],)) for i in range(n)]


@dataclass
class _VisitModel:
    """The CP-SAT model under construction: one literal per (site, pattern)."""

    campus: Campus
    model: Any
    options: dict[str, list[tuple[int, ...]]]
    chosen: dict[str, list] = field(default_factory=dict)  # literal, or 1 for a fixed site


def _one_pattern_per_site(m: _VisitModel) -> None:
    """Every site follows exactly one of its visit-day patterns."""
    for sid, pats in m.options.items():
        if len(pats) == 1:
            m.chosen[sid] = [1]
            continue
        lits = [m.model.new_bool_var(f"{sid} on days {pat}") for pat in pats]
        m.model.add_exactly_one(lits)
        m.chosen[sid] = lits


def _balanced_days(m: _VisitModel) -> Any:
    """The busiest and the quietest day differ as little as possible (in estimated minutes:
    service plus a short walk per visit); returns the spread to minimise."""
    load: list[list] = [[] for _ in range(m.campus.days)]
    top = 0  # an upper bound on any day's load
    for sid, pats in m.options.items():
        site = m.campus.sites[sid]
        minutes = site.rule.service_minutes + HOP_MINUTES
        for lit, pat in zip(m.chosen[sid], pats, strict=True):
            for d in pat:
                coefficient = len(visits_on(m.campus, site, d)) * minutes
                load[d].append(coefficient * lit)
                top += coefficient
    day_load = []
    for d in range(m.campus.days):
        v = m.model.new_int_var(0, top, f"load day {d}")
        m.model.add(v == sum(load[d]))
        day_load.append(v)
    hi = m.model.new_int_var(0, top, "busiest day")
    lo = m.model.new_int_var(0, top, "quietest day")
    m.model.add_max_equality(hi, day_load)
    m.model.add_min_equality(lo, day_load)
    return hi - lo


def _compact_days(m: _VisitModel) -> Any:
    """A building, and a square area of campus, is visited on as few days as possible;
    returns the weighted count of (building, day) and (area, day) pairs used."""
    used: dict[tuple, list] = {}
    for sid, pats in m.options.items():
        if len(pats) == 1:
            continue  # fixed sites cost the same whatever is chosen
        site = m.campus.sites[sid]
        node = m.campus.graph.nodes[site.node]
        area = (int(node.x // AREA_M), int(node.y // AREA_M))
        for lit, pat in zip(m.chosen[sid], pats, strict=True):
            for d in pat:
                if site.building is not None:
                    used.setdefault(("building", site.building, d), []).append(lit)
                used.setdefault(("area", area, d), []).append(lit)
    terms = []
    for key, lits in used.items():
        u = m.model.new_bool_var(f"{key} used")
        for lit in lits:
            m.model.add_implication(lit, u)
        terms.append((WEIGHT_BUILDING if key[0] == "building" else WEIGHT_AREA) * u)
    return sum(terms)


def plan_visits(
    campus: Campus, *, time_limit: float, on_progress: ProgressFn | None = None
) -> WeeklyVisits:
    """Choose each site's visit days (CP-SAT, within ``time_limit`` seconds)."""
    from ortools.sat.python import cp_model

    start = time.monotonic()
    options = {sid: candidates(campus, s) for sid, s in campus.sites.items()}
    m = _VisitModel(campus, cp_model.CpModel(), options)
    _one_pattern_per_site(m)
    model, chosen = m.model, m.chosen
    model.minimize(WEIGHT_SPREAD * _balanced_days(m) + _compact_days(m))

    hint = _spatial_hint(campus, options)
    for sid, pat in hint.items():
        for lit, other in zip(chosen[sid], options[sid], strict=True):
            if not isinstance(lit, int):
                model.add_hint(lit, other == pat)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = os.cpu_count() or 1
    solver.parameters.random_seed = 0

    class _Progress(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if on_progress is not None:
                on_progress(
                    f"visit plan: objective {self.objective_value:.0f}, bound "
                    f"{self.best_objective_bound:.0f}, {self.wall_time:.1f} s"
                )

    code = solver.solve(model, _Progress())
    status = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
    }.get(code, "timeout")
    if status == "timeout":
        # Every choice is allowed, so a model without a solution in time only ran out of it:
        # fall back to the spatial first choice rather than failing.
        picks = {sid: hint.get(sid, pats[0]) for sid, pats in options.items()}
    else:
        picks = {
            sid: pats[0]
            if len(pats) == 1
            else pats[next(i for i, lit in enumerate(chosen[sid]) if solver.value(lit))]
            for sid, pats in options.items()
        }
    return WeeklyVisits(picks, day_visits(campus, picks), status, time.monotonic() - start)


def day_visits(
    campus: Campus, picks: dict[str, tuple[int, ...]]
) -> tuple[tuple[DayVisit, ...], ...]:
    """The visits of each horizon day, given each site's visit days."""
    return tuple(
        tuple(
            v
            for sid, pat in picks.items()
            if d in pat
            for v in visits_on(campus, campus.sites[sid], d)
        )
        for d in range(campus.days)
    )


def _spatial_hint(campus: Campus, options: dict[str, list[tuple[int, ...]]]) -> dict[str, tuple]:
    """A good first choice: sites of each frequency in a snake order over the areas, cut into
    ``k`` runs of equal work, run ``a`` on phase ``a`` (compact days, balanced load)."""
    by_every: dict[int, list[str]] = {}
    for sid, pats in options.items():
        if len(pats) > 1:
            by_every.setdefault(campus.sites[sid].rule.every_days, []).append(sid)
    hint = {}
    for k, sids in by_every.items():

        def order(sid: str) -> tuple:
            site = campus.sites[sid]
            node = campus.graph.nodes[site.node]
            ax, ay = int(node.x // AREA_M), node.y
            return (ax, ay if ax % 2 == 0 else -ay, site.building or "", sid)

        sids.sort(key=order)
        total = sum(campus.sites[sid].rule.service_minutes for sid in sids)
        done = 0
        for sid in sids:
            phase = min(k - 1, done * k // max(total, 1))
            done += campus.sites[sid].rule.service_minutes
            site = campus.sites[sid]
            # Monitored sites may have a pattern without extra periodic visits: prefer it.
            watched = any(campus.monitored(site, d) for d in range(campus.days))
            hint[sid] = min(
                options[sid], key=lambda p, a=phase, w=watched: (len(p) if w else 0, a not in p)
            )
    return hint
