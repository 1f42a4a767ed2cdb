"""The Dongying generator is deterministic, reproduces the committed instance, and scales."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from optimizer.generators import InstancePart, render
from optimizer.generators.dongying import generate, main
from optimizer.generators.roster_part import roster_part
from optimizer.roster.load import load_roster_instance

COMMITTED = Path(__file__).resolve().parents[2] / "instances" / "dongying"


def test_committed_instance_is_what_the_generator_writes() -> None:
    files = generate(scale=1, seed=0)
    roster_files = ["instance.toml", *roster_part(1, 0).tables]
    for name in roster_files:
        assert (COMMITTED / name).read_bytes() == files[name], f"{name} differs: regenerate"


def test_same_seed_same_bytes_other_seed_other_names(tmp_path: Path) -> None:
    main(["--out", str(tmp_path / "a"), "--seed", "3"])
    main(["--out", str(tmp_path / "b"), "--seed", "3"])
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()
    assert generate(seed=3)["volunteers.csv"] != generate(seed=4)["volunteers.csv"]


def test_default_instance_matches_the_report() -> None:
    inst = load_roster_instance(COMMITTED)
    teams = Counter(v.team for v in inst.volunteers)
    assert len(teams) == 10 and sum(teams.values()) == 146
    assert len(set(teams.values())) > 5  # uneven sizes
    assert len({v.name for v in inst.volunteers}) == 146
    assert inst.start.weekday() == 0 and inst.days == 7
    quarantined = {u.volunteer for u in inst.unavailability if u.end - u.start >= 7 * 1440}
    assert len(quarantined) == 2
    assert all(d.leads >= 1 for d in inst.demand if d.post == "duty_desk")
    # every post runs every day; the duty desk around the clock
    assert {(d.post, d.shift) for d in inst.demand if d.post == "duty_desk"} == {
        ("duty_desk", s.id) for s in inst.shifts
    }
    demand = sum(d.required * inst.shift(d.shift).minutes for d in inst.demand)
    capacity = sum(v.limits.max_minutes for v in inst.volunteers)
    assert demand < 0.6 * capacity  # feasible with slack


def test_scale_multiplies_people_and_demand(tmp_path: Path) -> None:
    main(["--out", str(tmp_path), "--scale", "2"])
    one = load_roster_instance(COMMITTED)
    two = load_roster_instance(tmp_path)
    assert len(two.volunteers) == 2 * len(one.volunteers)
    # workload posts round up per shift, so doubling the workload adds at most double the staff
    base = sum(d.required for d in one.demand)
    assert 1.8 * base <= sum(d.required for d in two.demand) <= 2 * base


def test_render_concatenates_parts_and_refuses_a_shared_table() -> None:
    def a(scale: int, seed: int) -> InstancePart:
        return InstancePart('name = "x"', {"a.csv": (["id"], [[scale]])})

    def b(scale: int, seed: int) -> InstancePart:
        return InstancePart("[routing]\nspeed = 4\n", {"b.csv": (["id"], [[seed]])})

    files = render((a, b), 2, 7)
    assert files["instance.toml"] == b'name = "x"\n\n[routing]\nspeed = 4\n'
    assert files["a.csv"] == "\ufeffid\r\n2\r\n".encode()
    with pytest.raises(ValueError, match=r"a\.csv"):
        render((a, a), 1, 0)
