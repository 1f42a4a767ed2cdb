"""Roster exports as bytes, so the CLI can stage them and write nothing when anything fails.

- ``roster.csv``: one row per person per post-shift (the file ``fangyi check`` reads back);
- ``roster_by_person.csv``: one row per volunteer, one column per day;
- ``summary.json``: status, objective, bound, gap, wall time, hard violations, penalties;
- ``roster.xlsx``: a printable sheet per day (posts × shifts) and a sheet by person.

Names appear in these files on purpose (they are the rosters people read); never in logs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from optimizer.io import clock, csv_bytes, workbook_bytes
from optimizer.roster.domain import DAY, LEAD, Assignment, Penalty, RosterInstance, Shift

ROSTER_HEADER = ("date", "shift", "start", "end", "post", "volunteer_id", "name", "team")
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
LEAD_MARK = "★"  # marks the lead on post-shifts that require one


def end_clock(shift: Shift) -> str:
    """Clock time a shift ends; ``24:00`` rather than ``00:00`` for one ending at midnight."""
    end = shift.start + shift.minutes
    return "24:00" if end == DAY else clock(end)


def day_label(instance: RosterInstance, day: int) -> str:
    """``2026-11-30 周一``: the date and its weekday in Chinese."""
    date = instance.date(day)
    return f"{date.isoformat()} {WEEKDAYS[date.weekday()]}"


def sorted_assignments(
    instance: RosterInstance, assignments: Iterable[Assignment]
) -> list[Assignment]:
    """Assignments by date, shift start, post (in the posts table's order), volunteer id."""
    shift_start = {s.id: s.start for s in instance.shifts}
    post_order = {p.id: i for i, p in enumerate(instance.posts)}
    return sorted(
        assignments,
        key=lambda a: (a.day, shift_start[a.shift], post_order[a.post], a.volunteer),
    )


def roster_csv(instance: RosterInstance, assignments: Iterable[Assignment]) -> bytes:
    """``roster.csv``: ``date,shift,start,end,post,volunteer_id,name,team`` (UTF-8 with BOM)."""
    shifts = {s.id: s for s in instance.shifts}
    people = {v.id: v for v in instance.volunteers}
    rows = []
    for a in sorted_assignments(instance, assignments):
        s, v = shifts[a.shift], people[a.volunteer]
        rows.append(
            [
                instance.date(a.day).isoformat(),
                a.shift,
                clock(s.start),
                end_clock(s),
                a.post,
                a.volunteer,
                v.name,
                v.team,
            ]
        )
    return csv_bytes(ROSTER_HEADER, rows)


def _by_person(
    instance: RosterInstance, assignments: Iterable[Assignment]
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the by-person table: cells like ``夜班 值班室``, then hours worked."""
    shifts = {s.id: s for s in instance.shifts}
    posts = {p.id: p.name for p in instance.posts}
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    minutes: dict[str, int] = defaultdict(int)
    for a in sorted_assignments(instance, assignments):
        cells[a.volunteer, a.day].append(f"{shifts[a.shift].name} {posts[a.post]}")
        minutes[a.volunteer] += shifts[a.shift].minutes
    header = [
        "volunteer_id",
        "name",
        "team",
        *(day_label(instance, d) for d in range(instance.days)),
        "hours",
    ]
    rows = [
        [
            v.id,
            v.name,
            v.team,
            *("; ".join(cells.get((v.id, d), ())) for d in range(instance.days)),
            _hours(minutes[v.id]),
        ]
        for v in instance.volunteers
    ]
    return header, rows


def _hours(minutes: int) -> int | float:
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def roster_by_person_csv(instance: RosterInstance, assignments: Iterable[Assignment]) -> bytes:
    """``roster_by_person.csv``: one row per volunteer, one column per day, total hours."""
    header, rows = _by_person(instance, assignments)
    return csv_bytes(header, rows)


def summary_json(
    instance: RosterInstance,
    *,
    status: str,
    objective: int | None,
    bound: float | None,
    gap: float | None,
    wall_s: float,
    hard_violations: int,
    penalties: Sequence[Penalty],
    assignments: int,
    explanation: Sequence[str] = (),
) -> bytes:
    """``summary.json``: the run's figures (``gap`` a fraction) and every penalty in words.

    ``hard_violations`` and ``penalties`` come from the independent validator.
    """
    totals: dict[str, int] = defaultdict(int)
    for p in penalties:
        totals[p.rule] += p.amount
    doc = {
        "instance": instance.name,
        "start": instance.start.isoformat(),
        "days": instance.days,
        "status": status,
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "wall_s": round(wall_s, 3),
        "hard_violations": hard_violations,
        "assignments": assignments,
        "penalty_by_rule": dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))),
        "penalties": [
            {
                "rule": p.rule,
                "volunteer_id": p.volunteer,
                "date": None if p.day is None else instance.date(p.day).isoformat(),
                "shift": p.shift,
                "amount": p.amount,
                "text": p.text,
            }
            for p in penalties
        ],
        "explanation": list(explanation),
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def roster_xlsx(instance: RosterInstance, assignments: Iterable[Assignment]) -> bytes:
    """``roster.xlsx``: a sheet per day (posts × shifts, names) and a ``按人员`` sheet.

    Each sheet prints landscape on A4, one page wide, with its title and header rows repeated.
    """
    from openpyxl import Workbook

    ordered = sorted_assignments(instance, assignments)
    wb = Workbook()
    wb.remove(wb.active)
    for day in range(instance.days):
        _day_sheet(wb, instance, day, [a for a in ordered if a.day == day])
    _person_sheet(wb, instance, ordered)
    return workbook_bytes(wb)


def _day_sheet(wb: Any, instance: RosterInstance, day: int, rows: list[Assignment]) -> None:
    date = instance.date(day)
    ws = wb.create_sheet(f"{date.month}月{date.day}日 {WEEKDAYS[date.weekday()]}")
    people = {v.id: v for v in instance.volunteers}
    leads_needed = {(d.post, d.shift) for d in instance.demand if d.day == day and d.leads}
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in rows:
        v = people[a.volunteer]
        mark = LEAD_MARK if (a.post, a.shift) in leads_needed and LEAD in v.skills else ""
        names[a.post, a.shift].append(v.name + mark)
    ws.append([f"{instance.name} 值班表  {day_label(instance, day)}"])
    ws.append(
        [
            "岗位",
            *(f"{s.name} {clock(s.start)}-{end_clock(s)}" for s in instance.shifts),
        ]
    )
    widest = 8
    for p in instance.posts:
        cells = ["、".join(names.get((p.id, s.id), ())) for s in instance.shifts]
        ws.append([p.name, *cells])
        widest = max(widest, *(len(c) for c in cells))
    # Chinese characters print about two columns wide; cap so a page stays one wide.
    widths = [max(len(p.name) for p in instance.posts) * 2 + 2] + [
        min(2 * widest + 2, 40) for _ in instance.shifts
    ]
    _format(ws, widths, header_rows=2)
    if leads_needed:
        ws.append([f"{LEAD_MARK} = 本班负责人（lead）"])


def _person_sheet(wb: Any, instance: RosterInstance, ordered: list[Assignment]) -> None:
    header, rows = _by_person(instance, ordered)
    ws = wb.create_sheet("按人员")
    ws.append([f"{instance.name} 值班表（按人员）"])
    ws.append(["编号", "姓名", "所在支部", *header[3:-1], "工时"])
    for r in rows:
        ws.append(r)
    team_width = max(len(v.team) for v in instance.volunteers) * 2 + 2
    widths = [8, 9, team_width, *([14] * instance.days), 6]
    _format(ws, widths, header_rows=2)
    ws.freeze_panes = "D3"


def _format(ws: Any, widths: list[int], header_rows: int) -> None:
    """Bold title, header and first column, wrapped cells, column widths, landscape A4 one
    page wide, title and header rows repeated on every page, page numbers in the footer."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=header_rows):
        row[0].font = Font(bold=True)
        for cell in row:
            cell.alignment = wrap
    for cell in ws[header_rows]:
        cell.font = Font(bold=True)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_rows}"
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
