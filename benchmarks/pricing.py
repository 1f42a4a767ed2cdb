"""Speed of the roster pricing: the day-by-day programme against each person's CP-SAT model.

    python benchmarks/pricing.py FILE... [--rounds R] [--out CSV]

For each Curtois-Qu instance file, column generation runs ``R`` pricing rounds (default 5), so
the prices are those of a master part of the way to convergence, as in a dive. Then every person
whose rules fit the programme is priced at those prices by both, one solve after another on one
thread: the row gives the median milliseconds per solve of each, their ratio, and how many of
the solves reached the same optimum (CP-SAT stops at 2 s; an unproved solve counts as a
disagreement). Each row records the machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.formats.curtois import read_curtois
from optimizer.io import write_csv
from optimizer.roster import solve
from optimizer.roster.columns import ColumnGeneration

COLUMNS = (
    "instance",
    "people",
    "programmes",
    "rounds",
    "cp_sat_ms",
    "programme_ms",
    "speedup",
    "same_optimum",
    "machine",
    "date",
)


def measure(path: Path, rounds: int) -> dict[str, object]:
    """One row of the table for the instance file ``path``."""
    inst = read_curtois(path)
    start = time.monotonic()
    with solve._Interrupt() as interrupt:
        clock = solve.Clock(start, 3600, 1, 0, solve._Reporter(start, None), interrupt)
        generation = ColumnGeneration(inst, clock)
        with ThreadPoolExecutor(max_workers=2) as pool:
            assert generation.start(pool), f"{path.name}: a person has no roster"
            generation.converge(rounds, start + 3600, pool)
        generation.solve_master()
        prices = generation.prices()
        programmes = {v: p for v, p in generation.programmes.items() if p is not None}
        cp_ms, dp_ms, same = [], [], 0
        for volunteer in programmes:
            t = time.perf_counter()
            _, fast, _ = generation._price(volunteer, prices)
            dp_ms.append(1000 * (time.perf_counter() - t))
            generation.programmes[volunteer] = None  # CP-SAT prices this person now
            t = time.perf_counter()
            _, slow, _ = generation._price(volunteer, prices)
            cp_ms.append(1000 * (time.perf_counter() - t))
            same += round(slow) == fast
    return {
        "instance": path.stem,
        "people": len(inst.volunteers),
        "programmes": len(programmes),
        "rounds": rounds,
        "cp_sat_ms": round(statistics.median(cp_ms), 2) if cp_ms else None,
        "programme_ms": round(statistics.median(dp_ms), 2) if dp_ms else None,
        "speedup": round(statistics.median(cp_ms) / statistics.median(dp_ms), 1) if dp_ms else None,
        "same_optimum": same,
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="write the table here (CSV)")
    args = ap.parse_args(argv)
    rows = []
    for path in args.files:
        rows.append(measure(path, args.rounds))
        print(", ".join(f"{k}={v}" for k, v in rows[-1].items()), flush=True)
        if args.out is not None:
            write_csv(args.out, COLUMNS, [[row[c] for c in COLUMNS] for row in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
