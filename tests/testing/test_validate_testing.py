"""The independent validator finds each broken rule in edited plan files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from optimizer.testing.export import write_testing_outputs
from optimizer.validate_testing import (
    home_visits_report,
    rotation_report,
    slots_report,
    staffing_report,
)

H = {"teams": 1, "depot": "P1", "start": "07:00", "end": "08:00"}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def planned(tr, tmp_path):
    """A valid tiny round (two buildings, children, two samplers, one home visit) on disk."""
    folder = tr.build(
        residents=[tr.building("B1", 10, 3), tr.building("B2", 8, x=100)],
        points=[tr.point("P1", 1, 1)],
        workers=[tr.worker("W1"), tr.worker("W2"), tr.worker("W3", "guide", unit="U2")],
        needs=[tr.need("H1", "B2", service_minutes=10)],
        home=H,
        testing={"children_end": "07:30"},
    )
    out = tmp_path / "plan"
    write_testing_outputs(tr.plan(folder), out)
    return folder, out


def rules(report) -> set[str]:
    return {v.rule for v in report.violations}


def test_valid_plan_has_no_violations(planned):
    folder, out = planned
    assert rules(slots_report(folder, out / "slots.csv")) == set()
    assert rules(staffing_report(folder, out / "staffing.csv")) == set()
    assert rules(home_visits_report(folder, out / "home_visits.csv")) == set()


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        (lambda rows: rows[1:], "coverage"),
        (
            lambda rows: [{**r, "people": "40"} if r["channel"] == "adult" else r for r in rows],
            "queue_cap",
        ),
        (lambda rows: [{**r, "expected_wait_min": "9.9"} for r in rows], "expected_wait"),
        (lambda rows: [{**r, "slot_start": "2026-11-30 07:10"} for r in rows], "window"),
        (lambda rows: [{**r, "point_id": "P9"} for r in rows], "unknown"),
    ],
)
def test_slot_violations(planned, edit, rule):
    folder, out = planned
    write_rows(out / "slots.csv", edit(rows_of(out / "slots.csv")))
    assert rule in rules(slots_report(folder, out / "slots.csv"))


def test_children_after_the_channel_closes(planned):
    folder, out = planned
    rows = rows_of(out / "slots.csv")
    for r in rows:
        if r["channel"] == "children":
            r["slot_start"], r["slot_end"] = "2026-11-30 07:30", "2026-11-30 08:00"
    write_rows(out / "slots.csv", rows)
    assert "children_first" in rules(slots_report(folder, out / "slots.csv"))


def test_unsplittable_building_split(planned):
    folder, out = planned
    rows = rows_of(out / "slots.csv")
    adult = next(r for r in rows if r["building_id"] == "B1" and r["channel"] == "adult")
    other = "2026-11-30 07:30" if adult["slot_start"].endswith("07:00") else "2026-11-30 07:00"
    half = {
        **adult,
        "people": "5",
        "slot_start": other,
        "slot_end": other[:-5] + ("07:30" if other.endswith("07:00") else "08:00"),
    }
    adult["people"] = "5"
    write_rows(out / "slots.csv", [*rows, half])
    assert "no_split" in rules(slots_report(folder, out / "slots.csv"))


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        (lambda r: {**r, "worker_id": "W3"}, "skills"),
        (lambda r: {**r, "role": "registrar"}, "unknown"),
        (lambda r: {**r, "slot_start": "2026-11-30 06:30"}, "availability"),
    ],
)
def test_staffing_violations(planned, edit, rule):
    folder, out = planned
    rows = rows_of(out / "staffing.csv")
    rows[0] = edit(rows[0])
    write_rows(out / "staffing.csv", rows)
    assert rule in rules(staffing_report(folder, out / "staffing.csv"))


def test_staffing_gear_one_job_and_over_demand(planned):
    folder, out = planned
    rows = rows_of(out / "staffing.csv")
    extra = {
        **rows[0],
        "worker_id": "W1",
        "slot_start": "2026-11-30 07:00",
        "slot_end": "2026-11-30 08:00",
    }
    write_rows(out / "staffing.csv", [*rows, extra, extra])
    found = rules(staffing_report(folder, out / "staffing.csv"))
    assert {"one_job", "over_demand"} <= found


def test_understaffing_is_priced_not_hidden(planned):
    folder, out = planned
    write_rows(out / "staffing.csv", [])
    report = staffing_report(folder, out / "staffing.csv")
    assert report.violations == []
    assert any(p.rule == "understaffing" for p in report.penalties)


def test_home_visit_violations(planned):
    folder, out = planned
    rows = rows_of(out / "home_visits.csv")
    rows[0] = {**rows[0], "start": "2026-11-30 07:00", "end": "2026-11-30 07:05"}
    write_rows(out / "home_visits.csv", rows)
    assert {"travel", "service"} <= rules(home_visits_report(folder, out / "home_visits.csv"))
    write_rows(out / "home_visits.csv", [{k: "" for k in rows[0]}])
    assert "coverage" in rules(home_visits_report(folder, out / "home_visits.csv"))


def test_rotation_violations(tmp_path):
    (tmp_path / "instance.toml").write_text('start = "2026-11-30"\n', encoding="utf-8")
    (tmp_path / "classes.csv").write_text("id,school\nA,middle\n", encoding="utf-8")
    pupils = "id,name,class_id,family_id\n" + "".join(
        f"S{i},n{i},A,{'F' if i < 2 else ''}\n" for i in range(10)
    )
    (tmp_path / "pupils.csv").write_text(pupils, encoding="utf-8")
    plan = tmp_path / "rotation.csv"
    plan.write_text(
        "pupil_id,class,weekday\n"
        + "".join(f"S{i},A,{1 if i < 5 else 2 + i % 3}\n" for i in range(10)),
        encoding="utf-8",
    )
    found = rules(rotation_report(tmp_path, plan))
    assert "balance" in found and "siblings" not in found
    plan.write_text(
        "pupil_id,class,weekday\n" + "".join(f"S{i},A,{i % 5 + 1}\n" for i in range(9)),
        encoding="utf-8",
    )
    assert {"siblings", "coverage"} <= rules(rotation_report(tmp_path, plan))
