"""One tiny instance per roster rule, where that rule decides the answer.

Every plan is re-checked by the independent validator, whose objective must equal the plan's.
"""

from __future__ import annotations

from optimizer.roster.domain import RosterInstance
from optimizer.roster.plan import RosterPlan
from optimizer.roster.solve import solve_roster
from optimizer.validate_roster import validate_roster


def solved(inst: RosterInstance) -> RosterPlan:
    """Solve to optimality (tiny instances) and cross-check with the validator."""
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.status == "optimal", plan.summary()
    report = validate_roster(inst, plan.assignments)
    assert report.ok, [v.text for v in report.violations]
    assert report.objective == plan.objective
    assert sum(p.amount for p in plan.penalties) == plan.objective
    return plan


def infeasible(inst: RosterInstance) -> RosterPlan:
    """Solve an impossible instance; it must say so, with reasons."""
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    assert plan.explanation
    assert plan.assignments == ()
    return plan


def works(plan: RosterPlan, volunteer: str) -> set[tuple[int, str]]:
    """(day, shift) pairs worked by ``volunteer``."""
    return {(a.day, a.shift) for a in plan.assignments if a.volunteer == volunteer}


# --- hard rules -----------------------------------------------------------------------------


def test_cover_hard_needs_enough_people(tiny):
    two = [tiny.person("a"), tiny.person("b")]
    plan = solved(tiny.instance(people=two, demand=[tiny.demand("P", 0, "D", 2)]))
    assert len(plan.assignments) == 2
    infeasible(tiny.instance(people=two, demand=[tiny.demand("P", 0, "D", 3)]))


def test_cover_under_is_priced_when_soft(tiny):
    two = [tiny.person("a"), tiny.person("b")]
    plan = solved(tiny.instance(people=two, demand=[tiny.demand("P", 0, "D", 3, under=7)]))
    assert len(plan.assignments) == 2
    assert plan.objective == 7
    assert [p.rule for p in plan.penalties] == ["cover_under"]


def test_cover_over_is_priced_when_soft(tiny):
    # Both want the shift (10 points each) and an extra person costs 3: both work it.
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        demand=[tiny.demand("P", 0, "D", 1, over=3)],
        preferences=[tiny.wish("a", 0, "D", True, 10), tiny.wish("b", 0, "D", True, 10)],
    )
    plan = solved(inst)
    assert len(plan.assignments) == 2
    assert plan.objective == 3


def test_cover_upper_bound_is_hard_by_default(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        preferences=[tiny.wish("a", 0, "D", True, 10), tiny.wish("b", 0, "D", True, 10)],
    )
    plan = solved(inst)
    assert len(plan.assignments) == 1
    assert plan.objective == 10


def test_skills(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b", skills={"phone"})],
        posts=[tiny.post("P", skills={"phone"})],
    )
    assert works(solved(inst), "b") == {(0, "D")}


def test_leads(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b"), tiny.person("c", skills={"lead"})],
        demand=[tiny.demand("P", 0, "D", 2, leads=1)],
    )
    assert works(solved(inst), "c") == {(0, "D")}


def test_availability(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        unavailability=[tiny.off("a", 0)],
        preferences=[tiny.wish("a", 0, "D", True, 5)],
    )
    plan = solved(inst)
    assert works(plan, "b") == {(0, "D")}
    assert plan.objective == 5


def test_one_place_at_a_time(tiny):
    posts = [tiny.post("P"), tiny.post("Q")]
    demand = [tiny.demand("P", 0, "D"), tiny.demand("Q", 0, "D")]
    plan = solved(
        tiny.instance(people=[tiny.person("a"), tiny.person("b")], posts=posts, demand=demand)
    )
    assert {a.volunteer for a in plan.assignments} == {"a", "b"}
    infeasible(tiny.instance(people=[tiny.person("a")], posts=posts, demand=demand))


def test_one_place_sees_overlapping_shifts(tiny):
    # 08-16 and 12-20 overlap: one person cannot do both.
    shifts = [tiny.shift("D", "08:00", 8), tiny.shift("L", "12:00", 8)]
    infeasible(tiny.instance(people=[tiny.person("a")], shifts=shifts))
    solved(tiny.instance(people=[tiny.person("a"), tiny.person("b")], shifts=shifts))


def test_shifts_per_day(tiny):
    shifts = [tiny.shift("M", "06:00", 4), tiny.shift("A", "14:00", 4)]
    one = [tiny.person("a")]
    infeasible(tiny.instance(people=one, shifts=shifts))
    plan = solved(tiny.instance(people=one, shifts=shifts, rules=tiny.Rules(max_shifts_per_day=2)))
    assert works(plan, "a") == {(0, "M"), (0, "A")}


