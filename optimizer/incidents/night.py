"""One night dispatch: from the command's arguments to an order, its audit record and files.

Reads the campus, the incident rules, and (when a plan folder is given) the week's roster and
the audit log of earlier call-outs; plans the order with :mod:`optimizer.incidents.dispatch`;
renders it as text to read aloud or paste into a chat, as ``dispatch.json``, and as an audit
record that holds ids and times only (names are personal data and stay out of the log).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.campus.domain import KIND_LABELS, Member
from optimizer.campus.loader import load_campus
from optimizer.campus.model import Campus
from optimizer.incidents.audit import AUDIT_NAME, read_audit
from optimizer.incidents.dispatch import Order, candidates, make_order, target_sites
from optimizer.incidents.rules import IncidentKind, IncidentRules, load_incident_rules
from optimizer.io import InputError, clock, find_table, parse_datetime
from optimizer.roster.domain import Assignment, RosterInstance

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
STAMP = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Night:
    """Everything one dispatch reads: campus, rules, time of the call, roster, past call-outs."""

    campus: Campus
    rules: IncidentRules
    at: int
    audit_path: Path
    roster_instance: RosterInstance | None
    roster: tuple[Assignment, ...]

    def when(self, minute: int) -> dt.datetime:
        """The calendar time of horizon minute ``minute``."""
        return dt.datetime.combine(self.campus.start, dt.time()) + dt.timedelta(minutes=minute)

    def minute(self, when: dt.datetime) -> int:
        """Horizon minute of a calendar time (negative before the horizon)."""
        start = dt.datetime.combine(self.campus.start, dt.time())
        return int((when - start).total_seconds() // 60)

    def label(self, minute: int) -> str:
        """``12月02日(周三) 00:35``."""
        w = self.when(minute)
        return f"{w.month}月{w.day:02d}日({WEEKDAYS[w.weekday()]}) {clock(minute)}"

    def working(self, minute: int) -> dict[str, str]:
        """Volunteer id -> post id of everyone rostered on a shift under way at ``minute``."""
        out = {}
        inst = self.roster_instance
        for a in self.roster:
            assert inst is not None
            s, e = inst.shift(a.shift).span(a.day)
            if s <= minute < e:
                out[a.volunteer] = a.post
        return out


def load_night(instance: Path, at_text: str | None, plan: Path | None, audit_dir: Path) -> Night:
    """Read what a dispatch needs; bad ``--at`` or plan files raise ``InputError``."""
    campus = load_campus(instance)
    rules = load_incident_rules(instance, set(campus.sites), {g.id for g in campus.groups})
    at = _at_minute(campus, at_text)
    roster_instance, roster = None, ()
    roster_file = find_table(plan, "roster") if plan is not None else None
    if roster_file is not None:
        from optimizer.roster.load import load_roster_instance
        from optimizer.validate_roster import read_roster_csv

        roster_instance = load_roster_instance(instance)
        roster = tuple(read_roster_csv(roster_instance, roster_file))
    return Night(campus, rules, at, audit_dir / AUDIT_NAME, roster_instance, roster)


def _at_minute(campus: Campus, text: str | None) -> int:
    start = dt.datetime.combine(campus.start, dt.time())
    if text is None:
        when = dt.datetime.now().replace(second=0, microsecond=0)
    else:
        try:
            when = parse_datetime(text)
        except ValueError:
            raise InputError("--at", f"expected YYYY-MM-DD HH:MM, got '{text}'") from None
    minute = int((when - start).total_seconds() // 60)
    if not 0 <= minute < campus.days * 1440:
        last = campus.start + dt.timedelta(days=campus.days - 1)
        raise InputError(
            "--at",
            f"{when:%Y-%m-%d %H:%M} is outside the plan's horizon "
            f"{campus.start.isoformat()} 00:00 to {last.isoformat()} 24:00",
        )
    return minute


def call_history(night: Night) -> tuple[dict[str, int], dict[str, int]]:
    """From the audit log: group -> when it was last called out (the report time of that
    incident, up to now), and group -> when a call-out still under way brings it back."""
    last: dict[str, int] = {}
    busy: dict[str, int] = {}
    for rec in read_audit(night.audit_path).records:
        if rec.get("type") != "dispatch":
            continue
        called = night.minute(dt.datetime.strptime(rec["at"], STAMP))
        if called > night.at:
            continue  # logged for a later moment (a drill replayed out of order)
        for g in rec.get("groups", ()):
            last[g["id"]] = max(last.get(g["id"], called), called)
            back = night.minute(dt.datetime.strptime(g["back"], STAMP))
            if back > night.at:
                busy[g["id"]] = max(busy.get(g["id"], back), back)
    return last, busy


def plan_order(night: Night, event: str, where: str) -> Order:
    """The dispatch order for ``event`` at ``where`` (a building or site id)."""
    kind = night.rules.kinds.get(event)
    if kind is None:
        raise InputError("--event", f"the instance has no incident kind '{event}'")
    campus = night.campus
    sites = target_sites(campus, night.rules, kind, where)
    working = night.working(night.at)
    on_call_posts = set(night.rules.settings.on_call_posts)
    on_call = {
        g.id
        for g in campus.groups
        if any(working.get(m.volunteer_id or "") in on_call_posts for m in g.members)
    }
    last, busy = call_history(night)
    ranked = candidates(
        campus,
        kind,
        night.at,
        sites,
        settings=night.rules.settings,
        on_call=on_call,
        last_called=last,
        busy_until=busy,
        skills=night.rules.group_skills,
    )
    name = campus.buildings[where].name if kind.where == "building" else campus.sites[where].name
    return make_order(
        campus, kind, where, name, night.at, sites, ranked, night.rules.settings.improve_seconds
    )


def daily_until(night: Night, kind: IncidentKind, until: str | None) -> int | None:
    """Last horizon day of a home's daily disinfection (``--until`` or the kind's
    ``daily_days``), or None when the kind asks for none; may lie beyond the horizon."""
    today = night.at // 1440
    if until is None:
        return today + kind.daily_days if kind.daily_days else None
    if kind.kind != "home":
        raise InputError("--until", "only --event home takes --until")
    try:
        date = dt.date.fromisoformat(until.strip())
    except ValueError:
        raise InputError("--until", f"expected a date YYYY-MM-DD, got '{until}'") from None
    day = (date - night.campus.start).days
    if day <= today:
        raise InputError("--until", f"{until} is not after the day of the call")
    return day


def rest_until(night: Night, order: Order) -> dict[str, int]:
    """Group id -> the minute its rest after this call-out ends."""
    hours = night.rules.settings.rest_hours
    return {r.candidate.group.id: r.back + round(hours * 60) for r in order.routes}


def _crew(night: Night, members: tuple[Member, ...]) -> tuple[list[Member], list[Member]]:
    """Members who come, and members rostered on another post right now (they stay there)."""
    working = night.working(night.at)
    on_call_posts = set(night.rules.settings.on_call_posts)
    come, stay = [], []
    for m in members:
        post = working.get(m.volunteer_id or "")
        (stay if post is not None and post not in on_call_posts else come).append(m)
    return come, stay


def order_text(night: Night, order: Order, home_until: int | None = None) -> str:
    """The order as plain Chinese text to read aloud or paste into a chat; ``home_until`` is
    the last day of daily disinfection after it (a quarantined home)."""
    kind = order.kind
    lines = [
        f"【紧急消杀派单】{kind.name} · {order.where_name} ({order.where})",
        f"接报: {night.label(order.at)}   时限: {night.label(order.deadline)} 前完成"
        f" ({kind.deadline_minutes} 分钟)",
    ]
    rests = rest_until(night, order)
    for n, route in enumerate(order.routes, start=1):
        g = route.candidate.group
        come, stay = _crew(night, g.members)
        leader = g.leader
        names = "、".join(m.name for m in come if m is not leader)
        head = f"派出{n}: {g.name}"
        if leader is not None:
            head += f" — 组长 {leader.name}"
        if names:
            head += f", 组员 {names}"
        if route.candidate.on_call:
            head += " (今晚值守)"
        lines.append(head)
        if stay:
            lines.append(f"  在岗不参加: {'、'.join(m.name for m in stay)}")
        depot = night.campus.buildings[g.depot].name
        lines.append(f"  {clock(route.depart)} 从{depot}出发")
        litres = 0.0
        for i, stop in enumerate(route.stops, start=1):
            if stop.refill:
                lines.append(f"     (先回{depot}补充消毒液)")
            label = KIND_LABELS.get(stop.site.kind, stop.site.kind)
            lines.append(
                f"  {i}. {clock(stop.arrive)} 到 {stop.site.name} ({label}), {clock(stop.end)} 完成"
            )
            litres += stop.site.rule.litres * kind.service_factor
        lines.append(
            f"  {clock(route.finish)} 全部完成, {clock(route.back)} 回到{depot};"
            f" 休息至 {night.label(rests[g.id])}"
        )
        lines.append(f"  携带: {kind.bring or '常规消杀装备'}; 消毒液约 {litres:.0f} 升")
    if home_until is not None:
        first = night.campus.start + dt.timedelta(days=night.at // 1440 + 1)
        last = night.campus.start + dt.timedelta(days=home_until)
        lines.append(f"此后每日消杀一次: {first:%m月%d日} 至 {last:%m月%d日} (已加入各日路线)")
    if order.meets_deadline:
        lines.append(f"结论: 预计 {night.label(order.finish)} 完成, 满足时限。")
    else:
        who = "、".join(_group_name(night, gid) for gid in order.earliest_groups)
        lines.append(
            f"结论: 无法在时限内完成! 最早 {night.label(order.earliest_finish)} 完成"
            f" (派 {who}); 请立即上报并协调支援。"
        )
    return "\n".join(lines)


def _group_name(night: Night, gid: str) -> str:
    return next(g.name for g in night.campus.groups if g.id == gid)


def order_record(night: Night, order: Order, dispatch_id: str) -> dict[str, Any]:
    """The audit record of an order: ids and times, no names."""
    fmt = night.when
    return {
        "type": "dispatch",
        "id": dispatch_id,
        "logged_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "instance": night.campus.name,
        "event": order.kind.kind,
        "where": order.where,
        "at": f"{fmt(order.at):{STAMP}}",
        "deadline": f"{fmt(order.deadline):{STAMP}}",
        "finish": f"{fmt(order.finish):{STAMP}}",
        "meets_deadline": order.meets_deadline,
        "earliest_finish": f"{fmt(order.earliest_finish):{STAMP}}",
        "groups": [
            {
                "id": r.candidate.group.id,
                "depart": f"{fmt(r.depart):{STAMP}}",
                "finish": f"{fmt(r.finish):{STAMP}}",
                "back": f"{fmt(r.back):{STAMP}}",
                "sites": [s.site.id for s in r.stops],
            }
            for r in order.routes
        ],
    }


def order_json(night: Night, order: Order, dispatch_id: str, text: str) -> dict[str, Any]:
    """``dispatch.json``: the audit record plus names, per-site times and the order text."""
    record = order_record(night, order, dispatch_id)
    rests = rest_until(night, order)
    for g, route in zip(record["groups"], order.routes, strict=True):
        group = route.candidate.group
        come, stay = _crew(night, group.members)
        g.update(
            name=group.name,
            leader=group.leader.name if group.leader else None,
            members=[m.name for m in come],
            staying_at_post=[m.name for m in stay],
            on_call=route.candidate.on_call,
            rest_until=f"{night.when(rests[group.id]):{STAMP}}",
            stops=[
                {
                    "seq": i,
                    "site_id": s.site.id,
                    "site_kind": s.site.kind,
                    "site_name": s.site.name,
                    "arrive": clock(s.arrive),
                    "start": clock(s.start),
                    "end": clock(s.end),
                    "refill": s.refill,
                }
                for i, s in enumerate(route.stops, start=1)
            ],
        )
    record["name"] = order.kind.name
    record["where_name"] = order.where_name
    record["text"] = text
    return record
