"""``fangyi routes INSTANCE --out DIR``: plan the week's disinfection routes and write them.

Load and check the campus (bad input: one line, exit 2, nothing written), plan the visit days
and each day's routes with progress on stderr, re-check the routes with the independent
validator, then write ``routes.csv``, ``unserved.csv``, ``routes_summary.json``,
``routes.xlsx`` and one ``routes_map_DATE.png`` per day into DIR atomically. Exit 0 when every
visit is routed and the validator finds nothing; 1 when visits had to be left out (they are
listed with the reason in ``unserved.csv``) or the validator objects.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from optimizer.cli.common import (
    EXIT_NO_VALID_PLAN,
    EXIT_OK,
    check_out_dir,
    console,
    err_console,
    fail,
    input_errors,
)

if TYPE_CHECKING:
    from optimizer.disinfection import DisinfectionPlan


def register(app: typer.Typer) -> None:
    """Add the ``routes`` command to the app."""
    app.command("routes")(routes)


def parse_days(text: str, start: dt.date, days: int) -> list[int]:
    """``--days``: comma-separated ISO dates or day numbers (0 = first day) -> day indices."""
    out = []
    for item in (t.strip() for t in text.split(",") if t.strip()):
        try:
            d = int(item) if item.isdigit() else (dt.date.fromisoformat(item) - start).days
        except ValueError:
            raise fail(f"--days: '{item}' is neither a date YYYY-MM-DD nor a day number") from None
        if not 0 <= d < days:
            raise fail(f"--days: '{item}' is outside the horizon ({start} + {days} days)")
        out.append(d)
    if not out:
        raise fail("--days: give at least one date or day number")
    return out


def routes(
    instance: Annotated[
        Path, typer.Argument(help="Instance folder (instance.toml and the campus tables).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the route files into.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Total solver time in seconds.")
    ] = 45.0,
    days: Annotated[
        str | None,
        typer.Option(
            "--days", help="Only these days: dates YYYY-MM-DD or numbers, comma-separated."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
) -> None:
    """Plan a week of disinfection visits and each group's daily routes into --out."""
    from rich.live import Live
    from rich.text import Text

    from optimizer.campus import load_campus
    from optimizer.disinfection import plan_week
    from optimizer.disinfection.export import route_files
    from optimizer.io import staged_outputs
    from optimizer.validate_routes import planned_days, read_routes, validate_routes

    check_out_dir(out)
    with input_errors():
        campus = load_campus(instance)
    chosen = None if days is None else parse_days(days, campus.start, campus.days)
    line = Text("")
    with Live(line, console=err_console, refresh_per_second=4, transient=True) as live:

        def progress(msg: str) -> None:
            if " done:" in msg or msg.startswith(("visit plan ", "stopped ")):
                live.console.print(msg, highlight=False, markup=False)
            else:
                live.update(Text(msg))

        plan = plan_week(
            campus, time_limit=time_limit, days=chosen, seed=seed, on_progress=progress
        )
    files = route_files(plan)
    # Re-check what is about to be written with the independent validator.
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("routes.csv", "routes_summary.json"):
            (Path(tmp) / name).write_bytes(files[name])
        with input_errors():
            rows = read_routes(campus, Path(tmp) / "routes.csv")
            violations = validate_routes(
                campus, rows, planned_days(campus, Path(tmp) / "routes.csv")
            )
    with staged_outputs(out) as staged:
        staged.update(files)
    _print_summary(plan)
    if plan.interrupted:
        err_console.print(
            "stopped early (Ctrl-C): routes are valid but not searched as long as asked",
            highlight=False,
        )
    unserved = sum(len(d.unserved) for d in plan.days)
    for v in violations[:20]:
        err_console.print(f"[red]violation[/] {v}", highlight=False)
    if unserved:
        err_console.print(
            f"{unserved} visits left out: see {out / 'unserved.csv'}", highlight=False
        )
    console.print(f"wrote {len(files)} files to {out}", highlight=False)
    raise typer.Exit(EXIT_NO_VALID_PLAN if unserved or violations else EXIT_OK)


def _print_summary(plan: DisinfectionPlan) -> None:
    """A table per day: visits, kilometres, busiest group, unserved visits, solve time."""
    table = Table(title="disinfection routes", title_justify="left")
    for col in ("date", "day", "visits", "km walked", "longest group", "unserved", "s"):
        table.add_column(col, justify="right" if col not in ("date", "day") else "left")
    for d in plan.days:
        table.add_row(
            d.date.isoformat(),
            plan.campus.weekday(d.day)[:3],
            str(d.visits),
            f"{d.walking_m / 1000:.1f}",
            f"{d.longest_minutes // 60}h{d.longest_minutes % 60:02d}",
            str(len(d.unserved)),
            f"{d.wall_s:.1f}",
        )
    console.print(table)
    console.print(plan.summary(), highlight=False)