def test_rest_between_shifts(tiny):
    # 16-24 then 08-16 the next day leaves 8 h of rest.
    shifts = [tiny.shift("E", "16:00", 8), tiny.shift("D", "08:00", 8)]
    demand = [tiny.demand("P", 0, "E"), tiny.demand("P", 1, "D")]
    one = [tiny.person("a")]
    solved(tiny.instance(people=one, days=2, shifts=shifts, demand=demand))
    rested = tiny.Rules(min_rest_minutes=12 * 60)
    infeasible(tiny.instance(people=one, days=2, shifts=shifts, demand=demand, rules=rested))
    plan = solved(
        tiny.instance(
            people=[*one, tiny.person("b")], days=2, shifts=shifts, demand=demand, rules=rested
        )
    )
    assert len({a.volunteer for a in plan.assignments}) == 2


def test_rest_sees_last_weeks_roster(tiny):
    shifts = [tiny.shift("E", "16:00", 8), tiny.shift("D", "08:00", 8)]
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        shifts=shifts,
        demand=[tiny.demand("P", 0, "D")],
        rules=tiny.Rules(min_rest_minutes=12 * 60),
        history=[tiny.work("a", -1, "E")],
        preferences=[tiny.wish("a", 0, "D", True, 5)],
    )
    plan = solved(inst)
    assert works(plan, "b") == {(0, "D")}
    assert plan.objective == 5


def test_forbidden_successions(tiny):
    shifts = [tiny.shift("N", "00:00", 8, forbidden_next=["D"]), tiny.shift("D", "08:00", 8)]
    demand = [tiny.demand("P", 0, "N"), tiny.demand("P", 1, "D")]
    infeasible(tiny.instance(people=[tiny.person("a")], days=2, shifts=shifts, demand=demand))
    history = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        shifts=shifts,
        demand=[tiny.demand("P", 0, "D")],
        history=[tiny.work("a", -1, "N")],
        preferences=[tiny.wish("a", 0, "D", True, 5)],
    )
    assert works(solved(history), "b") == {(0, "D")}


