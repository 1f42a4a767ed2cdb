"""benchmarks/curtois_like.py: look-alikes of the larger public instances are readable and
always have a roster without hard violations (the generator's witness promise)."""

from __future__ import annotations

import pytest

from optimizer.formats.curtois import read_curtois
from optimizer.roster.solve import solve_roster
from optimizer.validate_roster import validate_roster


@pytest.mark.parametrize(("kind", "days"), [("generate", 14), ("generate_tight", 28)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_look_alike_has_a_valid_roster(tmp_path, seed, curtois_like, kind, days):
    path = tmp_path / "Like.txt"
    path.write_text(getattr(curtois_like, kind)(days, 6, 3, seed), encoding="utf-8", newline="")
    inst = read_curtois(path)
    assert (inst.days, len(inst.volunteers), len(inst.shifts)) == (days, 6, 3)
    plan = solve_roster(inst, time_limit=2.0, workers=1)
    assert plan.is_feasible()
    report = validate_roster(inst, plan.assignments)
    assert report.ok and report.objective == plan.objective


@pytest.mark.parametrize("seed", [0, 1])
def test_tight_look_alike_asks_for_every_shift_the_staff_may_work(seed, curtois_like):
    """As in Instances 1-8: eight-hour shifts, no earlier shift after a later one, and a cover
    of as many shifts as the staff's longest total minutes allow."""
    text = curtois_like.generate_tight(28, 20, 4, seed)
    section = {}
    for block in text.split("\r\n\r\n"):
        head, *rows = block.strip().split("\r\n")
        section[head] = [row.split(",") for row in rows]
    shifts = section["SECTION_SHIFTS"]
    assert [(s[1], s[2]) for s in shifts] == [
        ("480", "|".join(t[0] for t in shifts[:i])) for i in range(len(shifts))
    ]
    most = sum(int(p[2]) for p in section["SECTION_STAFF"]) / 480
    assert sum(int(c[2]) for c in section["SECTION_COVER"]) == round(most)
    assert len(section["SECTION_COVER"]) == 28 * 4
    requests = [(r[0], r[1]) for r in section["SECTION_SHIFT_ON_REQUESTS"]]
    requests += [(r[0], r[1]) for r in section["SECTION_SHIFT_OFF_REQUESTS"]]
    assert requests and len(requests) == len(set(requests))


def test_horizon_must_be_whole_weeks(curtois_like):
    for generate in (curtois_like.generate, curtois_like.generate_tight):
        with pytest.raises(ValueError, match="whole number of weeks"):
            generate(10, 3, 2)
