"""``fangyi routes`` and ``fangyi check --routes`` through typer's CliRunner: files written
atomically, exit codes 0/1/2, one-line errors and nothing written on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.cli.routes import parse_days

TINY = Path(__file__).resolve().parents[1] / "data" / "campus_tiny"
OUTPUTS = ("routes.csv", "unserved.csv", "routes_summary.json", "routes.xlsx")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def routes(runner: CliRunner, instance: Path, out: Path, *extra: str):
    return runner.invoke(
        app, ["routes", str(instance), "--out", str(out), "--time-limit", "2", *extra]
    )


def test_routes_written_then_checked_valid(runner, tmp_path):
    out = tmp_path / "out"
    result = routes(runner, TINY, out)
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (out / name).exists()
    assert len(list(out.glob("routes_map_*.png"))) == 3
    raw = (out / "routes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header == "date,group,seq,site_id,site_kind,site_name,arrive,start,end,refill"
    summary = json.loads((out / "routes_summary.json").read_text(encoding="utf-8"))
    assert summary["unserved"] == 0 and len(summary["days"]) == 3
    assert {"walking_m", "working_minutes", "visits", "status"} <= set(
        summary["days"][0]["groups"][0]
    )
    check = runner.invoke(app, ["check", str(TINY), "--routes", str(out / "routes.csv")])
    assert check.exit_code == 0, check.output
    assert "valid" in check.output


def test_days_option_and_workbook_sheets(runner, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = routes(runner, TINY, out, "--days", "2026-12-01")
    assert result.exit_code == 0, result.output
    wb = load_workbook(out / "routes.xlsx")
    assert wb.sheetnames == ["12-01 G1", "12-01 G2"]
    ws = wb["12-01 G1"]
    assert ws["A3"].value == "顺序 No." and ws.print_title_rows == "$3:$3"
    assert list(out.glob("routes_map_*.png")) == [out / "routes_map_2026-12-01.png"]
    check = runner.invoke(app, ["check", str(TINY), "--routes", str(out / "routes.csv")])
    assert check.exit_code == 0, check.output


def test_check_exits_1_on_violation(runner, tmp_path):
    out = tmp_path / "out"
    assert routes(runner, TINY, out).exit_code == 0
    lines = (out / "routes.csv").read_text(encoding="utf-8-sig").splitlines()
    kept = [ln for ln in lines if ",X8," not in ln]
    (out / "routes.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    check = runner.invoke(app, ["check", str(TINY), "--routes", str(out / "routes.csv")])
    assert check.exit_code == 1
    assert "frequency" in check.output


@pytest.mark.parametrize(
    ("file", "old", "new", "words"),
    [
        (
            "edges.csv",
            "n2,n3,,road",
            "n2,n99,,road",
            "edges.csv, row 4, column 'to': unknown node 'n99'",
        ),
        ("edges.csv", "n2,n3,,road\n", "", "buildings.csv, row 5, column 'node'"),
        ("instance.toml", '"08:30-11:30", "14:30-17:30"', '"07:30-07:40"', "cannot be reached"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(runner, tmp_path, file, old, new, words):
    folder = tmp_path / "campus"
    shutil.copytree(TINY, folder)
    path = folder / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    result = routes(runner, folder, out)
    assert result.exit_code == 2
    assert words in " ".join(result.output.split())
    assert not out.exists()


def test_out_must_be_a_folder(runner, tmp_path):
    out = tmp_path / "file.txt"
    out.write_text("keep", encoding="utf-8")
    result = routes(runner, TINY, out)
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("value", ["2026-12-09", "monday", "7", ","])
def test_bad_days_exit_2(runner, tmp_path, value):
    result = routes(runner, TINY, tmp_path / "out", "--days", value)
    assert result.exit_code == 2
    assert "--days" in result.output
    assert not (tmp_path / "out").exists()


def test_parse_days_accepts_dates_and_numbers():
    import datetime as dt

    assert parse_days("0, 2026-12-02", dt.date(2026, 11, 30), 3) == [0, 2]


def test_overloaded_instance_writes_unserved_and_exits_1(runner, tmp_path):
    folder = tmp_path / "campus"
    shutil.copytree(TINY, folder)
    # One group, 7.5 h a day; the dorm and the unit take 200 min each, the lab 180.
    toml = folder / "instance.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in (
        ("service_minutes = 30", "service_minutes = 200"),
        ("service_minutes = 15", "service_minutes = 180"),
        ("service_minutes = 10\nlitres = 2", "service_minutes = 200\nlitres = 2"),
    ):
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    (folder / "groups.csv").write_text("id,name,speed\nG1,第一消杀组,60\n", encoding="utf-8")
    (folder / "group_members.csv").write_text(
        "group_id,name,role\nG1,王磊,leader\n", encoding="utf-8"
    )
    (folder / "sites.csv").write_text(
        "id,kind,name,node,building\nX8,dorm,学8宿舍楼,,X8\nL1,lab,化工实验楼,,L1\n"
        "F1-1,stairwell,1号楼1单元,u1,F1\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = routes(runner, folder, out)
    assert result.exit_code == 1, result.output
    unserved = (out / "unserved.csv").read_text(encoding="utf-8-sig").splitlines()
    assert unserved[0] == "date,site_id,reason" and len(unserved) > 1
    # Either the day lacks group-hours, or no half-day is long enough for what is left.
    assert "not enough group-hours" in unserved[1] or "no group could fit it" in unserved[1]
    assert "day" in unserved[1].rsplit(" on ", 1)[-1]
