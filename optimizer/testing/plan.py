"""A testing round end to end: slot plan, then staffing for it, then home-visit routes."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from optimizer.testing.domain import TestingRound
from optimizer.testing.home_visits import HomeVisit, plan_home_visits
from optimizer.testing.load import load_round
from optimizer.testing.slots import SlotAssignment, plan_slots
from optimizer.testing.solver import Progress, SolveStats
from optimizer.testing.staffing import Shift, Shortfall, plan_staffing

# Share of the time limit per model: staffing is the hardest, routes converge fast.
SHARES = {"slots": 0.4, "staffing": 0.5, "home_visits": 0.1}


@dataclass(frozen=True)
class TestingPlan:
    """A planned round: slots, staffing with understaffing, home visits, and solve figures."""

    __test__ = False  # not a pytest test class, despite the name

    round: TestingRound
    slots: tuple[SlotAssignment, ...]
    shifts: tuple[Shift, ...]
    shortfalls: tuple[Shortfall, ...]
    visits: tuple[HomeVisit, ...]
    stats: tuple[SolveStats, ...]
    wall_s: float

    @property
    def ok(self) -> bool:
        """True when every model produced a plan (understaffing is reported, not a failure)."""
        return all(s.ok for s in self.stats) and len(self.stats) == len(SHARES)

    def stat(self, model: str) -> SolveStats | None:
        """The figures of ``model`` (``slots``, ``staffing``, ``home_visits``), if it ran."""
        return next((s for s in self.stats if s.model == model), None)

    def longest_wait(self) -> float:
        """Longest expected wait in minutes over all slot assignments."""
        return max((a.expected_wait for a in self.slots), default=0.0)

    def workers_used(self) -> int:
        """Number of workers called in."""
        return len({s.worker for s in self.shifts})

    def crews(self) -> dict[str, dict[str, int]]:
        """Per point: workers called in, most at work at once, and the relief crew (the rest,
        who cover breaks in protective gear)."""
        step = self.round.rules.slot_minutes
        people: dict[str, set[str]] = defaultdict(set)
        busy: dict[tuple[str, int], int] = defaultdict(int)
        for s in self.shifts:
            people[s.point].add(s.worker)
            for t in range(s.start, s.end, step):
                busy[s.point, t] += 1
        out = {}
        for pid, crew in sorted(people.items()):
            peak = max(n for (p, _), n in busy.items() if p == pid)
            out[pid] = {"workers": len(crew), "at_once": peak, "relief": len(crew) - peak}
        return out

    def summary(self) -> dict[str, object]:
        """JSON-ready summary: per-model status/objective/bound/gap, and the key figures."""
        return {
            "instance": self.round.name,
            "date": self.round.date.isoformat(),
            "ok": self.ok,
            "wall_s": round(self.wall_s, 2),
            "models": {s.model: s.as_dict() for s in self.stats},
            "distances": self.round.distance_source,
            "people": sum(a.people for a in self.slots),
            "home_visits": len(self.visits),
            "longest_expected_wait_min": self.longest_wait(),
            "workers_used": self.workers_used(),
            "crews": self.crews(),
            "understaffing": [
                {
                    "point_id": s.point,
                    "slot_start": s.start,
                    "slot_end": s.end,
                    "role": s.role,
                    "missing": s.missing,
                }
                for s in self.shortfalls
            ],
        }


def plan_loaded_round(
    rnd: TestingRound,
    *,
    time_limit: float = 50.0,
    seed: int = 0,
    num_workers: int | None = None,
    on_progress: Progress | None = None,
) -> TestingPlan:
    """Plan slots, staffing and home visits of a loaded round within ``time_limit`` seconds."""
    t0 = time.perf_counter()
    slots, s1 = plan_slots(
        rnd,
        time_limit=time_limit * SHARES["slots"],
        seed=seed,
        num_workers=num_workers,
        on_progress=on_progress,
    )
    stats = [s1]
    shifts: list[Shift] = []
    shortfalls: list[Shortfall] = []
    if s1.ok:
        # Time the slot model left unused goes to the staffing model.
        left = time_limit * (SHARES["slots"] + SHARES["staffing"]) - (time.perf_counter() - t0)
        shifts, shortfalls, s2 = plan_staffing(
            rnd,
            slots,
            time_limit=max(1.0, left),
            seed=seed,
            num_workers=num_workers,
            on_progress=on_progress,
        )
        stats.append(s2)
    visits, s3 = plan_home_visits(
        rnd,
        time_limit=max(1.0, time_limit * SHARES["home_visits"]),
        seed=seed,
        on_progress=on_progress,
    )
    stats.append(s3)
    return TestingPlan(
        rnd,
        tuple(slots),
        tuple(shifts),
        tuple(shortfalls),
        tuple(visits),
        tuple(stats),
        time.perf_counter() - t0,
    )


def plan_round(
    instance_folder: str | Path,
    date: dt.date,
    *,
    time_limit: float = 50.0,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> TestingPlan:
    """Load the round of ``instance_folder`` on ``date`` and plan it (raises ``InputError``)."""
    rnd = load_round(instance_folder, date)
    return plan_loaded_round(rnd, time_limit=time_limit, seed=seed, on_progress=on_progress)
