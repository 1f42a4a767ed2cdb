"""Reader of the Curtois-Qu shift scheduling benchmark format (schedulingbenchmarks.org, 2014).

The file is translated into fangyi's own :class:`RosterInstance`, so the campus roster engine
and the independent validator solve and score it unchanged:

- one post (``ward``) with no skills; one shift template per shift type, starting at 00:00 so
  that only the explicit rules bind (``min_rest_minutes = 0``, one shift per day), with the
  type's length and its forbidden successors;
- per person: ``MaxShifts`` as shift caps, total minutes, consecutive-day limits and maximum
  weekends as :class:`Limits`; fixed days off as whole-day unavailability;
- shift on/off requests as preferences (``weights.preference = 1``), cover rows as demand with
  their under/over weights; every fairness, block and team weight is 0.

The horizon starts on a Monday (the format's day 0), so Saturdays are days ``7k+5``.
Format and objective: ``shared/benchmarks/shift-scheduling/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from optimizer.io import InputError, read_text
from optimizer.roster.domain import (
    DAY,
    Demand,
    Limits,
    Post,
    Preference,
    RosterInstance,
    Rules,
    Shift,
    Unavailability,
    Volunteer,
    Weights,
)

MONDAY = dt.date(2024, 1, 1)  # any Monday: the format's day 0 is a Monday
POST = "ward"
STAFF_COLUMNS = (
    "ID",
    "MaxShifts",
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)

T = TypeVar("T")


class _Line:
    """One data line of a section: its fields and where it came from, for error messages."""

    def __init__(self, path: Path, number: int, section: str, fields: list[str]) -> None:
        self.path = path
        self.number = number
        self.section = section
        self.fields = fields

    def error(self, column: str, message: str) -> InputError:
        return InputError(self.path, f"{self.section}: {message}", row=self.number, column=column)

    def field(self, i: int, column: str) -> str:
        if i >= len(self.fields):
            raise self.error(column, f"missing field '{column}'")
        return self.fields[i]

    def integer(self, i: int, column: str, low: int = 0) -> int:
        text = self.field(i, column)
        try:
            value = int(text)
        except ValueError:
            raise self.error(column, f"expected a whole number, got '{text}'") from None
        if value < low:
            raise self.error(column, f"expected a whole number >= {low}, got {value}")
        return value

    def known(self, i: int, column: str, known: dict[str, T]) -> T:
        text = self.field(i, column)
        if text not in known:
            raise self.error(column, f"unknown {column.lower()} '{text}'")
        return known[text]


def _sections(path: Path) -> dict[str, list[_Line]]:
    """Data lines grouped by ``SECTION_<NAME>``; comments and blank lines dropped."""
    sections: dict[str, list[_Line]] = {}
    current: str | None = None
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line[len("SECTION_") :]
            sections.setdefault(current, [])
            continue
        if current is None:
            raise InputError(path, "data before the first SECTION_ line", row=number)
        fields = [f.strip() for f in line.split(",")]
        sections[current].append(_Line(path, number, current, fields))
    for needed in ("HORIZON", "SHIFTS", "STAFF", "COVER"):
        if not sections.get(needed):
            raise InputError(path, f"missing or empty section SECTION_{needed}")
    return sections


def _shifts(lines: list[_Line]) -> dict[str, Shift]:
    ids = {line.field(0, "ShiftID") for line in lines}
    shifts: dict[str, Shift] = {}
    for line in lines:
        sid = line.field(0, "ShiftID")
        if sid in shifts:
            raise line.error("ShiftID", f"duplicate shift '{sid}'")
        minutes = line.integer(1, "Length", low=1)
        if minutes > DAY:
            raise line.error("Length", f"a shift lasts at most {DAY} minutes, got {minutes}")
        banned = tuple(t for t in (line.fields[2] if len(line.fields) > 2 else "").split("|") if t)
        for t in banned:
            if t not in ids:
                raise line.error("ForbiddenNext", f"unknown shift '{t}'")
        shifts[sid] = Shift(sid, sid, 0, minutes, False, banned)
    return shifts


def _staff(lines: list[_Line], shifts: dict[str, Shift]) -> dict[str, Volunteer]:
    people: dict[str, Volunteer] = {}
    for line in lines:
        pid = line.field(0, "ID")
        if pid in people:
            raise line.error("ID", f"duplicate employee '{pid}'")
        caps = []
        for item in (c for c in line.field(1, "MaxShifts").split("|") if c):
            sid, _, limit = item.partition("=")
            if sid not in shifts:
                raise line.error("MaxShifts", f"unknown shift '{sid}'")
            if not limit.isdigit():
                raise line.error("MaxShifts", f"expected ShiftID=limit, got '{item}'")
            caps.append((sid, int(limit)))
        # A minimum run of 0 days asks no more than one of 1 day: both mean no minimum.
        limits = Limits(
            max_minutes=line.integer(2, "MaxTotalMinutes"),
            min_minutes=line.integer(3, "MinTotalMinutes"),
            max_consecutive_days=line.integer(4, "MaxConsecutiveShifts"),
            min_consecutive_days=max(1, line.integer(5, "MinConsecutiveShifts")),
            min_consecutive_days_off=max(1, line.integer(6, "MinConsecutiveDaysOff")),
            max_weekends=line.integer(7, "MaxWeekends"),
        )
        people[pid] = Volunteer(pid, pid, "", frozenset(), limits, tuple(caps))
    return people


def _requests(
    lines: list[_Line],
    people: dict[str, Volunteer],
    shifts: dict[str, Shift],
    days: int,
    want: bool,
) -> Iterator[Preference]:
    for line in lines:
        person = line.known(0, "EmployeeID", people)
        day = _day(line, 1, days)
        shift = line.known(2, "ShiftID", shifts)
        weight = line.integer(3, "Weight")
        if weight:  # a request of weight 0 costs nothing either way
            yield Preference(person.id, day, shift.id, want, weight)


def _day(line: _Line, i: int, days: int) -> int:
    day = line.integer(i, "Day")
    if day >= days:
        raise line.error("Day", f"day {day} is outside the horizon of {days} days")
    return day


def _with(lines: list[_Line] | None, make: Callable[[_Line], T]) -> list[T]:
    return [make(line) for line in lines or ()]


def read_curtois(path: str | Path) -> RosterInstance:
    """Read a Curtois-Qu instance file into a :class:`RosterInstance` (see module docstring)."""
    path = Path(path)
    sec = _sections(path)
    days = sec["HORIZON"][0].integer(0, "Horizon", low=1)
    shifts = _shifts(sec["SHIFTS"])
    people = _staff(sec["STAFF"], shifts)
    off = []
    for line in sec.get("DAYS_OFF") or ():
        person = line.known(0, "EmployeeID", people)
        for i in range(1, len(line.fields)):
            if line.fields[i]:
                d = _day(line, i, days)
                off.append(Unavailability(person.id, d * DAY, (d + 1) * DAY, "day off"))
    prefs = [
        *_requests(sec.get("SHIFT_ON_REQUESTS") or [], people, shifts, days, True),
        *_requests(sec.get("SHIFT_OFF_REQUESTS") or [], people, shifts, days, False),
    ]
    cover: dict[tuple[int, str], Demand] = {}
    for line in sec["COVER"]:
        day = _day(line, 0, days)
        shift = line.known(1, "ShiftID", shifts)
        if (day, shift.id) in cover:
            raise line.error("Day", f"second cover row for day {day} shift {shift.id}")
        cover[(day, shift.id)] = Demand(
            POST,
            day,
            shift.id,
            line.integer(2, "Requirement"),
            0,
            line.integer(3, "WeightUnder"),
            line.integer(4, "WeightOver"),
        )
    # Without a cover row a shift still may be worked, at no price either way.
    demand = [
        cover.get((d, s), Demand(POST, d, s, 0, 0, 0, 0)) for d in range(days) for s in shifts
    ]
    return RosterInstance(
        name=path.stem,
        start=MONDAY,
        days=days,
        shifts=tuple(shifts.values()),
        volunteers=tuple(people.values()),
        posts=(Post(POST, POST, frozenset()),),
        demand=tuple(demand),
        unavailability=tuple(off),
        preferences=tuple(prefs),
        rules=Rules(min_rest_minutes=0, max_shifts_per_day=1),
        weights=Weights(preference=1),
    )
