"""Dispatch on the tiny incident campus (``tests/data/incidents_tiny``): each incident kind picks
the right sites and groups, the ranking rules bind, and every order passes an independent check
of its times against the campus geometry."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from optimizer.incidents.audit import append_record
from optimizer.incidents.dispatch import Order
from optimizer.incidents.night import Night, load_night, order_record, order_text, plan_order
from optimizer.io import Col as C
from optimizer.io import InputError, read_table

TINY = Path(__file__).resolve().parents[1] / "data" / "incidents_tiny"
AT = "2026-12-01 00:30"
Edit = Callable[[dict[str, tuple[str, str]]], Path]


def night(folder: Path = TINY, audit: Path | None = None, plan: Path | None = None) -> Night:
    return load_night(folder, AT, plan, audit or Path("/nonexistent-audit"))


def check_order(folder: Path, order: Order) -> None:
    """Independent check: straight-line walking bound, service times, sites once, sequence."""
    nodes = {
        r["id"]: (r["x"], r["y"])
        for r in read_table(folder / "nodes.csv", [C("id"), C("x", "float"), C("y", "float")])
    }
    buildings = {
        r["id"]: r["node"] for r in read_table(folder / "buildings.csv", [C("id"), C("node")])
    }
    seen: list[str] = []
    for route in order.routes:
        group = route.candidate.group
        here = nodes[buildings[group.depot]]
        t = route.depart
        assert t >= order.at
        for stop in route.stops:
            if stop.refill:
                t += math.dist(here, nodes[buildings[group.depot]]) / group.speed
                here = nodes[buildings[group.depot]]
            node = nodes[stop.site.node]
            assert stop.arrive >= t + math.dist(here, node) / group.speed - 1e-6
            assert (
                stop.end - stop.start
                >= stop.site.rule.service_minutes * order.kind.service_factor - 1
            )
            t, here = stop.end, node
            seen.append(stop.site.id)
        assert route.back >= t + math.dist(here, nodes[buildings[group.depot]]) / group.speed - 1e-6
    assert len(seen) == len(set(seen))


def sites_of(order: Order) -> set[str]:
    return {s.site.id for r in order.routes for s in r.stops}


def groups_of(order: Order) -> list[str]:
    return [r.candidate.group.id for r in order.routes]


def test_case_covers_building_units_refuse_within_radius_and_nearest_toilet() -> None:
    n = night()
    order = plan_order(n, "case", "F1")
    check_order(TINY, order)
    # R2 is 700 m away, outside the 250 m radius.
    assert sites_of(order) == {"F1-1", "F1-2", "R1", "T1"}
    assert order.meets_deadline
    assert "1号楼" in order_text(n, order)


def test_contact_takes_only_the_nearest_toilet() -> None:
    order = plan_order(night(), "contact", "F1")
    check_order(TINY, order)
    assert sites_of(order) == {"F1-1", "F1-2", "T1"}


def test_nearest_site_outside_radius_is_left_out() -> None:
    # From F2 the toilet is 450 m away, beyond the 250 m radius.
    order = plan_order(night(), "contact", "F2")
    assert sites_of(order) == {"F2-1"}


def test_goods_takes_outlet_and_the_canteen_it_supplied_with_cold_chain_groups_only() -> None:
    order = plan_order(night(), "goods", "EXP")
    check_order(TINY, order)
    assert sites_of(order) == {"EXP", "CAN"}
    assert groups_of(order)[0] in {"G1", "G2"}  # G3 has no cold_chain skill


def test_home_disinfects_the_building() -> None:
    order = plan_order(night(), "home", "X8")
    check_order(TINY, order)
    assert sites_of(order) == {"X8"}


def test_closest_leader_wins_when_nothing_else_differs() -> None:
    # G2's and G3's leaders live in F1 (200 m), G1's in F2 (600 m); G2 sorts before G3.
    assert groups_of(plan_order(night(), "case", "F1")) == ["G2"]


def test_least_recently_called_group_goes_first(tmp_path: Path) -> None:
    n = night(audit=tmp_path)
    first = plan_order(n, "case", "F1")
    append_record(n.audit_path, order_record(n, first, "one"))
    second = plan_order(night(audit=tmp_path), "contact", "F2")
    assert groups_of(first) == ["G2"]
    assert groups_of(second) == ["G3"]  # G2 was called, G3's leader is next closest


def test_group_called_longest_ago_goes_first(tmp_path: Path) -> None:
    # All three were called before: G1 longest ago, G3 later, G2 half an hour ago.
    n = night(audit=tmp_path)
    for gid in ("G1", "G3"):
        rec = order_record(n, plan_order(n, "contact", "F2"), gid)
        rec["at"] = "2026-11-30 10:00" if gid == "G1" else "2026-11-30 12:00"
        rec["groups"][0].update(id=gid, back="2026-11-30 13:00")
        append_record(n.audit_path, rec)
    rec = order_record(n, plan_order(n, "contact", "F2"), "busy")
    rec["at"] = "2026-12-01 00:00"
    rec["groups"][0].update(id="G2", back="2026-12-01 03:00")
    append_record(n.audit_path, rec)
    order = plan_order(night(audit=tmp_path), "contact", "F1")
    assert groups_of(order) == ["G1"]  # called longest ago; G3 later, G2 just now


def test_group_still_out_leaves_when_back(tmp_path: Path, edited: Edit) -> None:
    folder = edited({"group_skills.csv": ("G3,night", "G3,x")})
    n = night(folder, audit=tmp_path)
    rec = order_record(n, plan_order(n, "contact", "F2"), "busy")
    rec["groups"][0].update(id="G1", back="2026-12-01 03:00")
    append_record(n.audit_path, rec)
    rec["groups"][0].update(id="G2")
    append_record(n.audit_path, rec)
    # Only G1 and G2 have the skill and both are out until 03:00.
    order = plan_order(night(folder, audit=tmp_path), "case", "F1")
    assert order.routes[0].depart == 3 * 60 + 1440


def test_on_call_group_from_the_roster_is_called_first(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    # V5 (G3's leader) holds the on-call post on the night of 1 December.
    (plan / "roster.csv").write_text(
        "date,shift,post,volunteer_id\n2026-12-01,N,oncall,V5\n", encoding="utf-8"
    )
    order = plan_order(night(plan=plan), "case", "F1")
    assert groups_of(order) == ["G3"]
    assert order.routes[0].candidate.on_call


def test_no_group_can_make_the_deadline_says_so_with_the_earliest_time(edited: Edit) -> None:
    folder = edited({"incident_kinds.csv": (",night,240,1,", ",night,5,1,")})
    n = night(folder)
    order = plan_order(n, "case", "F1")
    assert not order.meets_deadline
    # Calling every group splits the work and finishes sooner, still after the deadline.
    assert order.deadline < order.earliest_finish < order.finish
    assert len(order.earliest_groups) == 3
    text = order_text(n, order)
    assert "无法在时限内完成" in text and "最早" in text and "第三消杀组" in text


def test_a_group_that_runs_dry_refills_at_the_depot(edited: Edit) -> None:
    folder = edited({"instance.toml": ("capacity = 20", "capacity = 7")})
    order = plan_order(night(folder), "case", "F1")
    check_order(folder, order)
    assert any(s.refill for r in order.routes for s in r.stops)


def test_two_groups_split_the_sites(edited: Edit) -> None:
    folder = edited({"incident_kinds.csv": (",night,240,1,", ",night,240,2,")})
    order = plan_order(night(folder), "case", "F1")
    check_order(folder, order)
    assert len(order.routes) == 2
    assert sites_of(order) == {"F1-1", "F1-2", "R1", "T1"}


def test_unknown_building_and_site_are_bad_input() -> None:
    with pytest.raises(InputError, match="unknown building 'F9'"):
        plan_order(night(), "case", "F9")
    with pytest.raises(InputError, match="unknown site 'F1'"):
        plan_order(night(), "goods", "F1")


def test_time_outside_the_horizon_is_bad_input() -> None:
    with pytest.raises(InputError, match="outside the plan's horizon"):
        load_night(TINY, "2026-12-03 00:00", None, Path("/nonexistent"))


@pytest.mark.parametrize(("nearby", "chosen"), [(15, "G1"), (100, "G3")])
def test_group_far_from_the_incident_ranks_after_nearby_ones(
    tmp_path: Path, edited: Edit, nearby: int, chosen: str
) -> None:
    # G3 works from a second depot 1.8 km east of F1 (30 min), the others from 200 m away.
    folder = edited(
        {
            "instance.toml": ("improve_seconds", f"nearby_minutes = {nearby}\nimprove_seconds"),
            "nodes.csv": ("n8,150,100,", "n8,150,100,\nn9,2000,0,"),
            "edges.csv": ("n8,n1", "n8,n1\nn4,n9"),
            "buildings.csv": (
                "CAN,第一食堂,canteen,n7",
                "CAN,第一食堂,canteen,n7\nPSC2,东站,depot,n9",
            ),
            "groups.csv": (
                "id,name\nG1,第一消杀组\nG2,第二消杀组\nG3,第三消杀组",
                "id,name,depot\nG1,第一消杀组,PSC\nG2,第二消杀组,PSC\nG3,第三消杀组,PSC2",
            ),
        }
    )
    n = night(folder, audit=tmp_path)
    for gid, at in (("G1", "2026-11-30 10:00"), ("G2", "2026-11-30 12:00")):
        rec = order_record(n, plan_order(n, "contact", "F2"), gid)
        rec["at"] = at
        rec["groups"][0].update(id=gid, back="2026-11-30 13:00")
        append_record(n.audit_path, rec)
    # Never called, G3 goes first by recency unless it counts as far; then G1 (called
    # longest ago) goes.
    assert groups_of(plan_order(night(folder, audit=tmp_path), "contact", "F1")) == [chosen]
