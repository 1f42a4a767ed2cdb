"""Load a testing round from an instance folder, checking every cell and reference.

Files (see ``instances/README.md``, "Testing round"): ``instance.toml`` (``[testing]``),
``residents.csv``, ``resident_needs.csv`` (optional), ``sampling_points.csv``,
``testing_roles.csv``, ``testing_workers.csv``. Walking distances come from the campus graph
when the folder has one (``optimizer.campus``), else from the ``x``/``y`` metre coordinates in
``residents.csv`` and ``sampling_points.csv``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from optimizer.io import (
    Col,
    InputError,
    Row,
    check_ref,
    check_unique,
    find_table,
    parse_clock,
    read_table,
    read_toml,
)
from optimizer.testing.domain import (
    CHANNELS,
    CHILDREN,
    Building,
    HomeVisitRules,
    Point,
    Resident,
    Role,
    RoundRules,
    TestingRound,
    Weights,
    Worker,
)
from optimizer.testing.queueing import max_people


def table(folder: Path, stem: str, columns: list[Col], *, optional: bool = False) -> list[Row]:
    """Rows of ``folder/stem.csv`` (or ``.xlsx``); a missing optional table is empty."""
    path = find_table(folder, stem)
    if path is None:
        if optional:
            return []
        raise InputError(folder / f"{stem}.csv", "file not found")
    return read_table(path, columns, allow_empty=optional)


def _clock(toml_path: Path, section: dict[str, Any], key: str, default: int) -> int:
    value = section.get(key)
    if value is None:
        return default
    try:
        return parse_clock(str(value))
    except ValueError:
        raise InputError(toml_path, f"[testing] {key}: expected HH:MM, got '{value}'") from None


def _number(toml_path: Path, where: str, section: dict[str, Any], key: str, default: Any) -> Any:
    value = section.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise InputError(toml_path, f"{where} {key}: expected a number ≥ 0, got '{value}'")
    return value


def _depots(toml_path: Path, value: Any) -> tuple[str, ...]:
    """``depot`` of ``[testing.home_visits]``: one point id or a list of them."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise InputError(toml_path, "[testing.home_visits] depot: a point id or a list of ids")
    return tuple(value)


def load_rules(toml_path: Path, doc: dict[str, Any]) -> RoundRules:
    """The ``[testing]`` table of ``instance.toml`` as :class:`RoundRules`."""
    t = doc.get("testing", {})
    w = t.get("weights", {})
    h = t.get("home_visits", {})
    d = RoundRules()
    wd = Weights()
    weights = Weights(
        **{
            k: int(_number(toml_path, "[testing.weights]", w, k, getattr(wd, k)))
            for k in ("walk", "wait", "children_late", "understaff", "worker")
        }
    )
    hd = HomeVisitRules()
    home = HomeVisitRules(
        teams=int(_number(toml_path, "[testing.home_visits]", h, "teams", hd.teams)),
        depots=_depots(toml_path, h.get("depot", [])),
        start=_clock(toml_path, h, "start", _clock(toml_path, t, "start", hd.start)),
        end=_clock(toml_path, h, "end", _clock(toml_path, t, "end", hd.end)),
        service_minutes=int(
            _number(toml_path, "[testing.home_visits]", h, "service_minutes", hd.service_minutes)
        ),
        walk_factor=float(
            _number(toml_path, "[testing.home_visits]", h, "walk_factor", hd.walk_factor)
        ),
    )
    num = lambda key: _number(toml_path, "[testing]", t, key, getattr(d, key))  # noqa: E731
    max_walk = t.get("max_walk_minutes")
    rules = RoundRules(
        start=_clock(toml_path, t, "start", d.start),
        end=_clock(toml_path, t, "end", d.end),
        slot_minutes=int(num("slot_minutes")),
        throughput=int(
            _number(toml_path, "[testing]", t, "throughput_per_table_hour", d.throughput)
        ),
        children_end=_clock(toml_path, t, "children_end", d.children_end),
        max_waiting=int(num("max_waiting")),
        max_waiting_children=int(num("max_waiting_children")),
        spacing_metres=float(num("spacing_metres")),
        walk_metres_per_minute=float(num("walk_metres_per_minute")),
        max_walk_minutes=None
        if max_walk is None
        else int(_number(toml_path, "[testing]", t, "max_walk_minutes", 0)),
        max_continuous_minutes=int(num("max_continuous_minutes")),
        break_minutes=int(num("break_minutes")),
        keep_units_together=tuple(str(u) for u in t.get("keep_units_together", ())),
        weights=weights,
        home=home,
    )
    slot = rules.slot_minutes
    if slot <= 0 or rules.end <= rules.start or (rules.end - rules.start) % slot:
        raise InputError(
            toml_path, "[testing] start/end/slot_minutes: the window must be whole slots"
        )
    for key in ("max_continuous_minutes", "break_minutes"):
        value = getattr(rules, key)
        if value <= 0 or value % slot:
            raise InputError(
                toml_path, f"[testing] {key}: must be a positive multiple of slot_minutes ({slot})"
            )
    if rules.spacing_metres <= 0 or rules.walk_metres_per_minute <= 0:
        raise InputError(toml_path, "[testing] spacing_metres and walk speed must be > 0")
    return rules


