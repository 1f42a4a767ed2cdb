"""Independent roster validator: the referee for every roster the project writes or reads.

It re-checks a roster against the rules and penalties of ``instances/README.md`` ("Duty
roster" -> "Rules"), written as plain loops over people, days and shifts with exact integer
arithmetic. It imports nothing from the roster model (``model``, ``solve``, ``explain``,
``plan``) on purpose: a bug shared by the model and its checker would go unnoticed.

Counting conventions (the README leaves them implicit):

- A person *works* ``(day, shift)`` when at least one roster row puts them on that shift that
  day; hours, nights, caps, weekends and fairness count worked ``(day, shift)`` pairs, so a
  person wrongly listed at two posts in the same shift is reported once, as ``one_place``.
- Cover, leads and team rules count the distinct people on each post, day and shift.
- History rows take part in the rules that say "history included" (one place, rest,
  forbidden successions, max consecutive days, isolated day off on day 0) but a violation is
  reported only when at least one roster (non-history) shift is involved.
- Rows with an unknown volunteer, post or shift id, a day outside the horizon, or repeating an
  earlier row are reported (``unknown_id``, ``horizon``, ``duplicate``) and then ignored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from optimizer.io import Col, check_ref, clock, read_table
from optimizer.roster.domain import (
    DAY,
    LEAD,
    Assignment,
    Penalty,
    RosterInstance,
    Shift,
)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, with a sentence a coordinator can read."""

    rule: str
    text: str
    volunteer: str | None = None
    day: int | None = None
    shift: str | None = None


@dataclass(frozen=True)
class RosterReport:
    """Everything wrong with a roster: hard violations, soft penalties and their sum."""

    violations: tuple[Violation, ...]
    penalties: tuple[Penalty, ...]
    objective: int

    @property
    def ok(self) -> bool:
        """True when no hard rule is broken."""
        return not self.violations


# ------------------------------------------------------------------------------ the roster


class _Roster:
    """A roster cleaned of unusable rows and indexed by person and by post-shift."""

    def __init__(self, inst: RosterInstance, assignments: Iterable[Assignment]) -> None:
        self.inst = inst
        self.H = inst.days
        self.shifts = {s.id: s for s in inst.shifts}
        self.people = {v.id: v for v in inst.volunteers}
        self.posts = {p.id: p for p in inst.posts}
        self.input_problems: list[Violation] = []
        seen: set[Assignment] = set()
        self.rows: list[Assignment] = []
        for a in assignments:
            problem = self._row_problem(a, seen)
            if problem:
                self.input_problems.append(problem)
            else:
                seen.add(a)
                self.rows.append(a)
        # Worked (day, shift) pairs in the horizon, and the same including history.
        self.works: dict[str, set[tuple[int, str]]] = {v: set() for v in self.people}
        self.history: dict[str, set[tuple[int, str]]] = {v: set() for v in self.people}
        # Who is on each (post, day, shift), in roster order.
        self.on: dict[tuple[str, int, str], list[str]] = defaultdict(list)
        for a in self.rows:
            self.works[a.volunteer].add((a.day, a.shift))
            self.on[(a.post, a.day, a.shift)].append(a.volunteer)
        self.history_rows = [
            h
            for h in inst.history
            if h.volunteer in self.people and h.shift in self.shifts and h.day < 0
        ]
        for h in self.history_rows:
            self.history[h.volunteer].add((h.day, h.shift))
        self.away: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for u in inst.unavailability:
            self.away[u.volunteer].append((u.start, u.end))

    def _row_problem(self, a: Assignment, seen: set[Assignment]) -> Violation | None:
        where = dict(volunteer=a.volunteer, day=a.day, shift=a.shift)
        if a.volunteer not in self.people:
            return Violation("unknown_id", f"unknown volunteer id '{a.volunteer}'", **where)
        if a.post not in self.posts:
            return Violation("unknown_id", f"unknown post id '{a.post}'", **where)
        if a.shift not in self.shifts:
            return Violation("unknown_id", f"unknown shift id '{a.shift}'", **where)
        if not 0 <= a.day < self.H:
            return Violation(
                "horizon",
                f"{self.name(a.volunteer)}: {self.inst.date(a.day)} is outside the horizon "
                f"{self.inst.date(0)} to {self.inst.date(self.H - 1)}",
                **where,
            )
        if a in seen:
            return Violation(
                "duplicate",
                f"{self.name(a.volunteer)}: row {self.when(a.day, a.shift)} "
                f"{self.posts[a.post].name} appears twice",
                **where,
            )
        return None

    # --- words

    def name(self, vid: str) -> str:
        return self.people[vid].name

    def when(self, day: int, shift: str) -> str:
        return f"{self.inst.date(day).isoformat()} {self.shifts[shift].name}"

    def slot(self, post: str, day: int, shift: str) -> str:
        return f"{self.when(day, shift)} {self.posts[post].name}"

    def moment(self, minute: int) -> str:
        return f"{self.inst.date(minute // DAY).isoformat()} {clock(minute)}"

    # --- facts about one person

    def all_works(self, vid: str) -> set[tuple[int, str]]:
        """Worked (day, shift) pairs, history included."""
        return self.works[vid] | self.history[vid]

    def worked_days(self, vid: str) -> set[int]:
        """Horizon days on which a shift of the person starts."""
        return {d for d, _ in self.works[vid]}

    def history_days(self, vid: str) -> set[int]:
        return {d for d, _ in self.history[vid]}

    def minutes(self, vid: str) -> int:
        return sum(self.shifts[s].minutes for _, s in self.works[vid])

    def available(self, vid: str, day: int, shift: Shift) -> bool:
        """No unavailability interval of the person overlaps the shift on that day."""
        start, end = shift.span(day)
        return not any(start < u_end and u_start < end for u_start, u_end in self.away[vid])


