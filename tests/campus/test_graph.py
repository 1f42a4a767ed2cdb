"""Shortest paths, the distance cache and nearest-site look-ups on the tiny campus."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from optimizer.campus import load_campus, travel_minutes
from optimizer.campus.graph import _MEMORY

from .conftest import TINY


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _MEMORY.clear()


def test_matrix_matches_networkx_shortest_paths():
    campus = load_campus(TINY)
    g = campus.graph.graph
    for a in campus.site_ids:
        for b in campus.site_ids:
            want = nx.shortest_path_length(
                g, campus.sites[a].node, campus.sites[b].node, weight="length"
            )
            assert campus.distances[campus.site_loc(a), campus.site_loc(b)] == pytest.approx(want)
    # Units of one building are metres apart; the dorm is 300 m further along the road.
    assert campus.distances[campus.site_loc("F1-1"), campus.site_loc("F1-3")] == pytest.approx(24)
    assert campus.distances[campus.depot_loc("PSC"), campus.site_loc("X8")] == pytest.approx(600)


def test_matrix_is_cached_on_disk_and_reused(tmp_path):
    campus = load_campus(TINY)
    first = campus.distances
    assert list((tmp_path / "cache" / "fangyi").glob("dist-*.npy"))
    _MEMORY.clear()
    again = load_campus(TINY).distances
    assert np.array_equal(first, again)


def test_travel_minutes_round_up_never_faster():
    assert travel_minutes(12, 60) == 1
    assert travel_minutes(600, 60) == 10
    assert travel_minutes(601, 60) == 11


def test_nearest_sites_by_walking_distance():
    campus = load_campus(TINY)
    assert campus.nearest_sites("F1", "toilet") == [("WC1", pytest.approx(70))]
    near = campus.nearest_sites("X8", "refuse", within=10)
    assert [s for s, _ in near] == ["R01"]  # always at least the nearest one
    assert [s.id for s in campus.building_sites("F1", "stairwell")] == ["F1-1", "F1-2", "F1-3"]
