"""``fangyi demo``: plan the week for the bundled Dongying instance into ``out/``.

Today it writes the duty roster (see ``fangyi roster``); the same instance folder will feed
the disinfection routes and the testing round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import EXIT_BAD_INPUT, console, fail, input_errors
from optimizer.cli.roster import plan_roster


def bundled_instance() -> Path:
    """The ``instances/dongying`` folder of the source tree this package runs from."""
    return Path(__file__).resolve().parents[2] / "instances" / "dongying"


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the app."""
    app.command("demo")(demo)


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the plans into.")] = Path(
        "out"
    ),
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Solver time limit in seconds.")
    ] = 60.0,
) -> None:
    """Plan the bundled Dongying campus instance (the week's duty roster) into --out."""
    from optimizer.roster.load import load_roster_instance

    folder = bundled_instance()
    if not (folder / "instance.toml").is_file():
        raise fail(
            f"bundled instance not found at {folder}: run from a clone of the repository "
            "(pip install -e .)",
            EXIT_BAD_INPUT,
        )
    with input_errors():
        inst = load_roster_instance(folder)
    console.print(f"planning {inst.name} ({folder}) into {out}/", highlight=False)
    raise typer.Exit(plan_roster(inst, out, time_limit=time_limit, workers=None, seed=0))
