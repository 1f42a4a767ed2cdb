"""Curtois-Qu shift scheduling benchmark: solve instance files with the campus roster engine.

    python benchmarks/shift_scheduling.py FILE... --time-limit S [--seeds N] --out DIR
        [--workers W] [--results CSV]

For every instance and seed the roster is solved by ``solve_roster`` and scored by the
independent validator (objective and hard violations come from it, not from the solver).
Writes ``DIR/<Instance>.csv`` (``employee,day,shift``, the best seed's roster) and
``DIR/results.csv``; ``--results`` also writes the table there (e.g.
``benchmarks/results/shift_scheduling.csv``). ``best_known`` is read from ``bounds.csv`` beside
the instance files when present. Each row records the machine, date, time limit and load.

Every file is read before any is solved: one that cannot be read is reported on one line
(file, row, column) and left out, the others are solved, and the exit code is then 2.
``results.csv`` is rewritten after each instance, so an interrupted run keeps what it measured.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.formats.curtois import read_curtois
from optimizer.io import InputError, write_csv
from optimizer.roster.domain import RosterInstance
from optimizer.roster.solve import Progress, solve_roster
from optimizer.validate_roster import validate_roster

COLUMNS = (
    "instance",
    "seed",
    "objective",
    "bound",
    "best_known",
    "gap_pct",
    "time_to_2pct_s",
    "wall_s",
    "status",
    "hard_violations",
    "time_to_first_s",
    "time_limit_s",
    "workers",
    "load_avg_1m",
    "machine",
    "date",
)


def best_known(instance_file: Path) -> int | None:
    """The instance's best known objective from ``bounds.csv`` beside it, if listed."""
    bounds = instance_file.parent / "bounds.csv"
    if not bounds.exists():
        return None
    with bounds.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row.get("instance") == instance_file.stem and row.get("best_known"):
                return int(row["best_known"])
    return None


def run(
    path: Path, inst: RosterInstance, seed: int, time_limit: float, workers: int | None
) -> tuple[dict[str, object], list[tuple[str, int, str]]]:
    """Solve the instance read from ``path`` with one seed; the results row and roster rows."""
    known = best_known(path)
    reached: list[float] = []
    first: list[float] = []

    def progress(p: Progress) -> None:
        if not first:
            first.append(p.elapsed_s)
        if known is not None and not reached and p.objective <= 1.02 * known:
            reached.append(p.elapsed_s)

    plan = solve_roster(
        inst, time_limit=time_limit, workers=workers, seed=seed, on_progress=progress
    )
    report = validate_roster(inst, plan.assignments)
    objective = report.objective if plan.is_feasible() else None
    roster = sorted((a.volunteer, a.day, a.shift) for a in plan.assignments)
    row: dict[str, object] = {
        "instance": path.stem,
        "seed": seed,
        "objective": objective,
        "bound": plan.bound,
        "best_known": known,
        "gap_pct": None
        if objective is None or not known
        else round(100 * (objective - known) / known, 3),
        "time_to_2pct_s": round(reached[0], 2) if reached else None,
        "wall_s": round(plan.wall_s, 2),
        "status": plan.status,
        "hard_violations": len(report.violations) if plan.is_feasible() else None,
        "time_to_first_s": round(first[0], 2) if first else None,
        "time_limit_s": time_limit,
        "workers": workers or os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return row, roster


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; the exit code (2 when a file could not be read)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--results", type=Path, default=None, help="also write the table here")
    args = ap.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        ap.error(f"--out {args.out} is a file, not a folder")
    instances: list[tuple[Path, RosterInstance]] = []
    for path in args.files:
        try:
            instances.append((path, read_curtois(path)))
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    for path, inst in instances:
        best: tuple[int, list[tuple[str, int, str]]] | None = None
        for seed in range(args.seeds):
            row, roster = run(path, inst, seed, args.time_limit, args.workers)
            rows.append(row)
            print(", ".join(f"{k}={row[k]}" for k in COLUMNS[:10]), flush=True)
            objective = row["objective"]
            if isinstance(objective, int) and (best is None or objective < best[0]):
                best = (objective, roster)
        if best is not None:
            write_csv(args.out / f"{path.stem}.csv", ("employee", "day", "shift"), best[1])
        mine = [r["objective"] for r in rows if r["instance"] == path.stem]
        if all(isinstance(o, int) for o in mine):
            print(f"{path.stem}: median objective {statistics.median(mine)}", flush=True)
        table = [[r[c] if r[c] is not None else "" for c in COLUMNS] for r in rows]
        write_csv(args.out / "results.csv", COLUMNS, table)
        if args.results:
            write_csv(args.results, COLUMNS, table)
    return 2 if len(instances) < len(args.files) else 0


if __name__ == "__main__":
    sys.exit(main())
