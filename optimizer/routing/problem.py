"""The routing data model: stops, depots and vehicle types in; routes and a solution out.

Everything is integer-valued (times in whatever unit the caller chose, usually minutes, and
distances in metres or scaled units) and immutable. A :class:`RoutingProblem` owns one distance
and one duration matrix per *profile* (e.g. the walking speed of a group); stops, depots and
vehicle types refer to rows of those matrices by location index.

Time conventions
----------------
* A stop's window bounds the **start** of service; a vehicle that arrives early waits.
* A vehicle's route begins at its depot at ``depart`` (>= the vehicle's ``earliest``); it first
  spends the depot's ``service`` time there (loading, filling sprayers), then drives. On a
  multi-trip route (``reload=True``) it comes back to the same depot, spends ``service`` again
  (the refill) and leaves on the next trip. It is back at the depot at ``back`` (<= ``latest``).
* ``max_duration`` bounds ``back - depart``.

Plans are built from visit sequences by :func:`build_route` with a simple forward pass (earliest
feasible start everywhere, then the departure is delayed as far as the windows allow so no time
is wasted waiting), so a plan's times are ours whichever engine chose the order.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

HUGE = 1 << 40
"""'No limit' for windows and capacities: large, yet far from int64 overflow when summed."""


@dataclass(frozen=True)
class Stop:
    """A place to visit once: demand, service time and a window for the start of service.

    ``extra_windows`` are further ``(earliest, latest)`` windows: service may start in
    ``[earliest, latest]`` or in any of them (e.g. dorm corridors while students are in class,
    morning or afternoon). An optional stop (``required=False``) may be left out, which costs
    ``penalty`` in the objective and is reported in :attr:`RoutingSolution.unserved`.
    """

    id: str
    location: int
    demand: int = 0
    service: int = 0
    earliest: int = 0
    latest: int = HUGE
    required: bool = True
    penalty: int = 0
    allowed_vehicle_types: tuple[str, ...] | None = None
    extra_windows: tuple[tuple[int, int], ...] = ()

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        """All windows for the start of service, sorted by opening time."""
        return tuple(sorted(((self.earliest, self.latest), *self.extra_windows)))


@dataclass(frozen=True)
class Depot:
    """A depot location; ``service`` is the time spent there at the start of every trip."""

    location: int
    service: int = 0


@dataclass(frozen=True)
class VehicleType:
    """``count`` identical vehicles (e.g. one disinfection group in one work window).

    ``depot`` is a location index; the route starts and ends there. With ``reload`` the vehicle
    may return to the depot between trips to reload/refill (at most ``max_reloads`` times, if
    set), and capacity then bounds the demand of each trip. ``profile`` picks the matrix pair.
    """

    id: str
    count: int = 1
    capacity: int = HUGE
    depot: int = 0
    earliest: int = 0
    latest: int = HUGE
    max_duration: int | None = None
    max_distance: int | None = None
    reload: bool = False
    max_reloads: int | None = None
    profile: int = 0
    fixed_cost: int = 0


@dataclass(frozen=True)
class RoutingProblem:
    """Immutable routing instance.

    ``distances[p]`` and ``durations[p]`` are square integer matrices for profile ``p``.
    ``depots`` lists depots with a service (load/refill) time; a vehicle's depot location not
    listed there has service 0. The objective is ``distance_cost`` per distance unit plus
    ``duration_cost`` per unit of route duration, plus fixed costs of used vehicles, plus the
    penalties of skipped optional stops.
    """

    distances: tuple[np.ndarray, ...]
    durations: tuple[np.ndarray, ...]
    stops: tuple[Stop, ...]
    vehicle_types: tuple[VehicleType, ...]
    depots: tuple[Depot, ...] = ()
    distance_cost: int = 1
    duration_cost: int = 0
    name: str = ""
    _stop_index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _type_index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_problem(self)
        object.__setattr__(self, "_stop_index", {s.id: i for i, s in enumerate(self.stops)})
        object.__setattr__(self, "_type_index", {v.id: i for i, v in enumerate(self.vehicle_types)})

    @property
    def num_locations(self) -> int:
        """Number of rows of each matrix."""
        return int(self.distances[0].shape[0])

    def stop(self, stop_id: str) -> Stop:
        """The stop with this id (KeyError if unknown)."""
        return self.stops[self._stop_index[stop_id]]

    def vehicle_type(self, type_id: str) -> VehicleType:
        """The vehicle type with this id (KeyError if unknown)."""
        return self.vehicle_types[self._type_index[type_id]]

    def depot_service(self, location: int) -> int:
        """Load/refill time at the depot at ``location`` (0 if the depot is not listed)."""
        return next((d.service for d in self.depots if d.location == location), 0)

    def allows(self, stop: Stop, vehicle: VehicleType) -> bool:
        """Whether ``vehicle`` may serve ``stop``."""
        return stop.allowed_vehicle_types is None or vehicle.id in stop.allowed_vehicle_types


def _check_problem(p: RoutingProblem) -> None:
    """Raise ValueError on an inconsistent problem (one sentence naming the culprit)."""
    if not p.distances or len(p.distances) != len(p.durations):
        raise ValueError("need one distance and one duration matrix per profile (at least one)")
    n = p.distances[0].shape[0]
    for k, mat in enumerate((*p.distances, *p.durations)):
        if mat.shape != (n, n) or not np.issubdtype(mat.dtype, np.integer):
            raise ValueError(f"matrix {k} must be an integer {n}x{n} array")
        if (mat < 0).any():
            raise ValueError(f"matrix {k} has negative entries")
    ids = [s.id for s in p.stops]
    if len(set(ids)) != len(ids):
        raise ValueError("stop ids must be unique")
    type_ids = [v.id for v in p.vehicle_types]
    if not type_ids or len(set(type_ids)) != len(type_ids):
        raise ValueError("need at least one vehicle type, with unique ids")
    for s in p.stops:
        if not 0 <= s.location < n:
            raise ValueError(f"stop {s.id}: location {s.location} outside the matrices")
        if s.demand < 0 or s.service < 0 or s.penalty < 0:
            raise ValueError(f"stop {s.id}: demand, service and penalty must be >= 0")
        for lo, hi in s.windows:
            if lo > hi:
                raise ValueError(f"stop {s.id}: window {lo}-{hi} closes before it opens")
        if s.allowed_vehicle_types is not None:
            unknown = set(s.allowed_vehicle_types) - set(type_ids)
            if unknown:
                raise ValueError(f"stop {s.id}: unknown vehicle types {sorted(unknown)}")
    for v in p.vehicle_types:
        if not 0 <= v.depot < n:
            raise ValueError(f"vehicle type {v.id}: depot {v.depot} outside the matrices")
        if not 0 <= v.profile < len(p.distances):
            raise ValueError(f"vehicle type {v.id}: no profile {v.profile}")
        if v.count < 0 or v.capacity < 0 or v.earliest > v.latest:
            raise ValueError(f"vehicle type {v.id}: bad count, capacity or work window")
    for d in p.depots:
        if not 0 <= d.location < n or d.service < 0:
            raise ValueError(f"depot at {d.location}: bad location or service time")


@dataclass(frozen=True)
class Visit:
    """One stop in a route: arrival, start and end of service, and which trip it is on."""

    stop_id: str
    arrive: int
    start: int
    end: int
    trip: int = 0
    after_reload: bool = False


@dataclass(frozen=True)
class Reload:
    """A return to the depot between trips: arrival, and end of the refill."""

    arrive: int
    end: int


@dataclass(frozen=True)
class Route:
    """One vehicle's day: its visits in order, depot times, reloads and totals."""

    vehicle_type: str
    index: int
    visits: tuple[Visit, ...]
    depart: int
    back: int
    distance: int
    reloads: tuple[Reload, ...] = ()
    late: int = 0
    excess_load: int = 0

    @property
    def duration(self) -> int:
        """Time from the start at the depot until back at it."""
        return self.back - self.depart

    @property
    def trips(self) -> tuple[tuple[str, ...], ...]:
        """Stop ids per trip (the sequence that :func:`build_route` takes)."""
        n = 1 + len(self.reloads)
        return tuple(tuple(v.stop_id for v in self.visits if v.trip == t) for t in range(n))


