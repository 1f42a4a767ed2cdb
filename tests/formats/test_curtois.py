"""Curtois-Qu benchmark files become RosterInstances the engine and the validator agree on."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.formats.curtois import POST, read_curtois
from optimizer.io import InputError
from optimizer.roster.domain import DAY
from optimizer.roster.solve import solve_roster
from optimizer.validate_roster import validate_roster

TINY = """\
# A week, two shift types, three people.
SECTION_HORIZON
7

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
L,600,E

SECTION_STAFF
A,E=7|L=2,2400,960,3,2,2,1
B,E=7|L=0,2400,0,3,1,1,1
C,E=7|L=7,2400,0,5,1,1,0

SECTION_DAYS_OFF
A,0,6
C,3

SECTION_SHIFT_ON_REQUESTS
B,1,E,2

SECTION_SHIFT_OFF_REQUESTS
C,2,L,3

SECTION_COVER
# Day, ShiftID, Requirement, Weight for under, Weight for over
0,E,1,100,1
1,E,1,100,1
1,L,1,100,1
2,L,1,100,1
3,E,2,100,1
4,E,1,100,1
5,L,1,100,1
"""


def write(tmp_path: Path, text: str, name: str = "Tiny.txt") -> Path:
    path = tmp_path / name
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8")  # as distributed: CRLF
    return path


def test_translation(tmp_path):
    inst = read_curtois(write(tmp_path, TINY))
    assert inst.name == "Tiny"
    assert inst.days == 7
    assert inst.start.weekday() == 0  # day 5 is a Saturday
    assert [(s.id, s.start, s.minutes, s.forbidden_next) for s in inst.shifts] == [
        ("E", 0, 480, ()),
        ("L", 0, 600, ("E",)),
    ]
    a, b, c = inst.volunteers
    assert (a.limits.max_minutes, a.limits.min_minutes) == (2400, 960)
    assert (a.limits.max_consecutive_days, a.limits.min_consecutive_days) == (3, 2)
    assert (a.limits.min_consecutive_days_off, a.limits.max_weekends) == (2, 1)
    assert b.shift_cap("L") == 0
    assert c.limits.max_weekends == 0
    assert [(u.volunteer, u.start, u.end) for u in inst.unavailability] == [
        ("A", 0, DAY),
        ("A", 6 * DAY, 7 * DAY),
        ("C", 3 * DAY, 4 * DAY),
    ]
    assert [(p.volunteer, p.day, p.shift, p.want, p.weight) for p in inst.preferences] == [
        ("B", 1, "E", True, 2),
        ("C", 2, "L", False, 3),
    ]
    assert inst.rules.min_rest_minutes == 0
    assert inst.rules.max_shifts_per_day == 1
    assert inst.weights.preference == 1
    assert inst.weights.fair_minutes == inst.weights.isolated_day_off == 0
    rows = {(d.day, d.shift): d for d in inst.demand}
    assert len(rows) == 14  # every day and shift; rows absent from the file cost nothing
    assert (rows[(3, "E")].required, rows[(3, "E")].weight_under) == (2, 100)
    assert (rows[(0, "L")].required, rows[(0, "L")].weight_under, rows[(0, "L")].weight_over) == (
        0,
        0,
        0,
    )
    assert {d.post for d in inst.demand} == {POST}


def test_engine_and_validator_agree_on_the_benchmark_objective(tmp_path):
    inst = read_curtois(write(tmp_path, TINY))
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.status == "optimal"
    report = validate_roster(inst, plan.assignments)
    assert report.ok
    assert report.objective == plan.objective
    # A needs 960 minutes in runs of >= 2 days and can work days 1-5 only; everyone else is
    # free enough that the week is covered, so only requests can cost anything.
    worked = {(a.volunteer, a.day, a.shift) for a in plan.assignments}
    assert sum(1 for v, _, _ in worked if v == "A") >= 2
    assert ("C", 2, "L") not in worked or plan.objective >= 3


def test_zero_limits_and_weights(tmp_path):
    """A minimum run of 0 means no minimum; a maximum run of 0 days means never working; a
    request of weight 0 is no request."""
    text = TINY.replace("B,E=7|L=0,2400,0,3,1,1,1", "B,E=7|L=0,2400,0,0,0,0,1")
    text = text.replace("C,E=7|L=7,2400,0,5,1,1,0", "C,E=7|L=7,2400,0,5,0,0,0")
    text = text.replace("C,2,L,3", "C,2,L,0")
    inst = read_curtois(write(tmp_path, text))
    assert [p.volunteer for p in inst.preferences] == ["B"]
    _, b, c = inst.volunteers
    assert (c.limits.min_consecutive_days, c.limits.min_consecutive_days_off) == (1, 1)
    assert b.limits.max_consecutive_days == 0
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert validate_roster(inst, plan.assignments).ok
    assert plan.assignments and not any(a.volunteer == "B" for a in plan.assignments)


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("3,E,2,100,1", "3,X,2,100,1", "ShiftID"),
        ("A,0,6", "Z,0,6", "EmployeeID"),
        ("L,600,E", "L,600,Q", "ForbiddenNext"),
        ("B,E=7|L=0,2400,0,3,1,1,1", "B,E=7|L=0,lots,0,3,1,1,1", "MaxTotalMinutes"),
        ("4,E,1,100,1", "9,E,1,100,1", "Day"),
    ],
)
def test_bad_input_names_line_and_column(tmp_path, old, new, column):
    text = TINY.replace(old, new)
    row = text.splitlines().index(new) + 1
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_curtois(path)
    assert err.value.column == column
    assert err.value.row == row
    assert str(path) in str(err.value)


def test_missing_section(tmp_path):
    text = TINY.split("SECTION_COVER")[0]
    with pytest.raises(InputError, match="SECTION_COVER"):
        read_curtois(write(tmp_path, text))
