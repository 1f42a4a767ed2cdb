"""Incidents part of the Dongying instance: incident kinds, supply links, group skills.

The report counts 15 emergencies of four kinds and 2 night-time call-outs this term; the
kinds below follow it. Deadlines, radii and the thoroughness factor are assumptions, stated
here and in ``instances/dongying/README.md``. Ids follow the campus part: tile 1 keeps the
plain ids, tile t > 1 prefixes them with ``T{t}-``.
"""

from __future__ import annotations

from optimizer.generators import InstancePart

TOML = """
[incidents]                   # night dispatch and repair (see the "Incidents" README section)
rest_hours = 8                # a called group rests this long after it is back at the depot
muster_minutes = 20           # phone call to leaving the depot with sprayers and kit
on_call_posts = []            # the groups are property staff, not rostered volunteers
improve_seconds = 0.5         # time to improve the first order before it is printed
change_weight = 1000          # repair: points per person added to or taken off a post-shift
"""

KIND_HEADER = [
    "kind",
    "name",
    "where",
    "building_sites",
    "own_site",
    "supplied",
    "within",
    "nearest",
    "radius_m",
    "skills",
    "deadline_minutes",
    "groups",
    "service_factor",
    "daily_days",
    "bring",
]
PPE = "防护服、N95口罩、护目镜、手套、鞋套"
KINDS = [
    # A confirmed case: the building's stairwells, the refuse points and the nearest toilet
    # within 300 m walking; two groups, finished within 4 h, 1.5 x the usual time.
    [
        "case",
        "确诊病例",
        "building",
        "yes",
        "no",
        "no",
        "refuse",
        "toilet",
        300,
        "night",
        240,
        2,
        1.5,
        0,
        f"{PPE}; 电动喷雾器2台; 含氯消毒液(1000mg/L); 医疗废物袋; 警示带",
    ],
    # A close contact: the building's stairwells and the nearest refuse point within 300 m;
    # one group, 8 h.
    [
        "contact",
        "密切接触者",
        "building",
        "yes",
        "no",
        "no",
        "",
        "refuse",
        300,
        "night",
        480,
        1,
        1.0,
        0,
        f"{PPE}; 喷雾器; 含氯消毒液(500mg/L)",
    ],
    # A positive express or cold-chain item: the outlet or store and what it supplied; only
    # groups trained for cold-chain disinfection; 3 h.
    [
        "goods",
        "阳性快递/冷链物品",
        "site",
        "no",
        "yes",
        "yes",
        "",
        "",
        0,
        "cold_chain",
        180,
        1,
        1.5,
        0,
        f"{PPE}; 喷雾器; 过氧乙酸消毒液; 物品外包装消杀用密封袋",
    ],
    # A quarantined home: its stairwells now, then daily for 14 days.
    [
        "home",
        "居家隔离",
        "building",
        "yes",
        "no",
        "no",
        "",
        "",
        0,
        "",
        720,
        1,
        1.0,
        14,
        f"{PPE}; 喷雾器; 含氯消毒液(500mg/L)",
    ],
]
# Which outlet or store supplied which canteen or shop (assumption).
SUPPLIES = (("CC", "C1"), ("CC", "C2"), ("EX", "SM"))
# Per group of a tile: skills beyond the basics (two groups trained for cold chain).
GROUP_SKILLS = (
    ("G1", "night|cold_chain"),
    ("G2", "night"),
    ("G3", "night|cold_chain"),
    ("G4", "night"),
    ("G5", "night"),
)


def _prefix(tile: int) -> str:
    return "" if tile == 0 else f"T{tile + 1}-"


def incidents_part(scale: int, seed: int) -> InstancePart:
    """Incident kinds, and per campus tile its supply links and group skills."""
    del seed  # nothing random: the kinds are rules, the links follow the campus layout
    supplies = [[_prefix(t) + a, _prefix(t) + b] for t in range(scale) for a, b in SUPPLIES]
    skills = [[_prefix(t) + g, s] for t in range(scale) for g, s in GROUP_SKILLS]
    return InstancePart(
        toml=TOML,
        tables={
            "incident_kinds.csv": (KIND_HEADER, KINDS),
            "supply_links.csv": (["site_id", "supplied_site_id"], supplies),
            "group_skills.csv": (["group_id", "skills"], skills),
        },
    )
