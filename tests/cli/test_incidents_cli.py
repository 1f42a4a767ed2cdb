"""``fangyi dispatch`` and ``fangyi repair`` through typer's CliRunner (and one real process
killed with SIGKILL): exit codes 0/1/2, files written only when they should be, the audit log,
plan versions, the rest rule after a call-out, and every roster checked by the validator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.campus.loader import load_campus
from optimizer.incidents.audit import AUDIT_NAME, PAUSE_ENV, read_audit
from optimizer.incidents.versions import list_versions
from optimizer.roster.domain import Assignment
from optimizer.roster.export import roster_csv
from optimizer.roster.load import load_roster_instance
from optimizer.validate_roster import read_roster_csv, validate_roster
from optimizer.validate_routes import read_routes, validate_routes

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "data" / "incidents_tiny"
PLAN = REPO / "tests" / "data" / "incidents_tiny_plan"
AT = "2026-12-01 00:30"
# A valid roster for the tiny instance: V6 holds the on-call post on the night G3 is called
# out, and V5 (G3's leader) is on the desk from 08:00 that morning, inside the rest.
ROSTER = (
    ("V6", 0, "N", "oncall"),
    ("V3", 0, "D", "desk"),
    ("V4", 0, "D", "desk"),
    ("V6", 1, "N", "oncall"),
    ("V5", 1, "D", "desk"),
    ("V1", 1, "D", "desk"),
    ("V2", 2, "N", "oncall"),
    ("V3", 2, "D", "desk"),
    ("V4", 2, "D", "desk"),
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_plan(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    inst = load_roster_instance(TINY)
    rows = [Assignment(*r) for r in ROSTER]
    assert validate_roster(inst, rows).ok
    (folder / "roster.csv").write_bytes(roster_csv(inst, rows))
    (folder / "routes.csv").write_bytes((PLAN / "routes.csv").read_bytes())
    return folder


def dispatch_args(plan: Path, *extra: str, where: str = "F1") -> list[str]:
    return [
        "dispatch",
        str(TINY),
        "--event",
        "case",
        "--where",
        where,
        "--at",
        AT,
        "--plan",
        str(plan),
        "--time-limit",
        "2",
        "--workers",
        "1",
        *extra,
    ]


def test_dispatch_prints_order_writes_json_and_logs(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "dispatch",
            str(TINY),
            "--event",
            "goods",
            "--where",
            "EXP",
            "--at",
            AT,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "快递驿站" in result.output and "第一食堂" in result.output
    data = json.loads((out / "dispatch.json").read_text(encoding="utf-8"))
    assert data["meets_deadline"] is True
    assert [s["site_id"] for s in data["groups"][0]["stops"]] in (["EXP", "CAN"], ["CAN", "EXP"])
    records = read_audit(out / AUDIT_NAME).records
    assert [r["type"] for r in records] == ["dispatch"]
    assert "王磊" not in json.dumps(records, ensure_ascii=False)  # no names in the log


def test_missed_deadline_still_gives_an_order_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    inst = tmp_path / "inst"
    inst.mkdir()
    for f in TINY.iterdir():
        (inst / f.name).write_bytes(f.read_bytes())
    kinds = inst / "incident_kinds.csv"
    kinds.write_text(
        kinds.read_text(encoding="utf-8").replace(",night,240,1,", ",night,5,1,"), encoding="utf-8"
    )
    result = runner.invoke(
        app,
        [
            "dispatch",
            str(inst),
            "--event",
            "case",
            "--where",
            "F1",
            "--at",
            AT,
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 1
    assert "无法在时限内完成" in result.output
    assert (tmp_path / "out" / "dispatch.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event", "case", "--where", "F9", "--at", AT], "unknown building 'F9'"),
        (["--event", "case", "--where", "F1", "--at", "2026-12-09 01:00"], "outside"),
        (["--event", "case", "--where", "F1", "--at", "tonight"], "expected YYYY-MM-DD HH:MM"),
        (["--event", "goods", "--where", "F1", "--at", AT], "unknown site 'F1'"),
    ],
)
def test_bad_event_is_one_line_exit_2_nothing_written(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["dispatch", str(TINY), *args, "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_unknown_event_kind_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["dispatch", str(TINY), "--event", "fire", "--where", "F1"])
    assert result.exit_code == 2


def test_rest_after_call_out_repairs_roster_and_keeps_old_version(
    runner: CliRunner, tmp_path: Path
) -> None:
    plan = write_plan(tmp_path / "plan")
    old = (plan / "roster.csv").read_bytes()
    result = runner.invoke(app, dispatch_args(plan))
    assert result.exit_code == 0, result.output
    assert "第三消杀组" in result.output  # G3 is on call that night (V6 on the on-call post)
    inst = load_roster_instance(TINY)
    new = read_roster_csv(inst, plan / "roster.csv")
    assert validate_roster(inst, new).ok
    assert Assignment("V5", 1, "D", "desk") not in new  # resting after the call-out
    assert sum(1 for a in new if (a.day, a.shift, a.post) == (1, "D", "desk")) == 2
    assert set(new) - {Assignment(*r) for r in ROSTER}  # someone was called in
    versions = list_versions(plan)
    assert len(versions) == 1 and (versions[0] / "roster.csv").read_bytes() == old
    types = [r["type"] for r in read_audit(plan / AUDIT_NAME).records]
    assert types == ["dispatch", "replan", "replan"]  # routes (G3 had none), then roster


def test_home_adds_daily_visits_to_the_routes(runner: CliRunner, tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "plan")
    old = (plan / "routes.csv").read_bytes()
    args = dispatch_args(plan, "--until", "2026-12-02", where="F2")
    args[args.index("case")] = "home"
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "此后每日消杀一次: 12月02日 至 12月02日" in result.output
    campus = load_campus(TINY)
    rows = read_routes(campus, plan / "routes.csv")
    assert validate_routes(campus, rows) == []
    assert sorted(r.day for r in rows if r.site_id == "F2-1") == [1, 2]
    kept = [v / "routes.csv" for v in list_versions(plan) if (v / "routes.csv").exists()]
    assert len(kept) == 1 and kept[0].read_bytes() == old


def test_until_is_only_for_homes_and_after_the_call(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    base = ["dispatch", str(TINY), "--where", "F2", "--at", AT, "--out", str(out)]
    result = runner.invoke(app, [*base, "--event", "case", "--until", "2026-12-02"])
    assert result.exit_code == 2 and "only --event home" in result.output
    result = runner.invoke(app, [*base, "--event", "home", "--until", "2026-12-01"])
    assert result.exit_code == 2 and "not after the day of the call" in result.output
    assert not out.exists()


def test_no_roster_change_when_nobody_works_during_the_rest(
    runner: CliRunner, tmp_path: Path
) -> None:
    plan = write_plan(tmp_path / "plan")
    old = (plan / "roster.csv").read_bytes()
    # A day later, at 2026-12-02 00:30, V2 holds the on-call post: G1 goes, and V1/V2 have
    # no shift in the following rest.
    args = dispatch_args(plan)
    args[args.index(AT)] = "2026-12-02 00:30"
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "第一消杀组" in result.output
    assert (plan / "roster.csv").read_bytes() == old
    assert list_versions(plan) == []


def _wait_for_growth(path: Path, size: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not (path.exists() and path.stat().st_size > size):
        assert proc.poll() is None, "dispatch ended before the crash point"
        assert time.monotonic() < deadline, "dispatch never reached the crash point"
        time.sleep(0.02)


def test_audit_log_survives_sigkill_in_the_middle_of_a_dispatch(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    cmd = [sys.executable, str(REPO / "cli.py"), *dispatch_args(plan, "--no-replan")]
    first = subprocess.run(cmd, capture_output=True, cwd=REPO, check=False)
    assert first.returncode == 0, first.stderr
    log = plan / AUDIT_NAME
    size = log.stat().st_size
    answer = (plan / "dispatch.json").read_bytes()
    env = {**os.environ, PAUSE_ENV: "30"}
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE)
    try:
        _wait_for_growth(log, size, proc)  # half of the record is on disk
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        out, _ = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert out == b""  # the order is shown only once it is logged
    got = read_audit(log)
    assert len(got.records) == 1 and got.torn_tail
    assert (plan / "dispatch.json").read_bytes() == answer
    again = subprocess.run(cmd, capture_output=True, cwd=REPO, check=False)
    assert again.returncode == 0, again.stderr
    got = read_audit(log)
    assert len(got.records) == 2 and not got.torn_tail


# ------------------------------------------------------------------------------------ repair


def repair_args(roster: Path, out: Path, unavailable: str, start: str) -> list[str]:
    return [
        "repair",
        str(TINY),
        "--roster",
        str(roster),
        "--unavailable",
        unavailable,
        "--from",
        start,
        "--out",
        str(out),
        "--time-limit",
        "2",
        "--workers",
        "1",
    ]


def test_repair_replaces_the_quarantined_and_writes_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    plan = write_plan(tmp_path / "plan")
    out = tmp_path / "out"
    result = runner.invoke(app, repair_args(plan / "roster.csv", out, "V3", "2026-12-01 00:00"))
    assert result.exit_code == 0, result.output
    assert "relieved" in result.output and "newly called in" in result.output
    inst = load_roster_instance(TINY)
    new = read_roster_csv(inst, out / "roster.csv")
    assert validate_roster(inst, new).ok
    assert not [a for a in new if a.volunteer == "V3" and a.day >= 1]
    assert Assignment("V3", 0, "D", "desk") in new  # before --from: kept
    changes = (out / "changes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert changes[0].startswith("change,date,shift")
    assert len(changes) == 3  # V3 removed on day 2, one person added
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["changes"] == 2 and summary["hard_violations"] == 0


def test_repair_with_nothing_to_change(runner: CliRunner, tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "plan")
    out = tmp_path / "out"
    # V1 works only on day 1, before --from.
    result = runner.invoke(app, repair_args(plan / "roster.csv", out, "V1", "2026-12-02 00:00"))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["changes"] == 0
    assert (out / "roster.csv").read_bytes() == (plan / "roster.csv").read_bytes()


def test_repair_without_enough_people_names_the_shortfall(
    runner: CliRunner, tmp_path: Path
) -> None:
    plan = write_plan(tmp_path / "plan")
    out = tmp_path / "out"
    result = runner.invoke(
        app, repair_args(plan / "roster.csv", out, "V1,V2,V3,V4,V5,V6", "2026-12-02 00:00")
    )
    assert result.exit_code == 1
    assert "值班室 (desk): 2 people short" in result.output
    assert "消杀应急值守 (oncall): 1 person short" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("unavailable", "start", "message"),
    [
        ("V99", "2026-12-01 00:00", "unknown volunteer 'V99'"),
        ("V1", "2026-12-05 00:00", "outside the roster's horizon"),
    ],
)
def test_repair_bad_input_exit_2(
    runner: CliRunner, tmp_path: Path, unavailable: str, start: str, message: str
) -> None:
    plan = write_plan(tmp_path / "plan")
    out = tmp_path / "out"
    result = runner.invoke(app, repair_args(plan / "roster.csv", out, unavailable, start))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_order_path_imports_no_solver_or_dataframe_library(tmp_path: Path) -> None:
    # A fresh interpreter runs a whole dispatch without re-planning; the night-duty person's
    # answer must not wait for ortools, pyvrp, pandas or matplotlib to load.
    code = (
        "import sys; from typer.testing import CliRunner; from cli import app; "
        f"r = CliRunner().invoke(app, {dispatch_args(tmp_path / 'plan', '--no-replan')!r}); "
        "assert r.exit_code == 0, r.output; "
        "print(sorted(m for m in ('ortools', 'pyvrp', 'pandas', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
