"""Map of one day's routes: one colour per group, one marker shape per site kind."""

from __future__ import annotations

import io
import itertools
from typing import Any

from optimizer.campus import KIND_LABELS, SITE_KINDS
from optimizer.disinfection.fonts import cjk_font
from optimizer.disinfection.plan import DisinfectionPlan
from optimizer.disinfection.plot_campus import plot_campus

MARKERS = {
    "stairwell": "s",
    "dorm": "D",
    "lab": "^",
    "toilet": "P",
    "refuse": "v",
    "key_place": "*",
}
SIZES = {"stairwell": 16, "dorm": 70, "lab": 60, "toilet": 60, "refuse": 34, "key_place": 120}
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
PATH_LEGS_MAX = 600  # beyond this many legs a day, draw straight lines (fast for big campuses)


def plot_day(plan: DisinfectionPlan, day: int, ax: Any | None = None) -> Any:
    """Draw the campus and the routes of ``day`` (a horizon day index) on ``ax``."""
    import matplotlib.pyplot as plt

    campus = plan.campus
    dp = next(d for d in plan.days if d.day == day)
    font = cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 9.5))
    plot_campus(campus, ax)
    nodes = campus.graph.nodes
    legs = sum(len(g.visits) for g in dp.groups)
    colour_of = {g.id: COLOURS[i % len(COLOURS)] for i, g in enumerate(campus.groups)}
    served: dict[str, str] = {}
    handles = []
    for g in dp.groups:
        group = campus.group(g.group_id)
        colour = colour_of[g.group_id]
        depot = campus.buildings[group.depot].node
        for n, (half, dashed) in enumerate(_halves(group.work, g.visits)):
            path = [depot]
            for v in half:
                if v.refill:
                    path.append(depot)
                path.append(campus.sites[v.site_id].node)
                served[v.site_id] = colour
            path.append(depot)
            pts = _trace(campus, path, detailed=legs <= PATH_LEGS_MAX)
            (line,) = ax.plot(
                [nodes[p].x for p in pts],
                [nodes[p].y for p in pts],
                color=colour,
                lw=2.2 if not dashed else 1.6,
                ls="-" if not dashed else "--",
                alpha=0.75,
                zorder=3,
                label=(
                    f"{group.name if font else group.id}: {len(g.visits)} visits, "
                    f"{g.walking_m / 1000:.1f} km, "
                    f"{g.working_minutes // 60}h{g.working_minutes % 60:02d}"
                )
                if n == 0
                else None,
            )
            if n == 0:
                handles.append(line)
    unserved = {u.site_id for u in dp.unserved}
    kind_handles = []
    for kind in SITE_KINDS:
        sites = [s for s in campus.sites.values() if s.kind == kind]
        if not sites:
            continue
        xs = [nodes[s.node].x for s in sites]
        ys = [nodes[s.node].y for s in sites]
        faces = [served.get(s.id, "white") for s in sites]
        edges = ["#444444" if s.id in served else "#aaaaaa" for s in sites]
        ax.scatter(
            xs,
            ys,
            s=SIZES[kind],
            marker=MARKERS[kind],
            c=faces,
            edgecolors=edges,
            linewidths=0.6,
            zorder=4,
        )
        kind_handles.append(
            ax.scatter(
                [],
                [],
                s=SIZES[kind],
                marker=MARKERS[kind],
                c="white",
                edgecolors="#444444",
                label=KIND_LABELS[kind] if font else kind,
            )
        )
    for sid in unserved:
        n = nodes[campus.sites[sid].node]
        ax.scatter([n.x], [n.y], s=120, marker="x", c="red", linewidths=2, zorder=5)
    for g in campus.groups:
        b = campus.buildings[g.depot]
        ax.scatter([nodes[b.node].x], [nodes[b.node].y], s=320, marker="*", c="black", zorder=6)
    labelled = {b.id for b in campus.buildings.values() if b.kind not in ("family",)}
    for b in campus.buildings.values():
        if b.id in labelled:
            n = nodes[b.node]
            ax.annotate(
                b.name if font else b.id,
                (n.x, n.y),
                xytext=(5, 5),
                textcoords="offset points",
                fontsize=8,
                fontfamily=font or "sans-serif",
                zorder=7,
            )
    weekday = campus.weekday(day)
    ax.set_title(
        f"{campus.name if font else 'Disinfection routes'} — {dp.date.isoformat()} {weekday}: "
        f"{dp.visits} visits, {dp.walking_m / 1000:.1f} km walked, {len(dp.unserved)} unserved "
        "(solid: morning, dashed: afternoon; hollow: not due today)",
        fontfamily=font or "sans-serif",
        fontsize=11,
    )
    first = ax.legend(
        handles=handles,
        loc="upper left",
        fontsize=8,
        prop={"family": font} if font else None,
        framealpha=0.9,
    )
    ax.add_artist(first)
    ax.legend(
        handles=kind_handles,
        loc="lower left",
        fontsize=8,
        prop={"family": font} if font else None,
        framealpha=0.9,
    )
    return ax


def _halves(work: tuple[tuple[int, int], ...], visits: tuple) -> list[tuple[list, bool]]:
    """Split a group's day into its work windows; afternoon-and-later windows are dashed."""
    out: list[tuple[list, bool]] = []
    for j, (w0, w1) in enumerate(work):
        half = [v for v in visits if w0 <= v.start < w1]
        if half:
            out.append((half, j > 0))
    return out


def _trace(campus: Any, stops: list[str], *, detailed: bool) -> list[str]:
    """Nodes along shortest paths between consecutive ``stops`` (or just the stops)."""
    if not detailed:
        return stops
    pts = [stops[0]]
    for a, b in itertools.pairwise(stops):
        if a != b:
            pts += campus.graph.path(a, b)[1:]
    return pts


def day_map_png(plan: DisinfectionPlan, day: int) -> bytes:
    """The map of ``day`` rendered as PNG bytes (for atomic writing)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(14, 9.5))
    try:
        plot_day(plan, day, ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
    finally:
        plt.close(fig)
    return buf.getvalue()
