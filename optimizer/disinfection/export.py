"""Route outputs: routes.csv, unserved.csv, routes_summary.json, routes.xlsx, map PNGs.

Everything is rendered in memory and written with :func:`optimizer.io.staged_outputs`, so a
failure half-way writes nothing and a crash never leaves a half-written file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.campus import KIND_LABELS
from optimizer.disinfection.plan import DisinfectionPlan
from optimizer.io import clock, csv_bytes, staged_outputs, workbook_bytes

ROUTES_HEADER = [
    "date",
    "group",
    "seq",
    "site_id",
    "site_kind",
    "site_name",
    "arrive",
    "start",
    "end",
    "refill",
]


def route_rows(plan: DisinfectionPlan) -> list[list[Any]]:
    """One row per visit in route order: the columns of ``routes.csv``."""
    rows = []
    for day in plan.days:
        for g in day.groups:
            for seq, v in enumerate(g.visits, start=1):
                site = plan.campus.sites[v.site_id]
                rows.append(
                    [
                        day.date.isoformat(),
                        g.group_id,
                        seq,
                        v.site_id,
                        site.kind,
                        site.name,
                        clock(v.arrive),
                        clock(v.start),
                        clock(v.end),
                        int(v.refill),
                    ]
                )
    return rows


def unserved_rows(plan: DisinfectionPlan) -> list[list[str]]:
    """``date, site_id, reason`` for every visit left out."""
    return [[d.date.isoformat(), u.site_id, u.reason] for d in plan.days for u in d.unserved]


def summary(plan: DisinfectionPlan) -> dict[str, Any]:
    """Per day and group: walking distance, working minutes, visits, refills and status."""
    return {
        "instance": plan.campus.name,
        "status": plan.status,
        "visit_plan_status": plan.visit_status,
        "days_planned": [d.date.isoformat() for d in plan.days],
        "wall_s": round(plan.wall_s, 2),
        "total_walking_m": sum(d.walking_m for d in plan.days),
        "longest_group_day_minutes": max((d.longest_minutes for d in plan.days), default=0),
        "unserved": sum(len(d.unserved) for d in plan.days),
        "days": [
            {
                "date": d.date.isoformat(),
                "weekday": plan.campus.weekday(d.day),
                "status": "all served" if not d.unserved else f"{len(d.unserved)} unserved",
                "visits": d.visits,
                "walking_m": d.walking_m,
                "cost": d.cost,
                "wall_s": round(d.wall_s, 2),
                "groups": [
                    {
                        "group": g.group_id,
                        "status": g.status,
                        "visits": len(g.visits),
                        "walking_m": g.walking_m,
                        "working_minutes": g.working_minutes,
                        "refills": g.refills,
                    }
                    for g in d.groups
                ],
            }
            for d in plan.days
        ],
    }


def workbook(plan: DisinfectionPlan) -> Any:
    """One printable sheet per group and day: order, site, times, litres, refills."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    head = [
        "顺序 No.",
        "地点 Site",
        "类型 Kind",
        "到达 Arrive",
        "开始 Start",
        "结束 End",
        "药量(升) L",
        "补药 Refill",
    ]
    widths = [8, 28, 12, 10, 10, 10, 11, 10]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for day in plan.days:
        for g in day.groups:
            group = plan.campus.group(g.group_id)
            ws = wb.create_sheet(f"{day.date.isoformat()[5:]} {g.group_id}"[:31])
            leader = group.leader.name if group.leader else ""
            ws.append(
                [f"{group.name} 消杀路线  {day.date.isoformat()} {plan.campus.weekday(day.day)}"]
            )
            ws.append(
                [
                    f"组长 Leader: {leader}    步行 {g.walking_m / 1000:.1f} km    "
                    f"工作 {g.working_minutes} 分钟    补药 {g.refills} 次"
                ]
            )
            ws["A1"].font = Font(bold=True, size=14)
            ws.append(head)
            for cell in ws[3]:
                cell.font = bold
                cell.fill = fill
                cell.alignment = Alignment(horizontal="center")
            for seq, v in enumerate(g.visits, start=1):
                site = plan.campus.sites[v.site_id]
                ws.append(
                    [
                        seq,
                        f"{site.name} ({site.id})",
                        KIND_LABELS[site.kind],
                        clock(v.arrive),
                        clock(v.start),
                        clock(v.end),
                        v.litres,
                        "是" if v.refill else "",
                    ]
                )
            if not g.visits:
                ws.append(["", "今日无任务 (no visits today)"])
            for i, w in enumerate(widths):
                ws.column_dimensions[chr(ord("A") + i)].width = w
            ws.print_title_rows = "3:3"
            ws.page_setup.orientation = "portrait"
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.freeze_panes = "A4"
    if not wb.worksheets:
        wb.create_sheet("routes").append(["no days planned"])
    return wb


def route_files(plan: DisinfectionPlan, *, maps: bool = True) -> dict[str, bytes]:
    """Every route output of ``plan`` rendered in memory, by file name."""
    from optimizer.disinfection.plot_day import day_map_png

    text = json.dumps(summary(plan), ensure_ascii=False, indent=2) + "\n"
    files = {
        "routes.csv": csv_bytes(ROUTES_HEADER, route_rows(plan)),
        "unserved.csv": csv_bytes(["date", "site_id", "reason"], unserved_rows(plan)),
        "routes_summary.json": text.encode("utf-8"),
        "routes.xlsx": workbook_bytes(workbook(plan)),
    }
    if maps:
        for day in plan.days:
            files[f"routes_map_{day.date.isoformat()}.png"] = day_map_png(plan, day.day)
    return files


def write_route_outputs(
    plan: DisinfectionPlan, out_dir: str | Path, *, maps: bool = True
) -> list[str]:
    """Write every route output for ``plan`` into ``out_dir`` atomically; return file names."""
    files = route_files(plan, maps=maps)
    with staged_outputs(out_dir) as staged:
        staged.update(files)
    return list(files)
