"""``variant``: a copy of ``tests/data/campus_tiny`` with text edits, for loader tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parents[1] / "data" / "campus_tiny"


@pytest.fixture
def variant(tmp_path: Path) -> Callable[..., Path]:
    """``variant(("sites.csv", old, new), ...)`` -> folder with each ``old`` replaced once."""

    def make(*edits: tuple[str, str, str]) -> Path:
        folder = tmp_path / "campus"
        shutil.copytree(TINY, folder)
        for name, old, new in edits:
            path = folder / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return folder

    return make
