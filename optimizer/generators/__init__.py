"""Deterministic instance generators built from parts.

A *part* is a function ``(scale, seed) -> InstancePart`` contributing its own ``instance.toml``
text and its own tables to one instance folder; ``optimizer.generators.dongying`` combines the
parts of the default Dongying instance. Parts never share a table or a TOML section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from optimizer.io import csv_bytes


@dataclass(frozen=True)
class InstancePart:
    """One concern's share of an instance: TOML text and tables (file name -> header, rows)."""

    toml: str
    tables: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)


Part = Callable[[int, int], InstancePart]


def render(parts: Sequence[Part], scale: int, seed: int) -> dict[str, bytes]:
    """Run every part and return the instance's files as bytes, ``instance.toml`` first.

    The TOML texts are concatenated in part order (the first part holds the top-level keys
    ``name``/``start``/``days``); tables are CSV files in UTF-8 with BOM. Two parts writing the
    same file is a programming error.
    """
    toml: list[str] = []
    files: dict[str, bytes] = {}
    for part in parts:
        built = part(scale, seed)
        toml.append(built.toml.strip("\n") + "\n")
        for name, (header, rows) in built.tables.items():
            if name in files:
                raise ValueError(f"two instance parts write {name}")
            files[name] = csv_bytes(header, rows)
    return {"instance.toml": "\n".join(toml).encode("utf-8"), **files}