@dataclass(frozen=True)
class RoutingSolution:
    """A routing plan: routes, the stops left out, totals and how it was obtained.

    ``status`` is ``feasible`` (every route within its windows and capacity and every
    required stop served), ``infeasible`` (a plan exists but breaks a rule) or ``no
    solution``. ``penalties`` names the price paid for each skipped optional stop.
    ``interrupted`` is True when Ctrl-C cut the search short.
    """

    problem: RoutingProblem = field(repr=False, compare=False)
    routes: tuple[Route, ...]
    unserved: tuple[str, ...]
    wall_s: float = 0.0
    status: str = "feasible"
    engine: str = ""
    interrupted: bool = False

    @property
    def distance(self) -> int:
        """Total distance over all routes."""
        return sum(r.distance for r in self.routes)

    @property
    def duration(self) -> int:
        """Total route duration (depart to back) over all routes."""
        return sum(r.duration for r in self.routes)

    @property
    def feasible(self) -> bool:
        """Whether the plan keeps every rule and serves every required stop."""
        return self.status == "feasible"

    @property
    def penalties(self) -> tuple[tuple[str, int], ...]:
        """``(stop id, penalty)`` for each optional stop left out."""
        return tuple((s, self.problem.stop(s).penalty) for s in self.unserved)

    def cost(self) -> int:
        """Objective value: weighted distance and duration, fixed costs, skip penalties."""
        p = self.problem
        fixed = sum(p.vehicle_type(r.vehicle_type).fixed_cost for r in self.routes)
        return (
            p.distance_cost * self.distance
            + p.duration_cost * self.duration
            + fixed
            + sum(pen for _, pen in self.penalties)
        )

    def summary(self) -> str:
        """One line: status, routes, distance, duration, unserved stops, wall time."""
        return (
            f"{self.status}: {len(self.routes)} routes, distance {self.distance}, "
            f"duration {self.duration}, {len(self.unserved)} unserved, cost {self.cost()}, "
            f"{self.wall_s:.1f} s"
        )


