"""School rotation (CP-SAT): each pupil tests on one weekday in five, 20 % of a class a day.

Rules (``instances/README.md``, "Testing round" → rotation):

- each kindergarten and middle-school pupil gets one weekday (1 = Monday … 5 = Friday) and
  tests that day every week, so every fifth school day;
- each class tests 20 % of its pupils each day, ±1 (hard), and exactly ``floor``/``ceil`` of
  ``n/5`` where the class sizes and families allow (soft, 100 points per pupil off);
- brothers and sisters (same ``family_id``) test on the same day;
- a pupil keeps last week's day (``weekday`` column of ``pupils.csv``) where possible
  (``[rotation] weight_change`` per pupil moved), so the plan rolls into the next week;
- teachers test daily (``rotation_calendar.csv`` lists them per class and day).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

from optimizer.io import csv_bytes
from optimizer.testing.export import write_files
from optimizer.testing.school import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    Pupil,
    School,
    class_band,
    load_school,
)
from optimizer.testing.solver import Progress, SolveStats, solve_model

OFF_BALANCE = 100  # points per pupil a class-day is off the exact 20 % (floor/ceil)


@dataclass(frozen=True)
class RotationPlan:
    """Weekday per pupil (empty when no plan was found) and the solve figures."""

    school: School
    weekday: dict[str, int]
    stats: SolveStats

    def counts(self) -> dict[tuple[str, int], int]:
        """Pupils per (class, weekday)."""
        out: dict[tuple[str, int], int] = defaultdict(int)
        for p in self.school.pupils:
            if p.id in self.weekday:
                out[p.class_id, self.weekday[p.id]] += 1
        return out


def plan_rotation_of(
    school: School,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    num_workers: int | None = None,
    on_progress: Progress | None = None,
) -> RotationPlan:
    """Give every pupil a weekday: classes balanced, families together, last week kept."""
    m = cp_model.CpModel()
    families: dict[str, list[Pupil]] = defaultdict(list)
    for p in school.pupils:
        families[p.family].append(p)
    day = {(f, d): m.NewBoolVar(f"{f}@{d}") for f in families for d in WEEKDAYS}
    for f in families:
        # Brothers and sisters share one day: the day belongs to the family.
        m.AddExactlyOne(day[f, d] for d in WEEKDAYS)
    size: dict[str, int] = defaultdict(int)
    members: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in school.pupils:
        size[p.class_id] += 1
        members[p.class_id][p.family] += 1
    cost = []
    for cid, fams in members.items():
        hard_lo, lo, hi, hard_hi = class_band(size[cid])
        for d in WEEKDAYS:
            n = sum(k * day[f, d] for f, k in fams.items())
            m.AddLinearConstraint(n, hard_lo, hard_hi)
            off = m.NewIntVar(0, 1, f"off {cid}@{d}")
            m.Add(off >= n - hi)
            m.Add(off >= lo - n)
            cost.append(OFF_BALANCE * off)
    for p in school.pupils:
        if p.previous is not None and school.weight_change:
            cost.append(school.weight_change * (1 - day[p.family, p.previous]))
    m.Minimize(sum(cost))
    solver, stats = solve_model(
        m,
        "rotation",
        time_limit=time_limit,
        seed=seed,
        num_workers=num_workers,
        on_progress=on_progress,
    )
    weekday = {}
    if stats.ok:
        for p in school.pupils:
            weekday[p.id] = next(d for d in WEEKDAYS if solver.Value(day[p.family, d]))
    return RotationPlan(school, weekday, stats)


def plan_rotation(
    instance_folder: str | Path,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> RotationPlan:
    """Load the school of ``instance_folder`` and plan its rotation (raises ``InputError``)."""
    return plan_rotation_of(
        load_school(instance_folder), time_limit=time_limit, seed=seed, on_progress=on_progress
    )


def rotation_files(plan: RotationPlan) -> dict[str, bytes | str]:
    """``rotation.csv``, ``rotation_calendar.csv`` (per school day: pupils and teachers per
    class for ``weeks`` weeks from the first Monday on or after the start) and the summary."""
    school = plan.school
    files: dict[str, bytes | str] = {}
    files["rotation.csv"] = csv_bytes(
        ["pupil_id", "class", "weekday"],
        [[p.id, p.class_id, plan.weekday[p.id]] for p in school.pupils if p.id in plan.weekday],
    )
    counts = plan.counts()
    monday = school.start + dt.timedelta(days=-school.start.weekday() % 7)
    rows = []
    for week in range(school.weeks):
        for d in WEEKDAYS:
            date = monday + dt.timedelta(days=7 * week + d - 1)
            for c in school.classes:
                rows.append(
                    [
                        date.isoformat(),
                        WEEKDAY_NAMES[d],
                        c.id,
                        c.name,
                        counts.get((c.id, d), 0),
                        c.teachers,
                    ]
                )
    files["rotation_calendar.csv"] = csv_bytes(
        ["date", "weekday", "class_id", "class", "pupils", "teachers"], rows
    )
    size: dict[str, int] = defaultdict(int)
    for p in school.pupils:
        size[p.class_id] += 1
    off = sorted(
        f"{cid} {WEEKDAY_NAMES[d]}: {n} of {size[cid]}"
        for (cid, d), n in counts.items()
        if not class_band(size[cid])[1] <= n <= class_band(size[cid])[2]
    )
    summary = {
        "models": {"rotation": plan.stats.as_dict()},
        "pupils": len(school.pupils),
        "classes": len(school.classes),
        "moved_from_last_week": sum(
            1
            for p in school.pupils
            if p.previous is not None and plan.weekday.get(p.id) not in (None, p.previous)
        ),
        "class_days_off_exact_balance": off,
    }
    files["rotation_summary.json"] = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    return files


def write_rotation_outputs(plan: RotationPlan, out_dir: str | Path) -> list[str]:
    """Write the rotation files into ``out_dir`` atomically; return the file names."""
    return write_files(rotation_files(plan), out_dir)
