"""The day-by-day pricing against the person's CP-SAT model and the independent validator.

For one person, prices per cover row and rows they must work, the programme's least priced
cost must equal CP-SAT's proved optimum of the same person model, and every roster it returns
must pass the validator, whose own penalties minus the prices give exactly that cost. Each rule
the programme encodes has a tiny instance below where it binds: without the rule the optimum
is lower.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer.roster import pricing
from optimizer.roster.domain import (
    DAY,
    Assignment,
    Demand,
    Limits,
    Post,
    Preference,
    RosterInstance,
    Rules,
    Shift,
    Unavailability,
    Volunteer,
    Weights,
)
from optimizer.roster.model import RosterModel, WeightedSum
from optimizer.roster.pricing import DayProgramme
from optimizer.validate_roster import validate_roster

SCALE = 100
MONDAY = dt.date(2026, 11, 30)
EARLY = Shift("E", "早班", 6 * 60, 480)
LATE = Shift("L", "晚班", 14 * 60, 480, forbidden_next=("E",))
NIGHT = Shift("N", "夜班", 22 * 60, 480, night=True, forbidden_next=("E", "L"))


def _person(
    days: int = 7,
    shifts: tuple[Shift, ...] = (EARLY,),
    posts: tuple[str, ...] = ("ward",),
    limits: Limits | None = None,
    caps: tuple[tuple[str, int], ...] = (),
    **fields: object,
) -> RosterInstance:
    """One person who may work every shift of every day at every post; cover costs nothing."""
    volunteer = Volunteer("A", "张三", "T", frozenset(), limits or Limits(), caps)
    return RosterInstance(
        name="one",
        start=MONDAY,
        days=days,
        shifts=shifts,
        volunteers=(volunteer,),
        posts=tuple(Post(p, p, frozenset()) for p in posts),
        demand=tuple(
            Demand(p, d, s.id, 1, weight_under=0, weight_over=0)
            for p in posts
            for d in range(days)
            for s in shifts
        ),
        **fields,
    )


def _rows(model: RosterModel) -> list[tuple[str, int, str]]:
    """The cover row of each x variable, in ``model.x`` order."""
    return [(p, d, s) for (_, d, s, p) in model.x]


def _programme(inst: RosterInstance) -> tuple[RosterModel, DayProgramme, list]:
    model = RosterModel(inst)
    rows = sorted(set(_rows(model)))
    index = {row: i for i, row in enumerate(rows)}
    programme = DayProgramme.of(model, [index[r] for r in _rows(model)], SCALE)
    assert programme is not None
    return model, programme, rows


def _cp_sat(model: RosterModel, rows: list, prices: list[int], forced: set[int]) -> float:
    """CP-SAT's proved least priced cost of the person model (``-inf`` if none)."""
    index = {row: i for i, row in enumerate(rows)}
    xs = list(model.x.values())
    cp = model.cp.Clone()
    cp.Minimize(
        SCALE * model.objective + WeightedSum(xs, [-prices[index[r]] for r in _rows(model)])
    )
    for row, x in zip(_rows(model), xs, strict=True):
        if index[row] in forced:
            cp.Add(x == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.Solve(cp)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return round(solver.ObjectiveValue()) if status == cp_model.OPTIMAL else -math.inf


def _priced(inst: RosterInstance, prices: list[int], forced: set[int] = frozenset()) -> float:
    """The programme's least priced cost, checked against CP-SAT and the validator."""
    model, programme, rows = _programme(inst)
    priced = programme.price(np.array(prices, dtype=np.int64), forced, 3)
    assert priced is not None
    best, rosters = priced
    assert best == _cp_sat(model, rows, prices, forced)
    # Again with the working space of the first solve: the same answer.
    assert programme.price(np.array(prices, dtype=np.int64), forced, 3) == priced
    costs = []
    for values in rosters:
        roster = model.value_assignments(lambda var, values=values: values[var.Index()])
        report = validate_roster(inst, roster)
        assert report.ok, report.violations[:3]
        worked = {rows.index((a.post, a.day, a.shift)) for a in roster}
        assert forced <= worked
        costs.append(SCALE * report.objective - sum(prices[i] for i in worked))
    assert costs == sorted(costs) and (not costs or costs[0] == best)
    assert len({tuple(v) for v in rosters}) == len(rosters)
    return best


def _work_all(inst: RosterInstance) -> list[int]:
    """Prices that pay 10 points for every row worked."""
    return [10 * SCALE] * len(inst.demand)


def _alternate(inst: RosterInstance) -> list[int]:
    """Prices that pay for working even days and charge for odd ones."""
    return [(10 if d.day % 2 == 0 else -10) * SCALE for d in inst.demand]


BINDING = {
    # rule: (instance with the rule, the same without it, prices)
    "max minutes": (
        _person(limits=Limits(max_minutes=3 * 480)),
        _person(),
        _work_all,
    ),
    "min minutes": (
        _person(limits=Limits(min_minutes=2 * 480)),
        _person(),
        lambda inst: [-SCALE] * len(inst.demand),
    ),
    "max consecutive days": (
        _person(limits=Limits(max_consecutive_days=2)),
        _person(),
        _work_all,
    ),
    "min consecutive days": (
        _person(limits=Limits(min_consecutive_days=2)),
        _person(),
        _alternate,
    ),
    "min consecutive days off": (
        _person(limits=Limits(min_consecutive_days_off=2)),
        _person(),
        _alternate,
    ),
    "max weekends": (
        _person(days=14, limits=Limits(max_weekends=1)),
        _person(days=14),
        _work_all,
    ),
    "shift cap": (
        _person(shifts=(EARLY, LATE), caps=(("E", 1),)),
        _person(shifts=(EARLY, LATE)),
        lambda inst: [(20 if d.shift == "E" else 1) * SCALE for d in inst.demand],
    ),
    "max nights": (
        _person(shifts=(EARLY, NIGHT), limits=Limits(max_nights=1)),
        _person(shifts=(EARLY, NIGHT)),
        lambda inst: [(20 if d.shift == "N" else 1) * SCALE for d in inst.demand],
    ),
    "forbidden successions": (
        _person(shifts=(EARLY, LATE)),
        _person(shifts=(EARLY, dataclasses.replace(LATE, forbidden_next=()))),
        lambda inst: [(10 if (d.day % 2) == (d.shift == "E") else 0) * SCALE for d in inst.demand],
    ),
    "rest": (
        _person(shifts=(EARLY, dataclasses.replace(LATE, forbidden_next=())), rules=Rules(720)),
        _person(shifts=(EARLY, dataclasses.replace(LATE, forbidden_next=()))),
        lambda inst: [(10 if (d.day % 2) == (d.shift == "E") else 0) * SCALE for d in inst.demand],
    ),
    "unavailability": (
        _person(unavailability=(Unavailability("A", 2 * DAY, 3 * DAY),)),
        _person(),
        _work_all,
    ),
    "wishes": (
        _person(preferences=(Preference("A", 3, "E", False, 50),)),
        _person(),
        _work_all,
    ),
    "single days off": (
        _person(weights=Weights(isolated_day_off=30)),
        _person(),
        _alternate,
    ),
}


@pytest.mark.parametrize("rule", BINDING)
def test_each_rule_binds_and_the_programme_matches_cp_sat(rule):
    with_rule, without, prices = BINDING[rule]
    assert _priced(with_rule, prices(with_rule)) > _priced(without, prices(without))


def test_without_own_penalties_only_the_prices_count():
    # A wish to be off an even day, and single days off priced: both bind at these prices.
    wishful = _person(
        preferences=(Preference("A", 2, "E", False, 50),), weights=Weights(isolated_day_off=30)
    )
    prices = _alternate(wishful)
    _, programme, _ = _programme(wishful)
    priced = programme.price(np.array(prices, dtype=np.int64), (), 3, own=False)
    assert priced is not None
    plain = _person()
    assert priced[0] == _priced(plain, _alternate(plain)) < _priced(wishful, prices)


def test_a_forced_row_binds_and_two_on_one_day_have_no_roster():
    inst = _person(shifts=(EARLY, LATE))
    prices = [(-10 if d.shift == "E" else 5) * SCALE for d in inst.demand]
    free = _priced(inst, prices)
    early = {i for i, d in enumerate(inst.demand) if d.day == 3 and d.shift == "E"}
    assert _priced(inst, prices, early) > free
    both = {i for i, d in enumerate(inst.demand) if d.day == 3}
    assert _priced(inst, prices, both) == -math.inf


def test_the_best_post_of_a_shift_is_worked():
    inst = _person(posts=("east", "west"))
    prices = [(3 if d.post == "west" else 1) * SCALE for d in inst.demand]
    assert _priced(inst, prices) == -3 * SCALE * 7


def test_caps_beyond_the_states_limit_enter_once_they_bind_else_cp_sat_prices(monkeypatch):
    late = dataclasses.replace(LATE, forbidden_next=())
    inst = _person(shifts=(EARLY, late), caps=(("E", 1), ("L", 1)))
    model, programme, rows = _programme(inst)
    assert len(programme.held) == 2  # both caps' counts fit in the states
    # Room for one cap's count only: none is counted until a least path breaks it.
    monkeypatch.setattr(pricing, "MAX_STATES", 2 * programme.free_states * inst.days)
    _, programme, _ = _programme(inst)
    early = np.array([(5 if d.shift == "E" else -5) * SCALE for d in inst.demand])
    assert programme.price(-abs(early), set(), 3)[0] == 0
    assert programme.held == []  # no cap binds when nothing pays
    best, _ = programme.price(early, set(), 3)
    assert best == _cp_sat(model, rows, early.tolist(), set()) == -5 * SCALE
    assert [programme.caps[j][1] for j in programme.held] == [1]
    # When both bind, the programme cannot tell the optimum: CP-SAT prices this one.
    assert programme.price(abs(early), set(), 3) is None


def test_rules_outside_the_day_by_day_form_keep_cp_sat():
    history = (Assignment("A", -1, "E", "ward"),)
    assert DayProgramme.of(RosterModel(_person(history=history)), [0] * 7, SCALE) is None
    two = _person(rules=Rules(max_shifts_per_day=2))
    assert DayProgramme.of(RosterModel(two), [0] * 7, SCALE) is None


@st.composite
def people(draw: st.DrawFn) -> RosterInstance:
    """One person, 1-10 days, 1-3 shifts, random limits, caps, rest, wishes and absences."""
    days = draw(st.integers(1, 10))
    ids = ["S0", "S1", "S2"][: draw(st.integers(1, 3))]
    shifts = tuple(
        Shift(
            sid,
            sid,
            start=draw(st.integers(0, 23)) * 60,
            minutes=draw(st.sampled_from([240, 480, 600, 720])),
            night=draw(st.booleans()),
            forbidden_next=tuple(draw(st.lists(st.sampled_from(ids), unique=True))),
        )
        for sid in ids
    )
    maybe = st.none() | st.integers(1, 5)
    limits = Limits(
        max_minutes=draw(st.none() | st.sampled_from([960, 1920, 2880, 4800])),
        min_minutes=draw(st.sampled_from([0, 0, 480, 1440])),
        max_nights=draw(maybe),
        max_consecutive_days=draw(maybe),
        min_consecutive_days=draw(st.integers(1, 3)),
        min_consecutive_days_off=draw(st.integers(1, 3)),
        max_weekends=draw(st.none() | st.integers(0, 1)),
    )
    caps = tuple((s, draw(st.integers(0, 3))) for s in ids if draw(st.booleans()))
    inst = _person(
        days=days,
        shifts=shifts,
        posts=("P0", "P1")[: draw(st.integers(1, 2))],
        limits=limits,
        caps=caps,
        unavailability=tuple(
            Unavailability("A", t, t + draw(st.integers(1, DAY)))
            for t in draw(st.lists(st.integers(0, days * DAY), max_size=2))
        ),
        preferences=tuple(
            Preference("A", draw(st.integers(0, days - 1)), draw(st.sampled_from(ids)), want, w)
            for want, w in draw(st.lists(st.tuples(st.booleans(), st.integers(1, 3)), max_size=3))
        ),
        rules=Rules(min_rest_minutes=draw(st.sampled_from([0, 480, 720]))),
        weights=Weights(isolated_day_off=draw(st.sampled_from([0, 0, 2]))),
    )
    return dataclasses.replace(inst, start=MONDAY + dt.timedelta(days=draw(st.integers(0, 6))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=people(), data=st.data())
def test_random_people_match_cp_sat_and_the_validator(inst, data):
    model = RosterModel(inst)
    if DayProgramme.of(model, list(range(len(model.x))), SCALE) is None:
        return  # rest reaching two days ahead, or no shift to work: CP-SAT prices this person
    rows = sorted(set(_rows(model)))
    prices = data.draw(st.lists(st.integers(-500, 500), min_size=len(rows), max_size=len(rows)))
    forced = set(data.draw(st.lists(st.integers(0, max(0, len(rows) - 1)), max_size=2)))
    _priced(inst, prices, forced if rows else set())
