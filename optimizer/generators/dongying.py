"""Generate the default Dongying campus instance: ``python -m optimizer.generators.dongying``.

``--out DIR`` receives ``instance.toml`` and every table of every part in ``PARTS`` (roster
first); ``--scale K`` multiplies people and demand (1 = the committed ``instances/dongying``;
10 = 1,460 volunteers); ``--seed N`` changes the synthetic names and draws. The output depends
only on (scale, seed), so the committed folder is reproducible byte for byte.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from optimizer.generators import Part, render
from optimizer.generators.campus_part import campus_part
from optimizer.generators.incidents_part import incidents_part
from optimizer.generators.roster_part import roster_part
from optimizer.generators.testing_part import testing_part
from optimizer.io import staged_outputs

# Each concern appends its part here; the roster part comes first (it holds name/start/days).
PARTS: tuple[Part, ...] = (roster_part, campus_part, incidents_part, testing_part)


def generate(scale: int = 1, seed: int = 0) -> dict[str, bytes]:
    """All files of the Dongying instance at ``scale`` and ``seed``, by file name."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    return render(PARTS, scale, seed)


def write(out: str | Path, scale: int = 1, seed: int = 0) -> list[str]:
    """Write the instance into ``out`` (each file atomically); return the file names."""
    files = generate(scale, seed)
    with staged_outputs(out) as staged:
        staged.update(files)
    return list(files)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m optimizer.generators.dongying", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", required=True, type=Path, help="instance folder to write")
    parser.add_argument("--scale", type=int, default=1, help="multiply people and demand by K")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0 = committed)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    names = write(args.out, args.scale, args.seed)
    print(f"wrote {len(names)} files to {args.out}")


if __name__ == "__main__":
    main()
