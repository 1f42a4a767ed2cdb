"""``fangyi check``: re-check plan files against their instance with the independent validators.

One command for every plan kind: each kind is an option (``--roster FILE`` today) mapped in
``check`` to a function ``(instance folder, plan file) -> report``. A report has
``violations`` (items with ``rule`` and ``text``), ``penalties`` (items with ``rule``,
``amount`` and ``text``) and ``objective``; :class:`optimizer.validate_roster.RosterReport` is
one. Adding a plan kind = one option, one entry in the ``plans`` dict, one checker function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.table import Table
from rich.text import Text

from optimizer import validate_testing as testing_checks
from optimizer.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_NO_VALID_PLAN,
    EXIT_OK,
    console,
    fail,
    input_errors,
)


class Finding(Protocol):
    """A hard violation: which rule, in words."""

    rule: str
    text: str


class Priced(Finding, Protocol):
    """A soft penalty: which rule, in words, and its points."""

    amount: int


class PlanReport(Protocol):
    """What a validator returns, whatever the plan kind."""

    violations: Sequence[Finding]
    penalties: Sequence[Priced]
    objective: int


Checker = Callable[[Path, Path], PlanReport]


def check_roster(instance: Path, roster: Path) -> PlanReport:
    """Load the roster instance and validate the roster file against it."""
    from optimizer.roster.load import load_roster_instance
    from optimizer.validate_roster import read_roster_csv, validate_roster

    inst = load_roster_instance(instance)
    return validate_roster(inst, read_roster_csv(inst, roster))


def check_routes(instance: Path, routes: Path) -> PlanReport:
    """Load the campus and validate the disinfection routes file against it."""
    from optimizer.validate_routes import routes_report

    return routes_report(instance, routes)


def _grouped(rule_of: Sequence[str]) -> list[str]:
    """Rule names in order of first appearance."""
    return list(dict.fromkeys(rule_of))


def print_report(title: str, report: PlanReport) -> None:
    """Print every hard violation and soft penalty, grouped by rule, with totals."""
    if report.violations:
        table = Table(title=f"{title}: hard violations", title_justify="left", show_lines=False)
        table.add_column("rule", style="bold red", no_wrap=True)
        table.add_column("violation", overflow="fold")
        for rule in _grouped([v.rule for v in report.violations]):
            items = [v for v in report.violations if v.rule == rule]
            for i, v in enumerate(items):
                table.add_row(rule if i == 0 else "", Text(v.text))
            table.add_row(
                "", Text(f"{rule}: {len(items)} in total", style="bold"), end_section=True
            )
        console.print(table)
    if report.penalties:
        table = Table(title=f"{title}: soft penalties", title_justify="left")
        table.add_column("rule", style="bold", no_wrap=True)
        table.add_column("points", justify="right")
        table.add_column("penalty", overflow="fold")
        for rule in _grouped([p.rule for p in report.penalties]):
            items = [p for p in report.penalties if p.rule == rule]
            for i, p in enumerate(items):
                table.add_row(rule if i == 0 else "", str(p.amount), Text(p.text))
            subtotal = sum(p.amount for p in items)
            table.add_row(
                "",
                Text(str(subtotal), style="bold"),
                Text(f"{rule}: {len(items)} in total", style="bold"),
                end_section=True,
            )
        table.add_row("total", Text(str(report.objective), style="bold"), "")
        console.print(table)
    n = len(report.violations)
    verdict = "[green]valid[/]" if n == 0 else f"[red]{n} hard violation{'s' * (n != 1)}[/]"
    console.print(f"{title}: {verdict}, objective {report.objective}", highlight=False)


def run_checks(instance: Path, plans: dict[str, tuple[Path | None, Checker]]) -> None:
    """Validate every given plan file; exit 1 if any has a hard violation, 2 on bad input."""
    given = [(kind, path, checker) for kind, (path, checker) in plans.items() if path is not None]
    if not given:
        options = ", ".join(f"--{kind} FILE" for kind in plans)
        raise fail(f"nothing to check: give at least one of {options}", EXIT_BAD_INPUT)
    with input_errors():
        reports = [(f"{kind} {path}", checker(instance, path)) for kind, path, checker in given]
    for title, report in reports:
        print_report(title, report)
    invalid = any(report.violations for _, report in reports)
    raise typer.Exit(EXIT_NO_VALID_PLAN if invalid else EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to the app."""

    @app.command("check")
    def check(
        instance: Annotated[
            Path, typer.Argument(metavar="INSTANCE", help="Instance folder the plans belong to.")
        ],
        roster: Annotated[
            Path | None,
            typer.Option(
                "--roster", metavar="FILE", help="Duty roster file (roster.csv, or .xlsx) to check."
            ),
        ] = None,
        routes: Annotated[
            Path | None,
            typer.Option("--routes", metavar="FILE", help="Disinfection routes.csv to check."),
        ] = None,
        slots: Annotated[
            Path | None, typer.Option("--slots", metavar="FILE", help="Testing slots.csv.")
        ] = None,
        staffing: Annotated[
            Path | None,
            typer.Option("--staffing", metavar="FILE", help="staffing.csv (slots.csv beside it)."),
        ] = None,
        home_visits: Annotated[
            Path | None,
            typer.Option(
                "--home-visits", metavar="FILE", help="home_visits.csv (slots.csv beside)."
            ),
        ] = None,
        rotation: Annotated[
            Path | None, typer.Option("--rotation", metavar="FILE", help="School rotation.csv.")
        ] = None,
    ) -> None:
        """List every hard violation and soft penalty of plan files (exit 1 if any hard one)."""
        run_checks(
            instance,
            {
                "roster": (roster, check_roster),
                "routes": (routes, check_routes),
                "slots": (slots, testing_checks.slots_report),
                "staffing": (staffing, testing_checks.staffing_report),
                "home-visits": (home_visits, testing_checks.home_visits_report),
                "rotation": (rotation, testing_checks.rotation_report),
            },
        )
