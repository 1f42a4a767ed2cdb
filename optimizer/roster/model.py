"""The duty roster as a CP-SAT model, built rule by rule.

Each rule of ``instances/README.md`` is one small function below that takes a
:class:`RosterModel` and adds that rule's constraints (hard) or penalty terms (soft). Variables
exist only where a person may work: they have the post's skills, are available for the whole
shift, are not capped at zero for that shift, and do not clash with last week's roster.

Soft rules are all *bands on a linear expression*: a :class:`Term` pays ``weight_under`` per
unit below ``lo`` and ``weight_over`` per unit above ``hi``. The model minimises slack
variables bounded from below; the reported penalty is evaluated exactly from the solution's
expression value, so the two agree whenever the slacks are tight (always at an optimum).

Hard rules are posted through :meth:`RosterModel.add`, which tags them with a rule group; when
``explain=True`` every group is switched by a literal so that CP-SAT assumptions can say which
groups conflict.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.io import clock
from optimizer.roster.domain import (
    DAY,
    LEAD,
    Assignment,
    Demand,
    Penalty,
    RosterInstance,
    Shift,
    Volunteer,
)

Sum = cp_model.LinearExpr.Sum
WeightedSum = cp_model.LinearExpr.WeightedSum

Key = tuple[str, int, str]  # (volunteer id, day, shift id)
XKey = tuple[str, int, str, str]  # (volunteer id, day, shift id, post id)

# Rule groups in the coordinator's words, used when explaining infeasibility.
GROUPS: dict[str, str] = {
    "cover": "every post-shift gets the people it needs",
    "leads": "each post-shift that asks for a lead gets one",
    "one place": "nobody works two shifts at once",
    "shifts per day": "the limit of shifts per day",
    "rest": "the minimum rest between shifts",
    "successions": "the forbidden shift successions",
    "hours": "each person's minimum and maximum hours",
    "nights": "each person's maximum night shifts",
    "shift caps": "each person's cap per shift type",
    "max consecutive days": "the maximum consecutive working days",
    "min consecutive days": "the minimum consecutive working days",
    "min consecutive days off": "the minimum consecutive days off",
    "weekends": "the maximum weekends worked",
}


@dataclass
class Term:
    """A soft penalty: ``expr = const + Σ coef·var`` should lie in ``[lo, hi]``."""

    rule: str
    items: list[tuple[cp_model.IntVar, int]]
    const: int
    lo: int | None
    hi: int | None
    weight_under: int
    weight_over: int
    describe: Callable[[int, int], str]  # (expression value, penalty amount) -> sentence
    volunteer: str | None = None
    day: int | None = None
    shift: str | None = None
    bounds: tuple[int, int] = (0, 0)  # least and greatest value the expression can take

    def value(self, val: Callable[[cp_model.IntVar], int]) -> int:
        """The expression's value under the variable assignment ``val``."""
        return self.const + sum(c * val(v) for v, c in self.items)

    def amount(self, value: int) -> int:
        """Exact penalty points for an expression value."""
        under = max(0, self.lo - value) if self.lo is not None else 0
        over = max(0, value - self.hi) if self.hi is not None else 0
        return self.weight_under * under + self.weight_over * over


