"""What follows a call-out: the called groups rest, and the week's plan absorbs it.

After a night call-out each called group rests until ``back + rest_hours``.

- Roster: any shift of one of its members that overlaps that rest is given to someone else by
  :func:`optimizer.roster.repair.repair_roster` (fewest changes, every rule kept).
- Routes: its visits in work windows that begin during the rest go to other groups' trips
  or its own later windows (:mod:`optimizer.incidents.routes_repair`); a quarantined home adds
  a daily visit of its sites until its date.

Each new plan file is checked by the independent validator and written over the plan folder's
file only after the old one is kept under ``versions/``. This imports the solvers, so it runs
after the order has been printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.incidents.dispatch import Order
from optimizer.incidents.night import Night, rest_until
from optimizer.incidents.versions import replace_plan_files
from optimizer.io import find_table


@dataclass(frozen=True)
class Followup:
    """What the re-planning did, in lines a coordinator can read, and files it replaced."""

    lines: tuple[str, ...]
    replaced: tuple[str, ...]
    version: str | None
    ok: bool


def resting_shifts(night: Night, order: Order) -> dict[str, int]:
    """Volunteer id -> end of rest, for called members rostered during their rest."""
    if night.roster_instance is None:
        return {}
    rests = rest_until(night, order)
    member_rest: dict[str, int] = {}
    for r in order.routes:
        g = r.candidate.group
        for m in g.members:
            if m.volunteer_id:
                member_rest[m.volunteer_id] = rests[g.id]
    out = {}
    for a in night.roster:
        end = member_rest.get(a.volunteer)
        if end is None:
            continue
        s, _ = night.roster_instance.shift(a.shift).span(a.day)
        if night.at <= s < end:
            out[a.volunteer] = end
    return out


def replan_roster(
    night: Night, order: Order, plan: Path, *, time_limit: float, workers: int | None
) -> Followup:
    """Repair the plan's roster so no called member works during their rest."""
    from optimizer.roster.export import roster_csv
    from optimizer.roster.repair import repair_roster
    from optimizer.validate_roster import validate_roster

    clash = resting_shifts(night, order)
    if not clash:
        return Followup(("值班表: 出动人员休息期间无排班, 无需调整。",), (), None, True)
    inst = night.roster_instance
    assert inst is not None
    until = max(clash.values())
    result = repair_roster(
        inst,
        night.roster,
        sorted(clash),
        night.at,
        until=until,
        change_weight=night.rules.settings.change_weight,
        time_limit=time_limit,
        workers=workers,
    )
    if not result.valid:
        lines = ["值班表: 无法在休息规则下重排, 请人工协调:"]
        lines += [
            f"  {inst.date(s.day).isoformat()} {s.shift} {s.post}: 缺 {s.missing} 人"
            for s in result.shortfalls
        ] or ["  (求解超时, 未找到可行值班表)"]
        return Followup(tuple(lines), (), None, False)
    report = validate_roster(result.instance, result.assignments)
    if not report.ok:
        return Followup(("值班表: 重排结果未通过校验, 未写入。",), (), None, False)
    names = {v.id: v.name for v in inst.volunteers}
    lines = [f"值班表: 出动人员休息, 调整 {len(result.changes)} 处:"]
    for c in result.changes:
        verb = "新增" if c.added else "撤下"
        lines.append(
            f"  {verb} {inst.date(c.day).isoformat()} {inst.shift(c.shift).name} "
            f"{c.post}: {names[c.volunteer]} ({c.volunteer})"
        )
    kept = replace_plan_files(
        plan,
        {"roster.csv": roster_csv(inst, result.assignments)},
        f"before the rest rule after dispatch at {night.when(night.at):%Y-%m-%d %H:%M}",
    )
    return Followup(tuple(lines), ("roster.csv",), str(kept) if kept else None, True)


def replan_routes(night: Night, order: Order, plan: Path, home_until: int | None) -> Followup:
    """Repair the plan's routes for the rest of the called groups (and a home's daily visits
    up to horizon day ``home_until``)."""
    from optimizer.disinfection.export import ROUTES_HEADER
    from optimizer.incidents.routes_repair import repair_routes, route_lines
    from optimizer.io import csv_bytes
    from optimizer.validate_routes import planned_days, read_routes, validate_routes

    path = find_table(plan, "routes")
    if path is None:
        return Followup(("消杀路线: 计划目录中没有 routes.csv, 未调整。",), (), None, True)
    campus = night.campus
    old = read_routes(campus, path)
    rests = rest_until(night, order)
    rest = {gid: (night.at, until) for gid, until in rests.items()}
    home = None
    if home_until is not None:
        sites = [s.site.id for r in order.routes for s in r.stops]
        home = (sites, night.at // 1440 + 1, min(home_until, campus.days - 1))
    fixed = repair_routes(campus, old, rest, home)
    if not fixed.touched_groups:
        return Followup(("消杀路线: 休息期间无路线任务, 无需调整。",), (), None, True)
    days = planned_days(campus, path)
    before = {v.text for v in validate_routes(campus, old, days)}
    left_out = {(date, sid) for date, sid in fixed.unserved}
    broken = [
        v
        for v in validate_routes(campus, list(fixed.rows), days)
        if v.text not in before and not (v.rule == "frequency" and (v.date, v.site_id) in left_out)
    ]
    if broken:
        return Followup(
            (f"消杀路线: 调整结果未通过校验, 未写入 ({broken[0].text})。",), (), None, False
        )
    names = {g.id: g.name for g in campus.groups}
    lines = [f"消杀路线: 调整 {len(fixed.touched_groups)} 个组日, 移动/新增 {len(fixed.moved)} 处:"]
    for date, sid, src, dst in fixed.moved:
        src_name = names[src] if src else "新增(居家隔离)"
        lines.append(f"  {date} {campus.sites[sid].name}: {src_name} -> {names[dst]}")
    lines += [
        f"  {date} {campus.sites[sid].name}: 无组可安排, 已记入 unserved.csv, 请人工处理"
        for date, sid in fixed.unserved
    ]
    files = {"routes.csv": csv_bytes(ROUTES_HEADER, route_lines(campus, fixed.rows))}
    if fixed.unserved:
        files["unserved.csv"] = _unserved_csv(plan, fixed.unserved)
    kept = replace_plan_files(
        plan, files, f"before the rest after dispatch at {night.when(night.at):%Y-%m-%d %H:%M}"
    )
    return Followup(tuple(lines), tuple(files), str(kept) if kept else None, not fixed.unserved)


def _unserved_csv(plan: Path, added: tuple[tuple[str, str], ...]) -> bytes:
    """The plan's ``unserved.csv`` (``date,site_id,reason``) with the newly left-out visits."""
    from optimizer.io import Col, csv_bytes, read_table

    rows: list[list[str]] = []
    path = find_table(plan, "unserved")
    if path is not None:
        cols = [Col("date"), Col("site_id"), Col("reason", required=False, default="")]
        rows = [
            [r["date"], r["site_id"], r["reason"]] for r in read_table(path, cols, allow_empty=True)
        ]
    reason = "called out at night: the group rests and no other group has time left that day"
    rows += [[date, sid, reason] for date, sid in added]
    return csv_bytes(["date", "site_id", "reason"], rows)
