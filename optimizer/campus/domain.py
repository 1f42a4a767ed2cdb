"""Campus domain: buildings, disinfection sites, site rules, groups, home monitoring.

Immutable objects built by :mod:`optimizer.campus.loader` from an instance folder. Times are
integer minutes after midnight of a day (the daily clock); dates are ``datetime.date``; days of
the horizon are indices (day 0 = ``start``). Distances are metres, speeds metres per minute,
disinfectant litres.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SITE_KINDS = ("stairwell", "dorm", "lab", "toilet", "refuse", "key_place")

# Chinese labels of the site kinds, for printouts and map legends.
KIND_LABELS = {
    "stairwell": "楼道单元",
    "dorm": "学生宿舍",
    "lab": "实验楼",
    "toilet": "公共厕所",
    "refuse": "垃圾收集点",
    "key_place": "重点场所",
}

Window = tuple[int, int]  # [open, close) in minutes after midnight


def window_text(w: Window) -> str:
    """``(480, 690)`` as ``08:00-11:30``."""
    return f"{w[0] // 60:02d}:{w[0] % 60:02d}-{w[1] // 60:02d}:{w[1] % 60:02d}"


def parse_window(text: str) -> Window:
    """Parse ``HH:MM-HH:MM`` into ``(open, close)`` minutes; close must be after open."""
    from optimizer.io import parse_clock

    a, sep, b = text.strip().partition("-")
    if not sep:
        raise ValueError
    w = (parse_clock(a), parse_clock(b))
    if w[1] <= w[0]:
        raise ValueError
    return w


@dataclass(frozen=True)
class Node:
    """A point of the campus path network, coordinates in metres."""

    id: str
    x: float
    y: float
    name: str = ""


@dataclass(frozen=True)
class Edge:
    """A walkable path or road between two nodes (both directions)."""

    a: str
    b: str
    length: float
    kind: str = "path"


@dataclass(frozen=True)
class Building:
    """A building or place with an id that other plans refer to (e.g. dispatch)."""

    id: str
    name: str
    kind: str  # family | dorm | lab | canteen | supermarket | express | cold_chain | depot | ...
    node: str


@dataclass(frozen=True)
class Rule:
    """How a site is disinfected: how often, how long, when, with how much disinfectant.

    ``every_days`` = k means every run of k consecutive days of the horizon holds a visit day;
    on a visit day the site is visited ``times_per_day`` times. With more than one visit a day,
    visit i (0-based) must lie in ``windows[i]``; with one visit it may lie in any window.
    """

    every_days: int
    times_per_day: int
    service_minutes: int
    litres: float
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class Site:
    """A place a group disinfects: a stairwell unit, a dorm, a toilet, a refuse point, ..."""

    id: str
    kind: str
    name: str
    node: str
    building: str | None
    rule: Rule


@dataclass(frozen=True)
class Member:
    """A group member; ``name`` is personal data: shown on printouts, never logged."""

    name: str
    leader: bool
    volunteer_id: str | None = None
    home_building: str | None = None


@dataclass(frozen=True)
class Group:
    """A disinfection group: walks at ``speed`` m/min carrying ``capacity`` litres of spray,
    works inside ``work`` windows every day (the gaps between them are breaks spent off duty);
    each work window starts and ends at its ``depot``, where the sprayers are filled."""

    id: str
    name: str
    speed: float
    capacity: float
    work: tuple[Window, ...]
    depot: str  # building id where the group starts, ends and refills
    members: tuple[Member, ...] = field(default=())

    @property
    def leader(self) -> Member | None:
        """The member marked as leader (exactly one in a loaded instance)."""
        return next((m for m in self.members if m.leader), None)


@dataclass(frozen=True)
class Monitoring:
    """Residents of ``building`` are under home health monitoring: its stairwell units (and any
    other site of the building) are disinfected ``times_per_day`` times daily from ``start``
    through ``until`` (inclusive)."""

    building: str
    start: dt.date
    until: dt.date
    times_per_day: int = 1


@dataclass(frozen=True)
class RouteSettings:
    """Instance-wide routing settings from ``[routes]`` in ``instance.toml``."""

    depot: str  # building id of the default depot (property service centre)
    refill_minutes: int
    unserved_penalty: int  # points per visit left out, relative to 1 point per metre walked
    balance: float  # share of slack above the fair working time per half-day (0.15 = 15 %)
