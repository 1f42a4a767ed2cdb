"""Incident kinds and dispatch rules, read from the instance folder.

``incident_kinds.csv`` has one row per kind (``case``, ``contact``, ``goods``, ``home``) saying
which sites to disinfect, which group skills are needed, and the deadline; the optional
``[incidents]`` table of ``instance.toml`` holds the dispatch parameters; the optional
``supply_links.csv`` says which canteens or shops an outlet or store supplied. The format is
specified in ``instances/README.md``, section "Incidents".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.campus.domain import SITE_KINDS
from optimizer.io import (
    Col,
    InputError,
    check_ref,
    check_unique,
    find_table,
    read_table,
    read_toml,
)

KINDS = ("case", "contact", "goods", "home")
KINDS_TABLE = "incident_kinds"
SUPPLY_TABLE = "supply_links"
SKILLS_TABLE = "group_skills"
TOML_NAME = "instance.toml"


@dataclass(frozen=True)
class IncidentKind:
    """What one kind of incident asks for.

    ``where`` is ``building`` (``--where`` names a building) or ``site`` (a site id).
    Sites: ``building_sites`` = every site of that building (its stairwell units, a dorm's
    corridors); ``own_site`` = the site named by ``--where``; ``supplied`` = the sites it
    supplied; ``within`` = every site of these kinds within ``radius_m``; ``nearest`` = the
    single nearest site of each of these kinds within ``radius_m``.
    """

    kind: str
    name: str
    where: str
    building_sites: bool
    own_site: bool
    supplied: bool
    within: tuple[str, ...]
    nearest: tuple[str, ...]
    radius_m: float
    skills: frozenset[str]
    deadline_minutes: int
    groups: int
    service_factor: float
    daily_days: int
    bring: str


@dataclass(frozen=True)
class DispatchSettings:
    """``[incidents]`` parameters (defaults when the table or a key is absent)."""

    rest_hours: float = 8.0  # a called group rests this long after its call-out ends
    muster_minutes: int = 20  # from the phone call to leaving the depot with kit
    on_call_posts: tuple[str, ...] = ()  # roster posts whose people are on call at night
    improve_seconds: float = 0.5  # time allowed to improve the first order
    nearby_minutes: int = 15  # groups this much farther than the nearest one rank last
    change_weight: int = 1000  # repair: points per person added to or taken off a post-shift


@dataclass(frozen=True)
class IncidentRules:
    """Kinds by id, supply links (site -> supplied sites), group skills and settings."""

    kinds: dict[str, IncidentKind]
    supplies: dict[str, tuple[str, ...]]
    group_skills: dict[str, frozenset[str]]
    settings: DispatchSettings


_KIND_COLS = (
    Col("kind", choices=KINDS),
    Col("name"),
    Col("where", choices=("building", "site")),
    Col("building_sites", "bool", required=False, default=False),
    Col("own_site", "bool", required=False, default=False),
    Col("supplied", "bool", required=False, default=False),
    Col("within", "list", required=False, default=()),
    Col("nearest", "list", required=False, default=()),
    Col("radius_m", "float", required=False, default=0.0, min=0),
    Col("skills", "list", required=False, default=()),
    Col("deadline_minutes", "int", min=1, max=7 * 24 * 60),
    Col("groups", "int", required=False, default=1, min=1, max=20),
    Col("service_factor", "float", required=False, default=1.0, min=0.1, max=10),
    Col("daily_days", "int", required=False, default=0, min=0, max=366),
    Col("bring", required=False, default=""),
)
_SUPPLY_COLS = (Col("site_id"), Col("supplied_site_id"))
_SKILL_COLS = (Col("group_id"), Col("skills", "list", required=False, default=()))
_SETTING_KEYS = {
    "rest_hours": (float, 0, 48),
    "muster_minutes": (int, 0, 24 * 60),
    "on_call_posts": (list, None, None),
    "improve_seconds": (float, 0, 60),
    "nearby_minutes": (int, 0, 24 * 60),
    "change_weight": (int, 1, 10**6),
}


def load_incident_rules(
    folder: str | Path, site_ids: Collection[str], group_ids: Collection[str]
) -> IncidentRules:
    """Read the incident kinds, supply links, group skills and ``[incidents]`` settings.

    ``site_ids`` and ``group_ids`` are the campus's, so that a link or a skill row naming an
    unknown one is refused with its row.
    """
    folder = Path(folder)
    path = find_table(folder, KINDS_TABLE)
    if path is None:
        raise InputError(folder / f"{KINDS_TABLE}.csv", "file not found (incident rules)")
    rows = read_table(path, _KIND_COLS)
    check_unique(rows, "kind", "incident kind")
    kinds: dict[str, IncidentKind] = {}
    for r in rows:
        v = r.values
        if not (
            v["building_sites"] or v["own_site"] or v["supplied"] or v["within"] or v["nearest"]
        ):
            raise r.error("building_sites", "the kind names no sites to disinfect")
        if v["where"] == "building" and (v["own_site"] or v["supplied"]):
            raise r.error("where", "own_site and supplied need where = site")
        for column in ("within", "nearest"):
            for site_kind in v[column]:
                if site_kind not in SITE_KINDS:
                    raise r.error(column, f"unknown site kind '{site_kind}'")
        if (v["within"] or v["nearest"]) and v["radius_m"] <= 0:
            raise r.error("radius_m", "a radius > 0 is needed for within/nearest")
        kinds[v["kind"]] = IncidentKind(
            kind=v["kind"],
            name=v["name"],
            where=v["where"],
            building_sites=v["building_sites"],
            own_site=v["own_site"],
            supplied=v["supplied"],
            within=tuple(v["within"]),
            nearest=tuple(v["nearest"]),
            radius_m=v["radius_m"],
            skills=frozenset(v["skills"]),
            deadline_minutes=v["deadline_minutes"],
            groups=v["groups"],
            service_factor=v["service_factor"],
            daily_days=v["daily_days"],
            bring=v["bring"],
        )
    supplies: dict[str, list[str]] = {}
    spath = find_table(folder, SUPPLY_TABLE)
    if spath is not None:
        for r in read_table(spath, _SUPPLY_COLS, allow_empty=True):
            check_ref(r, "site_id", r["site_id"], site_ids, "site")
            check_ref(r, "supplied_site_id", r["supplied_site_id"], site_ids, "site")
            supplies.setdefault(r["site_id"], []).append(r["supplied_site_id"])
    skills: dict[str, frozenset[str]] = {}
    kpath = find_table(folder, SKILLS_TABLE)
    if kpath is not None:
        rows = read_table(kpath, _SKILL_COLS, allow_empty=True)
        check_unique(rows, "group_id", "group id")
        for r in rows:
            check_ref(r, "group_id", r["group_id"], group_ids, "group")
        skills = {r["group_id"]: frozenset(r["skills"]) for r in rows}
    return IncidentRules(
        kinds=kinds,
        supplies={k: tuple(v) for k, v in supplies.items()},
        group_skills=skills,
        settings=load_dispatch_settings(folder),
    )


def load_dispatch_settings(folder: str | Path) -> DispatchSettings:
    """The ``[incidents]`` table of ``folder/instance.toml`` (defaults when absent)."""
    return _settings(Path(folder) / TOML_NAME)


def _settings(path: Path) -> DispatchSettings:
    table: Any = read_toml(path).get("incidents", {})
    if not isinstance(table, dict):
        raise InputError(path, "expected a table [incidents]", column="incidents")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _SETTING_KEYS:
            allowed = ", ".join(_SETTING_KEYS)
            raise InputError(
                path, f"unknown key; expected one of {allowed}", column=f"incidents.{key}"
            )
        kind, lo, hi = _SETTING_KEYS[key]
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                raise InputError(path, "expected a list of post ids", column=f"incidents.{key}")
            values[key] = tuple(value)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(path, "expected a number", column=f"incidents.{key}")
        if (kind is int and not float(value).is_integer()) or not lo <= value <= hi:
            raise InputError(
                path, f"expected a {kind.__name__} in {lo}..{hi}", column=f"incidents.{key}"
            )
        values[key] = kind(value)
    return DispatchSettings(**values)
