"""Exact pricing of one person's roster by dynamic programming over the days.

Column generation (:mod:`optimizer.roster.columns`) prices every person hundreds of times a
minute: given a price per cover row, find the person's roster of least own penalties minus
prices. Their CP-SAT model answers in 2.9-87 ms a solve on Curtois-Qu instances and look-alikes
(``benchmarks/results/pricing.csv``), much of it presolve; this programme in 0.2-3.1 ms.
When a person's rules are the day-by-day kind (one shift a day, successions and rest between
consecutive days, runs of working days and of days off, weekends, minutes worked, caps per
shift type and on nights, wishes, single days off), the same optimum is a shortest path over
the days whose state is what those rules still need to know: yesterday's shift, the length of
the current run (and whether it began on day 0, where the minimum lengths do not apply), the
weekends worked, the minutes worked (in steps of the shifts' common divisor) and the counts of
capped shifts. :class:`DayProgramme` builds that path problem once per person, and
:func:`_shortest` solves it compiled (numba), without the GIL, so both pricing threads run.

Counts of capped shifts multiply the states: on Curtois-Qu Instance 8, caps of 14, 14 and 4
on three shift types make 90 M states over the days, and most caps never bind at the prices
column generation meets. Where the counts of all caps fit in ``MAX_STATES`` they are all in
the states. Otherwise a programme starts counting no cap and checks the caps on the least path
found: a path that keeps them is optimal (the optimum of a relaxation, feasible); one that
breaks some makes the programme count those caps from then on, and solve again. If the states
would then exceed ``MAX_STATES``, that pricing falls back to CP-SAT. People whose
rules fall outside the form (last week's roster, more than one shift a day, rest that reaches
two days ahead, too many states without any cap) get no programme and keep CP-SAT.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
from numba import njit

from optimizer.roster.domain import DAY
from optimizer.roster.model import RosterModel, _weekends

# Most states over all days a programme may have (each keeps its best predecessor, 5 bytes);
# beyond it the person keeps CP-SAT.
MAX_STATES = 10_000_000
# Cost of a choice that is not allowed.
_BARRED = np.iinfo(np.int64).max // 4
# A state not reached.
_INF = np.iinfo(np.int64).max


class DayProgramme:
    """One person's pricing problem as a shortest path over the days (see the module text)."""

    def __init__(self, model: RosterModel, rows: Sequence[int], scale: int) -> None:
        """Use :meth:`of`, which says whether the person's rules fit."""
        inst = model.instance
        volunteer = inst.volunteers[0]
        limits = volunteer.limits
        self.days = inst.days
        self.types = [s for s in inst.shifts if any(k[2] == s.id for k in model.y)]
        t_of = {s.id: t for t, s in enumerate(self.types)}
        n_types = len(self.types)
        self.size = len(model.cp.Proto().variables)
        # Per (day, type): the x variables (one per post), their global rows, y and work indices.
        self.slot_x: dict[tuple[int, int], list[int]] = {}
        self.slot_rows: dict[tuple[int, int], list[int]] = {}
        x_slot = []
        for ((_, d, s, _), var), row in zip(model.x.items(), rows, strict=True):
            key = (d, t_of[s])
            self.slot_x.setdefault(key, []).append(var.Index())
            self.slot_rows.setdefault(key, []).append(row)
            x_slot.append(d * n_types + t_of[s])
        self.x_slot = np.array(x_slot, dtype=np.int64)
        self.x_row = np.array(rows, dtype=np.int64)
        self.y_index = {(d, t_of[s]): var.Index() for (_, d, s), var in model.y.items()}
        self.work_index = {d: var.Index() for (_, d), var in model.work.items()}
        # Own penalty change (scaled) of working each slot: wishes to work it or to be off; a
        # wish to work is paid unless worked, so it also adds a constant (``self.constant``).
        self.own = np.zeros((self.days, n_types), dtype=np.int64)
        self.constant = 0
        for p in inst.preferences:
            weight = inst.weights.preference * p.weight * scale
            self.constant += weight if p.want else 0
            if (p.day, t_of.get(p.shift)) in self.y_index:
                self.own[p.day, t_of[p.shift]] += -weight if p.want else weight
        # Successions and rest between consecutive days: allowed[a, t], a = 0 off, t + 1 worked.
        gap = inst.rules.min_rest_minutes
        allowed = np.ones((n_types + 1, n_types), dtype=np.bool_)
        for a, s in enumerate(self.types):
            for t, u in enumerate(self.types):
                clash = DAY + u.start < s.start + s.minutes + gap
                allowed[a + 1, t] = not clash and u.id not in s.forbidden_next
        self.allowed = allowed
        # Weekends: whether a day is in one and whether it starts its weekend.
        self.weekend = np.zeros(self.days, dtype=np.bool_)
        self.first = np.zeros(self.days, dtype=np.bool_)
        weekends = _weekends(model)
        for group in weekends:
            self.weekend[group] = True
            self.first[group[0]] = True
        cap_w = limits.max_weekends
        self.w_cap = cap_w if cap_w is not None and cap_w < len(weekends) else -1
        # Minutes in steps of the shifts' common divisor.
        step = math.gcd(*(s.minutes for s in self.types)) or 1
        self.lengths = np.array([s.minutes // step for s in self.types], dtype=np.int64)
        most = self.days * max(s.minutes for s in self.types) // step
        self.min_level = -(-limits.min_minutes // step)
        if limits.max_minutes is not None and limits.max_minutes // step < most:
            self.m_cap, self.m_saturate = limits.max_minutes // step, False
        else:
            self.m_cap, self.m_saturate = self.min_level, True
        # Caps on counts of shifts: per type, and on nights; only those that can bind.
        counts = np.zeros(n_types, dtype=np.int64)
        for _, t in self.y_index:
            counts[t] += 1
        groups: list[tuple[list[int], int]] = []
        for sid, cap in volunteer.max_per_shift:
            if sid in t_of and cap < counts[t_of[sid]]:
                groups.append(([t_of[sid]], cap))
        nights = [t for t, s in enumerate(self.types) if s.night]
        if limits.max_nights is not None and limits.max_nights < counts[nights].sum():
            groups.append((nights, limits.max_nights))
        # Runs: the longest working run (or the minimum, saturating), off runs saturating.
        self.max_run = limits.max_consecutive_days or 0
        self.min_run = limits.min_consecutive_days
        self.min_off = limits.min_consecutive_days_off
        self.isolated = inst.weights.isolated_day_off * scale
        self.run_cap = max(self.max_run or self.min_run, self.min_off, 2 if self.isolated else 1, 1)
        # States without any cap's count.
        self.free_states = (
            (n_types + 1)
            * self.run_cap
            * 2
            * (self.w_cap + 1 if self.w_cap >= 0 else 1)
            * (self.m_cap + 1)
        )
        # Every cap counted if they all fit; else each only once a least path breaks it (see
        # :meth:`price`).
        self.caps = groups
        self.held: list[int] = []
        if not self._hold(list(range(len(groups)))):
            self._hold([])

    def _hold(self, caps: list[int]) -> bool:
        """Count the caps ``caps`` (indices into ``self.caps``) in the states as well, if the
        states still fit in ``MAX_STATES``; False if they would not."""
        held = self.held + caps
        states = self.free_states * int(np.prod([self.caps[j][1] + 1 for j in held]))
        if states * self.days > MAX_STATES:
            return False
        self.held, self.states = held, states
        self._work: tuple[np.ndarray, ...] | None = None
        self.g_member = np.zeros((len(held), len(self.types)), dtype=np.bool_)
        self.g_cap = np.array([self.caps[j][1] for j in held], dtype=np.int64)
        for k, j in enumerate(held):
            self.g_member[k, self.caps[j][0]] = True
        return True

    @classmethod
    def of(cls, model: RosterModel, rows: Sequence[int], scale: int) -> DayProgramme | None:
        """The programme of a one-person ``model`` (global cover row of each x variable, in
        ``model.x`` order; prices in units of 1/``scale`` point), or None if its rules do
        not fit the day-by-day form or it has too many states even without counting caps."""
        inst = model.instance
        if inst.history or inst.rules.max_shifts_per_day != 1 or not model.y:
            return None
        if any(t.rule not in ("preference", "isolated_day_off") for t in model.terms):
            return None
        gap = inst.rules.min_rest_minutes
        if any(
            s.start + s.minutes + gap > 2 * DAY + u.start for s in inst.shifts for u in inst.shifts
        ):
            return None  # a shift's rest reaches two days ahead
        programme = cls(model, rows, scale)
        return programme if programme.free_states * inst.days <= MAX_STATES else None

    def price(
        self, prices: np.ndarray, forced: Collection[int], k: int, own: bool = True
    ) -> tuple[float, list[list[int]]] | None:
        """The least priced cost (own penalties × scale minus the prices of the rows worked)
        and up to ``k`` rosters, best first, as values of every model variable; each works
        the global rows ``forced``. ``(-inf, [])`` if the person has no roster; None if the
        least path breaks a cap its states do not count (the optimum is then unknown).
        Without ``own`` the person's own penalties count as nothing (the prices alone)."""
        n_types = len(self.types)
        usable = np.ones(len(self.x_row), dtype=np.bool_)
        off = np.ones(self.days, dtype=np.bool_)
        if forced:
            # A forced row bars every other choice of its day, the day off included.
            hit = np.isin(self.x_row, list(forced))
            days = np.unique(self.x_slot[hit] // n_types)
            if hit.sum() != len(forced) or len(days) != len(forced):
                return -math.inf, []  # a row they cannot work, or two on one day
            usable = ~np.isin(self.x_slot // n_types, days) | hit
            off[days] = False
        gain = np.full(self.days * n_types, -_BARRED, dtype=np.int64)
        np.maximum.at(gain, self.x_slot[usable], prices[self.x_row[usable]])
        gain = gain.reshape(self.days, n_types)
        cost = np.where(gain > -_BARRED, self.own * own - gain, _BARRED)
        while True:
            values, paths = self._shortest(cost, off, k, own)
            if not len(values):
                return -math.inf, []  # none even without the caps not held
            # Without the caps not held the least path is a lower bound, exact if it keeps them.
            loose = [j for j in range(len(self.caps)) if j not in self.held]
            broken = [
                [j for j in loose if np.isin(path, self.caps[j][0]).sum() > self.caps[j][1]]
                for path in paths
            ]
            if not broken[0]:
                break
            if not self._hold(broken[0]):
                return None
        rosters = [
            self._values(path, prices, forced)
            for path, bad in zip(paths, broken, strict=True)
            if not bad
        ]
        return float(values[0] + self.constant * own), rosters

    def _shortest(
        self, cost: np.ndarray, off: np.ndarray, k: int, own: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        if self._work is None:
            # Kept between solves: on Instance 8, touching 4 MB of fresh pages for a
            # 256,500-state programme took 1 ms of a 4 ms solve.
            n = self.states
            self._work = (
                np.full(n, _INF, np.int64),
                np.full(n, _INF, np.int64),
                np.empty(n, np.int64),
                np.empty((n, 7), np.int64),
                np.empty((n, 7), np.int64),
                np.empty(self.days * n, np.int32),
                np.empty(self.days * n, np.int8),
            )
        return _shortest(
            *self._work,
            cost,
            off,
            self.allowed,
            self.lengths,
            self.weekend,
            self.first,
            self.g_member,
            self.g_cap,
            self.max_run,
            self.min_run,
            self.min_off,
            self.run_cap,
            self.isolated * own,
            self.w_cap,
            self.m_cap,
            self.m_saturate,
            self.min_level,
            k,
        )

    def _values(self, path: np.ndarray, prices: np.ndarray, forced: Collection[int]) -> list[int]:
        """A path's roster as values of every model variable (the best-priced post a shift)."""
        out = [0] * self.size
        for d, t in enumerate(path.tolist()):
            if t < 0:
                continue
            xs, rows = self.slot_x[(d, t)], self.slot_rows[(d, t)]
            best = max(range(len(xs)), key=lambda i: (rows[i] in forced, prices[rows[i]]))
            out[xs[best]] = out[self.y_index[(d, t)]] = out[self.work_index[d]] = 1
        return out


@njit(cache=True, nogil=True)
def _shortest(
    cur,
    nxt,
    place,
    live,
    ahead,
    back,
    pick,
    cost,
    off,
    allowed,
    lengths,
    weekend,
    first,
    g_member,
    g_cap,
    max_run,
    min_run,
    min_off,
    run_cap,
    isolated,
    w_cap,
    m_cap,
    m_saturate,
    min_level,
    k,
):  # pragma: no cover - compiled
    """Shortest paths over the days; returns (the ``k`` least values, their choices per day,
    -1 for a day off). States are flat indices over (yesterday, run length - 1, run began on
    day 0, weekends worked, minute steps, capped counts in mixed radix).

    The first seven arrays are working space, one entry (``back`` and ``pick``: one a day)
    per state: ``cur`` and ``nxt`` must hold ``_INF`` throughout and are left so.
    """
    days, n_types = cost.shape
    n_w = w_cap + 1 if w_cap >= 0 else 1
    n_m = m_cap + 1
    n_groups = g_cap.shape[0]
    stride = np.ones(n_groups, np.int64)
    n_g = 1
    for j in range(n_groups):
        stride[j] = n_g
        n_g *= g_cap[j] + 1
    # full[g, j]: the capped counts ``g`` have reached group j's cap.
    full = np.zeros((n_g, max(n_groups, 1)), np.bool_)
    for g in range(n_g):
        for j in range(n_groups):
            full[g, j] = (g // stride[j]) % (g_cap[j] + 1) == g_cap[j]
    inf = _INF
    # Only the states reached are visited and remembered: a few per cent of all (on Instance 8
    # at most 9,052 of 256,500). ``live[i]`` is today's i-th state (its flat index, then
    # yesterday, run length, run began on day 0, weekends, minute steps, capped counts),
    # ``ahead`` tomorrow's, a state's row in it at ``place``. Day d's states have entries
    # from ``begin[d]`` on in ``back`` (the row of the best predecessor among the day
    # before's) and ``pick`` (-1 off, else the type worked). ``cur`` and ``nxt`` hold the
    # least values of today's states and tomorrow's.
    begin = np.zeros(days + 1, np.int64)
    longest = 0
    for t in range(n_types):
        longest = max(longest, lengths[t])
    # Before day 0: a day off whose run began on day 0, so no minimum applies to it.
    live[0, :] = 0
    live[0, 0] = ((run_cap - 1) * 2 + 1) * n_w * n_m * n_g
    live[0, 2], live[0, 3] = run_cap, 1
    cur[live[0, 0]] = 0
    n_live = 1
    for d in range(days):
        n_ahead = 0
        base = begin[d]
        reach = (days - d) * longest  # minute steps still possible from today on
        new_e = 1 if d == 0 else 0
        for i in range(n_live):
            s, a, run, e, w, m, gi = live[i]
            value = cur[s]
            if not m_saturate and m + reach < min_level:
                continue
            for t in range(-1, n_types):
                extra = 0
                nw, nm, ng = w, m, gi
                if t < 0:  # a day off
                    if not off[d]:
                        continue
                    if a == 0:
                        nr, ne = min(run + 1, run_cap), e
                    elif e == 1 or run >= min_run:
                        nr, ne = 1, new_e
                    else:
                        continue
                else:
                    c = cost[d, t]
                    if c >= _BARRED:
                        continue
                    if a == 0:
                        if e == 0 and run < min_off:
                            continue
                        if isolated > 0 and e == 0 and run == 1:
                            extra = isolated
                        nr, ne = 1, new_e
                    else:
                        if not allowed[a, t]:
                            continue
                        nr = run + 1
                        if max_run > 0 and nr > max_run:
                            continue
                        nr, ne = min(nr, run_cap), e
                    if w_cap >= 0 and weekend[d] and (first[d] or a == 0):
                        nw = w + 1
                        if nw > w_cap:
                            continue
                    nm = m + lengths[t]
                    if nm > m_cap:
                        if not m_saturate:
                            continue
                        nm = m_cap
                    capped = False
                    for j in range(n_groups):
                        if g_member[j, t]:
                            if full[gi, j]:
                                capped = True
                                break
                            ng += stride[j]
                    if capped:
                        continue
                    extra += c
                ns = (((((t + 1) * run_cap + nr - 1) * 2 + ne) * n_w + nw) * n_m + nm) * n_g + ng
                total = value + extra
                if nxt[ns] == inf:
                    col = n_ahead
                    ahead[col, 0], ahead[col, 1], ahead[col, 2] = ns, t + 1, nr
                    ahead[col, 3], ahead[col, 4], ahead[col, 5], ahead[col, 6] = ne, nw, nm, ng
                    place[ns] = col
                    n_ahead += 1
                # Ties go to the predecessor of least index, as when every state was visited
                # in order: the same paths as measured then. With other ties (and caps counted
                # only once broken) Instance 7 ended at 1057 on seeds 0-2 instead of 1056.
                at = base + place[ns]
                if total < nxt[ns] or (total == nxt[ns] and s < live[back[at], 0]):
                    nxt[ns] = total
                    back[at] = i
                    pick[at] = t
        for i in range(n_live):
            cur[live[i, 0]] = inf
        cur, nxt = nxt, cur
        live, ahead, n_live = ahead, live, n_ahead
        begin[d + 1] = base + n_ahead
    # Final states: enough minutes worked (runs ending on the last day need no minimum).
    finals = np.empty(n_live, np.int64)  # their rows among the last day's states
    n_final = 0
    for i in range(n_live):
        if live[i, 5] >= min_level:
            finals[n_final] = i
            n_final += 1
    finals = finals[:n_final]
    finals = finals[np.argsort(live[finals, 0])]  # in order of index, as ties were
    order = np.argsort(cur[live[finals, 0]])[:k]
    values = np.empty(len(order), np.int64)
    paths = np.empty((len(order), days), np.int64)
    for i in range(len(order)):
        j = finals[order[i]]
        values[i] = cur[live[j, 0]]
        for d in range(days - 1, -1, -1):
            paths[i, d] = pick[begin[d] + j]
            j = back[begin[d] + j]
    for i in range(n_live):
        cur[live[i, 0]] = inf  # as it came
    return values, paths
