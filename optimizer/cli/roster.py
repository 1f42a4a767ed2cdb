"""``fangyi roster INSTANCE --out DIR``: plan the week's duty roster and write it.

Load (bad input: one line, exit 2), solve with a live progress line on stderr, print a
summary table, re-check the roster with the independent validator, and only then write
``roster.csv``, ``roster_by_person.csv``, ``summary.json`` and ``roster.xlsx`` into DIR, each
atomically. Exit 0 with a valid roster; 1 when there is none (infeasible, timeout, or hard
violations found by the validator), with nothing written; 2 on bad input.
The terminal shows figures and rule totals only: names stay in the output files.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
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
    from optimizer.roster.domain import RosterInstance
    from optimizer.roster.plan import RosterPlan
    from optimizer.roster.solve import Progress
    from optimizer.validate_roster import RosterReport

OUTPUT_FILES = ("roster.csv", "roster_by_person.csv", "summary.json", "roster.xlsx")


def register(app: typer.Typer) -> None:
    """Add the ``roster`` command to the app."""
    app.command("roster")(roster)


def roster(
    instance: Annotated[
        Path, typer.Argument(help="Instance folder (instance.toml and the roster tables).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the roster files into.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Solver time limit in seconds.")
    ] = 60.0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Solver threads (default: all cores).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
) -> None:
    """Plan the duty roster of INSTANCE and write it into --out."""
    from optimizer.roster.load import load_roster_instance

    with input_errors():
        inst = load_roster_instance(instance)
    raise typer.Exit(plan_roster(inst, out, time_limit=time_limit, workers=workers, seed=seed))


def plan_roster(
    inst: RosterInstance, out: Path, *, time_limit: float, workers: int | None, seed: int
) -> int:
    """Solve, summarise, validate and write the roster of ``inst``; return the exit code."""
    from optimizer.roster.solve import solve_roster
    from optimizer.validate_roster import validate_roster

    check_out_dir(out)
    line = _ProgressLine()
    from rich.live import Live

    with Live(line, console=err_console, refresh_per_second=4, transient=True):
        plan = solve_roster(
            inst, time_limit=time_limit, workers=workers, seed=seed, on_progress=line.update
        )
    report = validate_roster(inst, plan.assignments) if plan.is_feasible() else None
    console.print(_summary_table(plan, report))
    if report is None:
        _print_no_roster(plan, time_limit)
        return EXIT_NO_VALID_PLAN
    if not report.ok:
        _print_violation_counts(report)
        return EXIT_NO_VALID_PLAN
    _write(inst, plan, report, out)
    console.print(f"wrote {', '.join(OUTPUT_FILES)} to {out}", highlight=False, soft_wrap=True)
    return EXIT_OK


class _ProgressLine:
    """The live line: best objective, bound, gap and elapsed time (ticks between updates)."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.best: Progress | None = None

    def update(self, progress: Progress) -> None:
        self.best = progress

    def __rich__(self) -> Text:
        elapsed = time.monotonic() - self.start
        p = self.best
        if p is None:
            return Text(f"solving… no roster yet, {elapsed:.1f} s")
        return Text(
            f"solving… best {p.objective}  bound {p.bound:g}  gap {p.gap:.2%}  {elapsed:.1f} s"
        )


def _summary_table(plan: RosterPlan, report: RosterReport | None) -> Table:
    """Status, objective, bound, gap, wall time, hard violations and penalties by rule."""
    table = Table(title=f"{plan.instance.name}: roster", title_justify="left")
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    table.add_column("count", justify="right")
    table.add_row("status", plan.status, "")
    table.add_row("objective", _num(plan.objective), "")
    table.add_row("bound", _num(plan.bound), "")
    table.add_row("gap", "" if plan.gap is None else f"{plan.gap:.2%}", "")
    table.add_row("wall time", f"{plan.wall_s:.1f} s", "")
    table.add_row("assignments", str(len(plan.assignments)), "")
    table.add_row(
        "hard violations",
        "" if report is None else str(len(report.violations)),
        "",
        end_section=True,
    )
    if report is not None:
        totals: dict[str, list[int]] = {}
        for p in report.penalties:
            entry = totals.setdefault(p.rule, [0, 0])
            entry[0] += p.amount
            entry[1] += 1
        for rule, (points, n) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
            table.add_row(f"penalty {rule}", str(points), str(n))
        table.add_row("penalties total", str(report.objective), str(len(report.penalties)))
    return table


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _print_no_roster(plan: RosterPlan, time_limit: float) -> None:
    """Why there is no roster, in the coordinator's words; nothing is written."""
    if plan.explanation:
        for reason in plan.explanation:
            console.print(Text(reason), soft_wrap=True)
    elif plan.status == "timeout":
        console.print(Text(f"no roster found within {time_limit:g} s; try a longer --time-limit"))
    console.print(Text(f"no roster written ({plan.status})"))


def _print_violation_counts(report: RosterReport) -> None:
    """Hard violations by rule (counts only: the texts carry names)."""
    counts: dict[str, int] = {}
    for v in report.violations:
        counts[v.rule] = counts.get(v.rule, 0) + 1
    listed = ", ".join(f"{rule} {n}" for rule, n in counts.items())
    console.print(
        Text(f"the independent validator found hard violations ({listed}); no roster written"),
        soft_wrap=True,
    )


def _write(inst: RosterInstance, plan: RosterPlan, report: RosterReport, out: Path) -> None:
    """Build every file in memory, then write each atomically (exit 2 if DIR is unwritable)."""
    from optimizer.io import staged_outputs
    from optimizer.roster import export

    files = {
        "roster.csv": export.roster_csv(inst, plan.assignments),
        "roster_by_person.csv": export.roster_by_person_csv(inst, plan.assignments),
        "summary.json": export.summary_json(
            inst,
            status=plan.status,
            objective=plan.objective,
            bound=plan.bound,
            gap=plan.gap,
            wall_s=plan.wall_s,
            hard_violations=len(report.violations),
            penalties=report.penalties,
            assignments=len(plan.assignments),
            explanation=plan.explanation,
        ),
        "roster.xlsx": export.roster_xlsx(inst, plan.assignments),
    }
    try:
        with staged_outputs(out) as staged:
            staged.update(files)
    except OSError as exc:
        raise fail(f"{out}: cannot write ({exc.strerror})", EXIT_BAD_INPUT) from None
