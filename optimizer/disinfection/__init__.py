"""Disinfection routes: weekly visit plan, daily routes for the groups, exports and maps.

Front door: :func:`plan_week` (instance folder in, :class:`DisinfectionPlan` out) and
:func:`write_route_outputs` (routes.csv, unserved.csv, routes_summary.json, routes.xlsx and a
map PNG per day, written atomically).
"""

from optimizer.disinfection.export import write_route_outputs
from optimizer.disinfection.plan import DayPlan, DisinfectionPlan, GroupDay, RouteVisit, Unserved
from optimizer.disinfection.week import plan_week

__all__ = [
    "DayPlan",
    "DisinfectionPlan",
    "GroupDay",
    "RouteVisit",
    "Unserved",
    "plan_week",
    "write_route_outputs",
]
