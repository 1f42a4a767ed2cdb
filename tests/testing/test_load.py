"""Loading a testing round: located errors, campus-graph distances, the default instance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from optimizer.generators.dongying import generate
from optimizer.io import InputError, csv_bytes
from optimizer.testing.load import load_round

DEFAULT = Path(__file__).resolve().parents[2] / "instances" / "dongying"


def error_of(tr, **kwargs) -> str:
    with pytest.raises(InputError) as err:
        tr.load(tr.build(**kwargs))
    return str(err.value)


def test_window_must_be_whole_slots(tr):
    msg = error_of(tr, testing={"end": "08:10"})
    assert "instance.toml" in msg and "whole slots" in msg


def test_gear_rule_in_whole_slots(tr):
    assert "break_minutes" in error_of(tr, testing={"break_minutes": 45})


def test_unknown_building_of_a_resident(tr):
    msg = error_of(tr, needs=[tr.need("H1", "B9")], home={"depot": "P1"})
    assert "resident_needs.csv, row 2, column 'building_id'" in msg


def test_home_visits_need_a_known_depot(tr):
    assert "depot" in error_of(tr, needs=[tr.need("H1", "B1")], home={"depot": "P7"})


def test_points_must_close_after_they_open(tr):
    msg = error_of(tr, points=[tr.point("P1", opens="09:00", closes="08:00")])
    assert "sampling_points.csv, row 2, column 'closes'" in msg


def test_children_without_a_childrens_channel(tr):
    msg = error_of(tr, residents=[tr.building("B1", 5, 2)])
    assert "residents.csv, row 2, column 'children'" in msg


def test_campus_graph_distances_and_building_references(tr, tmp_path):
    folder = tr.build(
        residents=[tr.building("B1"), tr.building("B2")], points=[{**tr.point("P1"), "node": "n1"}]
    )
    tables = {
        "nodes.csv": (["id", "x", "y"], [["n1", 0, 0], ["n2", 300, 0], ["n3", 300, 400]]),
        "edges.csv": (["from", "to"], [["n1", "n2"], ["n2", "n3"]]),
        "buildings.csv": (
            ["id", "name", "kind", "node"],
            [["B1", "一号楼", "family", "n2"], ["B2", "二号楼", "family", "n3"]],
        ),
    }
    for name, (header, rows) in tables.items():
        (folder / name).write_bytes(csv_bytes(header, rows))
    rnd = tr.load(folder)
    assert rnd.distance["B2", "P1"] == 700  # along the paths, not the 500 m straight line
    assert rnd.walk_minutes("B2", "P1") == 12
    assert rnd.buildings[0].name == "一号楼"
    (folder / "buildings.csv").write_bytes(
        csv_bytes(["id", "name", "kind", "node"], [["B1", "一号楼", "family", "n2"]])
    )
    with pytest.raises(InputError, match=r"residents.csv, row 3, column 'building_id'"):
        tr.load(folder)


def test_default_instance_is_the_generated_one_and_loads():
    files = generate()
    for name in ("residents.csv", "sampling_points.csv", "testing_workers.csv", "pupils.csv"):
        assert (DEFAULT / name).read_bytes() == files[name], f"{name}: regenerate"
    rnd = load_round(DEFAULT, dt.date(2026, 11, 30))
    assert len(rnd.points) == 4 and rnd.day_offset == 0
    assert len(rnd.workers) >= 240 and len({w.unit for w in rnd.workers}) == 7
    assert rnd.distance_source == "shortest paths on the campus graph"
    assert sum(p.home_visit for p in rnd.residents) > 0


def test_more_people_than_all_slots_can_take(tr):
    # 29 people per slot at most (cap 50), two slots: 3 buildings of 20 cannot all fit.
    msg = error_of(tr, residents=[tr.building(f"B{i}", 20, split=True) for i in range(3)])
    assert "residents.csv, column 'adults'" in msg
    assert "60 adults in all" in msg and "at most 58" in msg
