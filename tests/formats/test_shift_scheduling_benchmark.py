"""benchmarks/shift_scheduling.py end to end: the files it writes, and an unreadable file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from optimizer.formats.curtois import POST, read_curtois
from optimizer.roster.domain import Assignment
from optimizer.validate_roster import validate_roster

from .test_curtois import TINY, write


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_results_and_roster_are_scored_by_the_validator(tmp_path, shift_scheduling):
    instance = write(tmp_path, TINY)
    (tmp_path / "bounds.csv").write_text("instance,lower_bound,best_known,source\nTiny,0,2,test\n")
    out = tmp_path / "out"
    code = shift_scheduling.main(
        [str(instance), "--time-limit", "2", "--seeds", "2", "--workers", "1", "--out", str(out)]
    )
    assert code == 0
    results = _rows(out / "results.csv")
    assert list(results[0]) == list(shift_scheduling.COLUMNS)
    assert [r["seed"] for r in results] == ["0", "1"]
    roster = _rows(out / "Tiny.csv")
    inst = read_curtois(instance)
    worked = tuple(Assignment(r["employee"], int(r["day"]), r["shift"], POST) for r in roster)
    report = validate_roster(inst, worked)
    best = min(int(r["objective"]) for r in results)
    assert report.ok and report.objective == best
    for r in results:
        assert r["best_known"] == "2" and r["hard_violations"] == "0"
        gap = 100 * (int(r["objective"]) - 2) / 2
        assert float(r["gap_pct"]) == round(gap, 3)


def test_an_unreadable_file_is_reported_and_the_others_solved(tmp_path, shift_scheduling, capsys):
    good = write(tmp_path, TINY)
    bad = write(tmp_path, TINY.replace("3,E,2,100,1", "3,E,two,100,1"), "Bad.txt")
    out = tmp_path / "out"
    code = shift_scheduling.main(
        [str(bad), str(good), "--time-limit", "1", "--workers", "1", "--out", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Bad.txt" in err[0] and "Requirement" in err[0]
    assert [r["instance"] for r in _rows(out / "results.csv")] == ["Tiny"]
    assert not (out / "Bad.csv").exists()


def test_an_out_that_is_a_file_is_refused_before_solving(tmp_path, shift_scheduling):
    out = tmp_path / "out"
    out.write_text("kept")
    with pytest.raises(SystemExit) as stop:
        shift_scheduling.main([str(write(tmp_path, TINY)), "--out", str(out)])
    assert stop.value.code == 2
    assert out.read_text() == "kept"


def test_the_pricing_benchmark_times_both_pricings_and_finds_the_same_optima(
    tmp_path, pricing_benchmark, curtois_like
):
    instance = tmp_path / "Like.txt"
    instance.write_text(curtois_like.generate(14, 5, 2, 0), encoding="utf-8", newline="")
    out = tmp_path / "pricing.csv"
    assert pricing_benchmark.main([str(instance), "--rounds", "2", "--out", str(out)]) == 0
    (row,) = _rows(out)
    assert list(row) == list(pricing_benchmark.COLUMNS)
    assert row["people"] == row["programmes"] == row["same_optimum"] == "5"
    assert float(row["cp_sat_ms"]) > 0 and float(row["programme_ms"]) > 0