def load_round(folder: str | Path, date: dt.date) -> TestingRound:
    """Read and check the testing round of ``folder`` on ``date``."""
    folder = Path(folder)
    toml_path = folder / "instance.toml"
    doc = read_toml(toml_path)
    try:
        start = dt.date.fromisoformat(str(doc.get("start", date.isoformat())))
    except ValueError:
        raise InputError(toml_path, f"start: expected YYYY-MM-DD, got '{doc['start']}'") from None
    if date < start:
        raise InputError(toml_path, f"the round date {date} is before the instance start {start}")
    rules = load_rules(toml_path, doc)
    b_rows, buildings = _buildings(folder)
    p_rows, points = _points(folder, toml_path, rules)
    residents = _residents(folder, toml_path, rules, {b.id for b in buildings})
    role_rows, roles = _roles(folder)
    workers = _workers(folder, toml_path, rules)
    distance, names, source = site_distances(folder, b_rows, p_rows)
    if names:
        buildings = tuple(replace(b, name=names[b.id]) if b.name == b.id else b for b in buildings)
    rnd = TestingRound(
        name=str(doc.get("name", folder.name)),
        start=start,
        date=date,
        rules=rules,
        buildings=buildings,
        residents=residents,
        points=points,
        roles=roles,
        workers=workers,
        distance=distance,
        distance_source=source,
    )
    check_capacity(rnd, b_rows)
    check_roles(rnd, role_rows)
    return rnd


def _buildings(folder: Path) -> tuple[list[Row], tuple[Building, ...]]:
    """``residents.csv``: people per building."""
    rows = table(
        folder,
        "residents",
        [
            Col("building_id"),
            Col("name", required=False, default=""),
            Col("adults", "int", min=0),
            Col("children", "int", min=0),
            Col("split", "bool", required=False, default=False),
            Col("x", "float", required=False),
            Col("y", "float", required=False),
        ],
    )
    check_unique(rows, "building_id", "building")
    return rows, tuple(
        Building(
            r["building_id"], r["name"] or r["building_id"], r["adults"], r["children"], r["split"]
        )
        for r in rows
    )


def _points(
    folder: Path, toml_path: Path, rules: RoundRules
) -> tuple[list[Row], tuple[Point, ...]]:
    """``sampling_points.csv``: tables, channels, hours; the home-visit depots among them."""
    rows = table(
        folder,
        "sampling_points",
        [
            Col("id"),
            Col("name", required=False, default=""),
            Col("tables", "int", min=0),
            Col("children_tables", "int", required=False, default=0, min=0),
            Col("opens", "time"),
            Col("closes", "time"),
            Col("throughput", "int", required=False, min=1),
            Col("queue_metres", "float", required=False, min=0),
            Col("node", required=False, default=""),
            Col("x", "float", required=False),
            Col("y", "float", required=False),
        ],
    )
    check_unique(rows, "id", "sampling point")
    for r in rows:
        if r["closes"] <= r["opens"]:
            raise r.error("closes", "must be later than opens")
    for depot in rules.home.depots:
        if depot not in {r["id"] for r in rows}:
            raise InputError(
                toml_path, f"[testing.home_visits] depot: unknown sampling point '{depot}'"
            )
    return rows, tuple(
        Point(
            r["id"],
            r["name"] or r["id"],
            r["tables"],
            r["children_tables"],
            r["opens"],
            r["closes"],
            r["throughput"] or rules.throughput,
            r["queue_metres"],
        )
        for r in rows
    )


