"""Why no roster exists, in the coordinator's words.

First, counting: a post-shift that needs more people (or leads) than can possibly work it, or
a shift whose posts together need more people than are available then. These checks are exact
reasons a coordinator can act on ("only 1 is available that night").

When counting sees nothing, every hard rule group of the model is switched by a literal and
CP-SAT is asked, under the assumption that all groups hold, for a set of groups that cannot
hold together; that set is then shrunk one group at a time so the message names only rules
that really conflict.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from optimizer.roster.domain import LEAD, RosterInstance
from optimizer.roster.model import GROUPS, RosterModel


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _is_are(n: int) -> str:
    return f"only {n} is" if n == 1 else f"only {n} are"


def counting_checks(model: RosterModel) -> tuple[str, ...]:
    """Reasons found by counting who could possibly work each hard demand (empty if none)."""
    inst = model.instance
    reasons: list[str] = []
    need_by_shift: dict[tuple[int, str], int] = defaultdict(int)
    posts_by_shift: dict[tuple[int, str], int] = defaultdict(int)
    people_by_shift: dict[tuple[int, str], set[str]] = defaultdict(set)
    for dem in inst.demand:
        post = model.post_by_id[dem.post]
        shift = model.shift_by_id[dem.shift]
        where = f"{model.label(dem.day, shift)} {post.name}"
        eligible = model.eligible[(dem.post, dem.day, dem.shift)]
        skills = f" with skills {', '.join(sorted(post.skills))}" if post.skills else ""
        hard_under = dem.weight_under is None
        if hard_under and len(eligible) < dem.required:
            reasons.append(
                f"{where} needs {_people(dem.required)}{skills}; "
                f"{_is_are(len(eligible))} available then"
            )
        leads = sum(LEAD in model.volunteer_by_id[v].skills for v in eligible)
        if dem.leads > leads:
            reasons.append(
                f"{where} needs {_people(dem.leads)} with skill {LEAD}; "
                f"{_is_are(leads)} available then"
            )
        if dem.weight_over is None and dem.leads > dem.required:
            reasons.append(
                f"{where} needs {dem.leads} leads but allows only {_people(dem.required)}"
            )
        if hard_under:
            need_by_shift[(dem.day, dem.shift)] += dem.required
            posts_by_shift[(dem.day, dem.shift)] += 1
            people_by_shift[(dem.day, dem.shift)].update(eligible)
    for (day, sid), need in sorted(need_by_shift.items()):
        have = len(people_by_shift[(day, sid)])
        if have < need and posts_by_shift[(day, sid)] > 1:
            reasons.append(
                f"{model.label(day, model.shift_by_id[sid])}: the posts together need "
                f"{_people(need)}; {_is_are(have)} available then"
            )
    return tuple(reasons)


def _infeasible_under(model: RosterModel, groups: list[str], time_limit: float) -> bool | None:
    """True/False when the groups provably do / do not conflict; None when undecided."""
    model.cp.ClearAssumptions()
    model.cp.AddAssumptions([model.group_literal[g] for g in groups])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = 1  # assumption cores come from the sequential search
    status = solver.Solve(model.cp)
    if status == cp_model.INFEASIBLE:
        return True
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    return None


def explain_infeasible(instance: RosterInstance, time_limit: float = 30.0) -> tuple[str, ...]:
    """Name the hard rule groups that cannot all hold at once, in the coordinator's words."""
    deadline = time.monotonic() + time_limit
    model = RosterModel(instance, explain=True)
    reasons = counting_checks(model)
    if reasons:
        return reasons
    groups = sorted(model.group_literal)
    model.cp.AddAssumptions([model.group_literal[g] for g in groups])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
    solver.parameters.num_workers = 1
    if solver.Solve(model.cp) != cp_model.INFEASIBLE:
        return ("no roster was found in time, but none was proved impossible either",)
    index_to_group = {model.group_literal[g].Index(): g for g in groups}
    core = sorted(
        index_to_group[i]
        for i in solver.SufficientAssumptionsForInfeasibility()
        if i in index_to_group
    )
    minimal = True
    for group in list(core):
        if len(core) == 1:
            break
        trial = [g for g in core if g != group]
        verdict = _infeasible_under(model, trial, (deadline - time.monotonic()) / len(core))
        if verdict:
            core = trial
        elif verdict is None:
            minimal = False
    rules = "; ".join(GROUPS[g] for g in core)
    lines = [f"No roster can keep all of these rules at once: {rules}."]
    if minimal and len(core) > 1:
        lines.append("Relaxing any one of them (or adding people) makes a roster possible.")
    elif minimal:
        lines.append("This rule alone cannot be met with the people available.")
    return tuple(lines)
