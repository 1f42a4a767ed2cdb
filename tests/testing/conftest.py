"""``tr``: writes tiny testing-round instance folders from a test's own rows.

Usage::

    def test_something(tr):
        folder = tr.build(
            residents=[tr.building("B1", adults=20)],
            points=[tr.point("P1", tables=1)],
            testing={"max_waiting": 5},
        )
        rnd = tr.load(folder)

Defaults keep every rule out of the way: one building of 10 adults next to one point with one
adult table and no children's channel, a 07:00-08:00 window of 30-minute slots, one role
(sampler, one per table), two samplers, no home visits, walking weight only. A test switches
on exactly the rule it is about. The round date is Monday 2026-11-30 (= instance start).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from optimizer.io import csv_bytes
from optimizer.testing.domain import TestingRound
from optimizer.testing.export import write_testing_outputs
from optimizer.testing.load import load_round
from optimizer.testing.plan import TestingPlan, plan_loaded_round
from optimizer.validate_testing import TestingReport, round_reports

DATE = dt.date(2026, 11, 30)


def building(
    bid: str,
    adults: int = 10,
    children: int = 0,
    *,
    split: bool = False,
    x: float = 0.0,
    y: float = 0.0,
) -> dict[str, Any]:
    """A ``residents.csv`` row."""
    return {
        "building_id": bid,
        "name": bid,
        "adults": adults,
        "children": children,
        "split": "yes" if split else "no",
        "x": x,
        "y": y,
    }


def point(
    pid: str,
    tables: int = 1,
    children_tables: int = 0,
    *,
    opens: str = "06:00",
    closes: str = "20:00",
    throughput: int = 60,
    queue_metres: float | str = "",
    x: float = 0.0,
    y: float = 0.0,
) -> dict[str, Any]:
    """A ``sampling_points.csv`` row."""
    return {
        "id": pid,
        "name": pid,
        "tables": tables,
        "children_tables": children_tables,
        "opens": opens,
        "closes": closes,
        "throughput": throughput,
        "queue_metres": queue_metres,
        "x": x,
        "y": y,
    }


def role(
    rid: str, skill: str | None = None, per_table: int = 1, per_point: int = 0
) -> dict[str, Any]:
    """A ``testing_roles.csv`` row."""
    return {
        "id": rid,
        "name": rid,
        "skill": skill or rid,
        "per_table": per_table,
        "per_point": per_point,
    }


def worker(
    wid: str,
    skills: str = "sampler",
    unit: str = "U1",
    *,
    available_from: str = "",
    available_to: str = "",
) -> dict[str, Any]:
    """A ``testing_workers.csv`` row."""
    return {
        "id": wid,
        "name": f"名{wid}",
        "unit": unit,
        "skills": skills,
        "available_from": available_from,
        "available_to": available_to,
    }


def need(
    rid: str,
    bid: str,
    *,
    home_visit: bool = True,
    smartphone: bool = True,
    service_minutes: int | str = "",
) -> dict[str, Any]:
    """A ``resident_needs.csv`` row."""
    return {
        "id": rid,
        "name": f"居民{rid}",
        "building_id": bid,
        "home_visit": "yes" if home_visit else "no",
        "smartphone": "yes" if smartphone else "no",
        "service_minutes": service_minutes,
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _table(rows: list[dict[str, Any]]) -> bytes:
    header = list(rows[0])
    return csv_bytes(header, [[r.get(h, "") for h in header] for r in rows])


def write_round(
    folder: Path,
    *,
    residents: list[dict[str, Any]] | None = None,
    points: list[dict[str, Any]] | None = None,
    roles: list[dict[str, Any]] | None = None,
    workers: list[dict[str, Any]] | None = None,
    needs: list[dict[str, Any]] | None = None,
    testing: dict[str, Any] | None = None,
    weights: dict[str, Any] | None = None,
    home: dict[str, Any] | None = None,
) -> Path:
    """Write the tiny instance into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "start": "07:00",
        "end": "08:00",
        "slot_minutes": 30,
        "children_end": "08:00",
        "max_waiting": 50,
        "max_waiting_children": 50,
        "max_continuous_minutes": 60,
        "break_minutes": 30,
        **(testing or {}),
    }
    prices = {
        "walk": 1,
        "wait": 0,
        "children_late": 0,
        "understaff": 1000,
        "worker": 10,
        **(weights or {}),
    }
    lines = ['name = "小区"', 'start = "2026-11-30"', "days = 7", "", "[testing]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in settings.items()]
    lines += ["", "[testing.weights]"] + [f"{k} = {_toml_value(v)}" for k, v in prices.items()]
    if home:
        lines += ["", "[testing.home_visits]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in home.items()]
    (folder / "instance.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "residents.csv").write_bytes(_table(residents or [building("B1")]))
    (folder / "sampling_points.csv").write_bytes(_table(points or [point("P1")]))
    (folder / "testing_roles.csv").write_bytes(_table(roles or [role("sampler")]))
    (folder / "testing_workers.csv").write_bytes(_table(workers or [worker("W1"), worker("W2")]))
    if needs:
        (folder / "resident_needs.csv").write_bytes(_table(needs))
    return folder


@pytest.fixture
def tr(tmp_path: Path) -> SimpleNamespace:
    """Row helpers, ``build`` (a new instance folder per call) and ``load`` (the round)."""
    count = iter(range(1000))

    def build(**kwargs: Any) -> Path:
        return write_round(tmp_path / f"inst{next(count)}", **kwargs)

    def load(folder: Path) -> TestingRound:
        return load_round(folder, DATE)

    def plan(folder: Path, time_limit: float = 3.0) -> TestingPlan:
        return plan_loaded_round(load(folder), time_limit=time_limit, num_workers=2)

    def check(folder: Path, plan: TestingPlan) -> dict[str, TestingReport]:
        """Write the plan's files, read them back with the validator, assert they are valid."""
        out = tmp_path / f"out{next(count)}"
        write_testing_outputs(plan, out)
        reports = round_reports(folder, out)
        for kind, rep in reports.items():
            assert rep.violations == [], (kind, rep.violations)
        return reports

    return SimpleNamespace(
        build=build,
        load=load,
        plan=plan,
        check=check,
        building=building,
        point=point,
        role=role,
        worker=worker,
        need=need,
        date=DATE,
    )
