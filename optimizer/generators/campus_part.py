"""Campus part of the Dongying instance: paths, buildings, disinfection sites and groups.

One *tile* is a plausible 1.5 km x 1 km campus: family residential buildings in the west
(stairwell units totalling exactly 358, 12 m apart along each building), the student area with
the seven named dorms, canteens and shops in the north-east, labs in the south-east, three
public toilets, 29 refuse points, and the property service centre (the depot) in the middle.
``scale`` K lays out K tiles side by side joined by roads, each with its own service centre
and five groups (tile 1 keeps the plain ids; tile t > 1 prefixes ids with ``T{t}-``).
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import networkx as nx

from optimizer.generators import InstancePart

TILE_W, TILE_H = 1500, 1000
GAP = 60  # metres of road joining neighbouring tiles
ROAD_X = tuple(range(0, TILE_W + 1, 150))
ROW_H = 125
SLOT_Y = (40, 85)  # building rows inside a block, metres north of the block's south road
UNIT_GAP = 12  # metres between neighbouring stairwell doors of one building
FAMILY_COLS = 5  # blocks west of x = 750 hold family buildings
FAMILY_BUILDINGS = 62
FAMILY_UNITS = 358

DORMS = ("学0", "学8", "学10", "塔8", "塔10", "塔11", "塔12")
DORM_IDS = ("X0", "X8", "X10", "T8", "T10", "T11", "T12")
LABS = (("L1", "化工实验楼"), ("L2", "石工实验楼"), ("L3", "地质实验楼"), ("L4", "机电实验楼"))
KEY_PLACES = (
    ("C1", "第一食堂", "canteen", ""),
    ("C2", "第二食堂", "canteen", ""),
    ("SM", "园区超市", "supermarket", ""),
    # Goods arrive twice a day: disinfect after each delivery, morning and afternoon.
    ("EX", "快递驿站", "express", "08:00-11:00|14:00-17:00"),
    ("CC", "冷链仓库", "cold_chain", "08:00-11:00|14:00-17:00"),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文辉鹏宇浩然欣怡子涵晨阳"

TOML = """
[routes]                     # disinfection routes (see the "Disinfection routes" README section)
depot = "WY"                 # building id of the property service centre (default depot)
refill_minutes = 10          # filling sprayers at the depot: each work window starts with it
work = ["07:30-11:30", "14:00-17:30"]   # default work windows; the gap is the lunch break
speed = 55                   # default walking speed with equipment, metres per minute
capacity = 32                # default litres a group carries (two 16 L backpack sprayers)
unserved_penalty = 100000    # points per visit left out (1 point = 1 metre walked)
balance = 0.15               # half-days may run this share above the group's fair share

[[site_kinds]]
id = "stairwell"             # one stairwell unit (楼道单元) of a family building, 6 storeys
every_days = 7               # 358 units / 7 days = about 51 units a day
times_per_day = 1
service_minutes = 6
litres = 2.5
windows = ["08:00-11:30", "14:00-17:30"]

[[site_kinds]]
id = "dorm"                  # corridors and stairs of a dormitory, while students are in class
every_days = 1
times_per_day = 1
service_minutes = 25
litres = 12
windows = ["08:00-11:30", "14:00-17:00"]

[[site_kinds]]
id = "lab"
every_days = 2
times_per_day = 1
service_minutes = 15
litres = 6
windows = ["08:00-11:30", "14:00-17:30"]

[[site_kinds]]
id = "toilet"                # twice a day: once each morning, once each afternoon
every_days = 1
times_per_day = 2
service_minutes = 8
litres = 3
windows = ["07:30-11:30", "14:00-17:30"]

[[site_kinds]]
id = "refuse"                # after the morning or afternoon collection round
every_days = 1
times_per_day = 1
service_minutes = 5
litres = 2
windows = ["08:30-11:30", "14:30-17:30"]

[[site_kinds]]
id = "key_place"             # canteens, shops, express outlet, cold-chain store; not at meals
every_days = 1
times_per_day = 1
service_minutes = 15
litres = 5
windows = ["09:00-10:45", "14:00-16:30"]
"""


class _Builder:
    """Accumulates the rows of the campus tables while tiles are laid out."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nodes: dict[str, tuple[float, float, str]] = {}
        self.edges: list[tuple[str, str, str]] = []
        self.buildings: list[list[Any]] = []
        self.sites: list[list[Any]] = []
        self.groups: list[list[Any]] = []
        self.members: list[list[Any]] = []
        self.monitoring: list[list[Any]] = []
        self.used_names: set[str] = set()

    def node(self, nid: str, x: float, y: float, name: str = "") -> str:
        self.nodes[nid] = (round(x, 1), round(y, 1), name)
        return nid

    def edge(self, a: str, b: str, kind: str) -> None:
        self.edges.append((a, b, kind))

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name


