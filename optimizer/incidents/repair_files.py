"""Files and lines describing a roster repair: ``changes.csv``, ``summary.json``, diff lines."""

from __future__ import annotations

import json
from typing import Any

from optimizer.io import clock, csv_bytes
from optimizer.roster.domain import DAY, RosterInstance
from optimizer.roster.repair import Change, RepairResult
from optimizer.validate_roster import RosterReport

CHANGES_HEADER = (
    "change",
    "date",
    "shift",
    "start",
    "end",
    "post",
    "volunteer_id",
    "name",
    "team",
)


def change_line(inst: RosterInstance, c: Change) -> str:
    """``newly called in: 2026-12-02 白班 08:00-16:00 值班室: 张伟 (V012)``."""
    shift = inst.shift(c.shift)
    person = next(v for v in inst.volunteers if v.id == c.volunteer)
    post = next(p for p in inst.posts if p.id == c.post)
    end = clock((shift.start + shift.minutes) % DAY or DAY)
    verb = "newly called in" if c.added else "relieved"
    return (
        f"{verb}: {inst.date(c.day).isoformat()} {shift.name} {clock(shift.start)}-{end} "
        f"{post.name}: {person.name} ({person.id})"
    )


def changes_csv(inst: RosterInstance, changes: tuple[Change, ...]) -> bytes:
    """``changes.csv``: one row per person added to (``added``) or removed from a post-shift."""
    people = {v.id: v for v in inst.volunteers}
    rows = []
    for c in changes:
        shift = inst.shift(c.shift)
        v = people[c.volunteer]
        rows.append(
            [
                "added" if c.added else "removed",
                inst.date(c.day).isoformat(),
                c.shift,
                clock(shift.start),
                clock((shift.start + shift.minutes) % DAY or DAY),
                c.post,
                v.id,
                v.name,
                v.team,
            ]
        )
    return csv_bytes(CHANGES_HEADER, rows)


def summary(result: RepairResult, report: RosterReport, request: dict[str, Any]) -> str:
    """``summary.json``: status, figures, the request, and the validator's verdict."""
    data = {
        **request,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "wall_s": round(result.wall_s, 3),
        "changes": len(result.changes),
        "added": sum(c.added for c in result.changes),
        "removed": sum(not c.added for c in result.changes),
        "hard_violations": len(report.violations),
        "penalties": [
            {"rule": p.rule, "amount": p.amount, "volunteer": p.volunteer, "text": p.text}
            for p in report.penalties
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