def test_max_hours(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", max_minutes=480), tiny.person("b")],
        days=2,
        preferences=[tiny.wish("a", d, "D", True, 5) for d in range(2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 5


def test_min_hours(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", min_minutes=960), tiny.person("b")],
        days=2,
        preferences=[tiny.wish("b", d, "D", True, 5) for d in range(2)],
    )
    plan = solved(inst)
    assert works(plan, "a") == {(0, "D"), (1, "D")}
    assert plan.objective == 10


def test_max_nights(tiny):
    night = [tiny.shift("N", "00:00", 8, night=True)]
    inst = tiny.instance(
        people=[tiny.person("a", max_nights=1), tiny.person("b")],
        days=2,
        shifts=night,
        preferences=[tiny.wish("a", d, "N", True, 5) for d in range(2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    infeasible(tiny.instance(people=[tiny.person("a", max_nights=1)], days=2, shifts=night))


def test_shift_caps(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", caps={"D": 1}), tiny.person("b")],
        days=2,
        preferences=[tiny.wish("a", d, "D", True, 5) for d in range(2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 5


def test_max_consecutive_days(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", max_consecutive_days=2), tiny.person("b")],
        days=3,
        preferences=[tiny.wish("a", d, "D", True, 5) for d in range(3)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 2
    assert plan.objective == 5


def test_max_consecutive_days_counts_last_week(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", max_consecutive_days=2), tiny.person("b")],
        days=2,
        history=[tiny.work("a", -1)],
        preferences=[tiny.wish("a", d, "D", True, 5) for d in range(2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 5


def test_min_consecutive_days(tiny):
    # Day 1 must be worked; days 0 and 2 are optional. A lone day 1 is a 1-day run.
    demand = [
        tiny.demand("P", 0, "D", 0, over=0),
        tiny.demand("P", 1, "D", 1),
        tiny.demand("P", 2, "D", 0, over=0),
    ]
    inst = tiny.instance(
        people=[tiny.person("a", min_consecutive_days=2)],
        days=3,
        demand=demand,
        preferences=[tiny.wish("a", 0, "D", False, 3), tiny.wish("a", 2, "D", False, 4)],
    )
    plan = solved(inst)
    assert works(plan, "a") == {(0, "D"), (1, "D")}
    assert plan.objective == 3


def test_min_consecutive_days_off(tiny):
    demand = [tiny.demand("P", 0, "D"), tiny.demand("P", 2, "D")]
    one_off = [tiny.person("a", min_consecutive_days_off=2)]
    infeasible(tiny.instance(people=one_off, days=3, demand=demand))
    inst = tiny.instance(
        people=[*one_off, tiny.person("b")],
        days=3,
        demand=demand,
        preferences=[tiny.wish("a", d, "D", True, 5) for d in (0, 2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 5


def test_max_weekends(tiny):
    # Day 5 is Saturday, day 6 Sunday: one weekend.
    demand = [tiny.demand("P", 5, "D"), tiny.demand("P", 6, "D")]
    inst = tiny.instance(
        people=[tiny.person("a", max_weekends=0), tiny.person("b")],
        days=7,
        demand=demand,
        preferences=[tiny.wish("a", 5, "D", True, 5)],
    )
    plan = solved(inst)
    assert works(plan, "a") == set()
    assert plan.objective == 5


# --- soft rules -----------------------------------------------------------------------------


def test_preference_weights_decide(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        weights=tiny.Weights(preference=2),
        preferences=[tiny.wish("a", 0, "D", True, 3), tiny.wish("b", 0, "D", True, 5)],
    )
    plan = solved(inst)
    assert works(plan, "b") == {(0, "D")}
    assert plan.objective == 6


def test_preference_to_be_off(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        preferences=[tiny.wish("a", 0, "D", False, 3)],
    )
    assert works(solved(inst), "b") == {(0, "D")}


def test_fair_minutes(tiny):
    # a wants both shifts (1 point each) but fairness gives each person one shift.
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        days=2,
        weights=tiny.Weights(fair_minutes=1),
        preferences=[tiny.wish("a", d, "D", True, 1) for d in range(2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 1


def test_fair_minutes_penalty_is_exact(tiny):
    # b is away on day 1: fair shares are 2·480·2/3 = 640 and 320; a works both days.
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        days=2,
        weights=tiny.Weights(fair_minutes=1, fair_minutes_tolerance=60),
        unavailability=[tiny.off("b", 1)],
    )
    # Bands: a [640-60, 640+60], b [320-60, 320+60]. a alone: 260 over + 260 under = 520;
    # split: a 100 under + b 100 over = 200.
    plan = solved(inst)
    assert works(plan, "b") == {(0, "D")}
    assert plan.objective == 200


def test_fair_nights(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        days=2,
        shifts=[tiny.shift("N", "00:00", 8, night=True)],
        weights=tiny.Weights(fair_nights=10),
        preferences=[tiny.wish("a", d, "N", True, 1) for d in range(2)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 1


def test_fair_weekends(tiny):
    demand = [tiny.demand("P", 5, "D"), tiny.demand("P", 6, "D")]
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        days=7,
        demand=demand,
        weights=tiny.Weights(fair_weekends=10),
        preferences=[tiny.wish("a", d, "D", True, 1) for d in (5, 6)],
    )
    plan = solved(inst)
    assert len(works(plan, "a")) == 1
    assert plan.objective == 1


def test_isolated_day_off(tiny):
    demand = [
        tiny.demand("P", 0, "D"),
        tiny.demand("P", 1, "D", 0, over=0),
        tiny.demand("P", 2, "D"),
        tiny.demand("P", 3, "D", 0, over=0),
    ]
    people = [tiny.person("a")]
    plan = solved(
        tiny.instance(
            people=people, days=4, demand=demand, weights=tiny.Weights(isolated_day_off=15)
        )
    )
    assert (1, "D") in works(plan, "a")
    blocked = tiny.instance(
        people=people,
        days=4,
        demand=demand,
        weights=tiny.Weights(isolated_day_off=15),
        unavailability=[tiny.off("a", 1)],
    )
    assert solved(blocked).objective == 15


def test_team_together(tiny):
    people = [
        tiny.person("a1", team="A"),
        tiny.person("a2", team="A"),
        tiny.person("b1", team="B"),
    ]
    inst = tiny.instance(
        people=people,
        posts=[tiny.post("P", team_policy="together")],
        demand=[tiny.demand("P", 0, "D", 2)],
        weights=tiny.Weights(team=5),
        preferences=[tiny.wish("b1", 0, "D", True, 4)],
    )
    plan = solved(inst)
    assert {a.volunteer for a in plan.assignments} == {"a1", "a2"}
    assert plan.objective == 4


def test_team_mix(tiny):
    people = [
        tiny.person("a1", team="A"),
        tiny.person("a2", team="A"),
        tiny.person("b1", team="B"),
    ]

    def mix(off_weight: int) -> RosterInstance:
        return tiny.instance(
            people=people,
            posts=[tiny.post("P", team_policy="mix")],
            demand=[tiny.demand("P", 0, "D", 2)],
            weights=tiny.Weights(team=5),
            preferences=[tiny.wish("b1", 0, "D", False, off_weight)],
        )

    plan = solved(mix(4))  # mixing costs b1's wish (4) < a repeated team (5)
    assert "b1" in {a.volunteer for a in plan.assignments}
    assert plan.objective == 4
    plan = solved(mix(9))
    assert {a.volunteer for a in plan.assignments} == {"a1", "a2"}
    assert plan.objective == 5
