"""Plan versions: before a plan file in a plan folder is replaced, the old one is kept.

``DIR/versions/<UTC timestamp>/`` receives a copy of every file about to be overwritten,
then the new files are written atomically. The copy is staged in a hidden folder and renamed
into place, so a crash never leaves a half-copied version that looks complete.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from optimizer.io import write_atomic

VERSIONS = "versions"


def list_versions(folder: str | Path) -> list[Path]:
    """Saved versions of the plan in ``folder``, oldest first."""
    root = Path(folder) / VERSIONS
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def save_version(folder: str | Path, names: list[str], reason: str) -> Path | None:
    """Copy the existing files ``names`` of ``folder`` into a new version; return its folder.

    Returns None when none of them exists (nothing to keep). ``reason`` is written beside
    the copies in ``REASON.txt`` so a coordinator browsing the folder sees why it was kept.
    """
    folder = Path(folder)
    existing = [n for n in names if (folder / n).is_file()]
    if not existing:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    root = folder / VERSIONS
    stage = root / f".{stamp}.partial"
    stage.mkdir(parents=True)
    for name in existing:
        shutil.copy2(folder / name, stage / name)
    (stage / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
    final = root / stamp
    os.replace(stage, final)
    return final


def replace_plan_files(
    folder: str | Path, files: Mapping[str, bytes | str], reason: str
) -> Path | None:
    """Keep the current versions of ``files`` in ``folder``, then write the new ones atomically."""
    kept = save_version(folder, list(files), reason)
    for name, data in files.items():
        write_atomic(Path(folder) / name, data)
    return kept
