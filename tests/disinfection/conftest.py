"""Fixtures: ``tiny`` builds variants of ``tests/data/campus_tiny``; ``checked`` plans them and
runs the independent route validator on what would be written, so every plan is checked."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from optimizer.campus import load_campus
from optimizer.disinfection import DisinfectionPlan, plan_week
from optimizer.disinfection.export import route_files
from optimizer.validate_routes import RouteViolation, planned_days, read_routes, validate_routes

TINY = Path(__file__).resolve().parents[1] / "data" / "campus_tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> Callable[..., Path]:
    """``tiny(edits=[(file, old, new)], files={name: text})`` -> a modified copy's folder."""
    count = iter(range(1000))

    def make(
        edits: list[tuple[str, str, str]] | tuple = (), files: dict[str, str] | None = None
    ) -> Path:
        folder = tmp_path / f"campus{next(count)}"
        shutil.copytree(TINY, folder)
        for name, old, new in edits:
            path = folder / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new), encoding="utf-8")
        for name, text in (files or {}).items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return make


def violations(plan: DisinfectionPlan, tmp: Path) -> list[RouteViolation]:
    """What the independent validator says about ``plan`` as it would be written."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name, data in route_files(plan, maps=False).items():
        (tmp / name).write_bytes(data)
    campus = load_campus(plan.campus.folder)
    rows = read_routes(campus, tmp / "routes.csv")
    return validate_routes(campus, rows, planned_days(campus, tmp / "routes.csv"))


@pytest.fixture
def checked(tmp_path: Path) -> Callable[..., DisinfectionPlan]:
    """``checked(folder, time_limit=1.0, days=None, solve=None)`` -> a plan the validator found
    valid (``solve`` replaces the routing engine, as in ``plan_week``)."""

    def run(folder: Path, *, time_limit: float = 1.0, days=None, solve=None) -> DisinfectionPlan:
        plan = plan_week(folder, time_limit=time_limit, days=days, solve=solve)
        found = violations(plan, tmp_path / f"out-{folder.name}")
        unserved = {u.site_id for d in plan.days for u in d.unserved}
        # Visits left out show up as frequency violations, and only those may.
        assert all(v.rule == "frequency" and v.site_id in unserved for v in found), found
        return plan

    return run
