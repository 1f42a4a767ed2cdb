"""School rotation domain and loader: classes, pupils and families (brothers and sisters)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from optimizer.io import Col, InputError, check_ref, check_unique, read_table, read_toml
from optimizer.testing.load import table

WEEKDAYS = (1, 2, 3, 4, 5)
WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五"}


@dataclass(frozen=True)
class Pupil:
    """A pupil; ``family`` links brothers and sisters; ``previous`` is last week's day."""

    id: str
    name: str
    class_id: str
    family: str
    previous: int | None = None


@dataclass(frozen=True)
class SchoolClass:
    """A class of the kindergarten or the middle school, with its teachers (tested daily)."""

    id: str
    name: str
    school: str
    teachers: int


@dataclass(frozen=True)
class School:
    """Classes and pupils of the rotation, and its settings."""

    start: dt.date
    classes: tuple[SchoolClass, ...]
    pupils: tuple[Pupil, ...]
    weeks: int = 2
    weight_change: int = 1


def class_band(size: int) -> tuple[int, int, int, int]:
    """``(hard_lo, lo, hi, hard_hi)`` pupils per day for a class of ``size``: ±1 and exact."""
    lo, hi = size // 5, -(-size // 5)
    # "20 % ± 1": within one pupil of size/5 (so a class of 12 may test 2, 3 but not 4).
    return max(0, -(-(size - 5) // 5)), lo, hi, (size + 5) // 5


def load_school(folder: str | Path) -> School:
    """Read ``classes.csv`` and ``pupils.csv`` (and ``[rotation]``) from ``folder``."""
    folder = Path(folder)
    doc = read_toml(folder / "instance.toml")
    rot = doc.get("rotation", {})
    try:
        start = dt.date.fromisoformat(str(doc["start"]))
    except (KeyError, ValueError):
        raise InputError(folder / "instance.toml", "start: expected a date YYYY-MM-DD") from None
    c_rows = table(
        folder,
        "classes",
        [
            Col("id"),
            Col("name", required=False, default=""),
            Col("school", choices=("kindergarten", "middle")),
            Col("teachers", "int", required=False, default=0, min=0),
        ],
    )
    check_unique(c_rows, "id", "class")
    classes = tuple(
        SchoolClass(r["id"], r["name"] or r["id"], r["school"], r["teachers"]) for r in c_rows
    )
    p_rows = table(
        folder,
        "pupils",
        [
            Col("id"),
            Col("name"),
            Col("class_id"),
            Col("family_id", required=False, default=""),
            Col("weekday", "int", required=False, min=1, max=5),
        ],
    )
    check_unique(p_rows, "id", "pupil")
    known = {c.id for c in classes}
    for r in p_rows:
        check_ref(r, "class_id", r["class_id"], known, "class")
    pupils = tuple(
        Pupil(r["id"], r["name"], r["class_id"], r["family_id"] or f"~{r['id']}", r["weekday"])
        for r in p_rows
    )
    weeks, change = rot.get("weeks", 2), rot.get("weight_change", 1)
    for key, value in (("weeks", weeks), ("weight_change", change)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InputError(
                folder / "instance.toml", f"[rotation] {key}: expected a whole number ≥ 0"
            )
    return School(start, classes, pupils, weeks, change)


def with_previous(school: School, path: str | Path) -> School:
    """``school`` with last week's days taken from a ``rotation.csv`` (pupils who left are
    ignored; pupils who joined have no previous day)."""
    rows = read_table(path, [Col("pupil_id"), Col("weekday", "int", min=1, max=5)])
    check_unique(rows, "pupil_id", "pupil")
    last = {r["pupil_id"]: r["weekday"] for r in rows}
    pupils = tuple(replace(p, previous=last.get(p.id, p.previous)) for p in school.pupils)
    return replace(school, pupils=pupils)
