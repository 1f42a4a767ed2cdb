"""The campus part of the Dongying generator: the report's counts, and tiles at scale."""

from __future__ import annotations

import collections
import io
import itertools

from optimizer.generators.campus_part import DORMS, campus_part


def table(part, name):
    header, rows = part.tables[name]
    return [dict(zip(header, r, strict=True)) for r in rows]


def test_default_campus_has_the_reported_counts():
    part = campus_part(1, 0)
    sites = table(part, "sites.csv")
    kinds = collections.Counter(s["kind"] for s in sites)
    assert kinds == {
        "stairwell": 358,
        "refuse": 29,
        "dorm": 7,
        "key_place": 5,
        "lab": 4,
        "toilet": 3,
    }
    dorm_names = {s["name"].removesuffix("宿舍楼") for s in sites if s["kind"] == "dorm"}
    assert dorm_names == set(DORMS)
    buildings = table(part, "buildings.csv")
    assert sum(b["kind"] == "depot" for b in buildings) == 1
    assert len(table(part, "groups.csv")) == 5
    leaders = [m for m in table(part, "group_members.csv") if m["role"] == "leader"]
    assert len(leaders) == 5


def test_units_of_a_building_are_metres_apart():
    part = campus_part(1, 0)
    nodes = {n[0]: (n[1], n[2]) for n in part.tables["nodes.csv"][1]}
    units = [s for s in table(part, "sites.csv") if s["building"] == "F01"]
    xs = [nodes[u["node"]][0] for u in units]
    assert all(b - a == 12 for a, b in itertools.pairwise(xs))


def test_scale_lays_out_connected_tiles_with_their_own_groups():
    part = campus_part(2, 0)
    sites = table(part, "sites.csv")
    assert sum(s["kind"] == "stairwell" for s in sites) == 716
    groups = table(part, "groups.csv")
    assert {g["depot"] for g in groups} == {"WY", "T2-WY"}
    import networkx as nx

    g = nx.Graph()
    g.add_edges_from((e[0], e[1]) for e in part.tables["edges.csv"][1])
    assert nx.is_connected(g)


def test_toml_parses_and_names_every_kind():
    import tomllib

    cfg = tomllib.load(io.BytesIO(campus_part(1, 0).toml.encode()))
    assert cfg["routes"]["depot"] == "WY"
    assert {k["id"] for k in cfg["site_kinds"]} == {
        "stairwell",
        "dorm",
        "lab",
        "toilet",
        "refuse",
        "key_place",
    }
