"""Infeasible rosters are explained in the coordinator's words."""

from __future__ import annotations

from optimizer.roster.explain import counting_checks, explain_infeasible
from optimizer.roster.model import RosterModel
from optimizer.roster.solve import solve_roster


def test_counting_names_the_missing_leads(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", skills={"lead"}), tiny.person("b"), tiny.person("c")],
        shifts=[tiny.shift("N", "00:00", 8, night=True, name="夜班")],
        posts=[tiny.post("P", name="值班室")],
        demand=[tiny.demand("P", 2, "N", 3, leads=2)],
        days=3,
    )
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    assert plan.explanation == (
        "Wed 2026-12-02 00:00-08:00 夜班 值班室 needs 2 people with skill lead; "
        "only 1 is available then",
    )


def test_counting_names_the_missing_skills(tiny):
    inst = tiny.instance(
        people=[tiny.person("a", skills={"phone"}), tiny.person("b")],
        posts=[tiny.post("P", skills={"phone"})],
        demand=[tiny.demand("P", 0, "D", 2)],
    )
    (reason,) = counting_checks(RosterModel(inst))
    assert reason == (
        "Mon 2026-11-30 08:00-16:00 D P needs 2 people with skills phone; only 1 is available then"
    )


def test_counting_adds_up_posts_of_the_same_shift(tiny):
    inst = tiny.instance(
        people=[tiny.person("a"), tiny.person("b")],
        posts=[tiny.post("P"), tiny.post("Q")],
        demand=[tiny.demand("P", 0, "D", 2), tiny.demand("Q", 0, "D", 1)],
    )
    reasons = counting_checks(RosterModel(inst))
    assert reasons == (
        "Mon 2026-11-30 08:00-16:00 D: the posts together need 3 people; only 2 are available then",
    )


def test_counting_ignores_soft_demand(tiny):
    inst = tiny.instance(people=[tiny.person("a")], demand=[tiny.demand("P", 0, "D", 2, under=9)])
    assert counting_checks(RosterModel(inst)) == ()


def test_assumptions_name_the_conflicting_rules(tiny):
    # Two nights needed, one person allowed one night: counting sees enough people.
    inst = tiny.instance(
        people=[tiny.person("a", max_nights=1)],
        days=2,
        shifts=[tiny.shift("N", "00:00", 8, night=True)],
    )
    lines = explain_infeasible(inst, time_limit=2.0)
    assert lines[0] == (
        "No roster can keep all of these rules at once: every post-shift gets the people it "
        "needs; each person's maximum night shifts."
    )
    assert lines[1].startswith("Relaxing any one of them")


def test_assumptions_drop_rules_that_do_not_conflict(tiny):
    # Rest makes E then D impossible for one person; the hours limit is slack and not named.
    inst = tiny.instance(
        people=[tiny.person("a", max_minutes=5000)],
        days=2,
        shifts=[tiny.shift("E", "16:00", 8), tiny.shift("D", "08:00", 8)],
        demand=[tiny.demand("P", 0, "E"), tiny.demand("P", 1, "D")],
        rules=tiny.Rules(min_rest_minutes=720),
    )
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    assert "minimum rest between shifts" in plan.explanation[0]
    assert "hours" not in plan.explanation[0]
