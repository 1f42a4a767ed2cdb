"""``fangyi testing``, ``fangyi rotation`` and ``fangyi check`` for testing plans, via CliRunner:
exit codes 0/1/2, files written only for a valid plan, one-line errors on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli import app

TINY = Path(__file__).resolve().parents[1] / "data" / "testing_tiny"
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵老", "钱老")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def inst(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TINY, tmp_path / "inst"))


def _testing(runner: CliRunner, instance: Path, out: Path, *extra: str):
    return runner.invoke(
        app,
        [
            "testing",
            str(instance),
            "--date",
            "2026-11-30",
            "--out",
            str(out),
            "--time-limit",
            "3",
            "--workers",
            "2",
            *extra,
        ],
    )


def _one_line_error(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    for part in parts:
        assert part in lines[0]


def test_round_written_checked_and_names_kept_off_screen(runner, inst, tmp_path):
    out = tmp_path / "out"
    result = _testing(runner, inst, out)
    assert result.exit_code == 0, result.output
    assert "understaffed: 1 worker-slots" in result.output
    assert not any(name in result.output for name in NAMES)
    for name in (
        "slots.csv",
        "staffing.csv",
        "understaffing.csv",
        "home_visits.csv",
        "qr_codes.csv",
        "notices.xlsx",
        "testing_summary.json",
    ):
        assert (out / name).exists()
    summary = json.loads((out / "testing_summary.json").read_text(encoding="utf-8"))
    assert set(summary["models"]) == {"slots", "staffing", "home_visits"}
    assert summary["understaffing"] == [
        {"point_id": "P2", "slot_start": 420, "slot_end": 450, "role": "registrar", "missing": 1}
    ]
    assert summary["validator"]["slots"]["objective"] == summary["models"]["slots"]["objective"]
    qr = (out / "qr_codes.csv").read_text(encoding="utf-8-sig")
    assert "H1,赵老,B2,上门采样 流动采样队P1-1" in qr and "Q1,钱老,B1,采样点一" in qr
    sheets = load_workbook(out / "notices.xlsx")
    assert sheets.sheetnames == ["B1", "B2"]
    text = "\n".join(str(c.value) for c in sheets["B1"]["A"])
    assert "儿童：07:00-07:30 到 采样点一（儿童通道）" in text
    assert sheets["B1"].page_setup.fitToWidth == 1
    check = runner.invoke(
        app,
        [
            "check",
            str(inst),
            "--slots",
            str(out / "slots.csv"),
            "--staffing",
            str(out / "staffing.csv"),
            "--home-visits",
            str(out / "home_visits.csv"),
        ],
    )
    assert check.exit_code == 0, check.output


def test_check_finds_an_edited_plan(runner, inst, tmp_path):
    out = tmp_path / "out"
    assert _testing(runner, inst, out).exit_code == 0
    slots = out / "slots.csv"
    slots.write_text(
        slots.read_text(encoding="utf-8-sig").replace(",20,", ",60,"), encoding="utf-8"
    )
    result = runner.invoke(app, ["check", str(inst), "--slots", str(slots)])
    assert result.exit_code == 1
    assert "queue_cap" in result.output and "coverage" in result.output


def test_building_too_big_for_any_slot(runner, inst, tmp_path):
    text = (inst / "residents.csv").read_text(encoding="utf-8")
    (inst / "residents.csv").write_text(
        text.replace("B2,二号楼,15", "B2,二号楼,90"), encoding="utf-8"
    )
    out = tmp_path / "out"
    _one_line_error(_testing(runner, inst, out), "residents.csv, row 3, column 'adults'")
    assert not out.exists()


def test_role_no_one_can_fill(runner, inst, tmp_path):
    with (inst / "testing_roles.csv").open("a", encoding="utf-8") as fh:
        fh.write("runner,转运员,runner,0,1\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "slots.csv").write_text("previous plan", encoding="utf-8")
    _one_line_error(_testing(runner, inst, out), "testing_roles.csv, row 4, column 'skill'")
    assert (out / "slots.csv").read_text(encoding="utf-8") == "previous plan"


def test_bad_date_and_round_before_the_start(runner, inst, tmp_path):
    result = runner.invoke(
        app, ["testing", str(inst), "--date", "30/11", "--out", str(tmp_path / "o")]
    )
    _one_line_error(result, "--date")
    result = runner.invoke(
        app, ["testing", str(inst), "--date", "2026-11-01", "--out", str(tmp_path / "o")]
    )
    _one_line_error(result, "instance.toml", "before the instance start")


def test_home_visits_that_do_not_fit_write_nothing(runner, inst, tmp_path):
    text = (inst / "instance.toml").read_text(encoding="utf-8")
    (inst / "instance.toml").write_text(
        text.replace('end = "08:00"\nservice', 'end = "07:15"\nservice'), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = _testing(runner, inst, out)
    assert result.exit_code == 1, result.output
    assert "home_visits infeasible" in result.output and not out.exists()
    assert "add teams or hours" in result.output


def test_rotation_written_and_checked(runner, inst, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["rotation", str(inst), "--out", str(out), "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    rows = (out / "rotation.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "pupil_id,class,weekday" and len(rows) == 23
    calendar = (out / "rotation_calendar.csv").read_text(encoding="utf-8-sig")
    assert "2026-11-30,周一,M1,初一一班,2,3" in calendar
    check = runner.invoke(app, ["check", str(inst), "--rotation", str(out / "rotation.csv")])
    assert check.exit_code == 0, check.output


def test_rotation_impossible_balance_exits_1(runner, inst, tmp_path):
    text = (inst / "pupils.csv").read_text(encoding="utf-8")
    for i in (13, 14, 15, 16):
        text = text.replace(f"S{i},学生{i},M1,\n", f"S{i},学生{i},M1,FB\n")
    (inst / "pupils.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["rotation", str(inst), "--out", str(out), "--time-limit", "2"])
    assert result.exit_code == 1, result.output
    assert "cannot be balanced" in result.output and not out.exists()


def test_rotation_rolls_to_next_week_keeping_days(runner, inst, tmp_path):
    week1 = tmp_path / "week1"
    args = ["rotation", str(inst), "--time-limit", "2"]
    assert runner.invoke(app, [*args, "--out", str(week1)]).exit_code == 0
    last = dict(
        line.split(",")[0::2]
        for line in (week1 / "rotation.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    )
    # A new pupil joins class M1; everybody else keeps last week's day.
    with (inst / "pupils.csv").open("a", encoding="utf-8") as fh:
        fh.write("S99,新同学,M1,\n")
    week2 = tmp_path / "week2"
    result = runner.invoke(
        app, [*args, "--out", str(week2), "--previous", str(week1 / "rotation.csv")]
    )
    assert result.exit_code == 0, result.output
    now = dict(
        line.split(",")[0::2]
        for line in (week2 / "rotation.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    )
    assert "S99" in now and all(now[p] == day for p, day in last.items())
    summary = json.loads((week2 / "rotation_summary.json").read_text(encoding="utf-8"))
    assert summary["moved_from_last_week"] == 0
