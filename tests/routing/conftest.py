"""Tiny routing instances on a line: location ``i`` sits at ``POSITIONS[i]`` metres.

Location 0 is the depot. Profile 0 walks one metre per time unit; profile 1 (when asked for)
takes twice as long. Every plan a test gets is checked with the independent validator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from optimizer.routing.problem import Depot, RoutingProblem, RoutingSolution, Stop, VehicleType
from optimizer.routing.validate import validate

POSITIONS = (0, 10, 20, 30, -10, -20, 1000)


def line_problem(
    stops: Sequence[Stop],
    vehicles: Sequence[VehicleType] = (VehicleType("v"),),
    *,
    depots: Sequence[Depot] = (),
    slow_profile: bool = False,
) -> RoutingProblem:
    """A problem on :data:`POSITIONS`, with a second, half-speed profile if asked."""
    x = np.array(POSITIONS)
    dist = np.abs(x[:, None] - x[None, :]).astype(np.int64)
    durations = (dist, 2 * dist) if slow_profile else (dist,)
    distances = (dist, dist) if slow_profile else (dist,)
    return RoutingProblem(distances, durations, tuple(stops), tuple(vehicles), tuple(depots))


def assert_valid(problem: RoutingProblem, solution: RoutingSolution) -> None:
    """The independent validator finds nothing and the solution calls itself feasible."""
    assert validate(problem, solution) == []
    assert solution.feasible, solution.summary()


@pytest.fixture
def line():
    """The builder :func:`line_problem`."""
    return line_problem


@pytest.fixture
def check():
    """:func:`assert_valid`, for tests whose plans must pass the independent validator."""
    return assert_valid
