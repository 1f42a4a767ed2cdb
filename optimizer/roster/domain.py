"""Roster domain: the immutable problem a coordinator describes, and the plan that answers it.

Time convention: day ``d`` is the ``d``-th day of the horizon (day 0 = ``start``); a shift
belongs to the day it starts on; times are integer minutes from 00:00 of day 0, so a shift
that starts on day 2 at 16:00 and lasts 8 h spans ``[2*1440+960, 2*1440+1440)``. IDs are
strings; names may be Chinese. The rules and their exact penalties are specified in
``instances/README.md``; both the model and the independent validator follow that text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DAY = 24 * 60
LEAD = "lead"


@dataclass(frozen=True)
class Shift:
    """A shift template worked every day: starts at ``start`` minutes after midnight."""

    id: str
    name: str
    start: int
    minutes: int
    night: bool = False
    forbidden_next: tuple[str, ...] = ()  # shift ids not allowed on the following day

    def span(self, day: int) -> tuple[int, int]:
        """Absolute ``[start, end)`` in minutes of this shift worked on ``day``."""
        s = day * DAY + self.start
        return s, s + self.minutes


@dataclass(frozen=True)
class Limits:
    """Hard per-person limits over the whole horizon; ``None`` means no limit."""

    max_minutes: int | None = None
    min_minutes: int = 0
    max_nights: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None


@dataclass(frozen=True)
class Volunteer:
    """A person who can be rostered."""

    id: str
    name: str
    team: str
    skills: frozenset[str]
    limits: Limits
    max_per_shift: tuple[tuple[str, int], ...] = ()  # (shift id, max count over horizon)

    def shift_cap(self, shift_id: str) -> int | None:
        """Most times this person may work ``shift_id`` over the horizon (None = no cap)."""
        for sid, cap in self.max_per_shift:
            if sid == shift_id:
                return cap
        return None


@dataclass(frozen=True)
class Post:
    """A duty post. ``team_policy`` is ``""``, ``"mix"`` or ``"together"``."""

    id: str
    name: str
    skills: frozenset[str]
    team_policy: str = ""


@dataclass(frozen=True)
class Demand:
    """How many people a post needs in one shift on one day.

    ``weight_under``/``weight_over`` ``None`` make the lower/upper bound hard; a number makes
    it soft at that price per missing/extra person.
    """

    post: str
    day: int
    shift: str
    required: int
    leads: int = 0
    weight_under: int | None = None
    weight_over: int | None = None


@dataclass(frozen=True)
class Unavailability:
    """A volunteer cannot work any shift overlapping ``[start, end)`` (absolute minutes)."""

    volunteer: str
    start: int
    end: int
    reason: str = ""


@dataclass(frozen=True)
class Preference:
    """``want=True``: wants to work ``shift`` on ``day``; ``False``: wants it off."""

    volunteer: str
    day: int
    shift: str
    want: bool
    weight: int


@dataclass(frozen=True)
class Assignment:
    """Volunteer works ``shift`` on ``day`` at ``post`` (``day`` may be negative in history)."""

    volunteer: str
    day: int
    shift: str
    post: str


@dataclass(frozen=True)
class Rules:
    """Global hard rules."""

    min_rest_minutes: int = 0
    max_shifts_per_day: int = 1


@dataclass(frozen=True)
class Weights:
    """Soft-rule weights (points); units are given in ``instances/README.md``."""

    fair_minutes: int = 0  # per minute outside the fair band of working time
    fair_minutes_tolerance: int = 0  # minutes either side of the fair share before penalty
    fair_nights: int = 0  # per night shift outside the fair band
    fair_weekends: int = 0  # per weekend shift outside the fair band
    preference: int = 1  # multiplies each preference row's own weight
    isolated_day_off: int = 0  # per single day off between two working days
    team: int = 0  # per extra team (together) or per repeated team member (mix)


@dataclass(frozen=True)
class RosterInstance:
    """Everything needed to plan a roster, loaded and validated."""

    name: str
    start: dt.date
    days: int
    shifts: tuple[Shift, ...]
    volunteers: tuple[Volunteer, ...]
    posts: tuple[Post, ...]
    demand: tuple[Demand, ...]
    unavailability: tuple[Unavailability, ...] = ()
    preferences: tuple[Preference, ...] = ()
    history: tuple[Assignment, ...] = ()
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)

    def date(self, day: int) -> dt.date:
        """Calendar date of horizon day ``day``."""
        return self.start + dt.timedelta(days=day)

    def is_weekend(self, day: int) -> bool:
        """Saturday or Sunday."""
        return self.date(day).weekday() >= 5

    def shift(self, shift_id: str) -> Shift:
        """The shift template with id ``shift_id``."""
        for s in self.shifts:
            if s.id == shift_id:
                return s
        raise KeyError(shift_id)


@dataclass(frozen=True)
class Penalty:
    """One soft-rule penalty, with a sentence a coordinator can read."""

    rule: str
    amount: int
    text: str
    volunteer: str | None = None
    day: int | None = None
    shift: str | None = None
