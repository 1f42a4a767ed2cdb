"""Fixture for the incident tests: ``edited(edits)`` copies ``tests/data/incidents_tiny`` into
the test's temporary folder, applying ``file -> (old, new)`` text replacements."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parents[1] / "data" / "incidents_tiny"


@pytest.fixture
def edited(tmp_path: Path) -> Callable[[dict[str, tuple[str, str]]], Path]:
    """A function building an edited copy of the tiny incident instance."""

    def build(edits: dict[str, tuple[str, str]]) -> Path:
        folder = tmp_path / f"inst{len(list(tmp_path.iterdir()))}"
        shutil.copytree(TINY, folder)
        for name, (old, new) in edits.items():
            path = folder / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"test edit does not apply to {name}"
            path.write_text(text.replace(old, new), encoding="utf-8")
        return folder

    return build