def _window_start(stop: Stop, t: int) -> tuple[int, int]:
    """Earliest start >= t within a window of ``stop`` and that window's closing time.

    If every window has closed by ``t``, service starts late at ``t`` against the last window.
    """
    for lo, hi in stop.windows:
        if t <= hi:
            return max(t, lo), hi
    return t, stop.windows[-1][1]


def _forward(
    problem: RoutingProblem, vt: VehicleType, trips: Sequence[Sequence[str]], depart: int
) -> tuple[list[Visit], list[Reload], list[int], int, int]:
    """Earliest-start pass from ``depart``: visits, reloads, waits, window slack, back time."""
    dur = problem.durations[vt.profile]
    service = problem.depot_service(vt.depot)
    visits: list[Visit] = []
    reloads: list[Reload] = []
    waits: list[int] = []
    # slack[k]: how far visit k's start may move later and stay within its window
    slack: list[int] = []
    t = depart + service
    here = vt.depot
    for trip_no, trip in enumerate(trips):
        if trip_no > 0:
            arrive = t + int(dur[here, vt.depot])
            t = arrive + service
            reloads.append(Reload(arrive, t))
            here = vt.depot
        for k, sid in enumerate(trip):
            stop = problem.stop(sid)
            arrive = t + int(dur[here, stop.location])
            start, close = _window_start(stop, arrive)
            waits.append(start - arrive)
            slack.append(close - start)
            t = start + stop.service
            visits.append(Visit(sid, arrive, start, t, trip_no, trip_no > 0 and k == 0))
            here = stop.location
    back = t + int(dur[here, vt.depot])
    return visits, reloads, waits, slack, back


def build_route(
    problem: RoutingProblem, vehicle_type: str, index: int, trips: Sequence[Sequence[str]]
) -> Route:
    """Schedule a route that serves ``trips`` (stop ids per trip, reloading between trips).

    Service starts as early as possible; then the departure is delayed by as much of the
    waiting as the windows allow, so the route's duration is as short as this order permits.
    Lateness and excess load are recorded on the route rather than raised.
    """
    vt = problem.vehicle_type(vehicle_type)
    trips = [list(t) for t in trips if t] or [[]]
    visits, _, waits, slack, back = _forward(problem, vt, trips, vt.earliest)
    # Delaying the departure by d moves visit k by max(0, d - waits up to k): it must stay in
    # its window and the vehicle must still be back in time; delaying beyond the total wait
    # would not shorten the route.
    delay = sum(waits)
    absorbed = 0
    for wait, room in zip(waits, slack, strict=True):
        absorbed += wait
        delay = min(delay, absorbed + room)
    delay = max(0, min(delay, absorbed + vt.latest - back))
    visits, reloads, _, _, back = _forward(problem, vt, trips, vt.earliest + delay)
    dist = problem.distances[vt.profile]
    path = [vt.depot]
    for trip in trips:
        path += [problem.stop(s).location for s in trip] + [vt.depot]
    distance = int(sum(int(dist[a, b]) for a, b in itertools.pairwise(path)))
    late = sum(max(0, v.start - _window_start(problem.stop(v.stop_id), v.start)[1]) for v in visits)
    late += max(0, back - vt.latest)
    if vt.max_duration is not None:
        late += max(0, back - (vt.earliest + delay) - vt.max_duration)
    excess = sum(max(0, sum(problem.stop(s).demand for s in trip) - vt.capacity) for trip in trips)
    return Route(
        vehicle_type,
        index,
        tuple(visits),
        vt.earliest + delay,
        back,
        distance,
        tuple(reloads),
        late,
        excess,
    )


def build_solution(
    problem: RoutingProblem,
    routes: Sequence[Route],
    *,
    wall_s: float = 0.0,
    engine: str = "",
) -> RoutingSolution:
    """Assemble a solution from built routes: unserved stops and status are derived here."""
    served = [v.stop_id for r in routes for v in r.visits]
    unserved = tuple(s.id for s in problem.stops if s.id not in set(served))
    routes = tuple(r for r in routes if r.visits)
    ok = (
        len(set(served)) == len(served)
        and all(r.late == 0 and r.excess_load == 0 for r in routes)
        and all(not problem.stop(s).required for s in unserved)
        and all(0 <= r.index < problem.vehicle_type(r.vehicle_type).count for r in routes)
        and len({(r.vehicle_type, r.index) for r in routes}) == len(routes)
        and all(
            problem.allows(problem.stop(v.stop_id), problem.vehicle_type(r.vehicle_type))
            for r in routes
            for v in r.visits
        )
    )
    return RoutingSolution(
        problem, routes, unserved, wall_s, "feasible" if ok else "infeasible", engine
    )
