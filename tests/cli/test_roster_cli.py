"""``fangyi roster`` and ``fangyi demo`` through typer's CliRunner: exit codes 0/1/2, files
written only for a valid roster, previous outputs intact on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.cli import demo
from optimizer.cli.roster import OUTPUT_FILES
from optimizer.roster.load import load_roster_instance
from optimizer.validate_roster import read_roster_csv, validate_roster

TINY = Path(__file__).resolve().parents[1] / "data" / "roster_tiny"
DEMO_TINY = TINY.parent / "demo_tiny"

NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _roster(runner: CliRunner, instance: Path, out: Path, *extra: str):
    return runner.invoke(
        app, ["roster", str(instance), "--out", str(out), "--time-limit", "2", *extra]
    )


def _previous(out: Path) -> None:
    out.mkdir()
    (out / "roster.csv").write_text("previous roster", encoding="utf-8")


def test_valid_roster_written_and_checked(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _roster(runner, TINY, out, "--workers", "1", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    inst = load_roster_instance(TINY)
    report = validate_roster(inst, read_roster_csv(inst, out / "roster.csv"))
    assert report.ok
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("optimal", "feasible")
    assert summary["hard_violations"] == 0
    assert summary["objective"] == report.objective
    assert 0.0 <= summary["gap"] <= 1.0
    assert "hard violations" in result.output and "objective" in result.output
    assert not any(name in result.output for name in NAMES)  # names stay in the files


def test_infeasible_exit_1_explained_nothing_written(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "inst"
    shutil.copytree(TINY, folder)
    demand = (folder / "demand.csv").read_text(encoding="utf-8")
    (folder / "demand.csv").write_text(demand.replace("D,1,1", "D,5,1", 1), encoding="utf-8")
    out = tmp_path / "out"
    _previous(out)
    result = _roster(runner, folder, out)
    assert result.exit_code == 1, result.output
    assert "infeasible" in result.output
    assert "no roster written" in result.output
    assert [p.name for p in out.iterdir()] == ["roster.csv"]
    assert (out / "roster.csv").read_text(encoding="utf-8") == "previous roster"


def test_missing_instance_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = _roster(runner, tmp_path / "nowhere", tmp_path / "out")
    assert result.exit_code == 2
    assert "instance folder not found" in result.output
    assert not (tmp_path / "out").exists()


def test_out_is_a_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    result = _roster(runner, TINY, out)
    assert result.exit_code == 2
    assert "must be a folder" in result.output
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_bad_time_limit_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["roster", str(TINY), "--out", str(tmp_path / "o"), "--time-limit", "0"]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_demo_bundled_instance_exists() -> None:
    assert (demo.bundled_instance() / "instance.toml").is_file()


def test_demo_plans_into_out(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    # The bundled week takes minutes to plan well; a tiny instance with every concern stands
    # in for it. Each plan the demo writes must pass its independent validator.
    from optimizer.campus import load_campus
    from optimizer.validate_routes import planned_days, read_routes, validate_routes
    from optimizer.validate_testing import rotation_report, round_reports

    monkeypatch.setattr(demo, "bundled_instance", lambda: DEMO_TINY)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    inst = load_roster_instance(DEMO_TINY)
    assert validate_roster(inst, read_roster_csv(inst, out / "roster.csv")).ok
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["hard_violations"] == 0
    campus = load_campus(DEMO_TINY)
    rows = read_routes(campus, out / "routes.csv")
    assert rows
    assert validate_routes(campus, rows, planned_days(campus, out / "routes.csv")) == []
    for report in round_reports(DEMO_TINY, out).values():
        assert not report.violations
    assert not rotation_report(DEMO_TINY, out / "rotation.csv").violations


def test_demo_without_bundled_instance(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(demo, "bundled_instance", lambda: tmp_path / "gone")
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "bundled instance not found" in result.output
    assert not (tmp_path / "out").exists()


def test_bad_bundled_instance_is_bad_input(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(TINY, broken)
    (broken / "posts.csv").unlink()
    monkeypatch.setattr(demo, "bundled_instance", lambda: broken)
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "posts.csv" in result.output


def _fake_solver(monkeypatch, status: str, assignments: tuple) -> None:
    """Replace the engine by one returning a fixed plan, to reach the CLI's failure paths."""
    from optimizer.roster import solve
    from optimizer.roster.plan import RosterPlan

    def fake(instance, **_kwargs) -> RosterPlan:
        return RosterPlan(instance, assignments, status, 0, 0.0, 0.0, 0.1, ())

    monkeypatch.setattr(solve, "solve_roster", fake)


def test_validator_violation_exit_1_nothing_written(
    runner: CliRunner, tmp_path: Path, monkeypatch
) -> None:
    from optimizer.roster.domain import Assignment

    # v5 has no desk skill: the independent validator must refuse this roster.
    _fake_solver(monkeypatch, "feasible", (Assignment("v5", 0, "D", "desk"),))
    out = tmp_path / "out"
    _previous(out)
    result = _roster(runner, TINY, out)
    assert result.exit_code == 1, result.output
    assert "hard violations (" in result.output and "skills" in result.output
    assert "陈静" not in result.output
    assert [p.name for p in out.iterdir()] == ["roster.csv"]


def test_timeout_without_roster_exit_1(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    _fake_solver(monkeypatch, "timeout", ())
    result = _roster(runner, TINY, tmp_path / "out")
    assert result.exit_code == 1
    assert "no roster found within 2 s" in result.output
    assert not (tmp_path / "out").exists()
