"""Shared fixtures: ``tiny``, a builder for small roster instances written in a test's body.

Usage::

    def test_something(tiny):
        inst = tiny.instance(
            people=[tiny.person("v1", skills={"lead"}), tiny.person("v2")],
            days=3,                                   # default 1
            shifts=[tiny.shift("D", "08:00", 8)],     # default: one 08:00-16:00 day shift "D"
            demand=[tiny.demand("P", 0, "D", 1)],     # default: every post needs 1 every shift
        )
        roster = [tiny.work("v1", 0), tiny.work("v2", 1, "D", "P")]
        # tiny.covering(roster) gives demand rows asking for exactly that roster's people.

Defaults keep every rule out of the way (no rest, no limits, all soft weights 0, preference
weight 1), so a test switches on exactly the rule it is about. The horizon starts on Monday
2026-11-30 (day 5 is Saturday). Names default to the id. Each helper returns the plain
immutable domain object, so anything the helpers do not cover can be built directly.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from optimizer.io import parse_clock
from optimizer.roster.domain import (
    DAY,
    Assignment,
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

MONDAY = dt.date(2026, 11, 30)


def shift(
    id: str = "D",
    start: str = "08:00",
    hours: float = 8,
    *,
    night: bool = False,
    forbidden_next: Iterable[str] = (),
    name: str | None = None,
) -> Shift:
    """A shift template starting at clock time ``start`` and lasting ``hours``."""
    return Shift(
        id, name or id, parse_clock(start), round(hours * 60), night, tuple(forbidden_next)
    )


def person(
    id: str,
    *,
    name: str | None = None,
    team: str = "A",
    skills: Iterable[str] = (),
    caps: dict[str, int] | None = None,
    **limits: Any,
) -> Volunteer:
    """A volunteer; ``limits`` are :class:`Limits` fields, ``caps`` maps shift id -> max."""
    return Volunteer(
        id,
        name or id,
        team,
        frozenset(skills),
        Limits(**limits),
        tuple((caps or {}).items()),
    )


def post(
    id: str = "P", *, skills: Iterable[str] = (), team_policy: str = "", name: str | None = None
) -> Post:
    """A post needing ``skills`` of everyone on it."""
    return Post(id, name or id, frozenset(skills), team_policy)


def demand(
    post: str,
    day: int,
    shift: str,
    required: int = 1,
    *,
    leads: int = 0,
    under: int | None = None,
    over: int | None = None,
) -> Demand:
    """A demand row; ``under``/``over`` are the prices that make a bound soft."""
    return Demand(post, day, shift, required, leads, under, over)


def covering(rows: Iterable[Assignment]) -> list[Demand]:
    """Hard demand rows asking for exactly the people ``rows`` put on each post-shift."""
    count: dict[tuple[str, int, str], int] = {}
    for a in rows:
        key = (a.post, a.day, a.shift)
        count[key] = count.get(key, 0) + 1
    return [Demand(p, d, s, n) for (p, d, s), n in count.items()]


def off(volunteer: str, day: int, days: int = 1) -> Unavailability:
    """Unavailable for ``days`` whole days from 00:00 of ``day``."""
    return Unavailability(volunteer, day * DAY, (day + days) * DAY)


def wish(volunteer: str, day: int, shift: str, want: bool, weight: int = 1) -> Preference:
    """A preference row: wants to work (``want``) or to be off that shift."""
    return Preference(volunteer, day, shift, want, weight)


def instance(
    *,
    people: Sequence[Volunteer],
    days: int = 1,
    shifts: Sequence[Shift] | None = None,
    posts: Sequence[Post] | None = None,
    demand: Sequence[Demand] | None = None,
    start: dt.date = MONDAY,
    rules: Rules | None = None,
    weights: Weights | None = None,
    unavailability: Sequence[Unavailability] = (),
    preferences: Sequence[Preference] = (),
    history: Sequence[Assignment] = (),
) -> RosterInstance:
    """A roster instance; by default one post "P" needing 1 person in every shift of every day."""
    shifts = tuple(shifts or (shift(),))
    posts = tuple(posts or (Post("P", "P", frozenset()),))
    if demand is None:
        demand = [Demand(p.id, d, s.id, 1) for p in posts for d in range(days) for s in shifts]
    return RosterInstance(
        name="tiny",
        start=start,
        days=days,
        shifts=shifts,
        volunteers=tuple(people),
        posts=posts,
        demand=tuple(demand),
        unavailability=tuple(unavailability),
        preferences=tuple(preferences),
        history=tuple(history),
        rules=rules or Rules(),
        weights=weights or Weights(),
    )


def work(volunteer: str, day: int, shift: str = "D", post: str = "P") -> Assignment:
    """One roster row: ``volunteer`` works ``shift`` on ``day`` at ``post``."""
    return Assignment(volunteer, day, shift, post)


@pytest.fixture
def tiny() -> SimpleNamespace:
    """The tiny-instance builder (see the module docstring)."""
    return SimpleNamespace(
        shift=shift,
        person=person,
        post=post,
        demand=demand,
        covering=covering,
        off=off,
        wish=wish,
        instance=instance,
        work=work,
        Rules=Rules,
        Weights=Weights,
        MONDAY=MONDAY,
    )


def _benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module."""
    path = Path(__file__).parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pricing_benchmark() -> ModuleType:
    """``benchmarks/pricing.py``, the pricing speed benchmark, as a module."""
    return _benchmark("pricing")


@pytest.fixture(scope="session")
def curtois_like() -> ModuleType:
    """``benchmarks/curtois_like.py``, the writer of Curtois-Qu look-alikes, as a module."""
    return _benchmark("curtois_like")


@pytest.fixture(scope="session")
def shift_scheduling() -> ModuleType:
    """``benchmarks/shift_scheduling.py``, the Curtois-Qu benchmark script, as a module."""
    return _benchmark("shift_scheduling")
