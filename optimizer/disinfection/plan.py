"""The disinfection plan: which day each site is visited, and each group's route per day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from optimizer.campus import Campus
from optimizer.routing.problem import RoutingProblem


@dataclass(frozen=True)
class DayVisit:
    """One visit a site needs on a day: ``k``-th of the day, service may start in ``windows``
    (clock minutes; the whole service lies inside one of them)."""

    site_id: str
    k: int
    windows: tuple[tuple[int, int], ...]

    @property
    def stop_id(self) -> str:
        """Id of this visit in the routing problem of its day."""
        return f"{self.site_id}#{self.k}"


@dataclass(frozen=True)
class RouteVisit:
    """A visit in a group's route: clock minutes of arrival, start and end of service, and
    whether the group went back to the depot to refill its sprayers just before it."""

    site_id: str
    arrive: int
    start: int
    end: int
    refill: bool
    litres: float


@dataclass(frozen=True)
class GroupDay:
    """What one group does on one day: its visits in order over all its work windows."""

    group_id: str
    visits: tuple[RouteVisit, ...]
    walking_m: int
    working_minutes: int
    refills: int

    @property
    def status(self) -> str:
        """``working`` or ``idle`` (no visit that day)."""
        return "working" if self.visits else "idle"


@dataclass(frozen=True)
class Unserved:
    """A visit left out of a day's routes, and why, in words."""

    site_id: str
    reason: str


@dataclass(frozen=True)
class DayPlan:
    """Routes of all groups on one horizon day, with what was left out; ``problem`` is the
    routing problem the routes answer (for comparisons with other engines)."""

    day: int
    date: dt.date
    groups: tuple[GroupDay, ...]
    unserved: tuple[Unserved, ...]
    cost: int
    wall_s: float
    engine_status: str
    problem: RoutingProblem | None = field(default=None, repr=False, compare=False)

    @property
    def visits(self) -> int:
        """Visits made that day."""
        return sum(len(g.visits) for g in self.groups)

    @property
    def walking_m(self) -> int:
        """Metres walked by all groups that day."""
        return sum(g.walking_m for g in self.groups)

    @property
    def longest_minutes(self) -> int:
        """Working minutes of the busiest group that day."""
        return max((g.working_minutes for g in self.groups), default=0)


@dataclass(frozen=True)
class DisinfectionPlan:
    """A week of disinfection: visit days per site (``visit_days``) and the daily routes.

    ``status`` is ``feasible`` when every planned visit was routed, ``unserved`` when some
    were left out (see each day's ``unserved``). ``visit_status`` is the CP-SAT status of the
    weekly visit plan (optimal / feasible / timeout). ``interrupted``: Ctrl-C cut the search
    short (the days after it got a quick plan).
    """

    campus: Campus = field(repr=False)
    visit_days: dict[str, tuple[int, ...]]
    visit_status: str
    days: tuple[DayPlan, ...]
    wall_s: float
    interrupted: bool = False

    @property
    def status(self) -> str:
        """``feasible`` if every visit is routed, else ``unserved``."""
        return "unserved" if any(d.unserved for d in self.days) else "feasible"

    def cost(self) -> int:
        """Sum of the daily routing objectives (metres, minutes and skip penalties)."""
        return sum(d.cost for d in self.days)

    def is_feasible(self) -> bool:
        """Whether every planned visit is in some route."""
        return self.status == "feasible"

    def summary(self) -> str:
        """One line: days, visits, walking, busiest group day, unserved visits, wall time."""
        unserved = sum(len(d.unserved) for d in self.days)
        walk = sum(d.walking_m for d in self.days) / 1000
        longest = max((d.longest_minutes for d in self.days), default=0)
        return (
            f"{self.status}: {len(self.days)} days, {sum(d.visits for d in self.days)} visits, "
            f"{walk:.1f} km walked, longest group day {longest // 60}h{longest % 60:02d}, "
            f"{unserved} unserved, {self.wall_s:.1f} s"
        )
