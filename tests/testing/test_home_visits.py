"""Home visits through the routing core: everyone visited, in hours, with service time."""

from __future__ import annotations

from optimizer.testing.home_visits import plan_home_visits

HOME = {"teams": 1, "depot": "P1", "start": "07:00", "end": "08:00", "service_minutes": 10}


def test_every_home_visit_resident_is_visited_in_order(tr):
    folder = tr.build(
        residents=[tr.building("B1", x=0), tr.building("B2", x=300)],
        needs=[
            tr.need("H1", "B1"),
            tr.need("H2", "B2", service_minutes=15),
            tr.need("Q1", "B2", home_visit=False, smartphone=False),
        ],
        home=HOME,
    )
    plan = tr.plan(folder)
    reports = tr.check(folder, plan)
    assert {v.resident for v in plan.visits} == {"H1", "H2"}
    h2 = next(v for v in plan.visits if v.resident == "H2")
    assert h2.end - h2.start == 15
    # 300 m at 60 m/min each way, plus the 300 m between B1 and B2.
    assert reports["home_visits"].objective == plan.stat("home_visits").objective == 600


def test_two_teams_share_visits_that_one_cannot_fit(tr):
    residents = [tr.building("B1", x=0), tr.building("B2", x=10)]
    needs = [tr.need(f"H{i}", "B1", service_minutes=20) for i in range(4)]
    one = tr.load(tr.build(residents=residents, needs=needs, home=HOME))
    _, stats = plan_home_visits(one, time_limit=1)
    assert stats.status == "infeasible"
    two = tr.build(residents=residents, needs=needs, home={**HOME, "teams": 2})
    plan = tr.plan(two)
    tr.check(two, plan)
    assert {v.team for v in plan.visits} == {"P1-1", "P1-2"}


def test_walk_factor_slows_the_teams(tr):
    folder = tr.build(
        residents=[tr.building("B1", x=0), tr.building("B2", x=600)],
        needs=[tr.need("H1", "B2")],
        home={**HOME, "walk_factor": 2.0},
    )
    plan = tr.plan(folder)
    tr.check(folder, plan)
    # 600 m at 30 m/min: 20 minutes from the depot at 07:00.
    assert plan.visits[0].start >= 7 * 60 + 20