class RosterModel:
    """A CP-SAT model of one roster instance with named variable dictionaries.

    ``x[(v, d, s, p)]``: volunteer ``v`` works shift ``s`` of day ``d`` at post ``p``.
    ``y[(v, d, s)]``: ``v`` works shift ``s`` of day ``d`` (at some post).
    ``work[(v, d)]``: ``v`` works day ``d`` (a shift of theirs starts on it); absent = off.
    """

    def __init__(
        self,
        instance: RosterInstance,
        *,
        explain: bool = False,
        covered: Mapping[tuple[str, int, str], int] | None = None,
    ) -> None:
        self.instance = instance
        # People outside this model already working each (post, day, shift).
        self.covered: Mapping[tuple[str, int, str], int] = covered or {}
        self.cp = cp_model.CpModel()
        self.x: dict[XKey, cp_model.IntVar] = {}
        self.y: dict[Key, cp_model.IntVar] = {}
        self.work: dict[tuple[str, int], cp_model.IntVar] = {}
        self.terms: list[Term] = []
        # Per person, (day, shift, works-shift literal) in time order.
        self.by_person: dict[str, list[tuple[int, Shift, cp_model.IntVar]]] = defaultdict(list)
        # Per (person, day), the works-shift literals by shift id.
        self.day_shifts: dict[tuple[str, int], dict[str, cp_model.IntVar]] = defaultdict(dict)
        self.group_literal: dict[str, cp_model.IntVar] = {}
        self.explain = explain
        self.shift_by_id = {s.id: s for s in instance.shifts}
        self.volunteer_by_id = {v.id: v for v in instance.volunteers}
        self.post_by_id = {p.id: p for p in instance.posts}
        self.history_work = {(a.volunteer, a.day) for a in instance.history}
        self._create_variables()
        for rule in HARD_RULES + SOFT_RULES:
            rule(self)
        # The soft terms' slack costs; minimised as the model's objective.
        costs = [(term.rule, cost) for term in self.terms for cost in self._slack_costs(term)]
        self.objective = Sum([cost for _, cost in costs])
        # The cover's share of it alone: the search can aim at the cover first.
        self.cover_objective = Sum(
            [cost for rule, cost in costs if rule in ("cover_under", "cover_over")]
        )
        self.cp.Minimize(self.objective)

    # --- building blocks -------------------------------------------------------------------

    def add(self, group: str, constraint: cp_model.Constraint) -> None:
        """Tag a hard constraint with its rule group (switchable when explaining)."""
        if self.explain:
            if group not in self.group_literal:
                self.group_literal[group] = self.cp.NewBoolVar(f"enforce[{group}]")
            constraint.OnlyEnforceIf(self.group_literal[group])

    def label(self, day: int, shift: Shift) -> str:
        """'Wed 2026-12-02 00:00-08:00 夜班' for messages."""
        date = self.instance.date(day)
        end = clock((shift.start + shift.minutes) % DAY or DAY)
        return f"{date:%a} {date.isoformat()} {clock(shift.start)}-{end} {shift.name}"

    def soft(self, term: Term) -> None:
        """Register a soft term, skipping it when it can never cost anything."""
        lo_expr = term.const + sum(min(0, c) for _, c in term.items)
        hi_expr = term.const + sum(max(0, c) for _, c in term.items)
        if term.lo is not None and (term.weight_under == 0 or lo_expr >= term.lo):
            term.lo = None
        if term.hi is not None and (term.weight_over == 0 or hi_expr <= term.hi):
            term.hi = None
        if term.lo is None and term.hi is None:
            return
        term.bounds = (lo_expr, hi_expr)
        self.terms.append(term)

    def _slack_costs(self, term: Term) -> Iterable[cp_model.LinearExprT]:
        lo_expr, hi_expr = term.bounds
        name = f"{term.rule}[{term.volunteer or ''},{term.day},{term.shift or ''}]"
        expr: cp_model.LinearExprT = term.const + WeightedSum(
            [v for v, _ in term.items], [c for _, c in term.items]
        )
        if len(term.items) > 2:
            # Name the sum once: the slack rows below then have two terms, not the whole sum
            # again (a third of the model's terms at scale 10, and most of its presolve time).
            total = self.cp.NewIntVar(lo_expr, hi_expr, f"{name}.value")
            self.cp.Add(total == expr)
            expr = total
        # The expression moves in steps of g (e.g. 480 minutes when every shift lasts 8 h), so
        # its penalty is convex over the points const + k·g. Besides "slack >= distance to the
        # band", post the chord across the band's edge: it lifts the LP bound from 0 to the
        # true cost of landing one step outside the band (bounds, not just the incumbent).
        g = math.gcd(*(abs(c) for _, c in term.items)) or 1
        if term.lo is not None:
            under = self.cp.NewIntVar(0, term.lo - lo_expr, f"{name}.under")
            self.cp.Add(under >= term.lo - expr)
            inside = term.const + -(-(term.lo - term.const) // g) * g  # first point >= lo
            if g > 1 and inside > term.lo:
                # Chord through (inside - g, lo - inside + g) and (inside, 0).
                self.cp.Add(g * under >= (term.lo - inside + g) * (inside - expr))
            yield term.weight_under * under
        if term.hi is not None:
            over = self.cp.NewIntVar(0, hi_expr - term.hi, f"{name}.over")
            self.cp.Add(over >= expr - term.hi)
            inside = term.const + (term.hi - term.const) // g * g  # last point <= hi
            if g > 1 and inside < term.hi:
                # Chord through (inside, 0) and (inside + g, inside + g - hi).
                self.cp.Add(g * over >= (inside + g - term.hi) * (expr - inside))
            yield term.weight_over * over

    def available(self, volunteer: str, day: int, shift: Shift) -> bool:
        """True when no unavailability interval overlaps the shift."""
        away = self._unavailable.get(volunteer)
        if not away:
            return True
        starts, ends = away
        start, end = shift.span(day)
        i = bisect.bisect_right(ends, start)  # the first interval ending after the shift starts
        return i == len(ends) or starts[i] >= end

    def works(self, volunteer: str, day: int) -> cp_model.IntVar | int:
        """Works-day literal, or the constant 0/1 when it cannot vary (history = given)."""
        if day < 0:
            return int((volunteer, day) in self.history_work)
        return self.work.get((volunteer, day), 0)

    def _clashes_with_history(self, volunteer: str, day: int, shift: Shift) -> bool:
        if volunteer not in self._history:
            return False
        start, end = shift.span(day)
        rest = self.instance.rules.min_rest_minutes
        for h in self._history[volunteer]:
            hs = self.shift_by_id[h.shift]
            h_start, h_end = hs.span(h.day)
            if start < h_end + rest and h_start < end + rest:
                return True
            if h.day == day - 1 and shift.id in hs.forbidden_next:
                return True
        return False

    def _create_variables(self) -> None:
        inst = self.instance
        # Per person, their absences merged into disjoint intervals: (starts, ends), sorted.
        absences: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for u in inst.unavailability:
            absences[u.volunteer].append((u.start, u.end))
        self._unavailable: dict[str, tuple[list[int], list[int]]] = {}
        for v, intervals in absences.items():
            starts: list[int] = []
            ends: list[int] = []
            for a, b in sorted(intervals):
                if starts and a <= ends[-1]:
                    ends[-1] = max(ends[-1], b)
                else:
                    starts.append(a)
                    ends.append(b)
            self._unavailable[v] = (starts, ends)
        self._history = defaultdict(list)
        for a in inst.history:
            self._history[a.volunteer].append(a)
        self.demand_people: dict[tuple[str, int, str], list[cp_model.IntVar]] = {}
        # Who may work each (post, day, shift): skills, availability, caps, last week.
        self.eligible: dict[tuple[str, int, str], list[str]] = defaultdict(list)
        # Per (post, shift): the people with the post's skills who may work the shift at all.
        candidates: dict[tuple[str, str], list[Volunteer]] = {}
        by_shift: dict[Key, list[cp_model.IntVar]] = defaultdict(list)
        new_bool_var = self.cp.new_bool_var  # bound once: a year's person has ~7,000 of them
        for dem in inst.demand:
            row = (dem.post, dem.day, dem.shift)
            people = self.demand_people.setdefault(row, [])
            if dem.required == 0 and dem.weight_over is None:
                continue
            pair = (dem.post, dem.shift)
            if pair not in candidates:
                post = self.post_by_id[dem.post]
                candidates[pair] = [
                    v
                    for v in inst.volunteers
                    if post.skills <= v.skills and v.shift_cap(dem.shift) != 0
                ]
            shift = self.shift_by_id[dem.shift]
            for v in candidates[pair]:
                if not self.available(v.id, dem.day, shift):
                    continue
                if v.id in self._history and self._clashes_with_history(v.id, dem.day, shift):
                    continue
                self.eligible[row].append(v.id)
                var = new_bool_var(f"x[{v.id},{dem.day},{dem.shift},{dem.post}]")
                self.x[(v.id, dem.day, dem.shift, dem.post)] = var
                by_shift[(v.id, dem.day, dem.shift)].append(var)
                people.append(var)
        for key in sorted(by_shift):
            xs = by_shift[key]
            if len(xs) == 1:
                self.y[key] = xs[0]
            else:
                y = self.cp.NewBoolVar(f"y[{key[0]},{key[1]},{key[2]}]")
                # One place at a time: at most one post per shift.
                self.add("one place", self.cp.Add(Sum(xs) == y))
                if self.explain:
                    # Without the group, y must still mean "works this shift somewhere".
                    self.cp.AddMaxEquality(y, xs)
                self.y[key] = y
        for (v, d, s), var in self.y.items():
            self.day_shifts[(v, d)][s] = var
            self.by_person[v].append((d, self.shift_by_id[s], var))
        for items in self.by_person.values():
            items.sort(key=lambda t: (t[0] * DAY + t[1].start, t[1].minutes))  # as by span
        single = inst.rules.max_shifts_per_day == 1
        for key, shifts in sorted(self.day_shifts.items()):
            ys = list(shifts.values())
            if len(ys) == 1:
                self.work[key] = ys[0]
                continue
            w = self.cp.NewBoolVar(f"work[{key[0]},{key[1]}]")
            if single and not self.explain:
                # One shift a day: working the day is exactly the sum (a tight linear link).
                self.cp.Add(Sum(ys) == w)
            else:
                self.cp.AddMaxEquality(w, ys)
            self.work[key] = w

    def value_assignments(self, val: Callable[[cp_model.IntVar], int]) -> tuple[Assignment, ...]:
        """The roster encoded by a variable assignment."""
        return tuple(
            Assignment(v, d, s, p) for (v, d, s, p), var in sorted(self.x.items()) if val(var)
        )

    def cost(self, val: Callable[[cp_model.IntVar], int]) -> int:
        """Total soft penalty points of the solution ``val``, exactly."""
        return sum(term.amount(term.value(val)) for term in self.terms)

    def penalties(self, val: Callable[[cp_model.IntVar], int]) -> tuple[Penalty, ...]:
        """Every soft penalty paid by the solution, exactly, with its sentence."""
        out = []
        for term in self.terms:
            value = term.value(val)
            amount = term.amount(value)
            if amount:
                out.append(
                    Penalty(
                        term.rule,
                        amount,
                        term.describe(value, amount),
                        term.volunteer,
                        term.day,
                        term.shift,
                    )
                )
        return tuple(out)


# --- hard rules ---------------------------------------------------------------------------


def rule_cover(m: RosterModel) -> None:
    """Each post gets the people it needs in every shift (or pays for the shortfall).

    People outside the model (``RosterModel.covered``) count as a constant in every row.
    """
    for dem in m.instance.demand:
        key = (dem.post, dem.day, dem.shift)
        people = m.demand_people[key]
        fixed = m.covered.get(key, 0)
        # One row for both hard bounds (an equality when neither may be priced).
        lo = dem.required - fixed if dem.weight_under is None else 0
        hi = dem.required - fixed if dem.weight_over is None else len(people)
        if lo > 0 or (hi < len(people) and people):
            m.add("cover", m.cp.AddLinearConstraint(Sum(people), lo, hi))
        if dem.weight_under:
            m.soft(
                Term(
                    "cover_under",
                    [(v, 1) for v in people],
                    fixed,
                    dem.required,
                    None,
                    dem.weight_under,
                    0,
                    lambda n, amt, m=m, dem=dem: (
                        f"{_where(m, dem)}: {n} people, needs {dem.required}, penalty {amt}"
                    ),
                    None,
                    dem.day,
                    dem.shift,
                )
            )
        if dem.weight_over:
            m.soft(
                Term(
                    "cover_over",
                    [(v, 1) for v in people],
                    fixed,
                    None,
                    dem.required,
                    0,
                    dem.weight_over,
                    lambda n, amt, m=m, dem=dem: (
                        f"{_where(m, dem)}: {n} people, needs only {dem.required}, penalty {amt}"
                    ),
                    None,
                    dem.day,
                    dem.shift,
                )
            )


def _where(m: RosterModel, dem: Demand) -> str:
    """'Wed 2026-12-02 00:00-08:00 夜班 东门岗' for cover messages (built only when paid)."""
    return f"{m.label(dem.day, m.shift_by_id[dem.shift])} {m.post_by_id[dem.post].name}"


def rule_total_work(m: RosterModel) -> None:
    """All shifts worked add up to the demand (a redundant total that tightens the bound).

    Summing the cover rows gives the range of total working time; stating it once over all
    people also ties every person into one LP, so the solver can bound the fair-share terms.
    """
    if all(d.weight_under is not None and d.weight_over is not None for d in m.instance.demand):
        return  # every cover row soft both ways: checked first, summing a year's rows is slow
    lo = hi = 0
    for dem in m.instance.demand:
        key = (dem.post, dem.day, dem.shift)
        minutes = m.shift_by_id[dem.shift].minutes
        people = len(m.demand_people[key])
        needed = max(0, dem.required - m.covered.get(key, 0))
        lo += minutes * (needed if dem.weight_under is None else 0)
        hi += minutes * (min(needed, people) if dem.weight_over is None else people)
    items = [(var, s.minutes) for items in m.by_person.values() for _, s, var in items]
    if lo <= 0 and hi >= sum(c for _, c in items):
        return  # the rows leave the total free: the row would bind nothing
    total = WeightedSum([v for v, _ in items], [c for _, c in items])
    m.add("cover", m.cp.AddLinearConstraint(total, lo, hi))


def rule_leads(m: RosterModel) -> None:
    """A post-shift that asks for leads gets at least that many people with skill lead."""
    for dem in m.instance.demand:
        if dem.leads <= 0:
            continue
        key = (dem.post, dem.day, dem.shift)
        leads = [
            var
            for v, var in zip(m.eligible[key], m.demand_people[key], strict=True)
            if LEAD in m.volunteer_by_id[v].skills
        ]
        m.add("leads", m.cp.Add(sum(leads) >= dem.leads))


def _blocked_cliques(m: RosterModel, gap: int) -> Iterator[list[cp_model.IntVar]]:
    """Per person, maximal sets of shifts no two of which fit with ``gap`` minutes between.

    A shift blocks ``[start, end + gap)``; two shifts clash exactly when their blocked
    intervals meet, so the clashes form an interval graph whose maximal cliques are the
    shifts blocking each start time. One ``≤ 1`` per clique replaces a clause per pair.
    """
    for v in m.instance.volunteers:
        active: list[tuple[int, cp_model.IntVar]] = []  # (blocked until, literal)
        for d, s, var in m.by_person[v.id]:
            start, end = s.span(d)
            kept = [(b, lit) for b, lit in active if b > start]
            if len(kept) < len(active) and len(active) > 1:
                # Something stops blocking here: the clique before this start was maximal.
                yield [lit for _, lit in active]
            active = [*kept, (end + gap, var)]
        if len(active) > 1:
            yield [lit for _, lit in active]


def rule_one_place_at_a_time(m: RosterModel) -> None:
    """Nobody works two shifts that overlap in time (last week's roster included)."""
    if m.instance.rules.min_rest_minutes > 0:
        return  # the rest rule's cliques contain every overlap clique
    for clique in _blocked_cliques(m, 0):
        m.add("one place", m.cp.Add(Sum(clique) <= 1))


def rule_rest(m: RosterModel) -> None:
    """Between the end of one shift and the start of the next, everyone rests long enough."""
    rest = m.instance.rules.min_rest_minutes
    if rest <= 0:
        return
    for clique in _blocked_cliques(m, rest):
        m.add("rest", m.cp.Add(Sum(clique) <= 1))


def rule_shifts_per_day(m: RosterModel) -> None:
    """Nobody starts more than the allowed number of shifts on one day."""
    cap = m.instance.rules.max_shifts_per_day
    if cap == 1 and not m.explain:
        return  # the works link sum(shifts of the day) == works-day literal already says so
    for shifts in m.day_shifts.values():
        if len(shifts) > cap:
            m.add("shifts per day", m.cp.Add(Sum(list(shifts.values())) <= cap))


def rule_forbidden_successions(m: RosterModel) -> None:
    """Shift t is not worked the day after shift s when s forbids t as its successor.

    With one shift a day, the shifts of a day that forbid the same successors share one row:
    at most one of them, or of those successors the next day, is worked.
    """
    single = m.instance.rules.max_shifts_per_day == 1
    # The groups depend only on the shifts on offer on both days, which repeat across a long
    # horizon: worked out once per pair of offers.
    plans: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[list[str], list[str]]]] = {}
    for (v, d), today in m.day_shifts.items():
        following = m.day_shifts.get((v, d + 1))
        if not following:
            continue
        offers = (tuple(today), tuple(following))
        if offers not in plans:
            groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
            for s in today:
                banned = tuple(t for t in m.shift_by_id[s].forbidden_next if t in following)
                if banned:
                    groups[banned].append(s)
            plans[offers] = [(worked, list(banned)) for banned, worked in groups.items()]
        for worked, banned in plans[offers]:
            if single:
                row = [*(today[s] for s in worked), *(following[t] for t in banned)]
                m.add("successions", m.cp.Add(Sum(row) <= 1))
            else:
                for s in worked:
                    for t in banned:
                        m.add(
                            "successions",
                            m.cp.AddBoolOr([today[s].Not(), following[t].Not()]),
                        )


