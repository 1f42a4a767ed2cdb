"""Testing-round part of the Dongying instance: residents, sampling points, workers, pupils.

Sizes follow ``/work/shared/domain.md`` (4 sampling points, 240+ workers from seven units,
many children and elderly residents, a kindergarten and the affiliated middle school of about
1,000 pupils); everything the report does not give is an assumption written in
``instances/dongying/README.md``. ``scale`` multiplies buildings, points, workers and pupils.
Residents live in the campus part's family buildings (about 10-16 adults and 1-3 children per
stairwell unit) and dorms; the sampling points stand at campus-graph nodes: three among the
family buildings of each campus tile (west to east), one by its dorms.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from typing import Any

from optimizer.generators import InstancePart
from optimizer.generators.campus_part import campus_part

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩凯晨欣"
    "怡梓涵子轩雨萱一诺思远嘉琪俊杰"
)

UNITS = (
    ("党委办公室", 24),
    ("管委办公室", 30),
    ("后勤保障处", 46),
    ("离退休职工管理处", 38),
    ("东营科学技术研究院", 40),
    ("教育发展中心", 32),
    ("附属中学", 36),
)
# Skills each unit tends to have (retired doctors and nurses sample; teachers register).
UNIT_SKILLS = {
    "党委办公室": ("registrar", "guide"),
    "管委办公室": ("registrar", "guide", "packer"),
    "后勤保障处": ("sampler", "guide", "packer", "runner"),  # the campus clinic
    "离退休职工管理处": ("sampler", "registrar"),
    "东营科学技术研究院": ("sampler", "packer", "registrar"),
    "教育发展中心": ("registrar", "guide", "sampler"),
    "附属中学": ("registrar", "guide", "runner"),
}

ROLES = (
    ("sampler", "采样员", "sampler", 1, 0),
    ("registrar", "登记扫码员", "registrar", 1, 0),
    ("guide", "引导及秩序维护员", "guide", 1, 1),
    ("packer", "标本打包员", "packer", 0, 1),
    ("runner", "标本转运员", "runner", 0, 1),
)

TOML = """
[testing]                          # mass nucleic-acid testing round (see README)
start = "07:00"                    # round window on the round's date
end = "12:00"
slot_minutes = 30
children_end = "09:00"             # children's channel closes: children are tested first
throughput_per_table_hour = 90     # people one sampling table takes per hour
max_waiting = 40                   # expected people waiting per point (adult channel)
max_waiting_children = 8           # expected children waiting in the children's channel
spacing_metres = 1.0               # 1 m between people in line
walk_metres_per_minute = 60
max_walk_minutes = 12
max_continuous_minutes = 120       # in protective gear, then a break
break_minutes = 30
keep_units_together = ["附属中学"]

[testing.weights]
walk = 1                           # per person-minute walked
wait = 1                           # per person-minute of expected waiting
children_late = 5                  # per child per slot after the first
understaff = 1000                  # per missing worker per slot
worker = 30                        # per worker called in

[testing.home_visits]
teams = 2                          # per depot
depot = {depots}
start = "07:30"
end = "11:30"
service_minutes = 10
walk_factor = 1.5                  # teams carry kits and cold boxes

