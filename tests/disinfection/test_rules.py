"""Each disinfection rule on a tiny campus where it binds; every plan is validated."""

from __future__ import annotations

import itertools

from optimizer.disinfection.visits import covers


def visits_of(plan, site_id):
    """(day, group, visit) of every visit of ``site_id``."""
    return [
        (d.day, g.group_id, v)
        for d in plan.days
        for g in d.groups
        for v in g.visits
        if v.site_id == site_id
    ]


def test_every_k_days_is_met_and_not_exceeded(tiny, checked):
    plan = checked(tiny())
    assert plan.status == "feasible"
    for unit in ("F1-1", "F1-2", "F1-3"):  # every 3 days over 3 days: exactly once
        assert len(visits_of(plan, unit)) == 1
    lab_days = {d for d, _, _ in visits_of(plan, "L1")}  # every 2 days over 3 days
    assert covers(lab_days, 2, 3) and len(lab_days) <= 2
    assert {d for d, _, _ in visits_of(plan, "X8")} == {0, 1, 2}  # daily


def test_twice_a_day_means_one_visit_in_each_window(tiny, checked):
    plan = checked(tiny())
    for day in range(3):
        starts = sorted(v.start for d, _, v in visits_of(plan, "WC1") if d == day)
        assert len(starts) == 2
        assert starts[0] < 11 * 60 + 30 and starts[1] >= 14 * 60


def test_site_time_window_binds(tiny, checked):
    # The refuse point may only be done 16:00-16:10, right after a late collection.
    folder = tiny(
        edits=[
            ("sites.csv", "id,kind,name,node,building", "id,kind,name,node,building,windows"),
            ("sites.csv", "R01,refuse,垃圾收集点1,r1,", "R01,refuse,垃圾收集点1,r1,,16:00-16:10"),
        ]
    )
    plan = checked(folder)
    for _, _, v in visits_of(plan, "R01"):
        assert v.start >= 16 * 60 and v.end <= 16 * 60 + 10


def test_no_work_during_the_break(tiny, checked):
    # The dorm may be done 10:40-14:30, across the lunch break: the 30 minutes and the
    # 10-minute walk back must fit before 11:30 (after the break, the fill and the walk out,
    # 14:20-14:50 would end too late).
    folder = tiny(edits=[("instance.toml", '"08:00-11:30", "14:00-17:00"', '"10:40-14:30"')])
    plan = checked(folder)
    assert plan.status == "feasible"
    for _, _, v in visits_of(plan, "X8"):
        assert v.start >= 10 * 60 + 40 and v.end <= 11 * 60 + 20


def test_sprayer_capacity_forces_refills(tiny, checked):
    # One group working 07:30-17:30 with 7 L of spray; a day needs more than 12 L.
    folder = tiny(
        edits=[
            ("instance.toml", "capacity = 20", "capacity = 7"),
            ("instance.toml", 'work = ["07:30-11:30", "14:00-17:30"]', 'work = ["07:30-17:30"]'),
            ("groups.csv", "G2,第二消杀组,50,\n", ""),
            ("group_members.csv", "G2,张强,leader,,\nG2,刘洋,member,,\n", ""),
        ]
    )
    plan = checked(folder)
    assert plan.status == "feasible"
    assert sum(g.refills for d in plan.days for g in d.groups) >= 1
    assert any(v.refill for d in plan.days for g in d.groups for v in g.visits)


def test_home_monitoring_makes_a_building_daily_until_its_date(tiny, checked):
    folder = tiny(files={"monitoring.csv": "building_id,until\nF1,2026-12-01\n"})
    plan = checked(folder)
    for unit in ("F1-1", "F1-2", "F1-3"):
        days = {d for d, _, _ in visits_of(plan, unit)}
        assert {0, 1} <= days


def test_overloaded_day_reports_unserved_with_group_hours_short(tiny):
    from optimizer.disinfection import plan_week

    # One group, 7.5 h a day, but the dorm and a stairwell unit take 200 min, the lab 180.
    folder = tiny(
        edits=[
            ("groups.csv", "G2,第二消杀组,50,\n", ""),
            ("group_members.csv", "G2,张强,leader,,\nG2,刘洋,member,,\n", ""),
            ("instance.toml", "service_minutes = 30", "service_minutes = 200"),
            ("instance.toml", "service_minutes = 15", "service_minutes = 180"),
            (
                "instance.toml",
                "service_minutes = 10\nlitres = 2",
                "service_minutes = 200\nlitres = 2",
            ),
        ]
    )
    plan = plan_week(folder, time_limit=1.0)
    assert plan.status == "unserved"
    reasons = [u.reason for d in plan.days for u in d.unserved]
    assert reasons and all("not enough group-hours on" in r and "h short" in r for r in reasons)
    first = next(d for d in plan.days if d.unserved)
    assert plan.campus.weekday(first.day) in first.unserved[0].reason


def test_groups_share_the_work(tiny, checked):
    # Six times the service everywhere: more than one group's fair share, so both go out.
    folder = tiny(
        edits=[
            ("instance.toml", f"service_minutes = {a}\n", f"service_minutes = {b}\n")
            for a, b in ((30, 90), (15, 60), (10, 60), (5, 30))
        ]
    )
    plan = checked(folder)
    for d in plan.days:
        assert all(g.visits for g in d.groups)


def test_slower_group_walks_slower(tiny, checked):
    plan = checked(tiny())
    # G2 walks 50 m/min: its first visit of a window is reached no sooner than the fill plus
    # the walk at 50 m/min.
    campus = plan.campus
    for d in plan.days:
        g = next(g for g in d.groups if g.group_id == "G2")
        if g.visits:
            v = g.visits[0]
            metres = campus.distances[campus.depot_loc("PSC"), campus.site_loc(v.site_id)]
            assert v.arrive >= 7 * 60 + 30 + 10 + metres / 50


def test_days_option_plans_only_those_days(tiny, checked):
    plan = checked(tiny(), days=[1])
    assert [d.day for d in plan.days] == [1]
    assert set(plan.visit_days) == set(plan.campus.sites)


def test_units_of_a_building_are_walked_door_to_door(tiny, checked):
    # Monitoring makes all three units due every day: one group does them one after another,
    # 12 m (one minute) apart.
    plan = checked(tiny(files={"monitoring.csv": "building_id,until\nF1,2026-12-02\n"}))
    for d in plan.days:
        for g in d.groups:
            units = [v for v in g.visits if v.site_id.startswith("F1-")]
            if units:
                assert [v.site_id for v in units] == ["F1-1", "F1-2", "F1-3"]
                for a, b in itertools.pairwise(units):
                    assert b.arrive == a.end + 1


def test_narrow_window_splits_a_building_into_shorter_legs(tiny, checked):
    # 08:00-08:40: three 10-minute units plus walking exceed half the window, so the
    # building is not one leg; every unit is still served inside the window.
    folder = tiny(
        edits=[("instance.toml", 'windows = ["08:00-17:00"]', 'windows = ["08:00-08:40"]')],
        files={"monitoring.csv": "building_id,until\nF1,2026-12-02\n"},
    )
    plan = checked(folder)
    assert plan.status == "feasible"
    for d in plan.days:
        units = [v for g in d.groups for v in g.visits if v.site_id.startswith("F1-")]
        assert len(units) == 3
        assert all(v.start >= 8 * 60 and v.end <= 8 * 60 + 40 for v in units)
