"""Roster repair: the past is frozen, changes are few, and every repaired roster is accepted by
the independent validator; when nobody can cover, the shortfall is named."""

from __future__ import annotations

from optimizer.roster.domain import DAY
from optimizer.roster.repair import RepairResult, block_people, diff, repair_roster
from optimizer.validate_roster import validate_roster


def _check(result: RepairResult) -> None:
    report = validate_roster(result.instance, result.assignments)
    assert report.ok, [v.text for v in report.violations]


def test_quarantined_person_is_replaced_with_one_call_in(tiny) -> None:
    people = [tiny.person(v) for v in ("a", "b", "c")]
    inst = tiny.instance(people=people, days=3)
    old = [tiny.work("a", 0), tiny.work("a", 1), tiny.work("b", 2)]
    result = repair_roster(inst, old, ["a"], start=DAY, time_limit=2, workers=1)
    assert result.valid
    _check(result)
    assert tiny.work("a", 0) in result.assignments  # the past stays
    assert tiny.work("b", 2) in result.assignments  # nobody else is moved
    removed = [c for c in result.changes if not c.added]
    added = [c for c in result.changes if c.added]
    assert [(c.volunteer, c.day) for c in removed] == [("a", 1)]
    assert len(added) == 1 and added[0].day == 1 and added[0].volunteer in {"b", "c"}


def test_unaffected_roster_is_not_changed(tiny) -> None:
    people = [tiny.person(v) for v in ("a", "b", "c")]
    # A soft rule that the old roster pays for must not tempt the repair to move anyone.
    inst = tiny.instance(
        people=people,
        days=3,
        preferences=[tiny.wish("b", 2, "D", False, 5)],
        weights=tiny.Weights(preference=10),
    )
    old = [tiny.work("a", 0), tiny.work("b", 1), tiny.work("b", 2)]
    result = repair_roster(inst, old, ["c"], start=DAY, time_limit=2, workers=1)
    assert result.valid
    _check(result)
    assert result.changes == ()
    assert set(result.assignments) == set(old)


def test_rest_rule_decides_who_is_called_in(tiny) -> None:
    # b worked the night before day 1's early shift and may not be called in: c must.
    shifts = [tiny.shift("E", "06:00", 8), tiny.shift("N", "22:00", 8)]
    people = [tiny.person(v) for v in ("a", "b", "c")]
    demand = [tiny.demand("P", 0, "N"), tiny.demand("P", 1, "E")]
    inst = tiny.instance(
        people=people, days=2, shifts=shifts, demand=demand, rules=tiny.Rules(min_rest_minutes=600)
    )
    old = [tiny.work("b", 0, "N"), tiny.work("a", 1, "E")]
    result = repair_roster(inst, old, ["a"], start=DAY, time_limit=2, workers=1)
    assert result.valid
    _check(result)
    assert tiny.work("c", 1, "E") in result.assignments


def test_no_cover_possible_names_the_post_shift_and_the_shortfall(tiny) -> None:
    people = [tiny.person("a"), tiny.person("b")]
    demand = [tiny.demand("P", 1, "D", 2)]
    inst = tiny.instance(people=people, days=2, demand=demand)
    old = [tiny.work("a", 1), tiny.work("b", 1)]
    result = repair_roster(inst, old, ["a"], start=DAY, time_limit=2, workers=1)
    assert not result.valid
    assert [(s.post, s.day, s.shift, s.missing) for s in result.shortfalls] == [("P", 1, "D", 1)]


def test_shift_under_way_is_kept_and_blocking_starts_after_it(tiny) -> None:
    inst = tiny.instance(people=[tiny.person("a")], days=2)
    old = [tiny.work("a", 0)]
    blocked = block_people(inst, ["a"], 600, old)  # 10:00, during a's 08:00-16:00 shift
    assert blocked.unavailability[-1].start == 16 * 60


def test_diff_lists_removed_and_added(tiny) -> None:
    old = [tiny.work("a", 0), tiny.work("b", 1)]
    new = [tiny.work("a", 0), tiny.work("c", 1)]
    got = [(c.volunteer, c.added) for c in diff(old, new)]
    assert got == [("b", False), ("c", True)]