def rule_hours(m: RosterModel) -> None:
    """Each person's total shift time stays between their minimum and maximum hours."""
    for v in m.instance.volunteers:
        ys = m.by_person[v.id]
        minutes = WeightedSum([var for _, _, var in ys], [s.minutes for _, s, _ in ys])
        total = sum(s.minutes for _, s, _ in ys)
        if v.limits.max_minutes is not None and total > v.limits.max_minutes:
            m.add("hours", m.cp.Add(minutes <= v.limits.max_minutes))
        if v.limits.min_minutes > 0:
            m.add("hours", m.cp.Add(minutes >= v.limits.min_minutes))


def rule_nights(m: RosterModel) -> None:
    """Nobody works more than their maximum number of night shifts."""
    for v in m.instance.volunteers:
        nights = [var for _, s, var in m.by_person[v.id] if s.night]
        cap = v.limits.max_nights
        if cap is not None and len(nights) > cap:
            m.add("nights", m.cp.Add(Sum(nights) <= cap))


def rule_shift_caps(m: RosterModel) -> None:
    """Nobody works a shift type more often than their cap for it."""
    for v in m.instance.volunteers:
        by_shift: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for _, s, var in m.by_person[v.id]:
            by_shift[s.id].append(var)
        for shift_id, cap in v.max_per_shift:
            if len(by_shift[shift_id]) > cap:
                m.add("shift caps", m.cp.Add(Sum(by_shift[shift_id]) <= cap))


