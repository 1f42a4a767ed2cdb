"""Draw the campus: paths, roads and family buildings (as the line of their stairwell doors)."""

from __future__ import annotations

from typing import Any

from optimizer.campus import Campus


def plot_campus(campus: Campus, ax: Any | None = None) -> Any:
    """Draw the path network and the family buildings of ``campus`` on ``ax`` (new if None)."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 8))
    nodes = campus.graph.nodes
    for kind, width, colour in (("road", 1.6, "#c9c9c9"), ("path", 0.7, "#dddddd")):
        segs = [
            [(nodes[e.a].x, nodes[e.a].y), (nodes[e.b].x, nodes[e.b].y)]
            for e in campus.graph.edges
            if (e.kind == "road") == (kind == "road")
        ]
        ax.add_collection(LineCollection(segs, linewidths=width, colors=colour, zorder=1))
    # A family building is drawn as a thick bar through its stairwell doors.
    by_building: dict[str, list[tuple[float, float]]] = {}
    for s in campus.sites.values():
        if s.kind == "stairwell" and s.building is not None:
            by_building.setdefault(s.building, []).append((nodes[s.node].x, nodes[s.node].y))
    bars = [
        [min(pts), max(pts)] if len(pts) > 1 else [pts[0], (pts[0][0] + 8, pts[0][1])]
        for pts in by_building.values()
    ]
    ax.add_collection(LineCollection(bars, linewidths=5, colors="#efe3cf", zorder=2))
    xs = [n.x for n in nodes.values()]
    ys = [n.y for n in nodes.values()]
    ax.set_xlim(min(xs) - 30, max(xs) + 30)
    ax.set_ylim(min(ys) - 30, max(ys) + 30)
    ax.set_aspect("equal")
    ax.set_xlabel("m")
    return ax
