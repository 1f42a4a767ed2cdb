"""The independent route validator: a valid plan passes; each broken route file is caught."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from optimizer.disinfection import plan_week, write_route_outputs
from optimizer.io import InputError
from optimizer.validate_routes import routes_report

TINY = Path(__file__).resolve().parent / "data" / "campus_tiny"


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[Path, list[dict[str, str]], int]:
    """A valid 3-day plan of the tiny campus: folder, its routes.csv rows, metres walked."""
    out = tmp_path_factory.mktemp("plan")
    plan = plan_week(TINY, time_limit=1.5)
    assert plan.status == "feasible"
    write_route_outputs(plan, out, maps=False)
    with open(out / "routes.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return out, rows, sum(d.walking_m for d in plan.days)


def write(folder: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as a routes.csv in ``folder`` (without a summary: all days planned)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "routes.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def rules_of(report) -> set[str]:
    return {v.rule for v in report.violations}


def edited(rows, match, **changes):
    """Copy of ``rows`` with ``changes`` applied to the first row matching ``match``."""
    out = [dict(r) for r in rows]
    target = next(r for r in out if all(r[k] == v for k, v in match.items()))
    target.update(changes)
    return out


def test_planner_output_is_valid_and_walking_agrees(planned):
    out, _, metres = planned
    report = routes_report(TINY, out / "routes.csv")
    assert report.violations == []
    assert abs(report.objective - metres) <= 20  # metres rounded per leg by the planner


def test_missing_daily_visit_is_a_frequency_violation(planned, tmp_path):
    _, rows, _ = planned
    kept = [r for r in rows if not (r["site_id"] == "X8" and r["date"] == "2026-12-01")]
    report = routes_report(TINY, write(tmp_path, kept))
    assert rules_of(report) == {"frequency"}
    assert any(v.site_id == "X8" and v.date == "2026-12-01" for v in report.violations)


def test_missing_periodic_unit_breaks_every_k_days(planned, tmp_path):
    _, rows, _ = planned
    kept = [r for r in rows if r["site_id"] != "F1-2"]
    report = routes_report(TINY, write(tmp_path, kept))
    assert [v.site_id for v in report.violations] == ["F1-2"]
    assert "every 3 days" in report.violations[0].message


def test_visit_outside_its_window(planned, tmp_path):
    _, rows, _ = planned
    r = next(r for r in rows if r["site_id"] == "CC")  # 09:00-10:45 or 14:00-16:30
    bad = edited(
        rows, {"date": r["date"], "site_id": "CC"}, arrive="16:40", start="16:40", end="16:50"
    )
    report = routes_report(TINY, write(tmp_path, bad))
    assert "window" in rules_of(report)


def test_short_service(planned, tmp_path):
    _, rows, _ = planned
    r = next(r for r in rows if r["site_id"] == "X8")
    bad = edited(rows, {"date": r["date"], "site_id": "X8"}, end=r["start"])
    report = routes_report(TINY, write(tmp_path, bad))
    assert rules_of(report) == {"service"}


def test_arriving_faster_than_the_shortest_path(planned, tmp_path):
    _, rows, _ = planned
    # The lab is 900 m from the centre: nobody gets there a minute after work starts.
    r = next(r for r in rows if r["site_id"] == "L1")
    early = "14:01" if r["start"] >= "14:00" else "07:31"
    bad = edited(rows, {"date": r["date"], "site_id": "L1"}, arrive=early)
    report = routes_report(TINY, write(tmp_path, bad))
    assert "travel" in rules_of(report)


def test_working_through_the_break(planned, tmp_path):
    _, rows, _ = planned
    r = next(r for r in rows if r["site_id"] == "R01")
    bad = edited(
        rows, {"date": r["date"], "site_id": "R01"}, arrive="12:00", start="12:00", end="12:05"
    )
    report = routes_report(TINY, write(tmp_path, bad))
    assert "work" in rules_of(report)


def test_sprayers_emptied_without_refill(tmp_path):
    # One group with 7 L sprayers working 07:30-17:30 must refill; drop the refill marks.
    folder = tmp_path / "campus"
    shutil.copytree(TINY, folder)
    for name, old, new in (
        ("instance.toml", "capacity = 20", "capacity = 7"),
        ("instance.toml", 'work = ["07:30-11:30", "14:00-17:30"]', 'work = ["07:30-17:30"]'),
        ("groups.csv", "G2,第二消杀组,50,\n", ""),
        ("group_members.csv", "G2,张强,leader,,\nG2,刘洋,member,,\n", ""),
    ):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    plan = plan_week(folder, time_limit=1.0)
    write_route_outputs(plan, tmp_path / "out", maps=False)
    assert routes_report(folder, tmp_path / "out" / "routes.csv").violations == []
    with open(tmp_path / "out" / "routes.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["refill"] == "1" for r in rows)
    report = routes_report(folder, write(tmp_path / "bad", [{**r, "refill": "0"} for r in rows]))
    assert rules_of(report) == {"capacity"}


def test_both_toilet_visits_in_the_morning(planned, tmp_path):
    _, rows, _ = planned
    day = rows[0]["date"]
    later = max(
        (r for r in rows if r["site_id"] == "WC1" and r["date"] == day), key=lambda r: r["start"]
    )
    bad = edited(
        rows,
        {"date": day, "site_id": "WC1", "start": later["start"]},
        arrive="11:00",
        start="11:00",
        end="11:05",
    )
    report = routes_report(TINY, write(tmp_path, bad))
    assert "window" in rules_of(report)


def test_partial_plan_checks_frequency_over_planned_days_only(planned, tmp_path):
    _, rows, _ = planned
    day0 = [r for r in rows if r["date"] == "2026-11-30"]
    path = write(tmp_path, day0)
    (tmp_path / "routes_summary.json").write_text(
        json.dumps({"days_planned": ["2026-11-30"]}), encoding="utf-8"
    )
    assert routes_report(TINY, path).violations == []
    (tmp_path / "routes_summary.json").unlink()
    assert "frequency" in rules_of(routes_report(TINY, path))


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("site_id", "NOPE", "unknown site"),
        ("date", "2027-01-01", "outside the horizon"),
        ("group", "G9", "unknown group"),
    ],
)
def test_unknown_references_are_bad_input(planned, tmp_path, column, value, words):
    _, rows, _ = planned
    bad = [dict(r) for r in rows]
    bad[2][column] = value
    with pytest.raises(InputError) as err:
        routes_report(TINY, write(tmp_path, bad))
    assert (err.value.row, err.value.column) == (4, column)
    assert words in err.value.message
