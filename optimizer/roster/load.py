"""Load a duty-roster instance folder into a validated :class:`RosterInstance`.

The format is specified in ``instances/README.md`` (section "Duty roster"). Every problem
raises :class:`optimizer.io.InputError` naming the file, the row (header = row 1) and the
column; for ``instance.toml`` the column slot holds the key path, e.g. ``shifts[2].end``
(``[[shifts]]`` entries are numbered from 1, as a coordinator counts them). Error messages
quote ids and numbers, never names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from math import isfinite
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
    parse_date,
    read_table,
    read_toml,
)
from optimizer.roster.domain import (
    DAY,
    Assignment,
    Demand,
    Limits,
    Post,
    Preference,
    RosterInstance,
    Rules,
    Shift,
    Unavailability,
    Volunteer,
    Weights,
)

TOML_NAME = "instance.toml"
MAX_DAYS = 366

# [limits] keys, the Limits field each one fills, and whether it is counted in hours.
_LIMIT_KEYS: tuple[tuple[str, str, bool], ...] = (
    ("max_hours", "max_minutes", True),
    ("min_hours", "min_minutes", True),
    ("max_nights", "max_nights", False),
    ("max_consecutive_days", "max_consecutive_days", False),
    ("min_consecutive_days", "min_consecutive_days", False),
    ("min_consecutive_days_off", "min_consecutive_days_off", False),
    ("max_weekends", "max_weekends", False),
)
# Smallest legal value of each count limit (a run of days is at least 1 long).
_LIMIT_MIN = {"min_consecutive_days": 1, "min_consecutive_days_off": 1, "max_consecutive_days": 1}
_WEIGHT_KEYS = tuple(Weights.__dataclass_fields__)


def load_roster_instance(folder: str | Path) -> RosterInstance:
    """Read ``folder/instance.toml`` and the roster tables; raise ``InputError`` on any problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "instance folder not found")
    cfg = _Toml(folder / TOML_NAME)
    cfg.check_top_level(("name", "start", "days"))
    name = cfg.text(cfg.data, "name")
    start = cfg.date(cfg.data, "start")
    days = cfg.integer(cfg.data, "days", lo=1, hi=MAX_DAYS)
    shifts = _shifts(cfg)
    rules = _rules(cfg)
    limits = _limits(cfg)
    cover = cfg.section("cover", ("weight_under", "weight_over"))
    default_under = cfg.integer(cover, "weight_under", lo=0, required=False, prefix="cover")
    default_over = cfg.integer(cover, "weight_over", lo=0, required=False, prefix="cover")
    weights = _weights(cfg)

    horizon = _Horizon(start, days)
    shift_ids = {s.id: s for s in shifts}
    vol_rows = read_table(_table(folder, "volunteers"), _VOLUNTEER_COLS)
    check_unique(vol_rows, "id", "volunteer id")
    vol_ids = {r["id"] for r in vol_rows}
    known_skills = {s for r in vol_rows for s in r["skills"]}
    posts = _posts(folder, known_skills)
    post_ids = {p.id for p in posts}
    caps = _shift_limits(folder, vol_ids, shift_ids)
    volunteers = tuple(_volunteer(r, limits, caps.get(r["id"], ())) for r in vol_rows)
    demand = _demand(folder, horizon, post_ids, shift_ids, default_under, default_over)
    return RosterInstance(
        name=name,
        start=start,
        days=days,
        shifts=shifts,
        volunteers=volunteers,
        posts=posts,
        demand=demand,
        unavailability=_unavailability(folder, horizon, vol_ids),
        preferences=_preferences(folder, horizon, vol_ids, shift_ids),
        history=_history(folder, horizon, vol_ids, shift_ids, post_ids),
        rules=rules,
        weights=weights,
    )


# ------------------------------------------------------------------------------ instance.toml


