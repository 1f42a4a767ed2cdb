"""Testing-round domain: the immutable round a coordinator describes.

A *round* is one morning (or day) of mass nucleic-acid testing on ``date``. Times are integer
minutes from 00:00 of the instance's first day (``start`` in ``instance.toml``), so a slot on
the second day at 07:30 starts at ``1440 + 450``. The rules and formulas are specified in
``instances/README.md`` (section "Testing round"); the models and the independent validator
both follow that text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAY = 24 * 60
ADULT = "adult"
CHILDREN = "children"
CHANNELS = (CHILDREN, ADULT)


@dataclass(frozen=True)
class Building:
    """A residential building or dormitory whose walking residents go to one sampling point.

    ``adults`` and ``children`` count the people who walk to a point (home-visit residents
    are not included). ``split`` allows the building's group to be spread over several slots
    at the same point.
    """

    id: str
    name: str
    adults: int
    children: int
    split: bool = False

    def people(self, channel: str) -> int:
        """People of this building in ``channel``."""
        return self.children if channel == CHILDREN else self.adults


@dataclass(frozen=True)
class Resident:
    """A resident listed by name: needs a home visit and/or a printed QR code."""

    id: str
    name: str
    building: str
    home_visit: bool
    smartphone: bool
    service_minutes: int
    reason: str = ""


@dataclass(frozen=True)
class Point:
    """A sampling point: ``tables`` for the adult channel, ``children_tables`` for children.

    ``opens``/``closes`` are minutes after midnight of the round's date; ``throughput`` is
    people per table per hour; ``queue_metres`` is the length of the marked waiting line
    (``None`` = not limited by space).
    """

    id: str
    name: str
    tables: int
    children_tables: int
    opens: int
    closes: int
    throughput: int
    queue_metres: float | None = None

    def channel_tables(self, channel: str) -> int:
        """Sampling tables serving ``channel``."""
        return self.children_tables if channel == CHILDREN else self.tables


@dataclass(frozen=True)
class Role:
    """A job at a sampling point: ``per_table`` people per open table plus ``per_point``."""

    id: str
    name: str
    skill: str
    per_table: int
    per_point: int


@dataclass(frozen=True)
class Worker:
    """A member of the testing team, available ``[available_from, available_to)`` that day."""

    id: str
    name: str
    unit: str
    skills: frozenset[str]
    available_from: int
    available_to: int


@dataclass(frozen=True)
class Weights:
    """Soft-rule prices (points), see ``instances/README.md``."""

    walk: int = 1  # per person-minute walked to the point
    wait: int = 1  # per person-minute of expected waiting
    children_late: int = 5  # per child per slot after the first
    understaff: int = 1000  # per missing worker per slot
    worker: int = 30  # per worker called in


@dataclass(frozen=True)
class HomeVisitRules:
    """The mobile sampling teams: how many, where they start and end, and their hours."""

    teams: int = 1  # teams per depot
    depots: tuple[str, ...] = ()  # sampling points the teams start from and return to
    start: int = 7 * 60  # minutes after midnight of the round's date
    end: int = 12 * 60
    service_minutes: int = 10  # default minutes per visit
    walk_factor: float = 1.0  # mobile teams walk this much slower (carrying kits)


@dataclass(frozen=True)
class RoundRules:
    """Window, slot length, crowd rules and gear rules of a round (clock minutes of the day)."""

    start: int = 7 * 60
    end: int = 12 * 60
    slot_minutes: int = 30
    throughput: int = 90  # default people per table per hour
    children_end: int = 9 * 60  # the children's channel closes then (children first)
    max_waiting: int = 40  # expected people waiting per point, adult channel
    max_waiting_children: int = 10  # expected children waiting in the children's channel
    spacing_metres: float = 1.0  # 1 m between people in line
    walk_metres_per_minute: float = 60.0
    max_walk_minutes: int | None = None  # farther points are not offered (nearest always is)
    max_continuous_minutes: int = 120  # in protective gear, then a break
    break_minutes: int = 30
    keep_units_together: tuple[str, ...] = ()
    weights: Weights = Weights()
    home: HomeVisitRules = HomeVisitRules()


@dataclass(frozen=True)
class TestingRound:
    """Everything needed to plan one testing round, loaded and checked.

    ``walk`` maps (building id, point id) to walking minutes; ``distance`` maps pairs of site
    ids (buildings and points) to metres, used by the home-visit routes.
    """

    name: str
    start: dt.date
    date: dt.date
    rules: RoundRules
    buildings: tuple[Building, ...]
    residents: tuple[Resident, ...]
    points: tuple[Point, ...]
    roles: tuple[Role, ...]
    workers: tuple[Worker, ...]
    distance: dict[tuple[str, str], float]
    distance_source: str = "campus graph"

    __test__ = False  # not a pytest test class, despite the name

    @property
    def day_offset(self) -> int:
        """Minutes from 00:00 of the horizon's first day to 00:00 of the round's date."""
        return (self.date - self.start).days * DAY

    def walk_minutes(self, building: str, point: str) -> int:
        """Walking minutes from a building to a point (rounded up, at least 1)."""
        metres = self.distance[building, point]
        return max(1, -int(-metres // self.rules.walk_metres_per_minute))

    def slots(self) -> list[tuple[int, int]]:
        """Slot ``(start, end)`` clock minutes of the day covering the round window."""
        r = self.rules
        return [(t, t + r.slot_minutes) for t in range(r.start, r.end, r.slot_minutes)]

    def point(self, point_id: str) -> Point:
        """The sampling point with id ``point_id``."""
        return next(p for p in self.points if p.id == point_id)

    def channel_cap(self, point: Point, channel: str) -> int:
        """Most people expected to wait in a channel: the rule cap and the 1 m spacing."""
        r = self.rules
        if channel == CHILDREN:
            return r.max_waiting_children
        cap = r.max_waiting
        if point.queue_metres is not None:
            cap = min(cap, int(point.queue_metres // r.spacing_metres))
        return cap

    def slot_open(self, point: Point, channel: str, slot: tuple[int, int]) -> bool:
        """True when ``channel`` at ``point`` takes people in ``slot``."""
        if point.channel_tables(channel) == 0:
            return False
        if not (point.opens <= slot[0] and slot[1] <= point.closes):
            return False
        return not (channel == CHILDREN and slot[1] > self.rules.children_end)
