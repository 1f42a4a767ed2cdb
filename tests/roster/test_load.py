"""Loader tests: the tiny instance loads as written, and every class of bad input is refused
with one error naming the file, row and column, both by the loader and by ``fangyi roster``
(exit 2, one line, nothing written)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.io import InputError
from optimizer.roster.load import load_roster_instance

TINY = Path(__file__).resolve().parents[1] / "data" / "roster_tiny"


def make_instance(tmp_path: Path, edits: dict[str, tuple[str, str] | str | None]) -> Path:
    """Copy the tiny instance and apply ``edits``: file -> (old, new) text replacement,
    whole new text, or None to delete the file."""
    folder = tmp_path / "inst"
    shutil.copytree(TINY, folder)
    for name, edit in edits.items():
        path = folder / name
        if edit is None:
            path.unlink()
        elif isinstance(edit, tuple):
            text = path.read_text(encoding="utf-8")
            assert edit[0] in text, f"test edit does not apply to {name}"
            path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
        else:
            path.write_text(edit, encoding="utf-8")
    return folder


def test_tiny_instance_loads_every_table() -> None:
    inst = load_roster_instance(TINY)
    assert inst.name == "测试小例"
    assert inst.start == dt.date(2026, 11, 30) and inst.days == 3
    night = inst.shift("N")
    assert (night.start, night.minutes, night.night) == (20 * 60, 12 * 60, True)
    assert inst.rules.min_rest_minutes == 12 * 60
    v2 = next(v for v in inst.volunteers if v.id == "v2")
    assert v2.limits.max_minutes == 24 * 60  # per-person override
    assert v2.limits.max_nights == 2  # default from [limits]
    assert next(v for v in inst.volunteers if v.id == "v6").shift_cap("N") == 0
    assert len(inst.demand) == 9 and inst.demand[0].leads == 1
    assert inst.demand[0].weight_under is None  # no [cover]: understaffing is not allowed
    (u,) = inst.unavailability
    assert (u.start, u.end) == (1440, 2880)
    (h,) = inst.history
    assert (h.volunteer, h.day, h.shift, h.post) == ("v4", -1, "N", "desk")
    (p,) = inst.preferences
    assert (p.day, p.want, p.weight) == (2, False, 2)
    assert inst.weights.team == 2 and inst.weights.fair_weekends == 0


def test_cover_defaults_and_minutes_shift(tmp_path: Path) -> None:
    folder = make_instance(
        tmp_path,
        {
            "instance.toml": ('end = "20:00"', "minutes = 600\n\n[cover]\nweight_under = 500"),
            "demand.csv": "post_id,date,shift_id,required,leads,weight_under,weight_over\n"
            "desk,2026-11-30,D,1,1,,\ngate,2026-11-30,D,1,0,,7\n",
        },
    )
    inst = load_roster_instance(folder)
    assert inst.shift("D").minutes == 600
    assert {d.weight_under for d in inst.demand} == {500}
    assert [d.weight_over for d in inst.demand] == [None, 7]


def test_gb18030_and_xlsx_tables(tmp_path: Path) -> None:
    folder = make_instance(tmp_path, {})
    text = (folder / "volunteers.csv").read_text(encoding="utf-8")
    (folder / "volunteers.csv").write_bytes(text.encode("gb18030"))
    (folder / "posts.csv").unlink()
    wb = openpyxl.Workbook()
    wb.active.append(["id", "name", "skills", "team_policy"])
    wb.active.append(["desk", "值班室", "desk", "mix"])
    wb.active.append(["gate", "校门", None, None])
    wb.save(folder / "posts.xlsx")
    inst = load_roster_instance(folder)
    assert inst.volunteers[0].name == "张伟"
    assert [p.name for p in inst.posts] == ["值班室", "校门"]


def test_optional_tables_may_be_absent_or_header_only(tmp_path: Path) -> None:
    folder = make_instance(
        tmp_path,
        {
            "history.csv": None,
            "shift_limits.csv": None,
            "preferences.csv": None,
            "unavailability.csv": "volunteer_id,start,end,reason\n",
        },
    )
    inst = load_roster_instance(folder)
    assert inst.history == inst.preferences == inst.unavailability == ()


# (edits, file, row, column, words in the message)
BAD = {
    "missing file": ({"demand.csv": None}, "demand.csv", None, None, "file not found"),
    "missing toml": ({"instance.toml": None}, "instance.toml", None, None, "file not found"),
    "missing column": (
        {"volunteers.csv": ("id,name,team", "id,name,group")},
        "volunteers.csv",
        1,
        "team",
        "missing column",
    ),
    "wrong type": (
        {"demand.csv": ("desk,2026-11-30,D,1,1", "desk,2026-11-30,D,one,1")},
        "demand.csv",
        2,
        "required",
        "whole number",
    ),
    "bad date": (
        {"demand.csv": ("desk,2026-11-30,D", "desk,30/11/2026,D")},
        "demand.csv",
        2,
        "date",
        "YYYY-MM-DD",
    ),
    "blank required cell": (
        {"volunteers.csv": ("v3,李娜,B", "v3,李娜,")},
        "volunteers.csv",
        4,
        "team",
        "required",
    ),
    "duplicate volunteer": (
        {"volunteers.csv": ("v6,杨磊", "v1,杨磊")},
        "volunteers.csv",
        7,
        "id",
        "duplicate volunteer id 'v1'",
    ),
    "duplicate post": (
        {"posts.csv": ("gate,校门", "desk,校门")},
        "posts.csv",
        3,
        "id",
        "duplicate post id",
    ),
    "duplicate demand": (
        {"demand.csv": ("desk,2026-12-01,D,1,1", "desk,2026-11-30,D,1,1")},
        "demand.csv",
        4,
        "shift_id",
        "duplicate demand",
    ),
    "duplicate shift limit": (
        {"shift_limits.csv": "volunteer_id,shift_id,max\nv6,N,0\nv6,N,1\n"},
        "shift_limits.csv",
        3,
        "shift_id",
        "duplicate limit",
    ),
    "unknown post": (
        {"demand.csv": ("gate,2026-12-02", "door,2026-12-02")},
        "demand.csv",
        10,
        "post_id",
        "unknown post 'door'",
    ),
    "unknown shift in demand": (
        {"demand.csv": ("gate,2026-12-02,D", "gate,2026-12-02,E")},
        "demand.csv",
        10,
        "shift_id",
        "unknown shift 'E'",
    ),
    "unknown volunteer": (
        {"unavailability.csv": ("v1,", "v9,")},
        "unavailability.csv",
        2,
        "volunteer_id",
        "unknown volunteer 'v9'",
    ),
    "unknown skill": (
        {"posts.csv": ("desk,值班室,desk", "desk,值班室,dsk")},
        "posts.csv",
        2,
        "skills",
        "unknown skill 'dsk'",
    ),
    "unknown history post": (
        {"history.csv": ("N,desk", "N,dsk")},
        "history.csv",
        2,
        "post_id",
        "unknown post",
    ),
    "unknown preference shift": (
        {"preferences.csv": ("2026-12-02,N", "2026-12-02,X")},
        "preferences.csv",
        2,
        "shift_id",
        "unknown shift",
    ),
    "bad policy": (
        {"posts.csv": ("desk,mix", "desk,mixed")},
        "posts.csv",
        2,
        "team_policy",
        "one of mix, together",
    ),
    "negative required": (
        {"demand.csv": ("gate,2026-11-30,D,1,0", "gate,2026-11-30,D,-1,0")},
        "demand.csv",
        8,
        "required",
        "at least 0",
    ),
    "negative hours": (
        {"volunteers.csv": ("lead|desk,24", "lead|desk,-24")},
        "volunteers.csv",
        3,
        "max_hours",
        "at least 0",
    ),
    "leads over required": (
        {"demand.csv": ("desk,2026-11-30,D,1,1", "desk,2026-11-30,D,1,2")},
        "demand.csv",
        2,
        "leads",
        "exceeds required",
    ),
    "date outside horizon": (
        {"demand.csv": ("gate,2026-12-02,D", "gate,2026-12-03,D")},
        "demand.csv",
        10,
        "date",
        "outside the horizon",
    ),
    "preference outside horizon": (
        {"preferences.csv": ("2026-12-02,N", "2026-11-29,N")},
        "preferences.csv",
        2,
        "date",
        "outside the horizon",
    ),
    "history not before start": (
        {"history.csv": ("2026-11-29", "2026-11-30")},
        "history.csv",
        2,
        "date",
        "must be before start",
    ),
    "unavailability ends before start": (
        {"unavailability.csv": ("2026-12-01,2026-12-02", "2026-12-01,2026-12-01")},
        "unavailability.csv",
        2,
        "end",
        "end must be after start",
    ),
    "weight zero": (
        {"preferences.csv": ("N,no,2", "N,no,0")},
        "preferences.csv",
        2,
        "weight",
        "at least 1",
    ),
    "empty table": (
        {"posts.csv": "id,name,skills,team_policy\n"},
        "posts.csv",
        None,
        None,
        "empty table",
    ),
    "no header": ({"volunteers.csv": ""}, "volunteers.csv", 1, None, "empty table"),
    "min over max hours": (
        {
            "volunteers.csv": ("skills,max_hours", "skills,min_hours"),
            "instance.toml": ("max_hours = 36", "max_hours = 20"),
        },
        "volunteers.csv",
        3,
        "min_hours",
        "larger than max_hours",
    ),
}


# (old text in instance.toml, new text, key path, words)
BAD_TOML = {
    "syntax": ("days = 3", "days = = 3", None, "invalid TOML"),
    "missing key": ("days = 3", "", "days", "missing key"),
    "wrong type": ("days = 3", 'days = "three"', "days", "whole number"),
    "zero days": ("days = 3", "days = 0", "days", "at least 1"),
    "bad start": ('start = "2026-11-30"', 'start = "30.11.2026"', "start", "YYYY-MM-DD"),
    "bad clock": ('end = "20:00"', 'end = "20h"', "shifts[1].end", "HH:MM"),
    "ends before start": (
        'end = "08:00"\ncrosses_midnight = true',
        'end = "08:00"',
        "shifts[2].end",
        "ends before it starts",
    ),
    "over 24 h": (
        'end = "20:00"',
        'end = "20:00"\ncrosses_midnight = true',
        "shifts[1].end",
        "over 24 h",
    ),
    "minutes over 24 h": ('end = "20:00"', "minutes = 1500", "shifts[1].minutes", "at most 1440"),
    "end and minutes": (
        'end = "20:00"',
        'end = "20:00"\nminutes = 720',
        "shifts[1].minutes",
        "not both",
    ),
    "duplicate shift": ('id = "N"', 'id = "D"', "shifts[2].id", "duplicate shift id"),
    "unknown forbidden_next": (
        "night = true",
        'night = true\nforbidden_next = ["E"]',
        "shifts[2].forbidden_next",
        "unknown shift 'E'",
    ),
    "unknown top-level key": ("days = 3", "days = 3\ndayz = 7", "dayz", "unknown key"),
    "unknown key": ("max_nights = 2", "max_night = 2", "limits.max_night", "unknown key"),
    "negative weight": ("team = 2", "team = -2", "weights.team", "at least 0"),
    "negative rest": (
        "min_rest_hours = 12",
        "min_rest_hours = -1",
        "rules.min_rest_hours",
        "at least 0",
    ),
    "bool as number": ("\nnight = true", '\nnight = "yes"', "shifts[2].night", "true or false"),
}


# instance.toml cases join the table: errors name the key path in the column slot.
BAD |= {
    f"toml {case}": (
        {"instance.toml": (old, new)},
        "instance.toml",
        4 if key is None else None,  # a syntax error names its line
        key,
        words,
    )
    for case, (old, new, key, words) in BAD_TOML.items()
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input(tmp_path: Path, case: str) -> None:
    edits, file, row, column, words = BAD[case]
    folder = make_instance(tmp_path, edits)
    with pytest.raises(InputError) as info:
        load_roster_instance(folder)
    err = info.value
    assert Path(err.file).name == file
    assert (err.row, err.column) == (row, column)
    assert words in err.message
    assert "\n" not in str(err)


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_cli_exit_2_outputs_intact(tmp_path: Path, case: str) -> None:
    folder = make_instance(tmp_path, BAD[case][0])
    out = tmp_path / "out"
    out.mkdir()
    (out / "roster.csv").write_text("previous roster", encoding="utf-8")
    result = CliRunner().invoke(app, ["roster", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert str(folder) in lines[0]
    assert [p.name for p in out.iterdir()] == ["roster.csv"]
    assert (out / "roster.csv").read_text(encoding="utf-8") == "previous roster"


def test_no_shifts(tmp_path: Path) -> None:
    folder = make_instance(
        tmp_path, {"instance.toml": 'name = "x"\nstart = 2026-11-30\ndays = 1\n'}
    )
    with pytest.raises(InputError, match=r"column 'shifts'.*at least one shift"):
        load_roster_instance(folder)


def test_errors_never_quote_names(tmp_path: Path) -> None:
    folder = make_instance(tmp_path, {"volunteers.csv": ("v6,杨磊", "v1,杨磊")})
    with pytest.raises(InputError) as info:
        load_roster_instance(folder)
    assert "杨磊" not in str(info.value)
