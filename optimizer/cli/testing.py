"""``fangyi testing`` and ``fangyi rotation``: plan a mass-testing round and the school rotation.

Both load the instance (bad input: one line, exit 2), solve with a live progress line on
stderr, print a summary table, read the plan files back with the independent validator
(``optimizer.validate_testing``), and only then write them into ``--out``, each atomically.
Exit 0 with a valid plan (understaffing is printed and written, never hidden); 1 when there
is no valid plan (nothing written); 2 on bad input. Names stay in the files, never on screen.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.live import Live
from rich.table import Table
from rich.text import Text

from optimizer.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_NO_VALID_PLAN,
    EXIT_OK,
    check_out_dir,
    console,
    err_console,
    fail,
    input_errors,
)

if TYPE_CHECKING:
    from optimizer.testing.solver import SolveStats
    from optimizer.validate_testing import TestingReport


def register(app: typer.Typer) -> None:
    """Add the ``testing`` and ``rotation`` commands to the app."""
    app.command("testing")(testing)
    app.command("rotation")(rotation)


class _ProgressLine:
    """The live line: the latest solver message and the elapsed time."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = "starting"

    def update(self, message: str) -> None:
        """Show ``message`` as the latest progress."""
        self.last = message

    def __rich__(self) -> Text:
        return Text(f"solving… {self.last} ({time.monotonic() - self.start:.0f} s in all)")


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"--date: expected YYYY-MM-DD, got '{text}'", EXIT_BAD_INPUT) from None