def _residents(
    folder: Path, toml_path: Path, rules: RoundRules, building_ids: set[str]
) -> tuple[Resident, ...]:
    """``resident_needs.csv`` (optional): home visits and printed QR codes, by name."""
    rows = table(
        folder,
        "resident_needs",
        [
            Col("id"),
            Col("name"),
            Col("building_id"),
            Col("home_visit", "bool"),
            Col("smartphone", "bool", required=False, default=True),
            Col("service_minutes", "int", required=False, min=1),
            Col("reason", required=False, default=""),
        ],
        optional=True,
    )
    check_unique(rows, "id", "resident")
    for r in rows:
        check_ref(r, "building_id", r["building_id"], building_ids, "building")
    if any(r["home_visit"] for r in rows) and not rules.home.depots:
        raise InputError(toml_path, "[testing.home_visits] depot: required for home visits")
    return tuple(
        Resident(
            r["id"],
            r["name"],
            r["building_id"],
            r["home_visit"],
            r["smartphone"],
            r["service_minutes"] or rules.home.service_minutes,
            r["reason"],
        )
        for r in rows
    )


def _roles(folder: Path) -> tuple[list[Row], tuple[Role, ...]]:
    """``testing_roles.csv``: the jobs at a point and their skills."""
    rows = table(
        folder,
        "testing_roles",
        [
            Col("id"),
            Col("name", required=False, default=""),
            Col("skill"),
            Col("per_table", "int", required=False, default=0, min=0),
            Col("per_point", "int", required=False, default=0, min=0),
        ],
    )
    check_unique(rows, "id", "role")
    return rows, tuple(
        Role(r["id"], r["name"] or r["id"], r["skill"], r["per_table"], r["per_point"])
        for r in rows
    )


def _workers(folder: Path, toml_path: Path, rules: RoundRules) -> tuple[Worker, ...]:
    """``testing_workers.csv``: unit, skills and hours of each worker."""
    rows = table(
        folder,
        "testing_workers",
        [
            Col("id"),
            Col("name"),
            Col("unit"),
            Col("skills", "list"),
            Col("available_from", "time", required=False),
            Col("available_to", "time", required=False),
        ],
    )
    check_unique(rows, "id", "worker")
    units = {r["unit"] for r in rows}
    for u in rules.keep_units_together:
        if u not in units:
            raise InputError(toml_path, f"[testing] keep_units_together: unknown unit '{u}'")
    return tuple(
        Worker(
            r["id"],
            r["name"],
            r["unit"],
            frozenset(r["skills"]),
            rules.start if r["available_from"] is None else r["available_from"],
            rules.end if r["available_to"] is None else r["available_to"],
        )
        for r in rows
    )


def site_distances(
    folder: Path, b_rows: list[Row], p_rows: list[Row]
) -> tuple[dict[tuple[str, str], float], dict[str, str], str]:
    """Metres between every pair of sites (buildings and points), names, and their source.

    With the campus tables (``nodes``, ``edges``, ``buildings``) in the folder: shortest
    walking paths on the campus graph between the buildings' and the points' nodes, and each
    building id must be one of ``buildings.csv``. Without them: straight lines between the
    ``x``/``y`` coordinates (metres) of ``residents.csv`` and ``sampling_points.csv``.
    """
    if all(find_table(folder, stem) for stem in ("nodes", "edges", "buildings")):
        return _graph_distances(folder, b_rows, p_rows)
    coords: dict[str, tuple[float, float]] = {}
    for r in [*b_rows, *p_rows]:
        for col in ("x", "y"):
            if r[col] is None:
                raise r.error(col, "a coordinate is required when there is no campus graph")
        coords[r["building_id"] if "building_id" in r.values else r["id"]] = (r["x"], r["y"])
    distance = {(a, b): math.dist(pa, pb) for a, pa in coords.items() for b, pb in coords.items()}
    return distance, {}, "straight lines between x/y coordinates"


