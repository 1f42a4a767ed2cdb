"""Mass nucleic-acid testing round: slot plan, staffing, home visits, school rotation.

Front door for other commands (e.g. ``fangyi demo``)::

    plan = plan_round(folder, date, time_limit=50)
    write_testing_outputs(plan, out_dir)
    rotation = plan_rotation(folder, time_limit=10)
    write_rotation_outputs(rotation, out_dir)

The names are resolved on first use, so importing a light submodule (the domain, the
loaders) does not load the solvers.
"""

from __future__ import annotations

import importlib
from typing import Any

_FRONT = {
    "TestingPlan": "optimizer.testing.plan",
    "plan_round": "optimizer.testing.plan",
    "write_testing_outputs": "optimizer.testing.export",
    "RotationPlan": "optimizer.testing.rotation",
    "plan_rotation": "optimizer.testing.rotation",
    "write_rotation_outputs": "optimizer.testing.rotation",
}

__all__ = sorted(_FRONT)


def __getattr__(name: str) -> Any:
    """Import the front-door name ``name`` from its module on first use."""
    if name not in _FRONT:
        raise AttributeError(f"module 'optimizer.testing' has no attribute '{name}'")
    return getattr(importlib.import_module(_FRONT[name]), name)
