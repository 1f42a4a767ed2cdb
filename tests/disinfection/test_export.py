"""Route exports: CSV rows in route order, summary, printable workbook, maps with and
without a Chinese font."""

from __future__ import annotations

import pytest

from optimizer.disinfection import plan_week
from optimizer.disinfection import plot_day as plot_module
from optimizer.disinfection.export import route_rows, summary, workbook

from .conftest import TINY


@pytest.fixture(scope="module")
def plan():
    return plan_week(TINY, time_limit=1.0, days=[0])


def test_route_rows_follow_each_route_in_time_order(plan):
    rows = route_rows(plan)
    assert len(rows) == plan.days[0].visits
    by_group: dict[str, list] = {}
    for r in rows:
        by_group.setdefault(r[1], []).append(r)
    for group_rows in by_group.values():
        assert [r[2] for r in group_rows] == list(range(1, len(group_rows) + 1))
        assert [r[7] for r in group_rows] == sorted(r[7] for r in group_rows)


def test_summary_per_day_and_group(plan):
    s = summary(plan)
    day = s["days"][0]
    assert day["visits"] == sum(g["visits"] for g in day["groups"])
    assert s["total_walking_m"] == sum(g["walking_m"] for g in day["groups"])
    assert {g["group"] for g in day["groups"]} == {"G1", "G2"}


def test_workbook_one_printable_sheet_per_group_and_day(plan):
    wb = workbook(plan)
    assert wb.sheetnames == ["11-30 G1", "11-30 G2"]
    ws = wb["11-30 G1"]
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width >= 20


@pytest.mark.parametrize("font", ["available", None])
def test_day_map_renders_with_or_without_a_cjk_font(plan, monkeypatch, font):
    if font is None:
        monkeypatch.setattr(plot_module, "cjk_font", lambda: None)
    png = plot_module.day_map_png(plan, 0)
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