def rule_max_consecutive_days(m: RosterModel) -> None:
    """Nobody works more consecutive days than allowed (last week's days count)."""
    days = m.instance.days
    for v in m.instance.volunteers:
        k = v.limits.max_consecutive_days
        if k is None:
            continue
        # Any k+1 consecutive days touching the horizon hold at most k worked days.
        for first in range(-k, days - k):
            window = [m.works(v.id, d) for d in range(first, first + k + 1) if d < days]
            fixed = sum(w for w in window if isinstance(w, int))
            free = [w for w in window if not isinstance(w, int)]
            if len(free) + fixed > k and free:
                m.add("max consecutive days", m.cp.Add(sum(free) <= k - fixed))


def _forbid_short_runs(m: RosterModel, vid: str, group: str, shortest: int, worked: bool) -> None:
    """Forbid runs (of worked days, or of days off) shorter than ``shortest`` inside the horizon.

    A run of length L on days j..j+L-1 bounded by the opposite state on j-1 and j+L (both inside
    the horizon) is excluded by one clause over those L+2 days.
    """
    days = m.instance.days
    for length in range(1, shortest):
        for j in range(1, days - length):
            lits: list[cp_model.IntVar] = []
            for d in range(j - 1, j + length + 1):
                w = m.works(vid, d)
                want = worked if j <= d < j + length else not worked  # the forbidden pattern
                if isinstance(w, int):
                    if bool(w) != want:
                        break  # a fixed day already breaks the pattern
                    continue
                lits.append(w.Not() if want else w)
            else:
                m.add(group, m.cp.AddBoolOr(lits))