def _graph_distances(
    folder: Path, b_rows: list[Row], p_rows: list[Row]
) -> tuple[dict[tuple[str, str], float], dict[str, str], str]:
    # The campus loader's graph reader, so both concerns read the graph the same way.
    from optimizer.campus.graph import CampusGraph
    from optimizer.campus.loader import load_graph

    nodes, edges, campus_buildings = load_graph(folder)
    node_of: dict[str, str] = {}
    for r in b_rows:
        check_ref(r, "building_id", r["building_id"], campus_buildings, "building (buildings.csv)")
        node_of[r["building_id"]] = campus_buildings[r["building_id"]].node
    for r in p_rows:
        if not r["node"]:
            raise r.error("node", "a node of nodes.csv is required (the campus graph is used)")
        check_ref(r, "node", r["node"], nodes, "node")
        node_of[r["id"]] = r["node"]
    sites = list(node_of)
    matrix = CampusGraph(list(nodes.values()), edges).matrix([node_of[s] for s in sites])
    for r in p_rows:
        i = sites.index(r["id"])
        if not all(math.isfinite(v) for v in matrix[i]):
            raise r.error("node", "not connected to every building by a campus path")
    distance = {
        (a, b): float(matrix[i, j]) for i, a in enumerate(sites) for j, b in enumerate(sites)
    }
    names = {bid: b.name for bid, b in campus_buildings.items()}
    return distance, names, "shortest paths on the campus graph"


def check_capacity(rnd: TestingRound, b_rows: list[Row]) -> None:
    """Every building's group fits one slot somewhere (unless it may be split), and all the
    people of a channel fit the channel's slots together."""
    r = rnd.rules
    most = {
        (p.id, ch): max_people(
            r.slot_minutes, p.channel_tables(ch), p.throughput, rnd.channel_cap(p, ch)
        )
        for p in rnd.points
        for ch in CHANNELS
    }
    best = {
        ch: max(
            (
                most[p.id, ch]
                for p in rnd.points
                if any(rnd.slot_open(p, ch, s) for s in rnd.slots())
            ),
            default=0,
        )
        for ch in CHANNELS
    }
    for b, row in zip(rnd.buildings, b_rows, strict=True):
        for ch in CHANNELS:
            size = b.people(ch)
            column = "children" if ch == CHILDREN else "adults"
            if size and best[ch] == 0:
                raise row.error(column, f"no sampling point takes the {ch} channel in the window")
            if size > best[ch] and not b.split:
                raise row.error(
                    column,
                    f"{size} people do not fit one slot (at most {best[ch]} keep the queue "
                    "within its cap); allow split or add tables",
                )

    for ch in CHANNELS:
        room = sum(
            most[p.id, ch] for p in rnd.points for s in rnd.slots() if rnd.slot_open(p, ch, s)
        )
        people = sum(b.people(ch) for b in rnd.buildings)
        if people > room:
            column = "children" if ch == CHILDREN else "adults"
            raise InputError(
                b_rows[0].file,
                f"{people} {column} in all, but the {ch} channels take at most {room} in the "
                "window with queues within their caps; add tables or widen the window",
                column=column,
            )


def check_roles(rnd: TestingRound, role_rows: list[Row]) -> None:
    """Every role someone must fill has at least one worker with its skill."""
    skills = set().union(*(w.skills for w in rnd.workers))
    for role, row in zip(rnd.roles, role_rows, strict=True):
        if (role.per_table or role.per_point) and role.skill not in skills:
            raise row.error("skill", f"no worker has skill '{role.skill}' for role '{role.id}'")
