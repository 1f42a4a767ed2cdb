"""School rotation: balance, brothers and sisters, last week's days; checked by the validator."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from optimizer.generators.dongying import generate
from optimizer.io import InputError, csv_bytes
from optimizer.testing.rotation import plan_rotation_of, write_rotation_outputs
from optimizer.testing.school import class_band, load_school
from optimizer.validate_testing import check_rotation


def school_folder(
    tmp_path: Path, pupils: list[tuple], classes: dict[str, int] | None = None, rotation: str = ""
) -> Path:
    """``pupils``: (id, class, family, last week's day or "")."""
    classes = classes or {c: 2 for c in dict.fromkeys(p[1] for p in pupils)}
    (tmp_path / "instance.toml").write_text(
        f'name = "学校"\nstart = "2026-11-30"\ndays = 7\n[rotation]\n{rotation}\n', encoding="utf-8"
    )
    (tmp_path / "classes.csv").write_bytes(
        csv_bytes(
            ["id", "name", "school", "teachers"], [[c, c, "middle", t] for c, t in classes.items()]
        )
    )
    (tmp_path / "pupils.csv").write_bytes(
        csv_bytes(
            ["id", "name", "class_id", "family_id", "weekday"],
            [[p[0], f"学生{p[0]}", p[1], p[2], p[3]] for p in pupils],
        )
    )
    return tmp_path


def solve_and_check(folder: Path):
    school = load_school(folder)
    plan = plan_rotation_of(school, time_limit=2, num_workers=2)
    assert plan.stats.ok
    write_rotation_outputs(plan, folder / "out")
    report = check_rotation(school, folder / "out" / "rotation.csv")
    assert report.violations == []
    assert report.objective == plan.stats.objective
    return plan, report


def test_class_band_is_twenty_percent_plus_minus_one():
    assert class_band(10) == (1, 2, 2, 3)
    assert class_band(12) == (2, 2, 3, 3)
    assert class_band(4) == (0, 0, 1, 1)


def test_every_class_exactly_balanced_when_sizes_allow(tmp_path):
    pupils = [(f"A{i}", "A", "", "") for i in range(10)] + [
        (f"B{i}", "B", "", "") for i in range(12)
    ]
    plan, _ = solve_and_check(school_folder(tmp_path, pupils))
    counts = plan.counts()
    assert [counts["A", d] for d in range(1, 6)] == [2] * 5
    assert sorted(counts["B", d] for d in range(1, 6)) == [2, 2, 2, 3, 3]


def test_siblings_share_a_day_even_across_classes(tmp_path):
    pupils = [(f"A{i}", "A", "F1" if i < 2 else "", "") for i in range(10)]
    pupils += [(f"B{i}", "B", "F1" if i == 0 else "", "") for i in range(10)]
    plan, _ = solve_and_check(school_folder(tmp_path, pupils))
    assert len({plan.weekday[p] for p in ("A0", "A1", "B0")}) == 1


def test_twins_in_a_small_class_cost_balance_but_stay_within_one(tmp_path):
    pupils = [("A0", "A", "F1", ""), ("A1", "A", "F1", "")] + [
        (f"A{i}", "A", "", "") for i in range(2, 5)
    ]
    plan, report = solve_and_check(school_folder(tmp_path, pupils))
    assert sorted(plan.counts().values()) == [1, 1, 1, 2]
    assert [p.rule for p in report.penalties] == ["balance", "balance"]


def test_family_too_big_for_plus_minus_one_is_infeasible(tmp_path):
    pupils = [(f"A{i}", "A", "F1" if i < 3 else "", "") for i in range(5)]
    plan = plan_rotation_of(load_school(school_folder(tmp_path, pupils)), time_limit=2)
    assert plan.stats.status == "infeasible" and plan.weekday == {}


def test_last_weeks_days_are_kept(tmp_path):
    pupils = [(f"A{i}", "A", "", 5 - i % 5) for i in range(10)]
    plan, report = solve_and_check(school_folder(tmp_path, pupils, rotation="weight_change = 3"))
    assert all(plan.weekday[f"A{i}"] == 5 - i % 5 for i in range(10))
    assert report.objective == 0


def test_unknown_class_is_bad_input(tmp_path):
    folder = school_folder(tmp_path, [("A0", "A", "", "")], classes={"B": 1})
    with pytest.raises(InputError) as err:
        load_school(folder)
    assert "pupils.csv, row 2, column 'class_id'" in str(err.value)


def test_default_instance_rotation_is_exactly_balanced(tmp_path):
    for name in ("instance.toml", "classes.csv", "pupils.csv"):
        (tmp_path / name).write_bytes(generate()[name])
    school = load_school(tmp_path)
    plan = plan_rotation_of(school, time_limit=2)
    assert plan.stats.objective == 0
    sizes = Counter(p.class_id for p in school.pupils)
    assert all(
        class_band(sizes[c])[1] <= n <= class_band(sizes[c])[2]
        for (c, _), n in plan.counts().items()
    )
