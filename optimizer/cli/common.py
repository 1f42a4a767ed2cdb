"""Shared CLI plumbing: consoles, one-line errors and exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

EXIT_OK = 0
EXIT_NO_VALID_PLAN = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``message`` as one line on stderr and return the ``typer.Exit`` to raise."""
    err_console.print(
        f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` that exists and is not a folder (exit 2, nothing written)."""
    if out.exists() and not out.is_dir():
        raise fail(f"{out}: --out must be a folder, not a file", EXIT_BAD_INPUT)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn an :class:`optimizer.io.InputError` into a one-line message and exit code 2."""
    from optimizer.io import InputError

    try:
        yield
    except InputError as exc:
        raise fail(str(exc)) from None
