"""Load and check the campus part of an instance folder (see ``instances/README.md``).

Every problem raises :class:`optimizer.io.InputError` naming the file, row and column: an
unknown node, a path network that does not connect a site to the depot, a site that no group
can reach, serve and leave inside its time window, or more disinfectant than a sprayer holds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from optimizer.campus.domain import (
    SITE_KINDS,
    Building,
    Edge,
    Group,
    Member,
    Monitoring,
    Node,
    RouteSettings,
    Rule,
    Site,
    Window,
    parse_window,
    window_text,
)
from optimizer.campus.graph import CampusGraph
from optimizer.campus.model import Campus, travel_minutes
from optimizer.io import (
    Col,
    InputError,
    Row,
    check_ref,
    check_unique,
    find_table,
    parse_list,
    read_table,
    read_toml,
)

DEFAULT_WORK = ("07:30-11:30", "14:00-17:30")


def _windows(text: str) -> tuple[Window, ...]:
    """Parse a list of ``HH:MM-HH:MM`` windows, sorted and not overlapping."""
    ws = tuple(sorted(parse_window(t) for t in parse_list(text)))
    if not ws or any(a[1] > b[0] for a, b in itertools.pairwise(ws)):
        raise ValueError
    return ws


def _table(folder: Path, stem: str, cols: list[Col], optional: bool = False) -> list[Row]:
    path = find_table(folder, stem)
    if path is None:
        if optional:
            return []
        raise InputError(folder / f"{stem}.csv", "file not found")
    rows = read_table(path, cols)
    if cols[0].name == "id":
        check_unique(rows, "id")
    return rows


def load_campus(folder: str | Path) -> Campus:
    """Read ``instance.toml`` and the campus tables of ``folder`` into a checked :class:`Campus`."""
    folder = Path(folder)
    toml_path = folder / "instance.toml"
    if not folder.is_dir():
        raise InputError(folder, "instance folder not found")
    cfg = read_toml(toml_path)
    start, days = _horizon(toml_path, cfg)
    routes_cfg = cfg.get("routes")
    if not isinstance(routes_cfg, dict):
        raise InputError(toml_path, "missing [routes] table (disinfection route settings)")
    kinds = _kinds(toml_path, cfg.get("site_kinds", []), days)

    nodes = _nodes(folder)
    edges = _edges(folder, nodes)
    graph = CampusGraph(list(nodes.values()), edges)
    buildings, building_rows = _buildings(folder, nodes)
    settings = _settings(toml_path, routes_cfg, buildings)
    sites, site_rows = _sites(folder, nodes, buildings, kinds, days)
    groups = _groups(folder, toml_path, routes_cfg, buildings)
    if not groups:
        raise InputError(folder / "groups.csv", "at least one group is needed")
    monitoring = _monitoring(folder, buildings, sites, start, days)

    campus = Campus(
        name=str(cfg.get("name", folder.name)),
        folder=str(folder),
        start=start,
        days=days,
        graph=graph,
        buildings=buildings,
        sites=sites,
        groups=groups,
        monitoring=monitoring,
        settings=settings,
    )
    _check_connected(campus, building_rows, site_rows)
    _check_reachable(campus, site_rows)
    return campus


def load_graph(folder: str | Path) -> tuple[dict[str, Node], list[Edge], dict[str, Building]]:
    """The campus graph alone: nodes, edges and buildings of ``folder``, read and checked as
    :func:`load_campus` reads them (for concerns that only walk the campus)."""
    folder = Path(folder)
    nodes = _nodes(folder)
    buildings, _ = _buildings(folder, nodes)
    return nodes, _edges(folder, nodes), buildings


def _horizon(path: Path, cfg: dict[str, Any]) -> tuple[dt.date, int]:
    try:
        start = dt.date.fromisoformat(str(cfg["start"]))
    except KeyError:
        raise InputError(path, "missing key 'start' (first day, YYYY-MM-DD)") from None
    except ValueError:
        raise InputError(path, f"'start' must be a date YYYY-MM-DD, got {cfg['start']!r}") from None
    days = cfg.get("days", 7)
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise InputError(path, f"'days' must be a whole number 1..366, got {days!r}")
    return start, days


def _kinds(path: Path, entries: Any, days: int) -> dict[str, dict[str, Any]]:
    """``[[site_kinds]]``: default rule values per site kind (sites.csv may override)."""
    if not isinstance(entries, list):
        raise InputError(path, "[[site_kinds]] must be an array of tables")
    out: dict[str, dict[str, Any]] = {}
    for i, e in enumerate(entries):
        where = f"site_kinds[{i}]"
        kid = e.get("id")
        if kid not in SITE_KINDS:
            raise InputError(
                path, f"{where}.id must be one of {', '.join(SITE_KINDS)}, got {kid!r}"
            )
        vals: dict[str, Any] = {}
        for key, kind in (
            ("every_days", int),
            ("times_per_day", int),
            ("service_minutes", int),
            ("litres", (int, float)),
        ):
            if key in e:
                if not isinstance(e[key], kind) or e[key] < (0 if key == "litres" else 1):
                    raise InputError(
                        path, f"{where}.{key} must be a positive number, got {e[key]!r}"
                    )
                vals[key] = e[key]
        if "windows" in e:
            try:
                vals["windows"] = _windows("|".join(e["windows"]))
            except (ValueError, TypeError):
                raise InputError(
                    path, f"{where}.windows must be a list of 'HH:MM-HH:MM', not overlapping"
                ) from None
        if vals.get("every_days", 1) > days:
            raise InputError(path, f"{where}.every_days must be at most the horizon ({days} days)")
        out[kid] = vals
    return out


def _nodes(folder: Path) -> dict[str, Node]:
    rows = _table(
        folder,
        "nodes",
        [Col("id"), Col("x", "float"), Col("y", "float"), Col("name", required=False, default="")],
    )
    return {r["id"]: Node(r["id"], r["x"], r["y"], r["name"]) for r in rows}


def _edges(folder: Path, nodes: dict[str, Node]) -> list[Edge]:
    rows = _table(
        folder,
        "edges",
        [
            Col("from"),
            Col("to"),
            Col("length", "float", required=False, min=0.01),
            Col("kind", required=False, default="path"),
        ],
    )
    edges = []
    for r in rows:
        check_ref(r, "from", r["from"], nodes, "node")
        check_ref(r, "to", r["to"], nodes, "node")
        if r["from"] == r["to"]:
            raise r.error("to", "an edge must join two different nodes")
        a, b = nodes[r["from"]], nodes[r["to"]]
        straight = ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5
        length = r["length"] if r["length"] is not None else max(straight, 0.01)
        # A path shorter than the straight line would let groups walk faster than possible.
        if length < straight - 1.0:
            raise r.error(
                "length", f"{length:g} m is shorter than the straight line ({straight:.0f} m)"
            )
        edges.append(Edge(a.id, b.id, length, r["kind"]))
    return edges


def _buildings(folder: Path, nodes: dict[str, Node]) -> tuple[dict[str, Building], dict[str, Row]]:
    rows = _table(folder, "buildings", [Col("id"), Col("name"), Col("kind"), Col("node")])
    out = {}
    for r in rows:
        check_ref(r, "node", r["node"], nodes, "node")
        out[r["id"]] = Building(r["id"], r["name"], r["kind"], r["node"])
    return out, {r["id"]: r for r in rows}


def _settings(path: Path, cfg: dict[str, Any], buildings: dict[str, Building]) -> RouteSettings:
    depot = cfg.get("depot")
    if depot not in buildings:
        raise InputError(
            path, f"routes.depot must be a building id of buildings.csv, got {depot!r}"
        )
    values = {}
    for key, default, low in (
        ("refill_minutes", 10, 0),
        ("unserved_penalty", 100_000, 1),
        ("balance", 0.15, 0),
    ):
        v = cfg.get(key, default)
        if not isinstance(v, int | float) or isinstance(v, bool) or v < low:
            raise InputError(path, f"routes.{key} must be a number >= {low}, got {v!r}")
        values[key] = v
    return RouteSettings(
        depot=depot,
        refill_minutes=int(values["refill_minutes"]),
        unserved_penalty=int(values["unserved_penalty"]),
        balance=float(values["balance"]),
    )


def _sites(
    folder: Path,
    nodes: dict[str, Node],
    buildings: dict[str, Building],
    kinds: dict[str, dict[str, Any]],
    days: int,
) -> tuple[dict[str, Site], dict[str, Row]]:
    rows = _table(
        folder,
        "sites",
        [
            Col("id"),
            Col("kind", choices=SITE_KINDS),
            Col("name"),
            Col("node", required=False),
            Col("building", required=False),
            Col("every_days", "int", required=False, min=1, max=days),
            Col("times_per_day", "int", required=False, min=1),
            Col("service_minutes", "int", required=False, min=1),
            Col("litres", "float", required=False, min=0),
            Col("windows", _windows, required=False),
        ],
    )
    out = {}
    for r in rows:
        if r["building"] is not None:
            check_ref(r, "building", r["building"], buildings, "building")
        node = r["node"] or (buildings[r["building"]].node if r["building"] else None)
        if node is None:
            raise r.error("node", "a value is required (or a building whose node is used)")
        check_ref(r, "node" if r["node"] else "building", node, nodes, "node")
        base = kinds.get(r["kind"], {})
        vals = {}
        for key in ("every_days", "times_per_day", "service_minutes", "litres", "windows"):
            v = r[key] if r[key] is not None else base.get(key)
            if v is None:
                raise r.error(key, f"a value is required (no default for kind '{r['kind']}')")
            vals[key] = v
        if vals["times_per_day"] > 1 and len(vals["windows"]) != vals["times_per_day"]:
            raise r.error(
                "windows",
                f"{vals['times_per_day']} visits a day need exactly one window per visit, "
                f"got {len(vals['windows'])}",
            )
        rule = Rule(
            every_days=vals["every_days"],
            times_per_day=vals["times_per_day"],
            service_minutes=vals["service_minutes"],
            litres=float(vals["litres"]),
            windows=vals["windows"],
        )
        out[r["id"]] = Site(r["id"], r["kind"], r["name"], node, r["building"], rule)
    return out, {r["id"]: r for r in rows}


def _groups(
    folder: Path, path: Path, cfg: dict[str, Any], buildings: dict[str, Building]
) -> tuple[Group, ...]:
    try:
        work = _windows("|".join(cfg.get("work", DEFAULT_WORK)))
    except (ValueError, TypeError):
        raise InputError(
            path, "routes.work must be a list of 'HH:MM-HH:MM', not overlapping"
        ) from None
    speed, capacity = cfg.get("speed", 50), cfg.get("capacity", 40)
    for key, v in (("speed", speed), ("capacity", capacity)):
        if not isinstance(v, int | float) or isinstance(v, bool) or v <= 0:
            raise InputError(path, f"routes.{key} must be a positive number, got {v!r}")
    rows = _table(
        folder,
        "groups",
        [
            Col("id"),
            Col("name"),
            Col("speed", "float", required=False, min=1),
            Col("capacity", "float", required=False, min=0.1),
            Col("work", _windows, required=False),
            Col("depot", required=False),
        ],
    )
    for r in rows:
        if r["depot"] is not None:
            check_ref(r, "depot", r["depot"], buildings, "building")
    members: dict[str, list[Member]] = {r["id"]: [] for r in rows}
    member_rows = _table(
        folder,
        "group_members",
        [
            Col("group_id"),
            Col("name"),
            Col("role", choices=("leader", "member")),
            Col("volunteer_id", required=False),
            Col("home_building", required=False),
        ],
    )
    for r in member_rows:
        check_ref(r, "group_id", r["group_id"], members, "group")
        if r["home_building"] is not None:
            check_ref(r, "home_building", r["home_building"], buildings, "building")
        leader = r["role"] == "leader"
        if leader and any(m.leader for m in members[r["group_id"]]):
            raise r.error("role", f"group '{r['group_id']}' already has a leader")
        members[r["group_id"]].append(
            Member(r["name"], leader, r["volunteer_id"], r["home_building"])
        )
    for r in rows:
        if not any(m.leader for m in members[r["id"]]):
            raise r.error("id", "group has no leader in group_members (role = leader)")
    return tuple(
        Group(
            id=r["id"],
            name=r["name"],
            speed=r["speed"] or float(speed),
            capacity=r["capacity"] or float(capacity),
            work=r["work"] or work,
            depot=r["depot"] or cfg["depot"],
            members=tuple(members[r["id"]]),
        )
        for r in rows
    )


def _monitoring(
    folder: Path, buildings: dict[str, Building], sites: dict[str, Site], start: dt.date, days: int
) -> tuple[Monitoring, ...]:
    rows = _table(
        folder,
        "monitoring",
        [
            Col("building_id"),
            Col("until", "date"),
            Col("start", "date", required=False),
            Col("times_per_day", "int", required=False, default=1, min=1),
        ],
        optional=True,
    )
    out = []
    for r in rows:
        check_ref(r, "building_id", r["building_id"], buildings, "building")
        own = [s for s in sites.values() if s.building == r["building_id"]]
        if not own:
            raise r.error("building_id", f"building '{r['building_id']}' has no sites to disinfect")
        if r["times_per_day"] > 1 and any(len(s.rule.windows) < r["times_per_day"] for s in own):
            raise r.error("times_per_day", "more visits a day than the sites have windows")
        first = r["start"] or start
        if r["until"] < first:
            raise r.error("until", "must not be before start")
        out.append(Monitoring(r["building_id"], first, r["until"], r["times_per_day"]))
    return tuple(out)


def _check_connected(
    campus: Campus, building_rows: dict[str, Row], site_rows: dict[str, Row]
) -> None:
    """Every building and site must be joined to the (first) depot by some path."""
    reach = campus.graph.reachable_from(campus.buildings[campus.depots[0]].node)
    for bid, b in campus.buildings.items():
        if b.node not in reach:
            raise building_rows[bid].error(
                "node", f"node '{b.node}' is not connected to the depot by any path in edges.csv"
            )
    for sid, s in campus.sites.items():
        if s.node not in reach:
            col = "node" if site_rows[sid]["node"] else "building"
            raise site_rows[sid].error(
                col, f"node '{s.node}' is not connected to the depot by any path in edges.csv"
            )


def _check_reachable(campus: Campus, site_rows: dict[str, Row]) -> None:
    """Some group must be able to walk out, serve each visit window, and walk back in time."""
    for sid, s in campus.sites.items():
        if all(s.rule.litres > g.capacity for g in campus.groups):
            raise site_rows[sid].error(
                "litres", f"{s.rule.litres:g} L is more than any group's sprayers hold"
            )
        # With one visit a day any window will do; with several, each visit has its own.
        needs = [s.rule.windows] if s.rule.times_per_day == 1 else [(w,) for w in s.rule.windows]
        for options in needs:
            if not any(_fits(campus, g, s, w) for g in campus.groups for w in options):
                what = "any of its windows" if len(options) > 1 else window_text(options[0])
                metres = min(campus.from_depot[d].get(s.node, float("inf")) for d in campus.depots)
                raise site_rows[sid].error(
                    "windows",
                    f"site '{sid}' cannot be reached, served and left by any group within "
                    f"{what} ({metres:.0f} m from the nearest depot, "
                    f"{s.rule.service_minutes} min service)",
                )


def _fits(campus: Campus, group: Group, site: Site, window: Window) -> bool:
    """Whether ``group`` can fill up, walk to ``site``, serve it inside ``window`` and walk
    back to its depot inside one of its work windows."""
    metres = campus.from_depot[group.depot][site.node]
    t = travel_minutes(float(metres), group.speed)
    fill = campus.settings.refill_minutes
    for w0, w1 in group.work:
        begin = max(w0 + fill + t, window[0])
        end = begin + site.rule.service_minutes
        if end <= window[1] and end + t <= w1:
            return True
    return False
