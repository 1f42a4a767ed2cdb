"""Incident rules loader: the tiny instance loads as written; each class of bad input is one
error naming the file, row and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from optimizer.incidents.rules import load_incident_rules
from optimizer.io import InputError

TINY = Path(__file__).resolve().parents[1] / "data" / "incidents_tiny"
Edit = Callable[[dict[str, tuple[str, str]]], Path]
SITES = {"F1-1", "F1-2", "F2-1", "X8", "R1", "R2", "T1", "EXP", "CAN"}
GROUPS = {"G1", "G2", "G3"}


def test_tiny_rules_load() -> None:
    rules = load_incident_rules(TINY, SITES, GROUPS)
    assert set(rules.kinds) == {"case", "contact", "goods", "home"}
    case = rules.kinds["case"]
    assert case.within == ("refuse",) and case.nearest == ("toilet",) and case.radius_m == 250
    assert rules.kinds["home"].daily_days == 14
    assert rules.supplies == {"EXP": ("CAN",)}
    assert rules.group_skills["G3"] == frozenset({"night"})
    assert rules.settings.on_call_posts == ("oncall",) and rules.settings.muster_minutes == 15
    assert rules.settings.change_weight == 1000  # default


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        (
            "incident_kinds.csv",
            "case,确诊病例,building",
            "fire,火灾,building",
            "row 2, column 'kind'",
        ),
        ("incident_kinds.csv", "contact,密切接触者", "case,密切接触者", "row 3, column 'kind'"),
        (
            "incident_kinds.csv",
            ",refuse,toilet,250,",
            ",refuse,toilet,0,",
            "row 2, column 'radius_m'",
        ),
        ("incident_kinds.csv", ",refuse,toilet,", ",refuse,well,", "row 2, column 'nearest'"),
        ("incident_kinds.csv", ",night,240,1,", ",night,-5,1,", "row 2, column 'deadline_minutes'"),
        (
            "incident_kinds.csv",
            "home,居家隔离,building,yes",
            "home,居家隔离,building,no",
            "row 5, column 'building_sites'",
        ),
        (
            "incident_kinds.csv",
            "goods,阳性快递/冷链物品,site",
            "goods,阳性快递/冷链物品,building",
            "row 4, column 'where'",
        ),
        ("supply_links.csv", "EXP,CAN", "EXP,NOPE", "row 2, column 'supplied_site_id'"),
        ("group_skills.csv", "G3,night", "G9,night", "row 4, column 'group_id'"),
        ("instance.toml", "rest_hours = 8", "rest_hours = 99", "column 'incidents.rest_hours'"),
        ("instance.toml", "rest_hours = 8", "rest_hour = 8", "column 'incidents.rest_hour'"),
        (
            "instance.toml",
            'on_call_posts = ["oncall"]',
            "on_call_posts = 3",
            "column 'incidents.on_call_posts'",
        ),
    ],
)
def test_bad_rules_name_file_row_and_column(
    edited: Edit, file: str, old: str, new: str, where: str
) -> None:
    folder = edited({file: (old, new)})
    with pytest.raises(InputError) as err:
        load_incident_rules(folder, SITES, GROUPS)
    assert file in str(err.value) and where in str(err.value)


def test_missing_kinds_table(edited: Edit) -> None:
    folder = edited({})
    (folder / "incident_kinds.csv").unlink()
    with pytest.raises(InputError, match=r"incident_kinds.csv: file not found"):
        load_incident_rules(folder, SITES, GROUPS)
