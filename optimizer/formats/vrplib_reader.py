"""Read a VRPLIB VRPTW file (Solomon, Gehring-Homberger) into fangyi's routing model.

The file keeps its real values (:class:`VrptwInstance`); :meth:`VrptwInstance.to_problem`
turns them into an integer :class:`~optimizer.routing.problem.RoutingProblem`, scaled by
``scale`` (10 000 by default) and rounded so that **a plan feasible in the integer model is
feasible under exact double-precision times**:

* travel times are rounded *up* (never shorter than the real arc), service times up too;
* windows shrink: opening times are rounded up, closing times down;
* distances are rounded to the nearest unit; they only steer the search, the benchmark
  recomputes lengths in double precision.

Supported: ``EDGE_WEIGHT_TYPE : EUC_2D``, one depot, ``NODE_COORD_SECTION``,
``DEMAND_SECTION``, ``TIME_WINDOW_SECTION``, ``SERVICE_TIME`` (a header scalar for the
customers) or ``SERVICE_TIME_SECTION`` (per node), ``VEHICLES`` (fleet size; when missing, one
vehicle per customer, i.e. unbounded). Customers keep their node index as stop id (the depot is
node 0 when it is the first node), which is the numbering of VRPLIB solution files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from optimizer.io import InputError, read_text
from optimizer.routing.problem import RoutingProblem, Stop, VehicleType

SECTIONS = {
    "NODE_COORD_SECTION": 2,
    "DEMAND_SECTION": 1,
    "TIME_WINDOW_SECTION": 2,
    "SERVICE_TIME_SECTION": 1,
    "DEPOT_SECTION": 0,
}
"""Sections we read, with the number of values after the node id on each line."""


@dataclass(frozen=True)
class VrptwInstance:
    """A VRPTW instance in its original real values; node 0..n-1 (0-based file ids)."""

    name: str
    coords: np.ndarray  # float [n, 2]
    demand: np.ndarray  # int [n]
    earliest: np.ndarray  # float [n]
    latest: np.ndarray  # float [n]
    service: np.ndarray  # float [n], 0 at the depot
    capacity: int
    vehicles: int
    depot: int = 0

    @property
    def customers(self) -> list[int]:
        """Node indices of the customers, in file order."""
        return [i for i in range(len(self.coords)) if i != self.depot]

    def distances(self) -> np.ndarray:
        """Exact double-precision Euclidean distances, ``sqrt(dx*dx + dy*dy)``."""
        diff = self.coords[:, None, :] - self.coords[None, :, :]
        return np.sqrt((diff * diff).sum(axis=2))

    def to_problem(self, scale: int = 10_000) -> RoutingProblem:
        """The integer routing problem (one vehicle type, one profile) scaled by ``scale``."""
        real = self.distances()
        dist = np.rint(real * scale).astype(np.int64)
        dur = _ceil_scaled(real, scale)
        stops = tuple(
            Stop(
                id=str(i),
                location=i,
                demand=int(self.demand[i]),
                service=math.ceil(self.service[i] * scale),
                earliest=math.ceil(self.earliest[i] * scale),
                latest=math.floor(self.latest[i] * scale),
            )
            for i in self.customers
        )
        vehicle = VehicleType(
            id="vehicle",
            count=self.vehicles,
            capacity=self.capacity,
            depot=self.depot,
            earliest=math.ceil(self.earliest[self.depot] * scale),
            latest=math.floor(self.latest[self.depot] * scale),
        )
        return RoutingProblem((dist,), (dur,), stops, (vehicle,), name=self.name)


def _ceil_scaled(real: np.ndarray, scale: int) -> np.ndarray:
    """``ceil(real * scale)``, safe against the product rounding down to a whole number.

    ``real * scale`` may land half an ulp below the true value; a relative nudge of 1e-12 (far
    below one unit, far above that rounding error) keeps the result an upper bound. Whole
    distances (e.g. a 3-4-5 triangle) are exact in floating point and stay exact.
    """
    whole = real == np.rint(real)
    return np.where(whole, real * scale, np.ceil(real * scale * (1.0 + 1e-12))).astype(np.int64)


def read_vrplib(path: str | Path) -> VrptwInstance:
    """Parse a VRPLIB VRPTW file; bad content raises :class:`InputError` with the line."""
    path = Path(path)
    header: dict[str, str] = {}
    rows: dict[str, dict[int, tuple[float, ...]]] = {}
    depots: list[int] = []
    section: str | None = None
    for line_no, raw in enumerate(read_text(path).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        key = line.split(":")[0].strip().upper()
        if ":" in line and not key[:1].isdigit() and not key.startswith("-"):
            header[key] = line.split(":", 1)[1].strip()
            section = None
            continue
        if line.upper().endswith("_SECTION"):
            section = line.upper()
            if section not in SECTIONS:
                raise InputError(path, f"unsupported section {section}", row=line_no)
            rows.setdefault(section, {})
            continue
        if section is None:
            raise InputError(path, f"unexpected line {line!r} outside any section", row=line_no)
        parts = line.split()
        if section == "DEPOT_SECTION":
            depots += [_number(path, line_no, p, int) for p in parts]
            continue
        want = SECTIONS[section] + 1
        if len(parts) != want:
            raise InputError(
                path, f"{section} lines need {want} numbers, got {len(parts)}", row=line_no
            )
        node = _number(path, line_no, parts[0], int)
        kind = int if section == "DEMAND_SECTION" else float
        values = tuple(_number(path, line_no, p, kind) for p in parts[1:])
        if min(values) < 0 and section != "NODE_COORD_SECTION":
            raise InputError(path, f"{section}: negative value", row=line_no)
        if section == "TIME_WINDOW_SECTION" and values[0] > values[1]:
            raise InputError(path, "time window closes before it opens", row=line_no)
        rows[section][node] = values
    return _assemble(path, header, rows, [d for d in depots if d != -1])


def _number(path: Path, line_no: int, text: str, kind: type) -> int | float:
    """Parse one number of a data line, naming the line when it is not one."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(path, f"{text!r} is not a number", row=line_no) from None
    if kind is int:
        if value != int(value):
            raise InputError(path, f"{text!r} is not a whole number", row=line_no)
        return int(value)
    return value


