"""``fangyi dispatch`` (a night emergency) and ``fangyi repair`` (people quarantined).

``dispatch`` keeps the path to the printed order lean (no solver imports): it loads the
campus and rules, plans the order, appends it to the audit log (durably, before anyone acts on
it), prints it, writes ``dispatch.json``, and only then re-plans what follows, which may
import the solvers. ``repair`` re-solves the rest of the roster's horizon with fewest changes.
Exit codes: 0 order meets its deadline / valid repaired roster; 1 deadline cannot be met / no
valid roster; 2 bad input.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.common import EXIT_NO_VALID_PLAN, EXIT_OK, err_console, input_errors

if TYPE_CHECKING:
    from optimizer.roster.domain import RosterInstance
    from optimizer.roster.repair import RepairResult


class Event(StrEnum):
    """Incident kinds a dispatch can be for."""

    case = "case"
    contact = "contact"
    goods = "goods"
    home = "home"


def register(app: typer.Typer) -> None:
    """Add the ``dispatch`` and ``repair`` commands to the app."""
    app.command("dispatch")(dispatch)
    app.command("repair")(repair)


def dispatch(
    instance: Annotated[Path, typer.Argument(help="Instance folder.")],
    event: Annotated[Event, typer.Option("--event", help="Kind of incident.")],
    where: Annotated[str, typer.Option("--where", help="Building id (site id for --event goods).")],
    at: Annotated[
        str | None,
        typer.Option("--at", help='When it was reported, "YYYY-MM-DD HH:MM" (default: now).'),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option("--plan", help="Plan folder with roster.csv / routes.csv; holds the log."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for dispatch.json (default: --plan).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="--event home: daily disinfection until this date."),
    ] = None,
    replan: Annotated[
        bool,
        typer.Option("--replan/--no-replan", help="Re-plan roster and routes after the order."),
    ] = True,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for re-planning.")
    ] = 8.0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Solver threads (default: all cores).")
    ] = None,
) -> None:
    """Dispatch disinfection groups to an incident and print the order."""
    from optimizer.incidents.audit import append_record
    from optimizer.incidents.night import (
        daily_until,
        load_night,
        order_json,
        order_record,
        order_text,
        plan_order,
    )
    from optimizer.io import write_json

    out_dir = out or plan or Path("out")
    log_dir = plan or out_dir
    with input_errors():
        night = load_night(instance, at, plan, log_dir)
        order = plan_order(night, event.value, where)
        home_until = daily_until(night, order.kind, until)
    dispatch_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    text = order_text(night, order, home_until)
    # Logged durably before it is shown: an order someone may act on is never missing.
    append_record(night.audit_path, order_record(night, order, dispatch_id))
    typer.echo(text)
    write_json(out_dir / "dispatch.json", order_json(night, order, dispatch_id, text))
    if replan and plan is not None:
        from optimizer.incidents.replan import replan_roster, replan_routes

        follows = [replan_routes(night, order, plan, home_until)]
        if night.roster_instance is not None:
            follows.append(
                replan_roster(night, order, plan, time_limit=time_limit, workers=workers)
            )
        for follow in follows:
            typer.echo("\n".join(follow.lines))
            append_record(
                night.audit_path,
                {
                    "type": "replan",
                    "dispatch": dispatch_id,
                    "ok": follow.ok,
                    "replaced": list(follow.replaced),
                    "version": follow.version,
                },
            )
    raise typer.Exit(EXIT_OK if order.meets_deadline else EXIT_NO_VALID_PLAN)


def repair(
    instance: Annotated[Path, typer.Argument(help="Instance folder.")],
    roster: Annotated[Path, typer.Option("--roster", help="The roster.csv to repair.")],
    unavailable: Annotated[
        str, typer.Option("--unavailable", help="Volunteer ids, comma separated.")
    ],
    start: Annotated[
        str, typer.Option("--from", help='From when they are unavailable, "YYYY-MM-DD HH:MM".')
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the repaired roster.")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1)] = 5.0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Solver threads (default: all cores).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Re-plan the roster after people become unavailable, changing as little as possible."""
    from optimizer.incidents.rules import load_dispatch_settings
    from optimizer.io import InputError, parse_datetime, parse_list, staged_outputs
    from optimizer.roster.load import load_roster_instance
    from optimizer.roster.repair import repair_roster
    from optimizer.validate_roster import read_roster_csv, validate_roster

    with input_errors():
        inst = load_roster_instance(instance)
        old = read_roster_csv(inst, roster)
        people = parse_list(unavailable)
        known = {v.id for v in inst.volunteers}
        for vid in people:
            if vid not in known:
                raise InputError("--unavailable", f"unknown volunteer '{vid}'")
        if not people:
            raise InputError("--unavailable", "at least one volunteer id is needed")
        try:
            when = parse_datetime(start)
        except ValueError:
            raise InputError("--from", f"expected YYYY-MM-DD HH:MM, got '{start}'") from None
        minute = int((when - dt.datetime.combine(inst.start, dt.time())).total_seconds() // 60)
        if not 0 <= minute < inst.days * 1440:
            raise InputError("--from", f"{start} is outside the roster's horizon")
        weight = load_dispatch_settings(instance).change_weight
        try:
            result = repair_roster(
                inst,
                old,
                people,
                minute,
                change_weight=weight,
                time_limit=time_limit,
                workers=workers,
                seed=seed,
            )
        except ValueError as exc:
            raise InputError(roster, str(exc)) from None
    if not result.valid:
        _print_shortfalls(inst, result)
        raise typer.Exit(EXIT_NO_VALID_PLAN)
    report = validate_roster(result.instance, result.assignments)
    if not report.ok:
        err_console.print(f"repaired roster fails validation: {report.violations[0].text}")
        raise typer.Exit(EXIT_NO_VALID_PLAN)
    _print_changes(inst, result)
    from optimizer.incidents.repair_files import changes_csv, summary
    from optimizer.roster.export import roster_csv

    request = {"unavailable": list(people), "from": f"{when:%Y-%m-%d %H:%M}"}
    with staged_outputs(out) as files:
        files["roster.csv"] = roster_csv(inst, result.assignments)
        files["changes.csv"] = changes_csv(inst, result.changes)
        files["summary.json"] = summary(result, report, request)
    raise typer.Exit(EXIT_OK)


def _print_changes(inst: RosterInstance, result: RepairResult) -> None:
    from optimizer.incidents.repair_files import change_line

    added = [c for c in result.changes if c.added]
    removed = [c for c in result.changes if not c.added]
    typer.echo(
        f"repair: {result.status} in {result.wall_s:.1f} s; "
        f"{len(added)} newly called in, {len(removed)} relieved"
    )
    for c in result.changes:
        typer.echo("  " + change_line(inst, c))


def _print_shortfalls(inst: RosterInstance, result: RepairResult) -> None:
    if not result.shortfalls:
        err_console.print(f"no repaired roster found ({result.status}); try a longer --time-limit")
        return
    err_console.print("no valid roster: these post-shifts cannot be covered:")
    posts = {p.id: p.name for p in inst.posts}
    for s in result.shortfalls:
        shift = inst.shift(s.shift)
        err_console.print(
            f"  {inst.date(s.day).isoformat()} {shift.name} {posts[s.post]} ({s.post}): "
            f"{s.missing} {'person' if s.missing == 1 else 'people'} short",
            highlight=False,
        )
