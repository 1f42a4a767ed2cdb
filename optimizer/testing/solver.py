"""Running a CP-SAT model the project's way: time limit, workers, progress, honest status."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

Progress = Callable[[str], None]

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "timeout",
}


@dataclass(frozen=True)
class SolveStats:
    """How one model solve ended: status, objective, best bound, gap (fraction), seconds."""

    model: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    wall_s: float

    @property
    def ok(self) -> bool:
        """True when the solve produced a plan."""
        return self.status in ("optimal", "feasible")

    def as_dict(self) -> dict[str, object]:
        """The figures as a JSON-ready dict."""
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "wall_s": round(self.wall_s, 2),
        }


def gap_of(objective: float, bound: float) -> float:
    """Relative gap ``|objective − bound| / max(1, |objective|)`` of a minimisation."""
    return abs(objective - bound) / max(1.0, abs(objective))


class _Progress(cp_model.CpSolverSolutionCallback):
    """Feeds one line per improving solution to ``on_progress``."""

    def __init__(self, name: str, on_progress: Progress) -> None:
        super().__init__()
        self._name = name
        self._on_progress = on_progress
        self._t0 = time.perf_counter()

    def on_solution_callback(self) -> None:
        """Report the new solution's objective, the bound and the gap."""
        obj, bound = self.ObjectiveValue(), self.BestObjectiveBound()
        self._on_progress(
            f"{self._name}: objective {obj:g}, bound {bound:g}, gap "
            f"{100 * gap_of(obj, bound):.2f}%, {time.perf_counter() - self._t0:.1f} s"
        )


def solve_model(
    model: cp_model.CpModel,
    name: str,
    *,
    time_limit: float,
    seed: int = 0,
    num_workers: int | None = None,
    on_progress: Progress | None = None,
    probing: int | None = None,
) -> tuple[cp_model.CpSolver, SolveStats]:
    """Solve ``model`` within ``time_limit`` seconds and report what was proved.

    ``probing`` sets CP-SAT's probing level (0 skips presolve probing, which on the large,
    symmetric staffing model costs seconds and proves nothing).
    """
    solver = cp_model.CpSolver()
    if probing is not None:
        solver.parameters.cp_model_probing_level = probing
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = num_workers or os.cpu_count() or 1
    solver.parameters.random_seed = seed
    t0 = time.perf_counter()
    if on_progress is None:
        code = solver.Solve(model)
    else:
        code = solver.Solve(model, _Progress(name, on_progress))
    wall = time.perf_counter() - t0
    status = _STATUS.get(code, "timeout")
    if status in ("optimal", "feasible"):
        # Every objective here has integer coefficients: drop the float noise.
        obj, bound = round(solver.ObjectiveValue()), round(solver.BestObjectiveBound(), 6)
        stats = SolveStats(name, status, obj, bound, gap_of(obj, bound), wall)
    else:
        stats = SolveStats(name, status, None, None, None, wall)
    return solver, stats
