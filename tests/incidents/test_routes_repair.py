"""Route repair after a call-out, on the tiny campus and a fixed week of routes
(``tests/data/incidents_tiny_plan/routes.csv``, as ``fangyi routes`` wrote it): the resting
group's morning goes to others, other days stay as they were, a home gets its daily visits,
and the independent route validator accepts every result."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.campus.loader import load_campus
from optimizer.incidents.routes_repair import repair_routes
from optimizer.validate_routes import RouteRow, read_routes, validate_routes

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "incidents_tiny"
ROUTES = DATA / "incidents_tiny_plan" / "routes.csv"
DAY = 1440


def visit(r: RouteRow) -> tuple[int, str, int, str, int, int, int, bool]:
    """A route row without its file line."""
    return (r.day, r.group, r.seq, r.site_id, r.arrive, r.start, r.end, r.refill)


@pytest.fixture(scope="module")
def campus():
    return load_campus(TINY)


def test_plan_is_valid_to_begin_with(campus) -> None:
    assert validate_routes(campus, read_routes(campus, ROUTES)) == []


def test_resting_group_morning_moves_to_others_and_nothing_else_changes(campus) -> None:
    rows = read_routes(campus, ROUTES)
    # G1 called out at 00:30 on day 1, back at 02:00, rests 8 h: until 10:00.
    fixed = repair_routes(campus, rows, {"G1": (DAY + 30, DAY + 600)})
    assert fixed.unserved == ()
    assert validate_routes(campus, list(fixed.rows)) == []
    day1 = [r for r in fixed.rows if r.day == 1]
    assert not [r for r in day1 if r.group == "G1" and r.start < 600]
    assert sorted(r.site_id for r in day1) == sorted(r.site_id for r in rows if r.day == 1)
    untouched = [
        (r.day, r.group, r.seq, r.site_id, r.arrive, r.start, r.end) for r in rows if r.day != 1
    ]
    assert [
        (r.day, r.group, r.seq, r.site_id, r.arrive, r.start, r.end)
        for r in fixed.rows
        if r.day != 1
    ] == untouched
    assert {(d, g) for d, g in fixed.touched_groups} >= {("2026-12-01", "G1")}
    assert len(fixed.moved) == 7


def test_rest_outside_every_work_window_changes_nothing(campus) -> None:
    rows = read_routes(campus, ROUTES)
    # Called at 00:30 on day 0 and resting until 07:00: before the 07:30 window opens.
    fixed = repair_routes(campus, rows, {"G1": (30, 420)})
    assert fixed.touched_groups == () and fixed.moved == ()
    assert [visit(r) for r in fixed.rows] == sorted(visit(r) for r in rows)


def test_home_gets_a_daily_visit_until_its_date(campus) -> None:
    rows = read_routes(campus, ROUTES)
    # F2-1 is visited on day 1 only; a home order on day 0 asks for days 1 and 2.
    fixed = repair_routes(campus, rows, {}, (["F2-1"], 1, 2))
    assert validate_routes(campus, list(fixed.rows)) == []
    visits = [r.day for r in fixed.rows if r.site_id == "F2-1"]
    assert sorted(visits) == [1, 2]
    assert [m[2] for m in fixed.moved] == [""]  # one new visit, nothing moved


def test_visit_that_fits_nowhere_is_reported(campus) -> None:
    rows = read_routes(campus, ROUTES)
    # Every group rests all of day 1.
    rest = {g.id: (DAY, 2 * DAY) for g in campus.groups}
    fixed = repair_routes(campus, rows, rest)
    assert len(fixed.unserved) == 7
    assert not [r for r in fixed.rows if r.day == 1]
