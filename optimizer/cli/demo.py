"""``fangyi demo``: plan the week for the bundled Dongying instance into ``out/``.

It runs, in order, the duty roster (``fangyi roster``), the disinfection routes
(``fangyi routes``), the first day's mass-testing round (``fangyi testing``) and the school
rotation (``fangyi rotation``), each written into the same folder, and exits with the worst
exit code of the four.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _exit_code(step: Callable[[], object]) -> int:
    """Run one command function and return the exit code it raised (0 if it returned)."""
    try:
        step()
    except typer.Exit as done:
        return done.exit_code
    return 0


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the plans into.")] = Path(
        "out"
    ),
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", min=1.0, help="Solver seconds for each of the plans."),
    ] = 45.0,
) -> None:
    """Plan the bundled Dongying campus: roster, disinfection routes, testing round, rotation."""
    from optimizer.cli.routes import routes
    from optimizer.cli.testing import rotation, testing
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
    steps: list[tuple[str, Callable[[], object]]] = [
        ("roster", lambda: plan_roster(inst, out, time_limit=time_limit, workers=None, seed=0)),
        ("routes", lambda: routes(folder, out, time_limit=time_limit, days=None, seed=0)),
        (
            "testing",
            lambda: testing(
                folder, inst.start.isoformat(), out, time_limit=time_limit, workers=None, seed=0
            ),
        ),
        (
            "rotation",
            lambda: rotation(folder, out, time_limit=10.0, workers=None, seed=0, previous=None),
        ),
    ]
    codes: dict[str, int] = {}
    for name, step in steps:
        console.rule(name)
        code = step() if name == "roster" else _exit_code(step)
        codes[name] = int(code)  # plan_roster returns its code; the commands raise it
    console.rule("demo")
    console.print(
        "  ".join(f"{name}: {'ok' if c == 0 else f'exit {c}'}" for name, c in codes.items()),
        highlight=False,
    )
    raise typer.Exit(max(codes.values()))