def rule_min_consecutive_days(m: RosterModel) -> None:
    """A block of working days between two days off lasts at least the minimum."""
    for v in m.instance.volunteers:
        if v.limits.min_consecutive_days > 1:
            _forbid_short_runs(m, v.id, "min consecutive days", v.limits.min_consecutive_days, True)


def rule_min_consecutive_days_off(m: RosterModel) -> None:
    """A block of days off between two working days lasts at least the minimum."""
    for v in m.instance.volunteers:
        if v.limits.min_consecutive_days_off > 1:
            _forbid_short_runs(
                m, v.id, "min consecutive days off", v.limits.min_consecutive_days_off, False
            )


def _weekends(m: RosterModel) -> list[list[int]]:
    """Horizon days grouped into weekends (a lone Saturday or Sunday is a weekend on its own)."""
    out: list[list[int]] = []
    for d in range(m.instance.days):
        wd = m.instance.date(d).weekday()
        if wd == 5 or (wd == 6 and d == 0):
            out.append([d])
        if wd == 6 and d > 0:
            out[-1].append(d)
    return out


def rule_weekends(m: RosterModel) -> None:
    """Nobody works more weekends than allowed."""
    weekends = _weekends(m)
    for v in m.instance.volunteers:
        cap = v.limits.max_weekends
        if cap is None:
            continue
        worked = []
        for days in weekends:
            ws = [w for w in (m.works(v.id, d) for d in days) if not isinstance(w, int)]
            if len(ws) == 1:
                worked.append(ws[0])
            elif ws:
                we = m.cp.NewBoolVar(f"weekend[{v.id},{days[0]}]")
                for w in ws:
                    m.cp.AddImplication(w, we)
                worked.append(we)
        if len(worked) > cap:
            m.add("weekends", m.cp.Add(sum(worked) <= cap))


