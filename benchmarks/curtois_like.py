"""Write synthetic instances in the Curtois-Qu shift scheduling format, at any size.

    python benchmarks/curtois_like.py --days 364 --staff 150 --types 32 --out FILE [--seed N]
    python benchmarks/curtois_like.py --published DIR      # one file per published size, 9-24

The public set's larger instances (9-24) are kept back for judging, so the engine's
robustness at their sizes (up to a year for 150 people with 32 shift types) is checked on
look-alikes: same sections and rules, limits in the proportions of the public instances 1-8
(17-18 of 28 days for full-time staff, 10 and 7 for part-time, runs of 2-5 days, 2-3 days
off, half the weekends, two fixed days off per four weeks, a few weighted requests, cover
rows of weight 100 under and 1 over). Every person can meet their hard limits on their own,
so every instance has a roster without hard violations; how good it can be is unknown.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

# (instance, days, staff, shift types) of the published set beyond the eight we hold.
PUBLISHED = (
    ("Like9", 28, 36, 4),
    ("Like10", 28, 40, 5),
    ("Like11", 28, 50, 6),
    ("Like12", 28, 60, 10),
    ("Like13", 28, 120, 18),
    ("Like14", 42, 32, 4),
    ("Like15", 42, 45, 6),
    ("Like16", 56, 20, 3),
    ("Like17", 56, 32, 4),
    ("Like18", 84, 22, 3),
    ("Like19", 84, 40, 5),
    ("Like20", 182, 50, 6),
    ("Like21", 182, 100, 8),
    ("Like22", 364, 50, 10),
    ("Like23", 364, 100, 16),
    ("Like24", 364, 150, 32),
)
REST_MINUTES = 11 * 60  # shorter rest between two shifts makes the pair a forbidden succession


def _id(i: int) -> str:
    """Spreadsheet-style ids: A..Z, AA, AB, ... as in the public files."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def generate(days: int, staff: int, types: int, seed: int = 0) -> str:
    """The text of one instance file (``days`` a multiple of 7)."""
    if days % 7:
        raise ValueError("the horizon is a whole number of weeks")
    rng = random.Random(seed)
    shifts = []
    for t in range(types):
        start = 6 * 60 + (t * 16 * 60) // max(1, types)  # spread from 06:00 to 22:00
        length = rng.choice((480, 480, 480, 600, 720))
        shifts.append((f"S{t}" if types > 26 else _id(t), start, length))
    lines = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS"]
    for sid, start, length in shifts:
        banned = [
            tid for tid, t_start, _ in shifts if 24 * 60 + t_start - (start + length) < REST_MINUTES
        ]
        lines.append(f"{sid},{length},{'|'.join(banned)}")
    lines += ["", "SECTION_STAFF"]
    people = [_id(i) for i in range(staff)]
    capacity = 0.0
    days_off = []
    for pid in people:
        share = rng.choices((18 / 28, 10 / 28, 7 / 28), weights=(8, 2, 1))[0]
        allowed = [s for s in shifts if rng.random() < 0.6] or [rng.choice(shifts)]
        max_run = rng.choice((5, 5, 6))
        min_run = 2 if share > 0.5 else 1
        min_off = rng.choice((2, 2, 3))
        # A witness roster (one shift type, a fixed cycle of work and rest) meets every limit
        # below by construction, so the person's hard rules can always be kept.
        run = max_run - 1 if share > 0.5 else 2  # one day short of the longest run: slack
        off = max(min_off, round(run / share) - run)
        phase = rng.randrange(run + off)
        worked = [d for d in range(days) if (d + phase) % (run + off) < run]
        length = min(s[2] for s in allowed)
        total = len(worked) * length
        capacity += len(worked)
        weekends = sum(1 for w in range(days // 7) if {7 * w + 5, 7 * w + 6} & set(worked))
        caps = "|".join(f"{sid}={days if (sid, a, b) in allowed else 0}" for sid, a, b in shifts)
        lines.append(
            f"{pid},{caps},{total + 480},{max(0, total - 480)},{max_run},{min_run},{min_off},"
            f"{max(weekends, days // 14)}"
        )
        free = sorted(set(range(days)) - set(worked))
        days_off.append(sorted(rng.sample(free, min(len(free), 2 * max(1, days // 28)))))
    lines += ["", "SECTION_DAYS_OFF"]
    for pid, off_days in zip(people, days_off, strict=True):
        lines.append(f"{pid},{','.join(str(d) for d in off_days)}")
    lines += ["", "SECTION_SHIFT_ON_REQUESTS"]
    requests = max(1, days // 14)
    for pid in people:
        for _ in range(requests):
            sid = rng.choice(shifts)[0]
            lines.append(f"{pid},{rng.randrange(days)},{sid},{rng.randint(1, 3)}")
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS"]
    for pid in people:
        for _ in range(requests):
            sid = rng.choice(shifts)[0]
            lines.append(f"{pid},{rng.randrange(days)},{sid},{rng.randint(1, 3)}")
    lines += ["", "SECTION_COVER"]
    per_day = capacity / days
    for d in range(days):
        weights = [rng.random() + 0.5 for _ in shifts]
        for (sid, _, _), w in zip(shifts, weights, strict=True):
            need = round(per_day * w / sum(weights) * rng.uniform(0.85, 1.1))
            lines.append(f"{d},{sid},{need},100,1")
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int)
    ap.add_argument("--staff", type=int)
    ap.add_argument("--types", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="instance file to write")
    ap.add_argument("--published", type=Path, help="folder: one look-alike per published size")
    args = ap.parse_args()
    if args.published:
        args.published.mkdir(parents=True, exist_ok=True)
        for name, days, staff, types in PUBLISHED:
            (args.published / f"{name}.txt").write_text(
                generate(days, staff, types, args.seed), encoding="utf-8", newline=""
            )
        return
    if not (args.days and args.staff and args.types and args.out):
        ap.error("give --days, --staff, --types and --out, or --published DIR")
    args.out.write_text(
        generate(args.days, args.staff, args.types, args.seed), encoding="utf-8", newline=""
    )


if __name__ == "__main__":
    main()
