"""Loading the campus: defaults from site kinds, overrides per site, located errors."""

from __future__ import annotations

import pytest

from optimizer.campus import load_campus
from optimizer.io import InputError


def test_tiny_campus_loads_with_kind_defaults_and_site_overrides(variant):
    campus = load_campus(variant())
    assert len(campus.sites) == 8
    assert campus.sites["F1-2"].rule.every_days == 3
    assert campus.sites["WC1"].rule.times_per_day == 2
    assert campus.sites["X8"].node == "n2"  # taken from the building
    assert campus.group("G2").speed == 50 and campus.group("G1").capacity == 20
    assert campus.group("G1").leader.name == "王磊"
    assert campus.group("G1").depot == "PSC"


def test_site_column_overrides_kind_default(variant):
    folder = variant(
        ("sites.csv", "id,kind,name,node,building", "id,kind,name,node,building,service_minutes"),
        ("sites.csv", "F1-1,stairwell,1号楼1单元,u1,F1", "F1-1,stairwell,1号楼1单元,u1,F1,25"),
    )
    campus = load_campus(folder)
    assert campus.sites["F1-1"].rule.service_minutes == 25
    assert campus.sites["F1-2"].rule.service_minutes == 10


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (("edges.csv", "n2,n3,,road", "n2,n9,,road"), ("edges.csv", 4, "to"), "unknown node"),
        (("edges.csv", "n2,n3,,road", "n2,n3,100,road"), ("edges.csv", 4, "length"), "shorter"),
        (("edges.csv", "n2,n3,,road\n", ""), ("buildings.csv", 5, "node"), "not connected"),
        (
            ("sites.csv", "R01,refuse,垃圾收集点1,r1,", "R01,trash,垃圾收集点1,r1,"),
            ("sites.csv", 8, "kind"),
            "one of",
        ),
        (
            ("groups.csv", "G2,第二消杀组,50,", "G2,第二消杀组,0,"),
            ("groups.csv", 3, "speed"),
            "at least",
        ),
        (
            ("group_members.csv", "G2,张强,leader", "G2,张强,member"),
            ("groups.csv", 3, "id"),
            "no leader",
        ),
        (
            ("instance.toml", 'depot = "PSC"', 'depot = "XX"'),
            ("instance.toml", None, None),
            "routes.depot",
        ),
        (
            ("instance.toml", "times_per_day = 2", "times_per_day = 3"),
            ("sites.csv", 7, "windows"),
            "one window per visit",
        ),
    ],
)
def test_bad_input_names_file_row_and_column(variant, edit, where, words):
    folder = variant(edit)
    with pytest.raises(InputError) as err:
        load_campus(folder)
    file, row, column = where
    assert err.value.file.endswith(file)
    assert (err.value.row, err.value.column) == (row, column)
    assert words in err.value.message


def test_site_nobody_can_reach_in_its_window_is_bad_input(variant):
    # 900 m at 60 m/min plus the 10-minute fill: nobody is at the lab before 07:55.
    folder = variant(
        ("sites.csv", "id,kind,name,node,building", "id,kind,name,node,building,windows"),
        ("sites.csv", "L1,lab,化工实验楼,,L1", "L1,lab,化工实验楼,,L1,07:30-07:50"),
    )
    with pytest.raises(InputError) as err:
        load_campus(folder)
    assert (err.value.row, err.value.column) == (6, "windows")
    assert "cannot be reached" in err.value.message


def test_litres_beyond_every_sprayer_is_bad_input(variant):
    folder = variant(("instance.toml", "litres = 6\n", "litres = 26\n"))
    with pytest.raises(InputError) as err:
        load_campus(folder)
    assert (err.value.row, err.value.column) == (5, "litres")


def test_monitoring_of_unknown_building_is_bad_input(variant):
    folder = variant()
    (folder / "monitoring.csv").write_text("building_id,until\nF9,2026-12-01\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_campus(folder)
    assert err.value.file.endswith("monitoring.csv") and err.value.column == "building_id"