class _Toml:
    """Typed access to ``instance.toml`` with errors that name the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = read_toml(path)

    def error(self, key: str, message: str) -> InputError:
        return InputError(self.path, message, column=key)

    def check_top_level(self, allowed: tuple[str, ...]) -> None:
        """Refuse a top-level plain key other than ``allowed`` (tables belong to any concern)."""
        for key, value in self.data.items():
            if key not in allowed and not isinstance(value, dict | list):
                raise self.error(key, f"unknown key; expected one of {', '.join(allowed)}")

    def section(self, name: str, allowed: Iterable[str]) -> dict[str, Any]:
        """Table ``[name]`` (empty when absent); unknown keys are typos and are refused."""
        table = self.data.get(name, {})
        if not isinstance(table, dict):
            raise self.error(name, f"expected a table [{name}]")
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                raise self.error(
                    f"{name}.{key}", f"unknown key; expected one of {', '.join(allowed)}"
                )
        return table

    def _value(self, table: dict[str, Any], key: str, prefix: str, required: bool) -> Any:
        path = f"{prefix}.{key}" if prefix else key
        if key not in table:
            if required:
                raise self.error(path, "missing key")
            return None
        return table[key]

    def text(
        self, table: dict[str, Any], key: str, *, prefix: str = "", required: bool = True
    ) -> str | None:
        value = self._value(table, key, prefix, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(_path(prefix, key), "expected non-empty text")
        return value.strip()

    def date(self, table: dict[str, Any], key: str) -> dt.date:
        value = self._value(table, key, "", True)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            raise self.error(key, f"expected a date YYYY-MM-DD, got '{value}'") from None

    def integer(
        self,
        table: dict[str, Any],
        key: str,
        *,
        lo: int | None = None,
        hi: int | None = None,
        required: bool = True,
        prefix: str = "",
    ) -> int | None:
        value = self._value(table, key, prefix, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(_path(prefix, key), f"expected a whole number, got {value!r}")
        self._range(prefix, key, value, lo, hi)
        return value

    def number(
        self, table: dict[str, Any], key: str, *, lo: float, prefix: str, required: bool = False
    ) -> float | None:
        value = self._value(table, key, prefix, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
            raise self.error(_path(prefix, key), f"expected a number, got {value!r}")
        self._range(prefix, key, value, lo, None)
        return value

    def boolean(self, table: dict[str, Any], key: str, *, prefix: str) -> bool:
        value = self._value(table, key, prefix, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.error(_path(prefix, key), f"expected true or false, got {value!r}")
        return value

    def clock(self, table: dict[str, Any], key: str, *, prefix: str) -> int | None:
        value = self._value(table, key, prefix, False)
        if value is None:
            return None
        if isinstance(value, dt.time):
            return value.hour * 60 + value.minute
        try:
            return parse_clock(str(value))
        except ValueError:
            raise self.error(_path(prefix, key), f"expected a time HH:MM, got '{value}'") from None

    def _range(
        self, prefix: str, key: str, value: float, lo: float | None, hi: float | None
    ) -> None:
        if lo is not None and value < lo:
            raise self.error(_path(prefix, key), f"must be at least {lo:g}, got {value:g}")
        if hi is not None and value > hi:
            raise self.error(_path(prefix, key), f"must be at most {hi:g}, got {value:g}")


def _path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


_SHIFT_KEYS = (
    "id",
    "name",
    "start",
    "end",
    "minutes",
    "crosses_midnight",
    "night",
    "forbidden_next",
)


def _shifts(cfg: _Toml) -> tuple[Shift, ...]:
    """The ``[[shifts]]`` templates: each lasts 1 minute to 24 h; ids unique."""
    raw = cfg.data.get("shifts")
    if raw is None:
        raise cfg.error("shifts", "missing [[shifts]]: at least one shift template is expected")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise cfg.error("shifts", "expected one or more [[shifts]] tables")
    out: list[Shift] = []
    forbidden: list[tuple[str, tuple[str, ...]]] = []
    for i, table in enumerate(raw, start=1):
        p = f"shifts[{i}]"
        for key in table:
            if key not in _SHIFT_KEYS:
                raise cfg.error(
                    f"{p}.{key}", f"unknown key; expected one of {', '.join(_SHIFT_KEYS)}"
                )
        sid = cfg.text(table, "id", prefix=p)
        if any(s.id == sid for s in out):
            raise cfg.error(f"{p}.id", f"duplicate shift id '{sid}'")
        start = cfg.clock(table, "start", prefix=p)
        if start is None:
            raise cfg.error(f"{p}.start", "missing key")
        if start >= DAY:
            raise cfg.error(f"{p}.start", "a shift starts before 24:00")
        minutes = _shift_minutes(cfg, table, p, start)
        fn = table.get("forbidden_next", [])
        if not isinstance(fn, list) or not all(isinstance(x, str) for x in fn):
            raise cfg.error(f"{p}.forbidden_next", "expected a list of shift ids")
        forbidden.append((p, tuple(fn)))
        out.append(
            Shift(
                id=sid,
                name=cfg.text(table, "name", prefix=p, required=False) or sid,
                start=start,
                minutes=minutes,
                night=cfg.boolean(table, "night", prefix=p),
                forbidden_next=tuple(fn),
            )
        )
    ids = {s.id for s in out}
    for p, fn in forbidden:
        for sid in fn:
            if sid not in ids:
                raise cfg.error(f"{p}.forbidden_next", f"unknown shift '{sid}'")
    return tuple(out)


def _shift_minutes(cfg: _Toml, table: dict[str, Any], p: str, start: int) -> int:
    """Length of a shift from ``end`` (with ``crosses_midnight``) or ``minutes``."""
    end = cfg.clock(table, "end", prefix=p)
    minutes = cfg.integer(table, "minutes", prefix=p, required=False, lo=1, hi=DAY)
    crosses = cfg.boolean(table, "crosses_midnight", prefix=p)
    if end is not None and minutes is not None:
        raise cfg.error(f"{p}.minutes", "give either 'end' or 'minutes', not both")
    if minutes is not None:
        return minutes
    if end is None:
        raise cfg.error(f"{p}.end", "missing key ('end' or 'minutes' is expected)")
    if end > start:
        if crosses:
            raise cfg.error(f"{p}.end", "with crosses_midnight the shift would last over 24 h")
        return end - start
    if not crosses:
        raise cfg.error(
            f"{p}.end", "shift ends before it starts; set crosses_midnight = true if it does"
        )
    return end + DAY - start


def _rules(cfg: _Toml) -> Rules:
    t = cfg.section("rules", ("min_rest_hours", "max_shifts_per_day"))
    rest = cfg.number(t, "min_rest_hours", lo=0, prefix="rules")
    per_day = cfg.integer(t, "max_shifts_per_day", lo=1, required=False, prefix="rules")
    return Rules(
        min_rest_minutes=round((rest or 0) * 60),
        max_shifts_per_day=per_day or Rules().max_shifts_per_day,
    )


def _limits(cfg: _Toml) -> Limits:
    """Default per-person limits from ``[limits]`` (absent max = no limit)."""
    t = cfg.section("limits", (k for k, _, _ in _LIMIT_KEYS))
    values: dict[str, Any] = {}
    for key, field_name, hours in _LIMIT_KEYS:
        if hours:
            v = cfg.number(t, key, lo=0, prefix="limits")
            if v is not None:
                values[field_name] = round(v * 60)
        else:
            v = cfg.integer(t, key, lo=_LIMIT_MIN.get(key, 0), required=False, prefix="limits")
            if v is not None:
                values[field_name] = v
    limits = Limits(**values)
    if limits.max_minutes is not None and limits.min_minutes > limits.max_minutes:
        raise cfg.error("limits.min_hours", "min_hours is larger than max_hours")
    return limits


def _weights(cfg: _Toml) -> Weights:
    t = cfg.section("weights", _WEIGHT_KEYS)
    values = {k: cfg.integer(t, k, lo=0, required=False, prefix="weights") for k in _WEIGHT_KEYS}
    return Weights(**{k: v for k, v in values.items() if v is not None})


# ------------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class _Horizon:
    start: dt.date
    days: int

    def day(self, row: Row, column: str) -> int:
        """Horizon day of the date in ``column``; an error if it lies outside the horizon."""
        d = (row[column] - self.start).days
        if not 0 <= d < self.days:
            last = self.start + dt.timedelta(days=self.days - 1)
            raise row.error(
                column, f"date {row[column]} is outside the horizon {self.start} to {last}"
            )
        return d

    def minutes(self, when: dt.datetime) -> int:
        """Minutes from 00:00 of day 0 to ``when`` (negative before the horizon)."""
        delta = when - dt.datetime.combine(self.start, dt.time())
        return int(delta.total_seconds() // 60)


def _table(folder: Path, stem: str) -> Path:
    path = find_table(folder, stem)
    if path is None:
        raise InputError(folder / f"{stem}.csv", "file not found (a .csv or .xlsx is expected)")
    return path


def _optional_table(folder: Path, stem: str, cols: list[Col]) -> list[Row]:
    """Rows of an optional table: a missing file or a header-only file means none."""
    path = find_table(folder, stem)
    return [] if path is None else read_table(path, cols, allow_empty=True)


_VOLUNTEER_COLS = [
    Col("id"),
    Col("name"),
    Col("team"),
    Col("skills", "list", required=False, default=()),
    Col("max_hours", "float", required=False, min=0),
    Col("min_hours", "float", required=False, min=0),
    *(
        Col(key, "int", required=False, min=_LIMIT_MIN.get(key, 0))
        for key, _, hours in _LIMIT_KEYS
        if not hours
    ),
]


def _volunteer(row: Row, default: Limits, caps: tuple[tuple[str, int], ...]) -> Volunteer:
    """One volunteer, with the ``[limits]`` defaults overridden by non-blank cells."""
    values: dict[str, Any] = {}
    for key, field_name, hours in _LIMIT_KEYS:
        cell = row[key]
        if cell is None:
            values[field_name] = getattr(default, field_name)
        elif hours and not isfinite(cell):
            raise row.error(key, "expected a finite number of hours")
        else:
            values[field_name] = round(cell * 60) if hours else cell
    limits = Limits(**values)
    if limits.max_minutes is not None and limits.min_minutes > limits.max_minutes:
        raise row.error("min_hours", "min_hours is larger than max_hours")
    return Volunteer(
        id=row["id"],
        name=row["name"],
        team=row["team"],
        skills=frozenset(row["skills"]),
        limits=limits,
        max_per_shift=caps,
    )


_POST_COLS = [
    Col("id"),
    Col("name"),
    Col("skills", "list", required=False, default=()),
    Col("team_policy", required=False, default="", choices=("mix", "together")),
]


def _posts(folder: Path, known_skills: set[str]) -> tuple[Post, ...]:
    """Posts; every post skill must be held by at least one volunteer (else it is a typo)."""
    rows = read_table(_table(folder, "posts"), _POST_COLS)
    check_unique(rows, "id", "post id")
    for r in rows:
        for skill in r["skills"]:
            if skill not in known_skills:
                raise r.error("skills", f"unknown skill '{skill}': no volunteer has it")
    return tuple(
        Post(
            id=r["id"], name=r["name"], skills=frozenset(r["skills"]), team_policy=r["team_policy"]
        )
        for r in rows
    )


_DEMAND_COLS = [
    Col("post_id"),
    Col("date", "date"),
    Col("shift_id"),
    Col("required", "int", min=0),
    Col("leads", "int", required=False, default=0, min=0),
    Col("weight_under", "int", required=False, min=0),
    Col("weight_over", "int", required=False, min=0),
]


def _demand(
    folder: Path,
    horizon: _Horizon,
    post_ids: set[str],
    shifts: dict[str, Shift],
    default_under: int | None,
    default_over: int | None,
) -> tuple[Demand, ...]:
    """Demand rows: known post and shift, date in the horizon, leads ≤ required, no repeats."""
    rows = read_table(_table(folder, "demand"), _DEMAND_COLS)
    seen: dict[tuple[str, int, str], int] = {}
    out: list[Demand] = []
    for r in rows:
        check_ref(r, "post_id", r["post_id"], post_ids, "post")
        check_ref(r, "shift_id", r["shift_id"], shifts, "shift")
        day = horizon.day(r, "date")
        key = (r["post_id"], day, r["shift_id"])
        if key in seen:
            raise r.error(
                "shift_id",
                f"duplicate demand for this post, date and shift (first at row {seen[key]})",
            )
        seen[key] = r.line
        if r["leads"] > r["required"]:
            raise r.error("leads", f"leads ({r['leads']}) exceeds required ({r['required']})")
        under = r["weight_under"] if r["weight_under"] is not None else default_under
        over = r["weight_over"] if r["weight_over"] is not None else default_over
        out.append(Demand(r["post_id"], day, r["shift_id"], r["required"], r["leads"], under, over))
    return tuple(out)


_UNAVAILABILITY_COLS = [
    Col("volunteer_id"),
    Col("start", "datetime"),
    Col("end", "datetime"),
    Col("reason", required=False, default=""),
]


def _unavailability(
    folder: Path, horizon: _Horizon, vol_ids: set[str]
) -> tuple[Unavailability, ...]:
    """Unavailable intervals ``[start, end)``; an interval may reach outside the horizon."""
    out: list[Unavailability] = []
    for r in _optional_table(folder, "unavailability", _UNAVAILABILITY_COLS):
        check_ref(r, "volunteer_id", r["volunteer_id"], vol_ids, "volunteer")
        if r["end"] <= r["start"]:
            raise r.error("end", "end must be after start (a bare date means 00:00 of that day)")
        out.append(
            Unavailability(
                r["volunteer_id"],
                horizon.minutes(r["start"]),
                horizon.minutes(r["end"]),
                r["reason"],
            )
        )
    return tuple(out)


_PREFERENCE_COLS = [
    Col("volunteer_id"),
    Col("date", "date"),
    Col("shift_id"),
    Col("want", "bool"),
    Col("weight", "int", required=False, default=1, min=1),
]


def _preferences(
    folder: Path, horizon: _Horizon, vol_ids: set[str], shifts: dict[str, Shift]
) -> tuple[Preference, ...]:
    """Wishes to work or to be off one shift on one day."""
    out: list[Preference] = []
    for r in _optional_table(folder, "preferences", _PREFERENCE_COLS):
        check_ref(r, "volunteer_id", r["volunteer_id"], vol_ids, "volunteer")
        check_ref(r, "shift_id", r["shift_id"], shifts, "shift")
        out.append(
            Preference(
                r["volunteer_id"], horizon.day(r, "date"), r["shift_id"], r["want"], r["weight"]
            )
        )
    return tuple(out)


_SHIFT_LIMIT_COLS = [Col("volunteer_id"), Col("shift_id"), Col("max", "int", min=0)]


def _shift_limits(
    folder: Path, vol_ids: set[str], shifts: dict[str, Shift]
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Per-person caps on one shift id, keyed by volunteer; one row per person and shift."""
    caps: dict[str, list[tuple[str, int]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for r in _optional_table(folder, "shift_limits", _SHIFT_LIMIT_COLS):
        check_ref(r, "volunteer_id", r["volunteer_id"], vol_ids, "volunteer")
        check_ref(r, "shift_id", r["shift_id"], shifts, "shift")
        key = (r["volunteer_id"], r["shift_id"])
        if key in seen:
            raise r.error(
                "shift_id",
                f"duplicate limit for this volunteer and shift (first at row {seen[key]})",
            )
        seen[key] = r.line
        caps.setdefault(r["volunteer_id"], []).append((r["shift_id"], r["max"]))
    return {k: tuple(v) for k, v in caps.items()}


_HISTORY_COLS = [
    Col("volunteer_id"),
    Col("date", "date"),
    Col("shift_id"),
    Col("post_id", required=False, default=""),
]


def _history(
    folder: Path, horizon: _Horizon, vol_ids: set[str], shifts: dict[str, Shift], post_ids: set[str]
) -> tuple[Assignment, ...]:
    """Last week's shifts (dates before ``start``; day numbers are negative)."""
    out: list[Assignment] = []
    for r in _optional_table(folder, "history", _HISTORY_COLS):
        check_ref(r, "volunteer_id", r["volunteer_id"], vol_ids, "volunteer")
        check_ref(r, "shift_id", r["shift_id"], shifts, "shift")
        if r["post_id"]:
            check_ref(r, "post_id", r["post_id"], post_ids, "post")
        day = (r["date"] - horizon.start).days
        if day >= 0:
            raise r.error("date", f"history date {r['date']} must be before start {horizon.start}")
        out.append(Assignment(r["volunteer_id"], day, r["shift_id"], r["post_id"]))
    return tuple(out)
