"""The loaded campus: graph, buildings, sites, groups and rules, with distance look-ups."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from optimizer.campus.domain import Building, Group, Monitoring, RouteSettings, Site
from optimizer.campus.graph import CampusGraph

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def travel_minutes(metres: float, speed: float) -> int:
    """Whole minutes needed to walk ``metres`` at ``speed`` m/min (rounded up, never faster)."""
    return math.ceil(metres / speed - 1e-9)


@dataclass(frozen=True, eq=False)
class Campus:
    """Everything the disinfection planner and its validator know about one instance."""

    name: str
    folder: str
    start: dt.date
    days: int
    graph: CampusGraph
    buildings: dict[str, Building]
    sites: dict[str, Site]
    groups: tuple[Group, ...]
    monitoring: tuple[Monitoring, ...]
    settings: RouteSettings

    def date(self, day: int) -> dt.date:
        """The calendar date of horizon day ``day``."""
        return self.start + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        """The horizon day index of ``date`` (may fall outside ``0..days-1``)."""
        return (date - self.start).days

    def weekday(self, day: int) -> str:
        """English weekday name of horizon day ``day`` (for messages)."""
        return WEEKDAYS_EN[self.date(day).weekday()]

    @cached_property
    def depots(self) -> tuple[str, ...]:
        """Building ids of the groups' depots, in order of first use."""
        return tuple(dict.fromkeys(g.depot for g in self.groups))

    @cached_property
    def from_depot(self) -> dict[str, dict[str, float]]:
        """Walking metres from each depot (building id) to every node it reaches: a few
        Dijkstra runs, cheap enough for load-time checks and night-time look-ups."""
        return {b: self.graph.distances_from(self.buildings[b].node) for b in self.depots}

    @cached_property
    def site_ids(self) -> tuple[str, ...]:
        """Site ids in table order."""
        return tuple(self.sites)

    @cached_property
    def distances(self) -> np.ndarray:
        """Shortest walking metres between locations: the depots first, then every site.

        Use :meth:`depot_loc` and :meth:`site_loc` for the row of a depot or a site.
        """
        nodes = [self.buildings[b].node for b in self.depots]
        nodes += [s.node for s in self.sites.values()]
        return self.graph.matrix(nodes)

    @cached_property
    def _site_loc(self) -> dict[str, int]:
        return {sid: i + len(self.depots) for i, sid in enumerate(self.site_ids)}

    def site_loc(self, site_id: str) -> int:
        """Row of a site in :attr:`distances`."""
        return self._site_loc[site_id]

    def depot_loc(self, building_id: str) -> int:
        """Row of a depot (building id) in :attr:`distances`."""
        return self.depots.index(building_id)

    def group(self, group_id: str) -> Group:
        """The group with this id (KeyError if unknown)."""
        return next(g for g in self.groups if g.id == group_id)

    def monitored(self, site: Site, day: int) -> int:
        """Visits a day that home monitoring of the site's building requires on ``day``."""
        date = self.date(day)
        return max(
            (
                m.times_per_day
                for m in self.monitoring
                if m.building == site.building and m.start <= date <= m.until
            ),
            default=0,
        )

    def nearest_sites(
        self, building_id: str, kind: str, *, count: int = 1, within: float | None = None
    ) -> list[tuple[str, float]]:
        """Sites of ``kind`` nearest to a building by walking distance, as (site id, metres).

        Returns the ``count`` nearest, or with ``within`` every one closer than that many metres
        (at least the nearest one, so a case always has a refuse point and a toilet).
        """
        lengths = self.graph.distances_from(self.buildings[building_id].node)
        found = sorted(
            (lengths.get(s.node, math.inf), s.id) for s in self.sites.values() if s.kind == kind
        )
        if within is not None:
            close = [(sid, d) for d, sid in found if d <= within]
            return close or [(sid, d) for d, sid in found[:1]]
        return [(sid, d) for d, sid in found[:count]]

    def building_sites(self, building_id: str, kind: str | None = None) -> list[Site]:
        """Sites belonging to a building (e.g. its stairwell units), in table order."""
        return [
            s
            for s in self.sites.values()
            if s.building == building_id and (kind is None or s.kind == kind)
        ]