def _runs(days: set[int], lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs ``[first, last]`` of consecutive members of ``days`` within ``[lo, hi]``."""
    runs: list[tuple[int, int]] = []
    d = lo
    while d <= hi:
        if d in days:
            first = d
            while d + 1 <= hi and d + 1 in days:
                d += 1
            runs.append((first, d))
        d += 1
    return runs


def _limit_text(vid_name: str, what: str, limit: str) -> str:
    return f"{vid_name}: {what}, {limit}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} h"


# ------------------------------------------------------------------------------ hard rules


def _cover(r: _Roster) -> Iterator[Violation]:
    """Each post-shift gets exactly the people it asks for, unless a price makes it soft."""
    demanded = set()
    for dem in r.inst.demand:
        key = (dem.post, dem.day, dem.shift)
        demanded.add(key)
        n = len(r.on.get(key, ()))
        people = "person" if n == 1 else "people"
        if n < dem.required and dem.weight_under is None:
            yield Violation(
                "cover",
                f"{r.slot(*key)}: {n} {people}, needs {dem.required}",
                day=dem.day,
                shift=dem.shift,
            )
        if n > dem.required and dem.weight_over is None:
            yield Violation(
                "cover",
                f"{r.slot(*key)}: {n} {people}, needs only {dem.required}",
                day=dem.day,
                shift=dem.shift,
            )
    for key, who in r.on.items():
        if key not in demanded:
            for vid in who:
                yield Violation(
                    "cover",
                    f"{r.name(vid)}: on {r.slot(*key)}, which needs nobody",
                    volunteer=vid,
                    day=key[1],
                    shift=key[2],
                )


def _skills(r: _Roster) -> Iterator[Violation]:
    """Everyone on a post has all the skills the post asks for."""
    for a in r.rows:
        missing = r.posts[a.post].skills - r.people[a.volunteer].skills
        if missing:
            yield Violation(
                "skills",
                f"{r.name(a.volunteer)}: on {r.slot(a.post, a.day, a.shift)} "
                f"without skill {', '.join(sorted(missing))}",
                a.volunteer,
                a.day,
                a.shift,
            )


def _leads(r: _Roster) -> Iterator[Violation]:
    """A post-shift that asks for leads has that many people with skill lead."""
    for dem in r.inst.demand:
        if dem.leads <= 0:
            continue
        key = (dem.post, dem.day, dem.shift)
        n = sum(LEAD in r.people[v].skills for v in r.on.get(key, ()))
        if n < dem.leads:
            yield Violation(
                "leads",
                f"{r.slot(*key)}: {n} with skill lead, needs {dem.leads}",
                day=dem.day,
                shift=dem.shift,
            )


def _availability(r: _Roster) -> Iterator[Violation]:
    """Nobody works a shift that overlaps a time they said they are unavailable."""
    for vid, works in r.works.items():
        for day, sid in sorted(works):
            start, end = r.shifts[sid].span(day)
            for u_start, u_end in r.away[vid]:
                if start < u_end and u_start < end:
                    yield Violation(
                        "availability",
                        f"{r.name(vid)}: works {r.when(day, sid)} but is unavailable "
                        f"{r.moment(u_start)} to {r.moment(u_end)}",
                        vid,
                        day,
                        sid,
                    )


def _one_place(r: _Roster) -> Iterator[Violation]:
    """Nobody is in two places at once: a person's shifts never overlap (history included)."""
    rows_of: dict[str, list[tuple[Assignment, bool]]] = defaultdict(list)
    for h in r.history_rows:
        rows_of[h.volunteer].append((h, True))
    for a in r.rows:
        rows_of[a.volunteer].append((a, False))
    for vid, rows in rows_of.items():
        for i, (a, a_hist) in enumerate(rows):
            for b, b_hist in rows[i + 1 :]:
                if a_hist and b_hist:
                    continue
                a0, a1 = r.shifts[a.shift].span(a.day)
                b0, b1 = r.shifts[b.shift].span(b.day)
                if a0 < b1 and b0 < a1:
                    first, second = sorted([a, b], key=lambda x: (x.day, x.shift, x.post))
                    yield Violation(
                        "one_place",
                        f"{r.name(vid)}: {_place(r, first)} overlaps {_place(r, second)}",
                        vid,
                        second.day,
                        second.shift,
                    )


def _place(r: _Roster, a: Assignment) -> str:
    at = f" at {r.posts[a.post].name}" if a.post in r.posts else ""
    return f"{r.when(a.day, a.shift)}{at}"


def _shifts_per_day(r: _Roster) -> Iterator[Violation]:
    """Nobody starts more than max_shifts_per_day shifts on one day."""
    cap = r.inst.rules.max_shifts_per_day
    for vid, works in r.works.items():
        for day in range(r.H):
            n = sum(1 for d, _ in works if d == day)
            if n > cap:
                yield Violation(
                    "shifts_per_day",
                    f"{r.name(vid)}: {n} shifts on {r.inst.date(day)}, at most {cap}",
                    vid,
                    day,
                )


def _rest(r: _Roster) -> Iterator[Violation]:
    """Between the end of a shift and the start of the person's next one, enough rest."""
    rest = r.inst.rules.min_rest_minutes
    if rest <= 0:
        return
    for vid in r.people:
        spans = sorted((r.shifts[s].span(d), d, s) for d, s in r.all_works(vid))
        for (_, a1), ad, asid in spans:
            # The next shift is the first one starting at or after this one ends; shifts that
            # start earlier overlap it and are reported by one_place instead.
            later = [(b0, bd, bsid) for (b0, _), bd, bsid in spans if b0 >= a1]
            if not later:
                continue
            b0, bd, bsid = later[0]
            if b0 - a1 < rest and (ad >= 0 or bd >= 0):
                yield Violation(
                    "rest",
                    f"{r.name(vid)}: {_hours(b0 - a1)} rest between {r.when(ad, asid)} and "
                    f"{r.when(bd, bsid)}, needs {_hours(rest)}",
                    vid,
                    bd,
                    bsid,
                )


def _forbidden_succession(r: _Roster) -> Iterator[Violation]:
    """Shift t is never worked the day after shift s when s forbids t (history included)."""
    for vid in r.people:
        works = r.all_works(vid)
        for d, s in sorted(works):
            for t in r.shifts[s].forbidden_next:
                if 0 <= d + 1 < r.H and (d + 1, t) in works:
                    yield Violation(
                        "forbidden_succession",
                        f"{r.name(vid)}: {r.when(d + 1, t)} right after {r.when(d, s)}",
                        vid,
                        d + 1,
                        t,
                    )


def _hours_rule(r: _Roster) -> Iterator[Violation]:
    """Total working time over the horizon stays between the person's min and max hours."""
    for vid, v in r.people.items():
        m = r.minutes(vid)
        hi, lo = v.limits.max_minutes, v.limits.min_minutes
        if hi is not None and m > hi:
            yield Violation(
                "hours",
                _limit_text(v.name, f"works {_hours(m)}", f"at most {_hours(hi)}"),
                vid,
            )
        if m < lo:
            yield Violation(
                "hours",
                _limit_text(v.name, f"works {_hours(m)}", f"at least {_hours(lo)}"),
                vid,
            )


def _nights(r: _Roster) -> Iterator[Violation]:
    """Nobody works more night shifts than their max_nights."""
    for vid, v in r.people.items():
        cap = v.limits.max_nights
        n = sum(1 for _, s in r.works[vid] if r.shifts[s].night)
        if cap is not None and n > cap:
            yield Violation(
                "nights", _limit_text(v.name, f"{n} night shifts", f"at most {cap}"), vid
            )


def _shift_cap(r: _Roster) -> Iterator[Violation]:
    """Nobody works a shift more often than their shift_limits allow."""
    for vid, v in r.people.items():
        for sid, cap in v.max_per_shift:
            n = sum(1 for _, s in r.works[vid] if s == sid)
            if n > cap:
                yield Violation(
                    "shift_cap",
                    _limit_text(v.name, f"{n} × {r.shifts[sid].name}", f"at most {cap}"),
                    vid,
                    shift=sid,
                )


def _max_consecutive_days(r: _Roster) -> Iterator[Violation]:
    """No run of worked days is too long; worked history days just before day 0 count."""
    for vid, v in r.people.items():
        cap = v.limits.max_consecutive_days
        if cap is None:
            continue
        hist = r.history_days(vid)
        for first, last in _runs(r.worked_days(vid), 0, r.H - 1):
            if first == 0:
                while first - 1 in hist:
                    first -= 1
            n = last - first + 1
            if n > cap:
                yield Violation(
                    "max_consecutive_days",
                    _limit_text(
                        v.name,
                        f"works {n} days in a row ({r.inst.date(first)} to {r.inst.date(last)})",
                        f"at most {cap}",
                    ),
                    vid,
                    last,
                )


def _short_inner_runs(
    r: _Roster, vid: str, rule: str, days: set[int], need: int, what: str
) -> Iterator[Violation]:
    """Runs of ``days`` bounded on both sides inside the horizon that are shorter than ``need``.

    A run touching day 0 or the last day is exempt: it may continue outside the horizon.
    """
    for first, last in _runs(days, 0, r.H - 1):
        n = last - first + 1
        if first > 0 and last < r.H - 1 and n < need:
            yield Violation(
                rule,
                f"{r.name(vid)}: only {n} {what} in a row from {r.inst.date(first)}, "
                f"at least {need}",
                vid,
                first,
            )


def _min_consecutive_days(r: _Roster) -> Iterator[Violation]:
    """A block of work with a day off on both sides inside the horizon is long enough."""
    for vid, v in r.people.items():
        need = v.limits.min_consecutive_days
        yield from _short_inner_runs(
            r, vid, "min_consecutive_days", r.worked_days(vid), need, "days worked"
        )


def _min_consecutive_days_off(r: _Roster) -> Iterator[Violation]:
    """A break with a worked day on both sides inside the horizon is long enough."""
    for vid, v in r.people.items():
        off = set(range(r.H)) - r.worked_days(vid)
        need = v.limits.min_consecutive_days_off
        yield from _short_inner_runs(r, vid, "min_consecutive_days_off", off, need, "days off")


def _weekends(r: _Roster) -> Iterator[Violation]:
    """Nobody works more weekends than max_weekends."""
    for vid, v in r.people.items():
        cap = v.limits.max_weekends
        if cap is None:
            continue
        worked = {_weekend_key(r.inst, d) for d in r.worked_days(vid) if r.inst.is_weekend(d)}
        if len(worked) > cap:
            yield Violation(
                "weekends",
                _limit_text(v.name, f"works {len(worked)} weekends", f"at most {cap}"),
                vid,
            )


def _weekend_key(inst: RosterInstance, day: int) -> int:
    """The day of the weekend's Saturday (may lie outside the horizon)."""
    return day if inst.date(day).weekday() == 5 else day - 1


HARD_RULES: tuple[Callable[[_Roster], Iterator[Violation]], ...] = (
    _cover,
    _skills,
    _leads,
    _availability,
    _one_place,
    _shifts_per_day,
    _rest,
    _forbidden_succession,
    _hours_rule,
    _nights,
    _shift_cap,
    _max_consecutive_days,
    _min_consecutive_days,
    _min_consecutive_days_off,
    _weekends,
)


# ------------------------------------------------------------------------------ soft rules


def _cover_soft(r: _Roster) -> Iterator[Penalty]:
    """Missing or extra people on a post-shift whose bound has a price."""
    for dem in r.inst.demand:
        key = (dem.post, dem.day, dem.shift)
        n = len(r.on.get(key, ()))
        people = "person" if n == 1 else "people"
        if dem.weight_under is not None and n < dem.required:
            amount = dem.weight_under * (dem.required - n)
            if amount:
                yield Penalty(
                    "cover_under",
                    amount,
                    f"{r.slot(*key)}: {n} {people}, needs {dem.required}, penalty {amount}",
                    day=dem.day,
                    shift=dem.shift,
                )
        if dem.weight_over is not None and n > dem.required:
            amount = dem.weight_over * (n - dem.required)
            if amount:
                yield Penalty(
                    "cover_over",
                    amount,
                    f"{r.slot(*key)}: {n} {people}, needs only {dem.required}, penalty {amount}",
                    day=dem.day,
                    shift=dem.shift,
                )


def _preference(r: _Roster) -> Iterator[Penalty]:
    """A wish to work, or to be off, a given shift that the roster does not grant."""
    for p in r.inst.preferences:
        if p.volunteer not in r.people or p.shift not in r.shifts:
            continue
        works = (p.day, p.shift) in r.works[p.volunteer]
        if works == p.want:
            continue
        amount = r.inst.weights.preference * p.weight
        if not amount:
            continue
        if p.want:
            what = f"wanted to work {r.when(p.day, p.shift)} but is off"
        else:
            what = f"asked for {r.when(p.day, p.shift)} off but works it"
        yield Penalty(
            "preference",
            amount,
            f"{r.name(p.volunteer)}: {what}, penalty {amount}",
            p.volunteer,
            p.day,
            p.shift,
        )


def _fair(
    r: _Roster,
    rule: str,
    weight: int,
    tolerance: int,
    counts: Callable[[int, Shift], bool],
    size: Callable[[Shift], int],
    unit: str,
) -> Iterator[Penalty]:
    """Fair-band penalty shared by fair_minutes, fair_nights and fair_weekends.

    Only the (day, shift) pairs for which ``counts(day, shift)`` holds take part; ``size``
    is what one worked shift adds (its minutes, or 1 when counting shifts).
    """
    if weight == 0:
        return
    demand_at: dict[tuple[int, str], int] = defaultdict(int)
    posts_at: dict[tuple[int, str], list[str]] = defaultdict(list)
    total = 0
    for dem in r.inst.demand:
        shift = r.shifts[dem.shift]
        if not counts(dem.day, shift):
            continue
        total += dem.required * size(shift)
        demand_at[(dem.day, dem.shift)] += dem.required
        if dem.required > 0:
            posts_at[(dem.day, dem.shift)].append(dem.post)
    share: dict[str, int] = {}
    for vid, v in r.people.items():
        share[vid] = sum(
            1
            for (day, sid), need in demand_at.items()
            if need > 0
            and r.available(vid, day, r.shifts[sid])
            and any(r.posts[p].skills <= v.skills for p in posts_at[(day, sid)])
        )
    shares = sum(share.values())
    for vid, v in r.people.items():
        worked = sum(size(r.shifts[s]) for d, s in r.works[vid] if counts(d, r.shifts[s]))
        if shares == 0:
            # Nobody can do any of this work: the fair share of everyone is 0.
            lo = hi = 0
        else:
            lo = (total * share[vid]) // shares
            hi = -((-total * share[vid]) // shares)
        lo, hi = lo - tolerance, hi + tolerance
        outside = max(0, lo - worked) + max(0, worked - hi)
        amount = weight * outside
        if amount:
            yield Penalty(
                rule,
                amount,
                f"{v.name}: {worked} {unit}, fair band {max(0, lo)}-{hi}, penalty {amount}",
                vid,
            )


def _fair_minutes(r: _Roster) -> Iterator[Penalty]:
    """Working time far from the person's fair share (relative to their availability)."""
    w = r.inst.weights
    return _fair(
        r,
        "fair_minutes",
        w.fair_minutes,
        w.fair_minutes_tolerance,
        lambda _d, _s: True,
        lambda s: s.minutes,
        "minutes worked",
    )


def _fair_nights(r: _Roster) -> Iterator[Penalty]:
    """Night shifts outside the person's fair band of nights."""
    return _fair(
        r,
        "fair_nights",
        r.inst.weights.fair_nights,
        0,
        lambda _d, s: s.night,
        lambda _s: 1,
        "night shifts",
    )


def _fair_weekends(r: _Roster) -> Iterator[Penalty]:
    """Weekend shifts outside the person's fair band of weekend shifts."""
    return _fair(
        r,
        "fair_weekends",
        r.inst.weights.fair_weekends,
        0,
        lambda d, _s: r.inst.is_weekend(d),
        lambda _s: 1,
        "weekend shifts",
    )


def _isolated_day_off(r: _Roster) -> Iterator[Penalty]:
    """A single day off squeezed between two working days (history counts before day 0)."""
    weight = r.inst.weights.isolated_day_off
    if weight == 0:
        return
    for vid, v in r.people.items():
        worked = r.worked_days(vid) | r.history_days(vid)
        for d in range(r.H - 1):
            if d not in worked and d - 1 in worked and d + 1 in worked:
                yield Penalty(
                    "isolated_day_off",
                    weight,
                    f"{v.name}: single day off on {r.inst.date(d)}, penalty {weight}",
                    vid,
                    d,
                )


def _team(r: _Roster) -> Iterator[Penalty]:
    """Team keeping on 'together' posts and team mixing on 'mix' posts."""
    weight = r.inst.weights.team
    if weight == 0:
        return
    for key, who in sorted(r.on.items()):
        policy = r.posts[key[0]].team_policy
        teams: dict[str, int] = defaultdict(int)
        for vid in who:
            teams[r.people[vid].team] += 1
        if policy == "together":
            extra = max(0, len(teams) - 1)
            what = f"{len(teams)} teams on a 'together' post"
        elif policy == "mix":
            extra = sum(max(0, n - 1) for n in teams.values())
            what = "on a 'mix' post, " + ", ".join(
                f"{n} from {t}" for t, n in sorted(teams.items()) if n > 1
            )
        else:
            continue
        amount = weight * extra
        if amount:
            yield Penalty(
                "team",
                amount,
                f"{r.slot(*key)}: {what}, penalty {amount}",
                day=key[1],
                shift=key[2],
            )


SOFT_RULES: tuple[Callable[[_Roster], Iterator[Penalty]], ...] = (
    _cover_soft,
    _preference,
    _fair_minutes,
    _fair_nights,
    _fair_weekends,
    _isolated_day_off,
    _team,
)


# ------------------------------------------------------------------------------ front door


def validate_roster(instance: RosterInstance, assignments: Iterable[Assignment]) -> RosterReport:
    """Check a roster against every hard rule and price every soft rule of the instance."""
    r = _Roster(instance, assignments)
    violations = list(r.input_problems)
    for hard in HARD_RULES:
        violations.extend(hard(r))
    penalties = [p for soft in SOFT_RULES for p in soft(r)]
    return RosterReport(tuple(violations), tuple(penalties), sum(p.amount for p in penalties))


ROSTER_COLUMNS = (Col("date"), Col("shift"), Col("post"), Col("volunteer_id"))


def _roster_date(text: str) -> dt.date:
    """``YYYY-MM-DD``, or ``YYYY/M/D`` as Excel rewrites dates when it saves a CSV."""
    y, m, d = (int(part) for part in text.replace("/", "-").split("-"))
    return dt.date(y, m, d)


def read_roster_csv(instance: RosterInstance, path: str | Path) -> list[Assignment]:
    """Read a roster file (CSV in UTF-8/BOM/GB18030, or XLSX) back into assignments.

    Only the columns ``date``, ``shift``, ``post`` and ``volunteer_id`` are used. A bad date or
    an id the instance does not know raises :class:`~optimizer.io.InputError` naming the file,
    row and column; a date outside the horizon or a repeated row is left to
    :func:`validate_roster`, which reports it as a violation.
    """
    shifts = {s.id for s in instance.shifts}
    posts = {p.id for p in instance.posts}
    people = {v.id for v in instance.volunteers}
    out: list[Assignment] = []
    for row in read_table(path, ROSTER_COLUMNS, allow_empty=True):
        check_ref(row, "shift", row["shift"], shifts, "shift id")
        check_ref(row, "post", row["post"], posts, "post id")
        check_ref(row, "volunteer_id", row["volunteer_id"], people, "volunteer id")
        try:
            date = _roster_date(row["date"])
        except ValueError:
            raise row.error("date", f"expected a date YYYY-MM-DD, got '{row['date']}'") from None
        day = (date - instance.start).days
        out.append(Assignment(row["volunteer_id"], day, row["shift"], row["post"]))
    return out


__all__ = [
    "RosterReport",
    "Violation",
    "read_roster_csv",
    "validate_roster",
]
