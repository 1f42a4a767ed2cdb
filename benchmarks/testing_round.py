"""Benchmark the mass-testing round (slots, staffing, home visits) and the school rotation.

For each scale (1 is ``instances/dongying``; others are generated with the same seed) the
round of the instance's first day is planned as ``fangyi testing`` plans it (one time limit
for the three models), every output is read back by the independent validator, and with
``--reference S`` each model is solved again for S seconds on the same input (staffing on the
same slot plan) so the default run's objective can be compared with a long run's best.
The rotation of the scale's pupils is timed too.

Writes ``benchmarks/results/testing_round.csv`` (rows appended): one row per scale and model,
with machine, date, time limit, the load average at that moment, wall time, status,
objective, bound, gap, the reference objective and the excess over it, the longest expected
wait, workers called in, people, whether every resident is covered and every queue within its
cap (the validator's verdict).

    python benchmarks/testing_round.py                          # scale 1, 50 s
    python benchmarks/testing_round.py --scales 1 10 --reference 600
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from optimizer.generators.dongying import write as write_instance  # noqa: E402
from optimizer.io import csv_bytes, write_atomic  # noqa: E402
from optimizer.testing.export import write_testing_outputs  # noqa: E402
from optimizer.testing.home_visits import plan_home_visits  # noqa: E402
from optimizer.testing.load import load_round  # noqa: E402
from optimizer.testing.plan import plan_loaded_round  # noqa: E402
from optimizer.testing.rotation import plan_rotation_of  # noqa: E402
from optimizer.testing.school import load_school  # noqa: E402
from optimizer.testing.slots import plan_slots  # noqa: E402
from optimizer.testing.staffing import plan_staffing  # noqa: E402
from optimizer.validate_testing import round_reports  # noqa: E402

HEADER = [
    "machine",
    "date",
    "scale",
    "model",
    "time_limit_s",
    "load_1m",
    "load_5m",
    "wall_s",
    "status",
    "objective",
    "bound",
    "gap",
    "reference_s",
    "reference_objective",
    "excess_over_reference",
    "longest_wait_min",
    "workers_used",
    "people",
    "valid",
]
RESULTS = REPO / "benchmarks" / "results" / "testing_round.csv"


def instance_folder(scale: int, tmp: Path) -> Path:
    """``instances/dongying`` for scale 1, else a generated folder."""
    if scale == 1:
        return REPO / "instances" / "dongying"
    folder = tmp / f"dongying-x{scale}"
    write_instance(folder, scale=scale, seed=0)
    return folder


def reference(rnd, plan, model: str, seconds: float) -> float | None:
    """Best objective of a ``seconds``-long solve of ``model`` on the same input."""
    if model == "slots":
        return plan_slots(rnd, time_limit=seconds)[1].objective
    if model == "staffing":
        return plan_staffing(rnd, list(plan.slots), time_limit=seconds)[2].objective
    return plan_home_visits(rnd, time_limit=seconds)[1].objective


def bench_scale(scale: int, time_limit: float, ref_s: float, tmp: Path) -> list[list[object]]:
    """Rows for one scale: the three models of the round, then the rotation."""
    folder = instance_folder(scale, tmp)
    rnd = load_round(folder, load_school(folder).start)
    plan = plan_loaded_round(rnd, time_limit=time_limit)
    out = tmp / f"out-x{scale}"
    write_testing_outputs(plan, out)
    reports = round_reports(folder, out)
    common = {
        "machine": platform.node() or platform.machine(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "scale": scale,
        "people": sum(a.people for a in plan.slots),
    }
    rows = []
    for stats in plan.stats:
        ref = reference(rnd, plan, stats.model, ref_s) if ref_s and stats.ok else None
        excess = (
            None
            if ref is None or stats.objective is None
            else round((stats.objective - ref) / max(1.0, abs(ref)), 5)
        )
        rows.append(
            {
                **common,
                "model": stats.model,
                "time_limit_s": time_limit,
                "wall_s": round(stats.wall_s, 2),
                "status": stats.status,
                "objective": stats.objective,
                "bound": stats.bound,
                "gap": None if stats.gap is None else round(stats.gap, 5),
                "reference_s": ref_s or None,
                "reference_objective": ref,
                "excess_over_reference": excess,
                "longest_wait_min": plan.longest_wait() if stats.model == "slots" else None,
                "workers_used": plan.workers_used() if stats.model == "staffing" else None,
                "valid": not reports[stats.model].violations,
                **loads(),
            }
        )
    rows.append({**common, **round_total(plan, time_limit, reports)})
    school = load_school(folder)
    t0 = time.perf_counter()
    rot = plan_rotation_of(school, time_limit=10)
    rows.append(
        {
            **common,
            "model": "rotation",
            "time_limit_s": 10,
            "people": len(school.pupils),
            "wall_s": round(time.perf_counter() - t0, 2),
            "status": rot.stats.status,
            "objective": rot.stats.objective,
            "bound": rot.stats.bound,
            "gap": rot.stats.gap,
            "valid": rot.stats.ok,
            **loads(),
        }
    )
    return [[row.get(h) for h in HEADER] for row in rows]


def round_total(plan, time_limit: float, reports) -> dict[str, object]:
    """The whole round as ``fangyi testing`` runs it."""
    return {
        "model": "round",
        "time_limit_s": time_limit,
        "wall_s": round(plan.wall_s, 2),
        "status": "ok" if plan.ok else "failed",
        "longest_wait_min": plan.longest_wait(),
        "workers_used": plan.workers_used(),
        "valid": all(not r.violations for r in reports.values()),
        **loads(),
    }


def loads() -> dict[str, float]:
    """The load average now (1 and 5 minutes), so figures under load are honest about it."""
    one, five, _ = os.getloadavg()
    return {"load_1m": round(one, 2), "load_5m": round(five, 2)}


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument(
        "--time-limit",
        type=float,
        default=50.0,
        help="seconds for the three models together (scale 1)",
    )
    parser.add_argument(
        "--reference",
        type=float,
        default=0.0,
        help="seconds per model for the reference runs (0 = none)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="fangyi-bench-") as tmp:
        for scale in args.scales:
            # Larger rounds get proportionally more time, up to 10 minutes.
            limit = min(600.0, args.time_limit * (1 if scale == 1 else 4))
            for row in bench_scale(scale, limit, args.reference, Path(tmp)):
                rows.append(row)
                print(dict(zip(HEADER, row, strict=True)), flush=True)
    old: list[list[str]] = []
    if args.out.exists():
        with args.out.open(encoding="utf-8-sig", newline="") as fh:
            old = list(csv.reader(fh))[1:]
    write_atomic(args.out, csv_bytes(HEADER, [*old, *rows]))


if __name__ == "__main__":
    main()
