"""Campus: path network, buildings, disinfection sites, groups; shortest-path travel."""

from optimizer.campus.domain import (
    KIND_LABELS,
    SITE_KINDS,
    Building,
    Group,
    Member,
    Monitoring,
    Rule,
    Site,
)
from optimizer.campus.loader import load_campus
from optimizer.campus.model import Campus, travel_minutes

__all__ = [
    "KIND_LABELS",
    "SITE_KINDS",
    "Building",
    "Campus",
    "Group",
    "Member",
    "Monitoring",
    "Rule",
    "Site",
    "load_campus",
    "travel_minutes",
]
