"""The answer to a roster instance: who works which post-shift, and what it costs."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.roster.domain import Assignment, Penalty, RosterInstance

STATUSES = ("optimal", "feasible", "infeasible", "timeout", "invalid")


@dataclass(frozen=True)
class Progress:
    """One improvement during the search: objective, best bound, gap (fraction), elapsed."""

    objective: int
    bound: float
    gap: float
    elapsed_s: float


def gap_of(objective: float, bound: float) -> float:
    """Relative gap as a fraction of the objective (0 when the bound meets it)."""
    if objective <= 0 or bound >= objective:
        return 0.0
    return (objective - bound) / objective


@dataclass(frozen=True)
class RosterPlan:
    """A solved (or failed) roster with its status, objective, bound and penalties.

    ``status`` is ``optimal`` (proved best), ``feasible`` (a roster, maybe not the best),
    ``infeasible`` (proved impossible; ``explanation`` says why), ``timeout`` (no roster found
    in time) or ``invalid`` (the model was rejected). ``gap`` is a fraction (0.01 = 1 %).
    """

    instance: RosterInstance
    assignments: tuple[Assignment, ...]
    status: str
    objective: int | None
    bound: float | None
    gap: float | None
    wall_s: float
    penalties: tuple[Penalty, ...]
    explanation: tuple[str, ...] = ()

    @classmethod
    def failed(
        cls, instance: RosterInstance, status: str, start: float, reasons: Sequence[str] = ()
    ) -> RosterPlan:
        """A plan without a roster: ``status`` says why, ``reasons`` explain it.

        ``start`` is when the solve began (``time.monotonic()``); the wall time runs from it.
        """
        wall_s = time.monotonic() - start
        return cls(instance, (), status, None, None, None, wall_s, (), tuple(reasons))

    def is_feasible(self) -> bool:
        """True when the plan holds a roster that meets every hard rule."""
        return self.status in ("optimal", "feasible")

    def penalty_by_rule(self) -> dict[str, int]:
        """Total penalty points per soft rule, largest first."""
        totals: dict[str, int] = defaultdict(int)
        for p in self.penalties:
            totals[p.rule] += p.amount
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    def summary(self) -> str:
        """A few lines a coordinator can read: status, objective, bound, gap, penalties."""
        lines = [f"{self.instance.name}: {self.status} in {self.wall_s:.1f} s"]
        if self.objective is not None:
            gap = "" if self.gap is None else f", gap {100 * self.gap:.2f}%"
            bound = "" if self.bound is None else f", bound {self.bound:g}"
            lines.append(
                f"objective {self.objective}{bound}{gap}; {len(self.assignments)} assignments"
            )
            for rule, points in self.penalty_by_rule().items():
                lines.append(f"  {rule}: {points}")
        lines.extend(self.explanation)
        return "\n".join(lines)