# --- soft rules ---------------------------------------------------------------------------


def soft_preferences(m: RosterModel) -> None:
    """Honour each wish to work, or to be off, a given shift (weighted)."""
    scale = m.instance.weights.preference
    for pref in m.instance.preferences:
        var = m.y.get((pref.volunteer, pref.day, pref.shift))
        items = [(var, 1)] if var is not None else []
        name = m.volunteer_by_id[pref.volunteer].name
        where = m.label(pref.day, m.shift_by_id[pref.shift])
        wish = "wants to work" if pref.want else "wants off"
        m.soft(
            Term(
                "preference",
                items,
                0,
                1 if pref.want else None,
                None if pref.want else 0,
                scale * pref.weight,
                scale * pref.weight,
                lambda _v, amt, name=name, wish=wish, where=where: (
                    f"{name} {wish} {where}: not honoured, penalty {amt}"
                ),
                pref.volunteer,
                pref.day,
                pref.shift,
            )
        )


def fair_shares(
    instance: RosterInstance, counted: Callable[[int, Shift], bool], unit: Callable[[Shift], int]
) -> dict[str, tuple[int, int]]:
    """Per volunteer, the (floor, ceil) of their fair share of the counted demand.

    ``a_i`` counts (day, shift) pairs with demand in which the person is available for the whole
    shift and has the skills of a post with demand; the share is ``T·a_i/A`` (integer floor/ceil).
    """
    shifts = {s.id: s for s in instance.shifts}
    posts = {p.id: p for p in instance.posts}
    total = 0
    wanted: dict[tuple[int, str], list[str]] = defaultdict(list)
    for dem in instance.demand:
        shift = shifts[dem.shift]
        if dem.required > 0 and counted(dem.day, shift):
            total += dem.required * unit(shift)
            wanted[(dem.day, dem.shift)].append(dem.post)
    unavailable: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for u in instance.unavailability:
        unavailable[u.volunteer].append((u.start, u.end))
    share_count: dict[str, int] = {}
    for v in instance.volunteers:
        n = 0
        for (day, sid), post_ids in wanted.items():
            start, end = shifts[sid].span(day)
            if any(a < end and start < b for a, b in unavailable[v.id]):
                continue
            if any(posts[p].skills <= v.skills for p in post_ids):
                n += 1
        share_count[v.id] = n
    a_total = sum(share_count.values())
    if a_total == 0:
        # Nobody can do any of this work: everyone's fair share is 0.
        return {vid: (0, 0) for vid in share_count}
    return {vid: (total * a // a_total, -(-total * a // a_total)) for vid, a in share_count.items()}


def _fair_band(
    m: RosterModel,
    rule: str,
    weight: int,
    tolerance: int,
    counted: Callable[[int, Shift], bool],
    unit: Callable[[Shift], int],
    noun: str,
) -> None:
    if weight <= 0:
        return
    for vid, (floor, ceil) in fair_shares(m.instance, counted, unit).items():
        items = [(var, unit(s)) for d, s, var in m.by_person[vid] if counted(d, s)]
        lo, hi = floor - tolerance, ceil + tolerance
        name = m.volunteer_by_id[vid].name
        m.soft(
            Term(
                rule,
                items,
                0,
                lo,
                hi,
                weight,
                weight,
                lambda n, amt, name=name, lo=lo, hi=hi: (
                    f"{name}: {n} {noun}, fair band {max(lo, 0)}-{hi}, penalty {amt}"
                ),
                vid,
            )
        )


def soft_fair_minutes(m: RosterModel) -> None:
    """Working time is spread fairly, relative to each person's availability."""
    w = m.instance.weights
    _fair_band(
        m,
        "fair_minutes",
        w.fair_minutes,
        w.fair_minutes_tolerance,
        lambda _d, _s: True,
        lambda s: s.minutes,
        "minutes",
    )


def soft_fair_nights(m: RosterModel) -> None:
    """Night shifts are spread fairly, relative to each person's availability."""
    _fair_band(
        m,
        "fair_nights",
        m.instance.weights.fair_nights,
        0,
        lambda _d, s: s.night,
        lambda _s: 1,
        "night shifts",
    )


def soft_fair_weekends(m: RosterModel) -> None:
    """Weekend shifts are spread fairly, relative to each person's availability."""
    _fair_band(
        m,
        "fair_weekends",
        m.instance.weights.fair_weekends,
        0,
        lambda d, _s: m.instance.is_weekend(d),
        lambda _s: 1,
        "weekend shifts",
    )


def soft_isolated_day_off(m: RosterModel) -> None:
    """Days off come in blocks: a single day off between two working days costs points."""
    weight = m.instance.weights.isolated_day_off
    if weight <= 0:
        return
    for v in m.instance.volunteers:
        for d in range(0, m.instance.days - 1):
            before, today, after = (m.works(v.id, e) for e in (d - 1, d, d + 1))
            # before - today + after reaches 2 exactly on a worked-off-worked pattern.
            items, const = [], 0
            for w, sign in ((before, 1), (today, -1), (after, 1)):
                if isinstance(w, int):
                    const += sign * w
                else:
                    items.append((w, sign))
            date = m.instance.date(d)
            m.soft(
                Term(
                    "isolated_day_off",
                    items,
                    const,
                    None,
                    1,
                    0,
                    weight,
                    lambda _n, amt, name=v.name, date=date: (
                        f"{name}: single day off on {date:%a} {date.isoformat()}, penalty {amt}"
                    ),
                    v.id,
                    d,
                )
            )


def soft_team(m: RosterModel) -> None:
    """Posts that ask for it get one team together, or a mix of teams, per shift."""
    weight = m.instance.weights.team
    if weight <= 0:
        return
    for dem in m.instance.demand:
        post = m.post_by_id[dem.post]
        if post.team_policy not in ("mix", "together"):
            continue
        by_team: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        key = (dem.post, dem.day, dem.shift)
        for v, var in zip(m.eligible[key], m.demand_people[key], strict=True):
            by_team[m.volunteer_by_id[v].team].append(var)
        where = f"{m.label(dem.day, m.shift_by_id[dem.shift])} {post.name}"
        if post.team_policy == "together":
            present = []
            for team, xs in sorted(by_team.items()):
                t = m.cp.NewBoolVar(f"team_present[{dem.post},{dem.day},{dem.shift},{team}]")
                # t is 1 exactly when someone of the team is on the post-shift.
                for x in xs:
                    m.cp.AddImplication(x, t)
                m.cp.AddBoolOr([*xs, t.Not()])
                present.append((t, 1))
            m.soft(
                Term(
                    "team",
                    present,
                    0,
                    None,
                    1,
                    0,
                    weight,
                    lambda n, amt, where=where: f"{where}: {n} teams mixed, penalty {amt}",
                    None,
                    dem.day,
                    dem.shift,
                )
            )
        else:
            for team, xs in sorted(by_team.items()):
                m.soft(
                    Term(
                        "team",
                        [(x, 1) for x in xs],
                        0,
                        None,
                        1,
                        0,
                        weight,
                        lambda n, amt, where=where, team=team: (
                            f"{where}: {n} people of team {team}, penalty {amt}"
                        ),
                        None,
                        dem.day,
                        dem.shift,
                    )
                )


HARD_RULES: tuple[Callable[[RosterModel], None], ...] = (
    rule_cover,
    rule_total_work,
    rule_leads,
    rule_one_place_at_a_time,
    rule_rest,
    rule_shifts_per_day,
    rule_forbidden_successions,
    rule_hours,
    rule_nights,
    rule_shift_caps,
    rule_max_consecutive_days,
    rule_min_consecutive_days,
    rule_min_consecutive_days_off,
    rule_weekends,
)
SOFT_RULES: tuple[Callable[[RosterModel], None], ...] = (
    soft_preferences,
    soft_fair_minutes,
    soft_fair_nights,
    soft_fair_weekends,
    soft_isolated_day_off,
    soft_team,
)
