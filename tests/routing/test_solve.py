"""The PyVRP engine behind ``solve``: one tiny instance per rule, where the rule binds."""

from __future__ import annotations

from pathlib import Path

from optimizer.formats.vrplib_reader import read_vrplib
from optimizer.routing.problem import Depot, Stop, VehicleType
from optimizer.routing.solve import solve
from optimizer.routing.validate import validate

FAST = {"time_limit": 0.3, "workers": 1}
C101 = Path(__file__).parent.parent / "data" / "vrptw" / "C101.vrp"


def test_time_windows_force_a_second_vehicle(line, check):
    # One vehicle could do A then B (40 long), but B must start by 22 and A takes 5 on site.
    p = line(
        [Stop("A", 1, service=5, latest=10), Stop("B", 2, service=5, latest=22)],
        [VehicleType("v", count=2)],
    )
    s = solve(p, **FAST)
    check(p, s)
    assert sorted(r.trips for r in s.routes) == [(("A",),), (("B",),)]
    assert s.distance == 60


def test_capacity_with_reloads_refills_at_the_depot(line, check):
    p = line(
        [Stop("A", 1, demand=3), Stop("B", 2, demand=3)],
        [VehicleType("v", capacity=5, reload=True)],
        depots=[Depot(0, service=4)],
    )
    s = solve(p, **FAST)
    check(p, s)
    (route,) = s.routes
    assert len(route.reloads) == 1
    reload = route.reloads[0]
    assert reload.end - reload.arrive == 4
    assert sum(v.after_reload for v in route.visits) == 1
    check(p, solve(p, **FAST, initial=s))  # a multi-trip plan is a valid warm start


def test_without_reloads_capacity_leaves_an_optional_stop_out(line, check):
    p = line(
        [Stop("A", 1, demand=3), Stop("B", 2, demand=3, required=False, penalty=100)],
        [VehicleType("v", capacity=5)],
    )
    s = solve(p, **FAST)
    check(p, s)
    assert s.unserved == ("B",)
    assert s.penalties == (("B", 100),)


def test_optional_stop_is_skipped_only_when_cheaper(line, check):
    far = Stop("far", 6, required=False, penalty=10)
    p = line([Stop("A", 1), far])
    s = solve(p, **FAST)
    check(p, s)
    assert s.unserved == ("far",) and s.cost() == 20 + 10
    p = line([Stop("A", 1), Stop("far", 6, required=False, penalty=5000)])
    s = solve(p, **FAST)
    check(p, s)
    assert s.unserved == () and s.cost() == 2000


def test_profiles_and_allowed_types_pick_the_vehicle(line, check):
    # "slow" takes twice as long, so only "fast" reaches C (at 30) by 35; D is slow's only.
    p = line(
        [
            Stop("C", 3, latest=35),
            Stop("D", 4, allowed_vehicle_types=("slow",)),
        ],
        [VehicleType("fast", profile=0), VehicleType("slow", profile=1)],
        slow_profile=True,
    )
    s = solve(p, **FAST)
    check(p, s)
    served_by = {v.stop_id: r.vehicle_type for r in s.routes for v in r.visits}
    assert served_by == {"C": "fast", "D": "slow"}


def test_vehicle_work_windows_decide_who_serves(line, check):
    p = line(
        [Stop("early", 1, latest=30), Stop("late", 2, earliest=120, latest=130)],
        [VehicleType("am", latest=60), VehicleType("pm", earliest=100, latest=200)],
    )
    s = solve(p, **FAST)
    check(p, s)
    served_by = {v.stop_id: r.vehicle_type for r in s.routes for v in r.visits}
    assert served_by == {"early": "am", "late": "pm"}
    pm = next(r for r in s.routes if r.vehicle_type == "pm")
    assert pm.depart >= 100


def test_max_duration_splits_the_work(line, check):
    # Both stops on one route take 60 > 45: two vehicles of at most 45 each are needed.
    p = line(
        [Stop("A", 2), Stop("B", 5)],
        [VehicleType("v", count=2, max_duration=45)],
    )
    s = solve(p, **FAST)
    check(p, s)
    assert len(s.routes) == 2 and all(r.duration <= 45 for r in s.routes)


def test_max_distance_splits_the_work(line, check):
    p = line([Stop("A", 2), Stop("B", 5)], [VehicleType("v", count=2, max_distance=45)])
    s = solve(p, **FAST)
    check(p, s)
    assert len(s.routes) == 2 and all(r.distance <= 45 for r in s.routes)


def test_each_vehicle_uses_its_own_depot_away_from_location_0(line, check):
    p = line(
        [Stop("east", 2), Stop("west", 5)],
        [VehicleType("e", depot=1), VehicleType("w", depot=4)],
        depots=[Depot(1, service=3), Depot(4, service=5)],
    )
    s = solve(p, **FAST)
    check(p, s)
    served_by = {v.stop_id: r.vehicle_type for r in s.routes for v in r.visits}
    assert served_by == {"east": "e", "west": "w"}
    assert s.distance == 40
    assert {r.vehicle_type: r.visits[0].arrive - r.depart for r in s.routes} == {"e": 13, "w": 15}


def test_stop_with_two_windows_is_served_in_one(line, check):
    # The vehicle only works from 20, after A's first window has closed.
    p = line(
        [Stop("A", 1, latest=5, extra_windows=((40, 50),))],
        [VehicleType("v", earliest=20)],
    )
    s = solve(p, **FAST)
    check(p, s)
    assert s.routes[0].visits[0].start == 40


def test_warm_start_and_two_workers_keep_the_plan_feasible(line, check):
    p = line(
        [Stop(str(i), i, demand=1) for i in range(1, 6)],
        [VehicleType("v", count=2, capacity=3)],
    )
    first = solve(p, **FAST)
    check(p, first)
    again = solve(p, time_limit=0.5, workers=2, initial=first, seed=3)
    check(p, again)
    assert again.cost() <= first.cost()


def test_small_solomon_instance_is_solved_close_to_best_known(check):
    inst = read_vrplib(C101)
    p = inst.to_problem()
    s = solve(p, time_limit=1.5, workers=1)
    check(p, s)
    real = inst.distances()
    length = sum(
        real[a, b]
        for r in s.routes
        for a, b in zip(
            [0, *(int(v.stop_id) for v in r.visits)],
            [*(int(v.stop_id) for v in r.visits), 0],
            strict=True,
        )
    )
    assert length <= 828.94 * 1.02  # best known, distance-only, exact Euclidean


def test_unreachable_required_stop_gives_an_infeasible_plan(line):
    p = line([Stop("A", 1, latest=3)])
    s = solve(p, **FAST)
    assert s.status == "infeasible"
    assert [v.rule for v in validate(p, s)] == ["window"]
    nobody = line([Stop("A", 1)], [VehicleType("v", count=0)])
    s = solve(nobody, **FAST)
    assert s.status == "infeasible" and s.unserved == ("A",)
