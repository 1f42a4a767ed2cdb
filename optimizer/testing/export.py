"""Files of a testing round: CSV tables, printable notices per building, QR-code list, summary.

Times in the CSV files are ``YYYY-MM-DD HH:MM`` of the round's date, so a file read back
(also after editing in Excel) is unambiguous.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from optimizer.io import clock, csv_bytes, staged_outputs, workbook_bytes
from optimizer.testing.domain import CHILDREN, TestingRound
from optimizer.testing.plan import TestingPlan

SLOTS_HEADER = [
    "building_id",
    "point_id",
    "channel",
    "slot_start",
    "slot_end",
    "people",
    "expected_wait_min",
]
STAFFING_HEADER = ["point_id", "slot_start", "slot_end", "role", "worker_id", "name", "unit"]
UNDERSTAFFING_HEADER = ["point_id", "slot_start", "slot_end", "role", "missing"]
HOME_HEADER = ["team", "depot", "order", "resident_id", "name", "building_id", "start", "end"]
QR_HEADER = ["resident_id", "name", "building_id", "where", "start", "end"]

CHANNEL_TEXT = {CHILDREN: "儿童通道", "adult": "成人通道"}


def stamp(rnd: TestingRound, minutes: int) -> str:
    """Clock minutes of the round's date as ``YYYY-MM-DD HH:MM``."""
    return f"{rnd.date.isoformat()} {clock(minutes)}"


def testing_files(plan: TestingPlan) -> dict[str, bytes | str]:
    """Every output file of a planned round, by file name."""
    rnd = plan.round
    people = {p.id: p for p in rnd.residents}
    workers = {w.id: w for w in rnd.workers}
    files: dict[str, bytes | str] = {}
    files["slots.csv"] = csv_bytes(
        SLOTS_HEADER,
        [
            [
                a.building,
                a.point,
                a.channel,
                stamp(rnd, a.start),
                stamp(rnd, a.end),
                a.people,
                a.expected_wait,
            ]
            for a in plan.slots
        ],
    )
    files["staffing.csv"] = csv_bytes(
        STAFFING_HEADER,
        [
            [
                s.point,
                stamp(rnd, s.start),
                stamp(rnd, s.end),
                s.role,
                s.worker,
                workers[s.worker].name,
                workers[s.worker].unit,
            ]
            for s in plan.shifts
        ],
    )
    files["understaffing.csv"] = csv_bytes(
        UNDERSTAFFING_HEADER,
        [
            [s.point, stamp(rnd, s.start), stamp(rnd, s.end), s.role, s.missing]
            for s in plan.shortfalls
        ],
    )
    files["home_visits.csv"] = csv_bytes(
        HOME_HEADER,
        [
            [
                v.team,
                v.depot,
                v.order,
                v.resident,
                people[v.resident].name,
                v.building,
                stamp(rnd, v.start),
                stamp(rnd, v.end),
            ]
            for v in plan.visits
        ],
    )
    files["qr_codes.csv"] = csv_bytes(QR_HEADER, qr_rows(plan))
    files["notices.xlsx"] = workbook_bytes(notices_workbook(plan))
    files["testing_summary.json"] = json.dumps(plan.summary(), ensure_ascii=False, indent=2) + "\n"
    return files


def qr_rows(plan: TestingPlan) -> list[list[object]]:
    """People without a smartphone: where and when their printed QR code is used."""
    rnd = plan.round
    adult_slot = {a.building: a for a in plan.slots if a.channel != CHILDREN}
    visit = {v.resident: v for v in plan.visits}
    rows: list[list[object]] = []
    for p in rnd.residents:
        if p.smartphone:
            continue
        if p.id in visit:
            v = visit[p.id]
            rows.append(
                [
                    p.id,
                    p.name,
                    p.building,
                    f"上门采样 流动采样队{v.team}",
                    stamp(rnd, v.start),
                    stamp(rnd, v.end),
                ]
            )
        elif p.building in adult_slot:
            a = adult_slot[p.building]
            rows.append(
                [
                    p.id,
                    p.name,
                    p.building,
                    rnd.point(a.point).name,
                    stamp(rnd, a.start),
                    stamp(rnd, a.end),
                ]
            )
    return rows


def notices_workbook(plan: TestingPlan) -> Workbook:
    """One printable A4 sheet per building: when and where its residents go (Chinese)."""
    rnd = plan.round
    by_building = defaultdict(list)
    for a in plan.slots:
        by_building[a.building].append(a)
    visits = defaultdict(int)
    for v in plan.visits:
        visits[v.building] += 1
    wb = Workbook()
    wb.remove(wb.active)
    day = f"{rnd.date.year}年{rnd.date.month}月{rnd.date.day}日"
    for b in rnd.buildings:
        ws = wb.create_sheet(title=b.id[:31])
        lines = [
            (f"{rnd.name} 核酸检测通知", 20),
            (f"{b.name}（{b.id}）全体居民：", 14),
            (f"本轮全员核酸检测定于{day}进行，请按以下时间和地点前往采样：", 12),
        ]
        # Children first, as they are tested first.
        for a in sorted(by_building[b.id], key=lambda a: (a.channel != CHILDREN, a.start)):
            point = rnd.point(a.point)
            who = "儿童" if a.channel == CHILDREN else "成人"
            wait = "不足1分钟" if a.expected_wait < 1 else f"约{round(a.expected_wait)}分钟"
            lines.append(
                (
                    f"{who}：{clock(a.start)}-{clock(a.end)} 到 {point.name}"
                    f"（{CHANNEL_TEXT[a.channel]}）"
                    f"，共{a.people}人，预计排队{wait}",
                    13,
                )
            )
        if visits[b.id]:
            lines.append(
                (
                    f"行动不便需上门采样的{visits[b.id]}位居民，由流动采样队入户采样，请在家等候。",
                    12,
                )
            )
        lines += [
            ("儿童优先，走儿童专用通道，请家长陪同，不在人群中等候。", 12),
            (f"排队请佩戴口罩，保持{rnd.rules.spacing_metres:g}米间距，提前打开健康码。", 12),
            ("没有智能手机的居民，工作人员已准备纸质二维码，到采样点出示即可。", 12),
        ]
        ws.column_dimensions["A"].width = 95
        for i, (text, size) in enumerate(lines, start=1):
            cell = ws.cell(row=i, column=1, value=text)
            cell.font = Font(size=size, bold=i <= 2)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.row_dimensions[i].height = max(24, size * 2.2)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
    return wb


def write_files(files: dict[str, bytes | str], out_dir: str | Path) -> list[str]:
    """Write ``files`` into ``out_dir``, each atomically; return the file names."""
    with staged_outputs(out_dir) as staged:
        staged.update(files)
    return list(files)


def write_testing_outputs(plan: TestingPlan, out_dir: str | Path) -> list[str]:
    """Write every file of ``plan`` into ``out_dir`` atomically; return the file names."""
    return write_files(testing_files(plan), out_dir)
