"""benchmarks/curtois_like.py: look-alikes of the larger public instances are readable and
always have a roster without hard violations (the generator's witness promise)."""

from __future__ import annotations

import pytest

from optimizer.formats.curtois import read_curtois
from optimizer.roster.solve import solve_roster
from optimizer.validate_roster import validate_roster


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_look_alike_has_a_valid_roster(tmp_path, seed, curtois_like):
    path = tmp_path / "Like.txt"
    path.write_text(curtois_like.generate(14, 6, 3, seed), encoding="utf-8", newline="")
    inst = read_curtois(path)
    assert (inst.days, len(inst.volunteers), len(inst.shifts)) == (14, 6, 3)
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.is_feasible()
    report = validate_roster(inst, plan.assignments)
    assert report.ok and report.objective == plan.objective


def test_horizon_must_be_whole_weeks(curtois_like):
    with pytest.raises(ValueError, match="whole number of weeks"):
        curtois_like.generate(10, 3, 2)
