"""What follows a call-out: the called groups rest, and the week's roster absorbs it.

After a night call-out each called group rests until ``back + rest_hours``. Any roster shift
of one of its members that overlaps that rest is given to someone else by
:func:`optimizer.roster.repair.repair_roster` (fewest changes, every rule kept), checked by the
independent validator, and written over the plan folder's ``roster.csv`` after the old one is
kept under ``versions/``. Imports the solver, so it runs after the order has been printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.incidents.dispatch import Order
from optimizer.incidents.night import Night, rest_until
from optimizer.incidents.versions import replace_plan_files


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
