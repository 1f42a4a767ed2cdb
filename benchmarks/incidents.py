"""Benchmark night dispatch and roster repair on the Dongying week (``--scale`` 1 and 10).

For each scale: build the instance (scale 1 is ``instances/dongying``; others are generated),
plan a roster with ``fangyi roster``, warm the shortest-path cache with one untimed dispatch,
then time ``--incidents`` random incidents as whole ``fangyi dispatch`` processes (wall time
from process start to the order's last line on stdout, and to process exit), and
``--repairs`` random "two volunteers quarantined mid-week" repairs as whole ``fangyi repair``
processes, counting changed assignments against a from-scratch re-solve of the same week
(same people blocked from the same time, no change penalty) over the shifts from ``--from`` on.

Writes ``benchmarks/results/incidents.csv``: one row per run (``row=run``) and per scale and
task a summary row (``row=summary``: median and 95th percentile), every row with machine,
date, time limit and the load average at that moment.

    python benchmarks/incidents.py                       # scales 1 and 10, 50 incidents each
    python benchmarks/incidents.py --scales 1 --incidents 10 --repairs 2   # quick look
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from optimizer.generators.dongying import write as write_instance  # noqa: E402
from optimizer.io import (  # noqa: E402
    Col,
    csv_bytes,
    read_table,
    write_atomic,
)

CLI = [sys.executable, str(REPO / "cli.py")]
HEADER = [
    "row",
    "machine",
    "date_utc",
    "scale",
    "task",
    "detail",
    "n",
    "to_order_s",
    "total_s",
    "p95_to_order_s",
    "p95_total_s",
    "exit_code",
    "changes",
    "changes_from_scratch",
    "time_limit_s",
    "load1",
    "load5",
    "load15",
]
ORDER_END = "结论:"  # the order's last line starts with this


def _load() -> list[str]:
    return [f"{x:.2f}" for x in os.getloadavg()]


def _row(**kw: object) -> list[object]:
    base = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu",
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    }
    values = {**base, **kw}
    return [values.get(h, "") for h in HEADER[:-3]] + _load()


def p95(xs: list[float]) -> float:
    """95th percentile (nearest rank)."""
    return sorted(xs)[math.ceil(0.95 * len(xs)) - 1]


def timed_dispatch(args: list[str]) -> tuple[float, float, int]:
    """Run one dispatch process: seconds to the order's last line, to exit, and exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, "dispatch", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    to_order = float("nan")
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(ORDER_END) and to_order != to_order:
            to_order = time.perf_counter() - t0
    proc.wait()
    return to_order, time.perf_counter() - t0, proc.returncode