def _unit_counts(rng: random.Random) -> list[int]:
    """Stairwell units per family building (3..8), summing to exactly 358."""
    counts = [rng.choice((4, 5, 6, 6, 7)) for _ in range(FAMILY_BUILDINGS)]
    while sum(counts) != FAMILY_UNITS:
        i = rng.randrange(FAMILY_BUILDINGS)
        step = 1 if sum(counts) < FAMILY_UNITS else -1
        if 3 <= counts[i] + step <= 8:
            counts[i] += step
    return counts


def _tile(b: _Builder, t: int, ox: float, oy: float) -> dict[str, str]:
    """Lay out tile ``t`` at offset (ox, oy); return its border road nodes by side."""
    p = "" if t == 0 else f"T{t + 1}-"
    suffix = "" if t == 0 else f"({t + 1}区)"
    ys = sorted({r * ROW_H + dy for r in range(TILE_H // ROW_H) for dy in (0, *SLOT_Y)} | {TILE_H})
    road: dict[tuple[int, int], str] = {}
    for x in ROAD_X:
        for y in ys:
            road[x, y] = b.node(f"{p}J{x // 10:03d}-{y:04d}", ox + x, oy + y)
    for x in ROAD_X:  # north-south roads, with a node where each building row meets them
        for y0, y1 in itertools.pairwise(ys):
            b.edge(road[x, y0], road[x, y1], "road")
    for y in range(0, TILE_H + 1, ROW_H):  # east-west roads along the blocks
        for x0, x1 in itertools.pairwise(ROAD_X):
            # A few east-west roads in the family area are walls or fenced gardens.
            if x1 <= FAMILY_COLS * 150 and 0 < y < TILE_H and b.rng.random() < 0.15:
                continue
            b.edge(road[x0, y], road[x1, y], "road")

    def spur(nid: str, x: float, y: float) -> None:
        near = min(road, key=lambda k: math.hypot(k[0] - x, k[1] - y))
        b.edge(nid, road[near], "path")

    # Family buildings: each row of a block may hold one building, doors along its south side.
    slots = [
        (c, r, dy) for c in range(FAMILY_COLS) for r in range(TILE_H // ROW_H) for dy in SLOT_Y
    ]
    chosen = sorted(b.rng.sample(range(len(slots)), FAMILY_BUILDINGS))
    counts = _unit_counts(b.rng)
    family_ids = []
    for k, (si, units) in enumerate(zip(chosen, counts, strict=True)):
        c, r, dy = slots[si]
        bid = f"{p}F{k + 1:02d}"
        family_ids.append(bid)
        x0, y = c * 150 + 20, r * ROW_H + dy
        doors = []
        for u in range(units):
            nid = b.node(f"{p}F{k + 1:02d}-{u + 1}", ox + x0 + UNIT_GAP * u, oy + y)
            doors.append(nid)
            b.sites.append(
                [f"{bid}-{u + 1}", "stairwell", f"{k + 1}号楼{u + 1}单元{suffix}", nid, bid]
            )
            if u:
                b.edge(doors[u - 1], nid, "path")
        # Paths from the end doors to the roads on either side of the block.
        b.edge(doors[0], road[c * 150, y], "path")
        b.edge(doors[-1], road[(c + 1) * 150, y], "path")
        b.buildings.append([bid, f"{k + 1}号楼{suffix}", "family", doors[0]])

    def place(
        bid: str, name: str, kind: str, x: float, y: float, site_kind: str | None, windows: str = ""
    ) -> None:
        nid = b.node(f"{p}N-{bid.removeprefix(p)}", ox + x, oy + y, name)
        spur(nid, x, y)
        b.buildings.append([bid, name, kind, nid])
        if site_kind:
            b.sites.append([bid, site_kind, name, nid, bid, windows])

    place(f"{p}WY", f"物业服务中心{suffix}", "depot", 780, 470, None)
    for i, (did, name) in enumerate(zip(DORM_IDS, DORMS, strict=True)):
        place(
            f"{p}{did}",
            f"{name}宿舍楼{suffix}",
            "dorm",
            900 + 150 * (i % 4) + 60,
            640 + 170 * (i // 4),
            "dorm",
        )
    for i, (lid, name) in enumerate(LABS):
        place(f"{p}{lid}", name + suffix, "lab", 960 + 150 * i, 110, "lab")
    for i, (kid, name, kind, windows) in enumerate(KEY_PLACES):
        place(
            f"{p}{kid}",
            name + suffix,
            kind,
            870 + 120 * i,
            420 + 60 * (i % 2),
            "key_place",
            windows,
        )
    for i, (x, y) in enumerate(((380, 500), (1100, 560), (1280, 270))):
        nid = b.node(f"{p}N-WC{i + 1}", ox + x, oy + y)
        spur(nid, x, y)
        b.sites.append([f"{p}WC{i + 1}", "toilet", f"公共厕所{i + 1}{suffix}", nid, None])
    refuse = [(c * 150 + 75, r * ROW_H + 62) for c in range(FAMILY_COLS) for r in range(0, 8, 2)]
    refuse += [(830 + 160 * (i % 4), 330 + 300 * (i // 4)) for i in range(9)]
    for i, (x, y) in enumerate(refuse[:29]):
        nid = b.node(f"{p}N-R{i + 1:02d}", ox + x, oy + y)
        spur(nid, x, y)
        b.sites.append([f"{p}R{i + 1:02d}", "refuse", f"垃圾收集点{i + 1}{suffix}", nid, None])

    for g in range(5):
        gid = f"{p}G{g + 1}"
        speed = (60, 55, 60, 50, 55)[g]
        b.groups.append([gid, f"第{'一二三四五'[g]}消杀组{suffix}", speed, "", "", f"{p}WY"])
        homes = b.rng.sample(family_ids, 4)
        for m in range(4):
            role = "leader" if m == 0 else "member"
            b.members.append([gid, b.person(), role, "", homes[m]])
    # Two buildings with residents under home health monitoring (daily disinfection).
    b.monitoring.append([family_ids[6], "2026-12-02", "", 1])
    b.monitoring.append([family_ids[22], "2026-12-06", "", 1])
    return {
        "east": [road[ROAD_X[-1], y] for y in range(0, TILE_H + 1, ROW_H)],
        "west": [road[0, y] for y in range(0, TILE_H + 1, ROW_H)],
        "north": [road[x, TILE_H] for x in ROAD_X],
        "south": [road[x, 0] for x in ROAD_X],
    }


def campus_part(scale: int, seed: int) -> InstancePart:
    """The campus tables and ``[routes]``/``[[site_kinds]]`` TOML for ``scale`` tiles."""
    b = _Builder(random.Random(f"campus-{seed}"))
    cols = math.ceil(math.sqrt(scale))
    borders = []
    for t in range(scale):
        col, row = t % cols, t // cols
        borders.append(_tile(b, t, col * (TILE_W + GAP), row * (TILE_H + GAP)))
        if col:
            for a, c in zip(borders[t - 1]["east"], borders[t]["west"], strict=True):
                b.edge(a, c, "road")
        if row:
            for a, c in zip(borders[t - cols]["north"], borders[t]["south"], strict=True):
                b.edge(a, c, "road")
    _ensure_connected(b)
    nodes = [[nid, x, y, name] for nid, (x, y, name) in b.nodes.items()]
    edges = [
        [a, c, round(math.dist(b.nodes[a][:2], b.nodes[c][:2]), 1), kind] for a, c, kind in b.edges
    ]
    sites = [row + [""] * (6 - len(row)) for row in b.sites]
    return InstancePart(
        toml=TOML,
        tables={
            "nodes.csv": (["id", "x", "y", "name"], nodes),
            "edges.csv": (["from", "to", "length", "kind"], edges),
            "buildings.csv": (["id", "name", "kind", "node"], b.buildings),
            "sites.csv": (["id", "kind", "name", "node", "building", "windows"], sites),
            "groups.csv": (["id", "name", "speed", "capacity", "work", "depot"], b.groups),
            "group_members.csv": (
                ["group_id", "name", "role", "volunteer_id", "home_building"],
                b.members,
            ),
            "monitoring.csv": (["building_id", "until", "start", "times_per_day"], b.monitoring),
        },
    )


def _ensure_connected(b: _Builder) -> None:
    """Put back a removed road wherever dropping roads cut a piece of campus off."""
    g = nx.Graph()
    g.add_nodes_from(b.nodes)
    g.add_edges_from((a, c) for a, c, _ in b.edges)
    # Sorted with ties broken by node ids, so the output does not depend on hash order.
    parts = sorted(nx.connected_components(g), key=lambda p: (-len(p), min(p)))
    for part in parts[1:]:
        a, c = min(
            ((a, c) for a in sorted(part) for c in sorted(parts[0])),
            key=lambda ac: (math.dist(b.nodes[ac[0]][:2], b.nodes[ac[1]][:2]), ac),
        )
        b.edge(a, c, "road")
        parts[0] |= part
