"""Random small rounds: every plan passes the validator, which prices it as the models do."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROLES = ("sampler", "registrar")


@st.composite
def rounds(draw):
    """Buildings, points and workers of a small random round that always fits."""
    n_points = draw(st.integers(1, 2))
    points = [
        {
            "id": f"P{i}",
            "tables": draw(st.integers(1, 2)),
            "children": draw(st.integers(0, 1)),
            "x": draw(st.integers(0, 600)),
        }
        for i in range(n_points)
    ]
    has_children = any(p["children"] for p in points)
    buildings = [
        {
            "id": f"B{i}",
            "adults": draw(st.integers(1, 20)),
            "children": draw(st.integers(0, 6)) if has_children else 0,
            "split": draw(st.booleans()),
            "x": draw(st.integers(0, 600)),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    workers = [
        {
            "id": f"W{i}",
            "skills": "|".join(draw(st.sets(st.sampled_from(ROLES), min_size=1))),
            "unit": draw(st.sampled_from(("U1", "U2"))),
            "from": draw(st.sampled_from(("", "07:30"))),
        }
        for i in range(draw(st.integers(1, 5)))
    ]
    weights = {"wait": draw(st.integers(0, 2)), "children_late": draw(st.integers(0, 3))}
    together = draw(st.sampled_from(([], [workers[0]["unit"]])))
    return points, buildings, workers, weights, together


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=rounds())
def test_random_round_plans_pass_the_validator(tr, case):
    points, buildings, workers, weights, together = case
    skills = {s for w in workers for s in w["skills"].split("|")}
    folder = tr.build(
        points=[tr.point(p["id"], p["tables"], p["children"], x=p["x"]) for p in points],
        residents=[
            tr.building(b["id"], b["adults"], b["children"], split=b["split"], x=b["x"])
            for b in buildings
        ],
        roles=[tr.role(r) for r in ROLES if r in skills],
        workers=[
            tr.worker(w["id"], w["skills"], w["unit"], available_from=w["from"]) for w in workers
        ],
        weights=weights,
        testing={"max_waiting": 5, "end": "08:30", "keep_units_together": together},
    )
    plan = tr.plan(folder, time_limit=2)
    assert plan.ok
    reports = tr.check(folder, plan)  # asserts that there are no violations
    assert reports["staffing"].objective == plan.stat("staffing").objective
    slots = reports["slots"].objective - plan.stat("slots").objective
    assert 0 <= slots <= len({(a.point, a.channel, a.start) for a in plan.slots})
    assert sum(a.people for a in plan.slots) == sum(b["adults"] + b["children"] for b in buildings)
