"""Property: every roster the engine returns for a random small instance passes the validator,
and the validator prices it exactly as the engine does.

The instances are random in every rule the README defines (limits, rest, forbidden
successions, caps, history, unavailability, preferences, team policies, all soft weights) but
always feasible: every demand row has a price for missing people and no rule forces anyone to
work (``min_hours`` = 0, ``leads`` = 0), so the empty roster is always allowed.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from optimizer.roster.solve import solve_roster
from optimizer.validate_roster import validate_roster

SKILLS = ("a", "b", "lead")
MAYBE = st.none() | st.none() | st.integers(1, 4)  # limits absent about half the time


@st.composite
def instances(
    draw: st.DrawFn, max_people: int = 5, max_days: int = 4, max_posts: int = 2
) -> RosterInstance:
    """A random feasible instance: 2-5 volunteers, 1-4 days, 1-2 shifts, 1-2 posts."""
    days = draw(st.integers(1, max_days))
    start = dt.date(2026, 11, 30) + dt.timedelta(days=draw(st.integers(0, 6)))
    shift_ids = ["S0", "S1"][: draw(st.integers(1, 2))]
    shifts = tuple(
        Shift(
            sid,
            sid,
            start=draw(st.integers(0, 23)) * 60,
            minutes=draw(st.sampled_from([240, 480, 600, 720])),
            night=draw(st.booleans()),
            forbidden_next=tuple(draw(st.lists(st.sampled_from(shift_ids), unique=True))),
        )
        for sid in shift_ids
    )
    post_ids = ["P0", "P1"][: draw(st.integers(1, max_posts))]
    posts = tuple(
        Post(
            pid,
            pid,
            frozenset(draw(st.lists(st.sampled_from(SKILLS[:2]), max_size=1))),
            draw(st.sampled_from(["", "mix", "together"])),
        )
        for pid in post_ids
    )
    n_people = draw(st.integers(2, max_people))
    people = tuple(
        Volunteer(
            f"v{i}",
            f"志愿者{i}",
            draw(st.sampled_from(["A", "B"])),
            frozenset(draw(st.lists(st.sampled_from(SKILLS), unique=True))),
            Limits(
                max_minutes=draw(st.none() | st.sampled_from([480, 1440, 2880])),
                max_nights=draw(MAYBE),
                max_consecutive_days=draw(MAYBE),
                min_consecutive_days=draw(st.integers(1, 2)),
                min_consecutive_days_off=draw(st.integers(1, 2)),
                max_weekends=draw(st.none() | st.integers(0, 1)),
            ),
            tuple((s, draw(st.integers(0, 2))) for s in shift_ids if draw(st.booleans())),
        )
        for i in range(n_people)
    )
    vids = [v.id for v in people]
    demand = tuple(
        Demand(
            p,
            d,
            s,
            draw(st.integers(0, 2)),
            weight_under=draw(st.sampled_from([1, 40, 1000, 5000])),
            weight_over=draw(st.none() | st.integers(0, 5)),
        )
        for p in post_ids
        for d in range(days)
        for s in shift_ids
        if draw(st.integers(0, 3))  # about a quarter of the post-shifts need nobody
    )
    unavailability = tuple(
        Unavailability(v, t, t + draw(st.integers(1, DAY)))
        for v in draw(st.lists(st.sampled_from(vids), max_size=3))
        for t in [draw(st.integers(-DAY, days * DAY))]
    )
    preferences = tuple(
        Preference(
            draw(st.sampled_from(vids)),
            draw(st.integers(0, days - 1)),
            draw(st.sampled_from(shift_ids)),
            draw(st.booleans()),
            draw(st.integers(1, 3)),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    history = tuple(
        Assignment(v, -draw(st.integers(1, 2)), draw(st.sampled_from(shift_ids)), post_ids[0])
        for v in draw(st.lists(st.sampled_from(vids), max_size=3, unique=True))
    )
    return RosterInstance(
        name="random",
        start=start,
        days=days,
        shifts=shifts,
        volunteers=people,
        posts=posts,
        demand=demand,
        unavailability=unavailability,
        preferences=preferences,
        history=history,
        rules=Rules(
            min_rest_minutes=draw(st.sampled_from([0, 480, 720])),
            max_shifts_per_day=draw(st.integers(1, 2)),
        ),
        weights=Weights(
            fair_minutes=draw(st.integers(0, 2)),
            fair_minutes_tolerance=draw(st.sampled_from([0, 60, 240])),
            fair_nights=draw(st.integers(0, 30)),
            fair_weekends=draw(st.integers(0, 20)),
            preference=draw(st.integers(0, 10)),
            isolated_day_off=draw(st.integers(0, 15)),
            team=draw(st.integers(0, 5)),
        ),
    )


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same 15 instances on every CI run
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_engine_rosters_pass_the_validator_at_the_same_price(inst: RosterInstance) -> None:
    plan = solve_roster(inst, time_limit=1.0, workers=1, seed=0)
    assert plan.status in ("optimal", "feasible"), plan.explanation
    report = validate_roster(inst, plan.assignments)
    assert report.ok, [v.text for v in report.violations]
    by_rule: dict[str, int] = {}
    for p in report.penalties:
        by_rule[p.rule] = by_rule.get(p.rule, 0) + p.amount
    assert by_rule == {r: a for r, a in plan.penalty_by_rule().items() if a}
    assert report.objective == plan.objective


@settings(max_examples=10, deadline=None, derandomize=True)
@given(instances(max_people=3, max_days=2, max_posts=1))
def test_engine_optimum_is_the_best_roster_the_validator_accepts(inst: RosterInstance) -> None:
    # At most 3 people x 2 days x 2 shifts x 1 post = 12 cells: try all 4,096 rosters. A
    # lower validator optimum would mean the engine forbids a roster the README allows.
    cells = [(v.id, d.post, d.day, d.shift) for v in inst.volunteers for d in inst.demand]
    best = None
    for bits in itertools.product((False, True), repeat=len(cells)):
        rows = [Assignment(v, d, s, p) for (v, p, d, s), b in zip(cells, bits, strict=True) if b]
        report = validate_roster(inst, rows)
        if report.ok and (best is None or report.objective < best):
            best = report.objective
    plan = solve_roster(inst, time_limit=2.0, workers=1, seed=0)
    assert plan.status == "optimal"
    assert plan.objective == best
