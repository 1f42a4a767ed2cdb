"""``fangyi check --roster``: exit 0 for a valid roster, 1 for violations, 2 for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

TINY = Path(__file__).resolve().parents[1] / "data" / "roster_tiny"
HEADER = "date,shift,start,end,post,volunteer_id,name,team"

# A valid roster of tests/data/roster_tiny, worked out by hand: leads v1-v3 cover the desk
# (v1 is away on day 1, v2 may work 24 h, v4 ends a night shift at 08:00 on day 0), v4-v6
# the gate (v6 never works nights).
VALID = [
    ("2026-11-30", "D", "desk", "v1"),
    ("2026-11-30", "N", "desk", "v3"),
    ("2026-12-01", "D", "desk", "v2"),
    ("2026-12-01", "N", "desk", "v3"),
    ("2026-12-02", "D", "desk", "v1"),
    ("2026-12-02", "N", "desk", "v2"),
    ("2026-11-30", "D", "gate", "v5"),
    ("2026-12-01", "D", "gate", "v6"),
    ("2026-12-02", "D", "gate", "v4"),
]


def write_roster(path: Path, rows) -> Path:
    lines = [HEADER] + [f"{d},{s},,,{p},{v},," for d, s, p, v in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_valid_roster_exits_0_and_lists_penalties(runner, tmp_path):
    roster = write_roster(tmp_path / "roster.csv", VALID)
    result = runner.invoke(app, ["check", str(TINY), "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "isolated_day_off" in result.output  # v1 is off on day 1 between two working days


def test_violating_roster_exits_1_and_names_the_rules(runner, tmp_path):
    # v4 (no lead) on the desk on day 0 right after last week's night: leads and rest broken.
    rows = [("2026-11-30", "D", "desk", "v4"), *VALID[1:]]
    roster = write_roster(tmp_path / "roster.csv", rows)
    result = runner.invoke(app, ["check", str(TINY), "--roster", str(roster)])
    assert result.exit_code == 1, result.output
    assert "leads" in result.output and "rest" in result.output
    assert "hard violations" in result.output


def test_bad_date_exits_2_with_one_line_naming_file_row_column(runner, tmp_path):
    rows = [*VALID[:3], ("2026-12-32", "D", "desk", "v1")]
    roster = write_roster(tmp_path / "roster.csv", rows)
    result = runner.invoke(app, ["check", str(TINY), "--roster", str(roster)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "roster.csv" in lines[0] and "row 5" in lines[0] and "'date'" in lines[0]


def test_missing_roster_file_exits_2(runner, tmp_path):
    result = runner.invoke(app, ["check", str(TINY), "--roster", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_nothing_to_check_exits_2(runner):
    result = runner.invoke(app, ["check", str(TINY)])
    assert result.exit_code == 2
    assert "--roster" in result.output
