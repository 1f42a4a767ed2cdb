"""The campus path network: shortest walking distances between nodes, cached per instance.

Distances come from Dijkstra on the undirected graph of ``edges.csv`` (networkx for paths and
connectivity, scipy's compiled Dijkstra for whole matrices). A matrix
for a list of nodes is computed once per instance and process, and also kept on disk under
the user's cache folder keyed by a hash of the graph, so a later command (e.g. a night-time
dispatch) does not pay for it again.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import numpy as np

from optimizer.campus.domain import Edge, Node

_MEMORY: dict[str, np.ndarray] = {}


def cache_folder() -> Path:
    """Where distance matrices are kept between runs (``$XDG_CACHE_HOME/fangyi``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fangyi"


class CampusGraph:
    """Undirected weighted graph of campus nodes and edges (lengths in metres)."""

    def __init__(self, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.edges = tuple(edges)
        self.graph = nx.Graph()
        for n in nodes:
            self.graph.add_node(n.id)
        for e in edges:
            # Parallel paths: keep the shorter one, which is the one anybody would walk.
            old = self.graph.get_edge_data(e.a, e.b)
            if old is None or e.length < old["length"]:
                self.graph.add_edge(e.a, e.b, length=e.length)
        digest = hashlib.sha256()
        for n in nodes:
            digest.update(f"{n.id},{n.x:.3f},{n.y:.3f};".encode())
        for e in edges:
            digest.update(f"{e.a},{e.b},{e.length:.3f};".encode())
        self.key = digest.hexdigest()[:24]

    def straight(self, a: str, b: str) -> float:
        """Straight-line distance between two nodes in metres."""
        na, nb = self.nodes[a], self.nodes[b]
        return math.hypot(na.x - nb.x, na.y - nb.y)

    def reachable_from(self, node: str) -> set[str]:
        """Every node connected to ``node`` by some path."""
        return set(nx.node_connected_component(self.graph, node))

    def distances_from(self, source: str) -> dict[str, float]:
        """Shortest walking distance in metres from ``source`` to every reachable node."""
        return nx.single_source_dijkstra_path_length(self.graph, source, weight="length")

    def path(self, a: str, b: str) -> list[str]:
        """Node ids of a shortest path from ``a`` to ``b`` (for drawing routes on a map)."""
        return nx.shortest_path(self.graph, a, b, weight="length")

    def matrix(self, nodes: Sequence[str]) -> np.ndarray:
        """Shortest distances (metres) between ``nodes``, as a square float matrix.

        Cached in memory and on disk; every node must be connected to every other.
        """
        digest = hashlib.sha256(("|".join(nodes) + self.key).encode()).hexdigest()[:32]
        if digest in _MEMORY:
            return _MEMORY[digest]
        path = cache_folder() / f"dist-{digest}.npy"
        mat = _load(path, len(nodes))
        if mat is None:
            mat = self._dijkstra(nodes)
            _store(path, mat)
        _MEMORY[digest] = mat
        return mat

    def _dijkstra(self, nodes: Sequence[str]) -> np.ndarray:
        """All shortest distances between ``nodes`` (inf when unconnected), via scipy."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import dijkstra

        # networkx would take minutes for thousands of sources at scale 10; scipy takes seconds.
        order = {n: i for i, n in enumerate(self.graph.nodes)}
        a, b, w = (
            zip(
                *((order[u], order[v], d["length"]) for u, v, d in self.graph.edges(data=True)),
                strict=True,
            )
            if self.graph.number_of_edges()
            else ((), (), ())
        )
        size = len(order)
        csgraph = coo_matrix((w, (a, b)), shape=(size, size)).tocsr()
        unique = list(dict.fromkeys(nodes))
        rows = dijkstra(csgraph, directed=False, indices=[order[n] for n in unique])
        cols = [order[n] for n in nodes]
        by_node = {n: k for k, n in enumerate(unique)}
        return rows[[by_node[n] for n in nodes]][:, cols]


def _load(path: Path, size: int) -> np.ndarray | None:
    try:
        mat = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return mat if mat.shape == (size, size) else None


def _store(path: Path, mat: np.ndarray) -> None:
    # A cache that cannot be written (read-only home, full disk) only costs time later.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, mat, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        pass