def _assemble(
    path: Path,
    header: dict[str, str],
    rows: dict[str, dict[int, tuple[float, ...]]],
    depots: list[int],
) -> VrptwInstance:
    """Check the parsed pieces and build the instance."""
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper() != "EUC_2D":
        raise InputError(path, f"EDGE_WEIGHT_TYPE {header['EDGE_WEIGHT_TYPE']} not supported")
    for sec in ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION"):
        if sec not in rows:
            raise InputError(path, f"missing {sec}")
    coords = rows["NODE_COORD_SECTION"]
    n = int(_header_number(path, header, "DIMENSION", len(coords)))
    ids = list(range(1, n + 1))
    for sec, table in rows.items():
        if sec != "DEPOT_SECTION" and sorted(table) != ids:
            raise InputError(path, f"{sec} must list nodes 1..{n} exactly once")
    if len(depots) != 1:
        raise InputError(path, f"exactly one depot supported, DEPOT_SECTION lists {len(depots)}")
    depot = depots[0] - 1
    if not 0 <= depot < n:
        raise InputError(path, f"depot {depots[0]} is not a node")

    def column(sec: str, k: int) -> np.ndarray:
        return np.array([rows[sec][i][k] for i in ids], dtype=float)

    if "SERVICE_TIME_SECTION" in rows:
        service = column("SERVICE_TIME_SECTION", 0)
    else:
        service = np.full(n, float(_header_number(path, header, "SERVICE_TIME", 0)))
    service[depot] = 0.0
    demand = column("DEMAND_SECTION", 0)
    earliest, latest = column("TIME_WINDOW_SECTION", 0), column("TIME_WINDOW_SECTION", 1)
    capacity = _header_number(path, header, "CAPACITY", None)
    vehicles = _header_number(path, header, "VEHICLES", n - 1)
    return VrptwInstance(
        name=header.get("NAME", path.stem),
        coords=np.stack([column("NODE_COORD_SECTION", 0), column("NODE_COORD_SECTION", 1)], 1),
        demand=demand.astype(np.int64),
        earliest=earliest,
        latest=latest,
        service=service,
        capacity=int(capacity),
        vehicles=int(vehicles),
        depot=depot,
    )


def _header_number(path: Path, header: dict[str, str], key: str, default: float | None) -> float:
    """A numeric header value, ``default`` when absent (required when ``default`` is None)."""
    if key not in header:
        if default is None:
            raise InputError(path, f"missing {key}")
        return default
    try:
        return float(header[key])
    except ValueError:
        raise InputError(path, f"{key} must be a number, got {header[key]!r}") from None
