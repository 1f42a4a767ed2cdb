"""Mass nucleic-acid testing round: slot plan, staffing, home visits, school rotation.

Front door for other commands (e.g. ``fangyi demo``)::

    plan = plan_round(folder, date, time_limit=50)
    write_testing_outputs(plan, out_dir)
    rotation = plan_rotation(folder, time_limit=10)
    write_rotation_outputs(rotation, out_dir)
"""

from optimizer.testing.export import write_testing_outputs
from optimizer.testing.plan import TestingPlan, plan_round
from optimizer.testing.rotation import RotationPlan, plan_rotation, write_rotation_outputs

__all__ = [
    "RotationPlan",
    "TestingPlan",
    "plan_rotation",
    "plan_round",
    "write_rotation_outputs",
    "write_testing_outputs",
]
