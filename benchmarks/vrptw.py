"""VRPTW benchmark (Solomon, Gehring-Homberger) of fangyi's routing core and OR-Tools routing.

    python benchmarks/vrptw.py FILE.vrp... --time-limit 10 --out DIR [--solver both]
        [--append benchmarks/results/vrptw.csv]
    python benchmarks/vrptw.py --table benchmarks/results/vrptw.csv   # markdown summary

Each instance is read by fangyi's VRPLIB reader into our routing model and solved through the
same ``solve`` the campus routes use (or the OR-Tools baseline on the same model). The routes
are written as ``DIR/<NAME>.sol`` (VRPLIB solution format; the baseline's as
``DIR/<NAME>.ortools.sol``), then **read back from that file and checked by an independent
checker** that parses the instance with the ``vrplib`` package and recomputes everything in
double precision: arcs ``sqrt(dx*dx + dy*dy)`` for distance and
travel time, windows bounding the start of service, capacity, fleet size, each customer once.
``DIR/results.csv`` gets one row per instance and solver; ``--append`` also adds the rows to a
cumulative results table. The gap is against ``bks.csv`` beside the instance files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import math
import os
import platform
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from ortools_routing import solve_ortools  # noqa: E402

from optimizer.formats.vrplib_reader import read_vrplib  # noqa: E402
from optimizer.io import write_atomic, write_csv  # noqa: E402
from optimizer.routing.solve import solve  # noqa: E402

COLUMNS = [
    "instance",
    "solver",
    "vehicles",
    "distance",
    "bks_distance",
    "gap_pct",
    "wall_s",
    "feasible",
    "machine",
    "date",
    "time_limit",
    "loadavg",
    "workers",
    "seed",
    "engine",
    "violations",
]


def check_exact(vrp_path: Path, sol_path: Path) -> tuple[int, float, list[str]]:
    """Routes in ``sol_path`` checked against ``vrp_path`` in double precision.

    Returns (vehicles, exact distance, violations). Uses the ``vrplib`` package to parse both
    files, so neither fangyi's reader nor its solution objects are involved.
    """
    import vrplib

    inst = vrplib.read_instance(str(vrp_path))
    routes = vrplib.read_solution(str(sol_path))["routes"]
    xy = [tuple(map(float, p)) for p in inst["node_coord"]]
    n = len(xy)
    depot = int(inst["depot"][0])
    # vrplib returns the SERVICE_TIME header as a scalar and a SERVICE_TIME_SECTION as an array.
    service = np.broadcast_to(np.asarray(inst.get("service_time", 0.0), dtype=float), (n,)).tolist()
    service[depot] = 0.0
    early = [float(e) for e, _ in inst["time_window"]]
    late = [float(lo) for _, lo in inst["time_window"]]
    demand = [int(d) for d in inst["demand"]]

    def d(a: int, b: int) -> float:
        dx, dy = xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]
        return math.sqrt(dx * dx + dy * dy)

    # Customers are numbered 1..N in route files; node c is the c-th non-depot node.
    customers = [i for i in range(n) if i != depot]
    problems: list[str] = []
    seen: list[int] = []
    total = 0.0
    for k, route in enumerate(routes, start=1):
        nodes = [customers[c - 1] if 1 <= c <= len(customers) else -1 for c in route]
        if -1 in nodes:
            problems.append(f"route {k}: unknown customer number")
            continue
        seen += nodes
        if sum(demand[i] for i in nodes) > inst["capacity"]:
            problems.append(f"route {k}: over capacity")
        t, here = early[depot], depot
        for i in nodes:
            t = max(t + d(here, i), early[i])
            if t > late[i]:
                problems.append(f"route {k}: customer {i} starts at {t:.4f} > {late[i]}")
            t += service[i]
            total += d(here, i)
            here = i
        t += d(here, depot)
        total += d(here, depot)
        if t > late[depot]:
            problems.append(f"route {k}: back at {t:.4f} > {late[depot]}")
    if sorted(seen) != customers:
        problems.append("customers not all served exactly once")
    if len(routes) > inst.get("vehicles", len(customers)):
        problems.append(f"{len(routes)} routes > {inst['vehicles']} vehicles")
    return len(routes), total, problems


def write_sol(path: Path, routes: list[list[int]], cost: float) -> None:
    """Write ``Route #k: c1 c2 ...`` lines (customers numbered 1..N) and ``Cost``."""
    lines = [f"Route #{k}: " + " ".join(map(str, r)) for k, r in enumerate(routes, start=1)]
    lines.append(f"Cost {cost:.4f}")
    write_atomic(path, "\n".join(lines) + "\n")


def read_bks(folder: Path) -> dict[str, float]:
    """Best-known distances from ``bks.csv`` beside the instances (empty if absent)."""
    path = folder / "bks.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig") as fh:
        return {row["instance"]: float(row["distance"]) for row in csv.DictReader(fh)}