def incidents(folder: Path, rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """``n`` random (event, where, at): mostly at night, places of the right kind."""
    buildings = read_table(folder / "buildings.csv", [Col("id"), Col("kind")])
    homes = [b["id"] for b in buildings if b["kind"] in ("family", "dorm")]
    goods = sorted(
        {r["site_id"] for r in read_table(folder / "supply_links.csv", [Col("site_id")])}
    )
    start = dt.date(2026, 11, 30)
    out = []
    for _ in range(n):
        event = rng.choice(("case", "contact", "goods", "home"))
        where = rng.choice(goods if event == "goods" else homes)
        day = rng.randrange(0, 6)
        minute = rng.choice((rng.randrange(22 * 60, 24 * 60), rng.randrange(0, 5 * 60)))
        at = dt.datetime.combine(start + dt.timedelta(days=day), dt.time()) + dt.timedelta(
            minutes=minute
        )
        out.append((event, where, f"{at:%Y-%m-%d %H:%M}"))
    return out


def quarantine_pairs(roster: Path, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` (two volunteer ids, --from) with both rostered after a mid-week 08:00."""
    rows = read_table(roster, [Col("date"), Col("volunteer_id")])
    out = []
    for _ in range(n):
        day = rng.randrange(2, 5)
        start = dt.date(2026, 11, 30) + dt.timedelta(days=day)
        later = sorted({r["volunteer_id"] for r in rows if r["date"] > start.isoformat()})
        pair = rng.sample(later, 2)
        out.append((",".join(pair), f"{start.isoformat()} 08:00"))
    return out


def from_scratch_changes(
    instance: Path, roster: Path, people: str, start: str, limit: float
) -> int:
    """Changed assignments from ``start`` on when the week is re-solved from scratch."""
    from optimizer.io import parse_datetime
    from optimizer.roster.load import load_roster_instance
    from optimizer.roster.repair import block_people, diff
    from optimizer.roster.solve import solve_roster
    from optimizer.validate_roster import read_roster_csv, validate_roster

    inst = load_roster_instance(instance)
    old = read_roster_csv(inst, roster)
    minute = int(
        (parse_datetime(start) - dt.datetime.combine(inst.start, dt.time())).total_seconds() // 60
    )
    blocked = block_people(inst, people.split(","), minute, old)
    plan = solve_roster(blocked, time_limit=limit)
    if not plan.is_feasible() or not validate_roster(blocked, plan.assignments).ok:
        return -1
    return sum(
        1 for c in diff(old, plan.assignments) if inst.shift(c.shift).span(c.day)[0] >= minute
    )


def bench_scale(scale: int, args: argparse.Namespace, work: Path, rows: list[list[object]]) -> None:
    """All runs for one scale, appended to ``rows``."""
    rng = random.Random(args.seed + scale)
    if scale == 1:
        folder = REPO / "instances" / "dongying"
    else:
        folder = work / f"dongying{scale}"
        write_instance(folder, scale, 0)
    plan = work / f"plan{scale}"
    roster_limit = args.roster_time_limit if scale == 1 else args.roster_time_limit_large
    subprocess.run(
        [*CLI, "roster", str(folder), "--out", str(plan), "--time-limit", str(roster_limit)],
        check=False,
        capture_output=True,
    )
    plan.mkdir(parents=True, exist_ok=True)
    # Untimed first dispatch: fills the on-disk shortest-path cache, as any earlier run would.
    warm = work / f"warm{scale}"
    timed_dispatch(
        [
            str(folder),
            "--event",
            "case",
            "--where",
            "F01",
            "--at",
            "2026-12-01 01:00",
            "--out",
            str(warm),
        ]
    )
    orders, totals = [], []
    for event, where, at in incidents(folder, rng, args.incidents):
        to_order, total, code = timed_dispatch(
            [
                str(folder),
                "--event",
                event,
                "--where",
                where,
                "--at",
                at,
                "--plan",
                str(plan),
                "--no-replan",
            ]
        )
        orders.append(to_order)
        totals.append(total)
        rows.append(
            _row(
                row="run",
                scale=scale,
                task="dispatch",
                detail=f"{event} {where} {at}",
                n=1,
                to_order_s=f"{to_order:.3f}",
                total_s=f"{total:.3f}",
                exit_code=code,
            )
        )
    if orders:
        rows.append(
            _row(
                row="summary",
                scale=scale,
                task="dispatch",
                detail="median over runs",
                n=len(orders),
                to_order_s=f"{statistics.median(orders):.3f}",
                total_s=f"{statistics.median(totals):.3f}",
                p95_to_order_s=f"{p95(orders):.3f}",
                p95_total_s=f"{p95(totals):.3f}",
            )
        )
    walls, ratios = [], []
    if not (plan / "roster.csv").exists():
        rows.append(
            _row(
                row="summary",
                scale=scale,
                task="repair",
                n=0,
                time_limit_s=roster_limit,
                detail=f"skipped: fangyi roster wrote no roster in {roster_limit:g} s",
            )
        )
        return
    for people, start in quarantine_pairs(plan / "roster.csv", rng, args.repairs):
        out = work / f"repair{scale}"
        t0 = time.perf_counter()
        done = subprocess.run(
            [
                *CLI,
                "repair",
                str(folder),
                "--roster",
                str(plan / "roster.csv"),
                "--unavailable",
                people,
                "--from",
                start,
                "--out",
                str(out),
                "--time-limit",
                str(args.time_limit),
            ],
            capture_output=True,
            check=False,
        )
        wall = time.perf_counter() - t0
        changes = ""
        if done.returncode == 0:
            changes = json.loads((out / "summary.json").read_text(encoding="utf-8"))["changes"]
        scratch = from_scratch_changes(
            folder, plan / "roster.csv", people, start, args.scratch_time_limit
        )
        walls.append(wall)
        if changes != "" and scratch > 0:
            ratios.append(changes / scratch)
        rows.append(
            _row(
                row="run",
                scale=scale,
                task="repair",
                detail=f"{people} from {start}",
                n=1,
                total_s=f"{wall:.3f}",
                exit_code=done.returncode,
                changes=changes,
                changes_from_scratch=scratch,
                time_limit_s=args.time_limit,
            )
        )
    if walls:
        ratio = f"{statistics.median(ratios):.3f}" if ratios else ""
        rows.append(
            _row(
                row="summary",
                scale=scale,
                task="repair",
                detail=f"median changes / from-scratch changes = {ratio}",
                n=len(walls),
                total_s=f"{statistics.median(walls):.3f}",
                p95_total_s=f"{p95(walls):.3f}",
                time_limit_s=args.time_limit,
            )
        )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--incidents", type=int, default=50)
    parser.add_argument("--repairs", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=5.0, help="repair time limit")
    parser.add_argument("--roster-time-limit", type=float, default=60.0, help="scale 1")
    parser.add_argument("--roster-time-limit-large", type=float, default=300.0, help="scale > 1")
    parser.add_argument("--scratch-time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/incidents.csv")
    args = parser.parse_args()
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            bench_scale(scale, args, Path(tmp), rows)
            write_atomic(args.out, csv_bytes(HEADER, rows))  # keep what is done so far
    with open(args.out, encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["row"] == "summary":
                print(
                    r["scale"],
                    r["task"],
                    r["n"],
                    r["to_order_s"],
                    r["p95_to_order_s"],
                    r["total_s"],
                    r["p95_total_s"],
                    r["detail"],
                    r["load1"],
                )


if __name__ == "__main__":
    main()