def _stats_table(title: str, stats: tuple[SolveStats, ...], rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("model", "status", "objective", "bound", "gap", "time"):
        table.add_column(col, justify="left" if col in ("model", "status") else "right")
    for s in stats:
        table.add_row(
            s.model,
            s.status,
            "" if s.objective is None else f"{s.objective:g}",
            "" if s.bound is None else f"{s.bound:g}",
            "" if s.gap is None else f"{s.gap:.2%}",
            f"{s.wall_s:.1f} s",
        )
    for name, value in rows:
        table.add_row(name, value, "", "", "", "")
    return table


def _validated(
    files: dict[str, bytes | str], check: Callable[[Path], dict[str, TestingReport]]
) -> dict[str, TestingReport]:
    """Write ``files`` to a scratch folder and read them back with the validator (``check``)."""
    from optimizer.testing.export import write_files

    with tempfile.TemporaryDirectory(prefix="fangyi-") as tmp:
        write_files(files, tmp)
        return check(Path(tmp))


def _write(files: dict[str, bytes | str], out: Path) -> None:
    from optimizer.testing.export import write_files

    try:
        write_files(files, out)
    except OSError as exc:
        raise fail(f"{out}: cannot write ({exc.strerror})", EXIT_BAD_INPUT) from None


def _verdict(reports: dict[str, TestingReport]) -> bool:
    """Print violation counts by plan kind and rule; True when every plan is valid."""
    ok = True
    for kind, rep in reports.items():
        if rep.violations:
            ok = False
            counts: dict[str, int] = {}
            for f in rep.violations:
                counts[f.rule] = counts.get(f.rule, 0) + 1
            listed = ", ".join(f"{rule} {n}" for rule, n in counts.items())
            console.print(Text(f"{kind}: hard violations ({listed})"), soft_wrap=True)
    return ok


def testing(
    instance: Annotated[Path, typer.Argument(help="Instance folder (instance.toml, tables).")],
    date: Annotated[str, typer.Option("--date", help="Date of the round, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the plan files into.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds for all three models.")
    ] = 50.0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Solver threads (default: all cores).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
) -> None:
    """Plan a mass-testing round: time slots, staffing, home visits, notices, QR-code list."""
    from optimizer.testing.export import testing_files
    from optimizer.testing.load import load_round
    from optimizer.testing.plan import plan_loaded_round
    from optimizer.validate_testing import round_reports

    day = _parse_date(date)
    check_out_dir(out)
    with input_errors():
        rnd = load_round(instance, day)
    line = _ProgressLine()
    with Live(line, console=err_console, refresh_per_second=4, transient=True):
        plan = plan_loaded_round(
            rnd, time_limit=time_limit, seed=seed, num_workers=workers, on_progress=line.update
        )
    shortfall = sum(s.missing for s in plan.shortfalls)
    console.print(
        _stats_table(
            f"{rnd.name}: testing round {day}",
            plan.stats,
            [
                ("people", str(sum(a.people for a in plan.slots))),
                ("longest wait", f"{plan.longest_wait():.1f} min"),
                ("workers", str(plan.workers_used())),
                ("home visits", str(len(plan.visits))),
                ("understaffing", f"{shortfall} worker-slots"),
            ],
        )
    )
    if not plan.ok:
        failed = ", ".join(f"{s.model} {s.status}" for s in plan.stats if not s.ok)
        hint = "; try a longer --time-limit" if "timeout" in failed else ""
        if "slots infeasible" in failed:
            hint = (
                "; the buildings cannot be packed into slots within the queue caps and the "
                "walking limit: allow split, add tables, or widen the window"
            )
        elif "home_visits infeasible" in failed:
            hint = "; the teams cannot visit everyone in their hours: add teams or hours"
        console.print(
            Text(f"no valid plan ({failed or 'staffing not run'}){hint}; nothing written")
        )
        raise typer.Exit(EXIT_NO_VALID_PLAN)
    files = testing_files(plan)
    with input_errors():
        reports = _validated(files, lambda folder: round_reports(instance, folder))
    if not _verdict(reports):
        console.print("the independent validator rejected the plan; nothing written")
        raise typer.Exit(EXIT_NO_VALID_PLAN)
    summary = plan.summary()
    summary["validator"] = {
        k: {"violations": 0, "objective": r.objective} for k, r in reports.items()
    }
    files["testing_summary.json"] = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    _write(files, out)
    if shortfall:
        console.print(
            Text(
                f"understaffed: {shortfall} worker-slots missing, listed in understaffing.csv",
                style="bold red",
            )
        )
    console.print(f"wrote {', '.join(files)} to {out}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK)


def rotation(
    instance: Annotated[Path, typer.Argument(help="Instance folder (classes.csv, pupils.csv).")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the rotation into.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Solver time limit in seconds.")
    ] = 10.0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Solver threads (default: all cores).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="Last week's rotation.csv: keep each pupil's day."),
    ] = None,
) -> None:
    """Give each kindergarten and middle-school pupil a weekday: 20 % of each class a day."""
    from optimizer.testing.rotation import plan_rotation_of, rotation_files
    from optimizer.testing.school import load_school, with_previous
    from optimizer.validate_testing import rotation_report

    check_out_dir(out)
    with input_errors():
        school = load_school(instance)
        if previous is not None:
            school = with_previous(school, previous)
    line = _ProgressLine()
    with Live(line, console=err_console, refresh_per_second=4, transient=True):
        plan = plan_rotation_of(
            school,
            time_limit=time_limit,
            seed=seed,
            num_workers=workers,
            on_progress=line.update,
        )
    console.print(
        _stats_table(
            "school rotation",
            (plan.stats,),
            [
                ("pupils", str(len(school.pupils))),
                ("classes", str(len(school.classes))),
            ],
        )
    )
    if not plan.stats.ok:
        why = (
            "classes cannot be balanced to 20 % ± 1 with brothers and sisters together"
            if plan.stats.status == "infeasible"
            else "no rotation found in time"
        )
        console.print(Text(f"no rotation: {why}; nothing written"))
        raise typer.Exit(EXIT_NO_VALID_PLAN)
    files = rotation_files(plan)
    with input_errors():
        reports = _validated(
            files, lambda folder: {"rotation": rotation_report(instance, folder / "rotation.csv")}
        )
    if not _verdict(reports):
        console.print("the independent validator rejected the rotation; nothing written")
        raise typer.Exit(EXIT_NO_VALID_PLAN)
    _write(files, out)
    console.print(f"wrote {', '.join(files)} to {out}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK)