def machine() -> str:
    """CPU model and core count, for the results table."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def run(
    vrp: Path, solver: str, args: argparse.Namespace, bks: dict[str, float]
) -> dict[str, object]:
    """Solve one instance with one solver, write its .sol, check it, return the CSV row."""
    inst = read_vrplib(vrp)
    problem = inst.to_problem(args.scale)
    customer_no = {str(node): k for k, node in enumerate(inst.customers, start=1)}
    load = os.getloadavg()[0]
    if solver == "fangyi":
        sol = solve(problem, time_limit=args.time_limit, seed=args.seed, workers=args.workers)
    else:
        sol = solve_ortools(problem, time_limit=args.time_limit)
    # fangyi's routes are DIR/<NAME>.sol; the baseline's DIR/<NAME>.ortools.sol beside them.
    suffix = "" if solver == "fangyi" else f".{solver}"
    sol_path = args.out / f"{inst.name}{suffix}.sol"
    real = inst.distances()
    routes = [[customer_no[v.stop_id] for v in r.visits] for r in sol.routes]
    paths = [[inst.depot, *(int(v.stop_id) for v in r.visits), inst.depot] for r in sol.routes]
    cost = sum(real[a, b] for path in paths for a, b in itertools.pairwise(path))
    write_sol(sol_path, routes, cost)
    vehicles, distance, problems = check_exact(vrp, sol_path)
    if sol.status == "no solution":
        problems = ["no solution", *problems]
    best = bks.get(inst.name)
    gap = 100 * (distance - best) / best if best and not problems else None
    return {
        "instance": inst.name,
        "solver": solver,
        "vehicles": vehicles,
        "distance": f"{distance:.4f}",
        "bks_distance": f"{best:.4f}" if best else "",
        "gap_pct": f"{round(gap, 3) + 0.0:.3f}" if gap is not None else "",
        "wall_s": f"{sol.wall_s:.2f}",
        "feasible": not problems,
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "time_limit": args.time_limit,
        "loadavg": f"{max(load, os.getloadavg()[0]):.2f}",
        "workers": args.workers if solver == "fangyi" else 1,
        "seed": args.seed,
        "engine": sol.engine,
        "violations": "; ".join(problems[:3]),
    }


def table(path: Path) -> str:
    """Markdown summary of a results CSV: gaps per solver and time limit, feasibility, load."""
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    groups: dict[tuple[str, float, int], list[dict[str, str]]] = {}
    for r in rows:
        key = (r["solver"], float(r["time_limit"]), int(r["workers"]))
        groups.setdefault(key, []).append(r)
    lines = [
        "| solver | time limit (s) | processes | instances | feasible | mean gap % "
        "| median gap % | worst gap % | mean wall (s) | load average |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (solver, limit, workers), rs in sorted(groups.items()):
        gaps = sorted(float(r["gap_pct"]) for r in rs if r["gap_pct"])
        loads = [float(r["loadavg"]) for r in rs]
        stats = (
            f"{statistics.mean(gaps):.3f} | {statistics.median(gaps):.3f} | {gaps[-1]:.3f}"
            if gaps
            else "- | - | -"
        )
        feasible = sum(r["feasible"] == "True" for r in rs)
        lines.append(
            f"| {solver} | {limit:g} | {workers} | {len(rs)} | {feasible}/{len(rs)} | {stats} "
            f"| {statistics.mean(float(r['wall_s']) for r in rs):.1f} "
            f"| {min(loads):.1f}-{max(loads):.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit 1 if any solution is infeasible."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--solver", choices=["fangyi", "ortools", "both"], default="fangyi")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=int, default=10_000, help="integer units per unit")
    ap.add_argument("--append", type=Path, help="also add the rows to this results CSV")
    ap.add_argument("--table", type=Path, help="print a markdown summary of this CSV and exit")
    args = ap.parse_args(argv)
    if args.table:
        print(table(args.table))
        return 0
    if not args.files or args.out is None:
        ap.error("give instance files and --out DIR (or --table CSV)")
    args.out.mkdir(parents=True, exist_ok=True)
    solvers = ["fangyi", "ortools"] if args.solver == "both" else [args.solver]
    rows = []
    for vrp in args.files:
        bks = read_bks(vrp.parent)
        for solver in solvers:
            row = run(vrp, solver, args, bks)
            rows.append(row)
            print(
                f"{row['instance']:>10} {solver:>7}: {row['vehicles']:>3} routes "
                f"{row['distance']:>12} gap {row['gap_pct'] or '-':>7}% "
                f"{row['wall_s']:>6}s load {row['loadavg']} "
                f"{'ok' if row['feasible'] else 'INFEASIBLE ' + str(row['violations'])}",
                flush=True,
            )
    write_csv(args.out / "results.csv", COLUMNS, [[r[c] for c in COLUMNS] for r in rows])
    if args.append:
        old: list[list[object]] = []
        if args.append.exists():
            with args.append.open(encoding="utf-8-sig") as fh:
                old = [[r.get(c, "") for c in COLUMNS] for r in csv.DictReader(fh)]
        write_csv(args.append, COLUMNS, old + [[r[c] for c in COLUMNS] for r in rows])
    return 0 if all(r["feasible"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