[rotation]                         # kindergarten and middle-school 20 % daily testing
weeks = 2                          # weeks of dates written to rotation_calendar.csv
weight_change = 1                  # per pupil moved off last week's weekday
"""


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def testing_part(scale: int, seed: int) -> InstancePart:
    """The testing-round tables and TOML of the Dongying instance at ``scale``."""
    rng = random.Random(f"testing-{scale}-{seed}")
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    campus = campus_part(scale, seed).tables
    coords = {row[0]: (row[1], row[2]) for row in campus["nodes.csv"][1]}
    units: dict[str, int] = defaultdict(int)
    for row in campus["sites.csv"][1]:
        if row[1] == "stairwell":
            units[row[4]] += 1
    tiles: dict[str, dict[str, list[list[Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in campus["buildings.csv"][1]:
        tile = re.match(r"(T\d+-)?", row[0]).group(0)
        tiles[tile][row[2]].append(row)

    residents: list[list[Any]] = []
    points: list[list[Any]] = []
    for tile, kinds in tiles.items():
        for row in kinds["family"]:
            n = units[row[0]]
            adults = sum(rng.randint(10, 16) for _ in range(n))
            children = sum(rng.randint(1, 3) for _ in range(n))
            residents.append([row[0], row[1], adults, children, "no"])
        for row in kinds["dorm"]:
            residents.append([row[0], row[1], rng.randint(250, 420), 0, "yes"])
        # Three points among the family buildings (west to east), one by the dorms.
        family = sorted(kinds["family"], key=lambda r: coords[r[3]])
        third = -(-len(family) // 3)
        clusters = [family[i : i + third] for i in range(0, len(family), third)]
        for k, cluster in enumerate([*clusters, kinds["dorm"]]):
            cx = sum(coords[r[3]][0] for r in cluster) / len(cluster)
            cy = sum(coords[r[3]][1] for r in cluster) / len(cluster)
            node = min(coords, key=lambda n: (math.dist(coords[n], (cx, cy)), n))
            dorm_point = k == len(clusters)
            points.append(
                [
                    f"P{len(points) + 1}",
                    f"{tile}采样点{k + 1}",
                    6,
                    0 if dorm_point else 2,
                    "06:30",
                    "12:30",
                    "",
                    40 + 10 * (k % 2),
                    node,
                ]
            )
    tables["residents.csv"] = (["building_id", "name", "adults", "children", "split"], residents)
    tables["sampling_points.csv"] = (
        [
            "id",
            "name",
            "tables",
            "children_tables",
            "opens",
            "closes",
            "throughput",
            "queue_metres",
            "node",
        ],
        points,
    )
    tables["testing_roles.csv"] = (
        ["id", "name", "skill", "per_table", "per_point"],
        [list(r) for r in ROLES],
    )

    workers = []
    n = 0
    for unit, size in UNITS:
        for _ in range(size * scale):
            n += 1
            skills = rng.sample(UNIT_SKILLS[unit], rng.choice((1, 2)))
            late = rng.random() < 0.15
            workers.append(
                [
                    f"T{n:04d}",
                    _name(rng),
                    unit,
                    "|".join(sorted(skills)),
                    "09:00" if late else "",
                    "",
                ]
            )
    tables["testing_workers.csv"] = (
        ["id", "name", "unit", "skills", "available_from", "available_to"],
        workers,
    )

    needs = []
    buildings = [r[0] for r in residents if r[4] == "no"]
    reasons = ("卧床", "听障", "行动不便")
    for i in range(24 * scale):
        needs.append(
            [
                f"H{i + 1:04d}",
                _name(rng),
                rng.choice(buildings),
                "yes",
                "no",
                rng.choice((10, 12, 15)),
                rng.choice(reasons),
            ]
        )
    for i in range(60 * scale):
        needs.append(
            [
                f"Q{i + 1:04d}",
                _name(rng),
                rng.choice(buildings),
                "no",
                "no",
                "",
                "无智能手机",
            ]
        )
    tables["resident_needs.csv"] = (
        ["id", "name", "building_id", "home_visit", "smartphone", "service_minutes", "reason"],
        needs,
    )

    classes, pupils = [], []
    grades = [("K", "幼儿园", 6, (24, 32))] + [
        (f"M{g}", f"附中{g}年级", 6, (40, 48)) for g in range(1, 4)
    ]
    for code, label, count, (lo, hi) in grades:
        for c in range(count * scale):
            cid = f"{code}{c + 1:02d}"
            classes.append(
                [
                    cid,
                    f"{label}{c + 1}班",
                    "kindergarten" if code == "K" else "middle",
                    rng.choice((2, 3)),
                ]
            )
            for _ in range(rng.randint(lo, hi)):
                pupils.append([f"S{len(pupils) + 1:05d}", _name(rng), cid, ""])
    # About one pupil in twelve has a brother or sister in another class.
    families = 0
    for _ in range(len(pupils) // 24):
        a, b = rng.sample(range(len(pupils)), 2)
        if pupils[a][3] or pupils[b][3]:
            continue
        families += 1
        pupils[a][3] = pupils[b][3] = f"FAM{families:04d}"
    tables["classes.csv"] = (["id", "name", "school", "teachers"], classes)
    tables["pupils.csv"] = (["id", "name", "class_id", "family_id"], pupils)
    # Each campus tile's teams start from its first point ("P1" alone at scale 1).
    depots = [row[0] for row in points[::4]]
    depot = f'"{depots[0]}"' if scale == 1 else "[" + ", ".join(f'"{d}"' for d in depots) + "]"
    return InstancePart(TOML.replace("{depots}", depot), tables)
