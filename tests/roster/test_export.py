"""Export tests: roster.csv, roster_by_person.csv, summary.json and roster.xlsx."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from optimizer.roster.domain import Assignment, Penalty, Shift
from optimizer.roster.export import (
    ROSTER_HEADER,
    end_clock,
    roster_by_person_csv,
    roster_csv,
    roster_xlsx,
    summary_json,
)
from optimizer.roster.load import load_roster_instance
from optimizer.validate_roster import validate_roster

TINY = Path(__file__).resolve().parents[1] / "data" / "roster_tiny"

# A valid roster of the tiny instance, written by hand (deliberately out of order).
HAND = [
    Assignment("v5", 2, "D", "gate"),
    Assignment("v2", 2, "N", "desk"),
    Assignment("v1", 2, "D", "desk"),
    Assignment("v3", 1, "N", "desk"),
    Assignment("v6", 1, "D", "gate"),
    Assignment("v2", 1, "D", "desk"),
    Assignment("v5", 0, "D", "gate"),
    Assignment("v3", 0, "N", "desk"),
    Assignment("v1", 0, "D", "desk"),
]


@pytest.fixture(scope="module")
def inst():
    return load_roster_instance(TINY)


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM expected"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_hand_roster_is_valid(inst) -> None:
    assert validate_roster(inst, HAND).ok


def test_roster_csv_rows_sorted_with_names(inst) -> None:
    rows = _csv(roster_csv(inst, HAND))
    assert tuple(rows[0]) == ROSTER_HEADER
    body = rows[1:]
    assert len(body) == len(HAND)
    assert body[0] == ["2026-11-30", "D", "08:00", "20:00", "desk", "v1", "张伟", "A"]
    assert body[1][:2] == ["2026-11-30", "D"] and body[1][4] == "gate"  # posts in table order
    assert body[2][:5] == ["2026-11-30", "N", "20:00", "08:00", "desk"]  # crosses midnight
    assert [r[0] for r in body] == sorted(r[0] for r in body)


def test_end_clock_writes_midnight_as_24() -> None:
    assert end_clock(Shift("E", "E", 16 * 60, 8 * 60)) == "24:00"
    assert end_clock(Shift("N", "N", 20 * 60, 12 * 60)) == "08:00"


def test_by_person_one_row_per_volunteer_one_column_per_day(inst) -> None:
    rows = _csv(roster_by_person_csv(inst, HAND))
    assert rows[0] == [
        "volunteer_id",
        "name",
        "team",
        "2026-11-30 周一",
        "2026-12-01 周二",
        "2026-12-02 周三",
        "hours",
    ]
    by_id = {r[0]: r for r in rows[1:]}
    assert list(by_id) == ["v1", "v2", "v3", "v4", "v5", "v6"]
    assert by_id["v1"][3:] == ["白班 值班室", "", "白班 值班室", "24"]
    assert by_id["v4"][3:] == ["", "", "", "0"]


def test_summary_json_fields(inst) -> None:
    report = validate_roster(inst, HAND)
    pen = Penalty(
        "fair_nights", 10, "李娜: 2 night shifts, fair band 1-1, penalty 10", "v3", 1, "N"
    )
    doc = json.loads(
        summary_json(
            inst,
            status="optimal",
            objective=report.objective,
            bound=float(report.objective),
            gap=0.0,
            wall_s=0.1234,
            hard_violations=len(report.violations),
            penalties=[pen],
            assignments=len(HAND),
        )
    )
    for key in ("status", "objective", "bound", "gap", "wall_s", "hard_violations", "penalties"):
        assert key in doc
    assert doc["hard_violations"] == 0 and doc["gap"] == 0.0
    assert doc["penalties"] == [
        {
            "rule": "fair_nights",
            "volunteer_id": "v3",
            "date": "2026-12-01",
            "shift": "N",
            "amount": 10,
            "text": pen.text,
        }
    ]
    assert doc["penalty_by_rule"] == {"fair_nights": 10}


def test_xlsx_sheets_grid_and_print_setup(inst) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(roster_xlsx(inst, HAND)))
    assert wb.sheetnames == ["11月30日 周一", "12月1日 周二", "12月2日 周三", "按人员"]
    day0 = wb["11月30日 周一"]
    assert [c.value for c in day0[2]] == ["岗位", "白班 08:00-20:00", "夜班 20:00-08:00"]
    assert [c.value for c in day0[3]] == ["值班室", "张伟★", "李娜★"]  # leads marked
    assert [c.value for c in day0[4]] == ["校门", "陈静", None]
    for ws in wb.worksheets:
        assert ws["A2"].font.b
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$2"
        assert ws.column_dimensions["B"].width >= 8
        assert ws["B3"].alignment.wrap_text and "&P" in ws.oddFooter.center.text
    people = wb["按人员"]
    assert people.max_row == 2 + len(inst.volunteers)
    assert [c.value for c in people[3]][:4] == ["v1", "张伟", "A", "白班 值班室"]
