"""The weekly visit plan: frequency patterns, balance between days, compact days."""

from __future__ import annotations

from optimizer.campus import load_campus
from optimizer.disinfection.visits import candidates, covers, plan_visits

NODES = (
    "id,x,y\nn0,0,0\nn1,300,0\nn2,600,0\nn3,900,0\nu1,300,20\nu2,312,20\nu3,324,20\n"
    "u4,336,20\nu5,348,20\nu6,360,20\nv1,900,20\nv2,912,20\nt1,300,-50\nr1,600,-30\nk1,0,300\n"
)
EDGES = (
    "from,to\nn0,n1\nn1,n2\nn2,n3\nn1,u1\nu1,u2\nu2,u3\nu3,u4\nu4,u5\nu5,u6\nn3,v1\nv1,v2\n"
    "n1,t1\nn2,r1\nn0,k1\n"
)
BUILDINGS = "id,name,kind,node\nPSC,物业服务中心,depot,n0\nF1,1号楼,family,u1\nF2,2号楼,family,v1\n"


def sites(*rows: str) -> str:
    return "id,kind,name,node,building\n" + "".join(r + "\n" for r in rows)


def test_covers_sliding_runs():
    assert covers({0, 3, 6}, 3, 7)
    assert covers({2, 5}, 3, 7)
    assert not covers({0, 4}, 3, 7)  # days 1-3 have no visit
    assert covers(set(), 8, 7)  # no full run of 8 days inside a week


def test_monitoring_may_replace_the_periodic_visit(tiny):
    folder = tiny(files={"monitoring.csv": "building_id,until\nF1,2026-12-01\n"})
    campus = load_campus(folder)
    pats = candidates(campus, campus.sites["F1-1"])
    assert (0, 1) in pats  # days 0-1 monitored already cover "every 3 days" over 3 days
    assert all({0, 1} <= set(p) for p in pats)


def test_units_spread_evenly_over_the_days(tiny):
    # Six units, every 3 days, over 3 days, nothing else periodic: two units a day.
    units = [f"F1-{i},stairwell,1号楼{i}单元,u{i},F1" for i in range(1, 7)]
    folder = tiny(
        files={
            "nodes.csv": NODES,
            "edges.csv": EDGES,
            "buildings.csv": BUILDINGS,
            "sites.csv": sites(*units),
        }
    )
    week = plan_visits(load_campus(folder), time_limit=1.0)
    per_day = [len(v) for v in week.per_day]
    assert per_day == [2, 2, 2]
    assert all(len(days) == 1 for days in week.days.values())


def test_buildings_kept_whole_on_their_day(tiny):
    # Two buildings 600 m apart, two units each, every 2 days over 2 days: one building a day.
    rows = [
        "F1-1,stairwell,1号楼1单元,u1,F1",
        "F1-2,stairwell,1号楼2单元,u2,F1",
        "F2-1,stairwell,2号楼1单元,v1,F2",
        "F2-2,stairwell,2号楼2单元,v2,F2",
    ]
    # "days = 3" -> "days = 2" also turns the stairwells' "every_days = 3" into 2.
    folder = tiny(
        edits=[("instance.toml", "days = 3", "days = 2")],
        files={
            "nodes.csv": NODES,
            "edges.csv": EDGES,
            "buildings.csv": BUILDINGS,
            "sites.csv": sites(*rows),
        },
    )
    week = plan_visits(load_campus(folder), time_limit=1.0)
    assert week.days["F1-1"] == week.days["F1-2"] != week.days["F2-1"] == week.days["F2-2"]
