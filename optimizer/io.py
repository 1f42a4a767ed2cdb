"""Reading coordinator tables and writing outputs safely.

Every instance table is a CSV file (UTF-8, UTF-8 with BOM, or GB18030/GBK as Excel and WPS
write it on Chinese Windows) or an ``.xlsx`` workbook of the same stem. Rows are parsed against
a column schema; any problem raises :class:`InputError` naming the file, the spreadsheet row
(header = row 1) and the column. Outputs are written atomically (temporary file, then rename)
so a crash never leaves a half-written plan over a good one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class InputError(Exception):
    """Bad input: one line naming the file, row and column, and what was expected."""

    def __init__(
        self, file: str | Path, message: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


ENCODINGS = ("utf-8-sig", "gb18030")


def read_text(path: str | Path) -> str:
    """Return the text of ``path``, decoded as UTF-8 (with or without BOM) or GB18030."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(path, "not valid UTF-8 or GB18030 text")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning syntax errors into an :class:`InputError` with the line."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Before Python 3.14 the line is only in the message: "... (at line 4, column 8)".
        found = re.search(r"\(at line (\d+)", str(exc))
        msg = str(exc).split(" (at line")[0]
        raise InputError(
            path, f"invalid TOML: {msg}", row=int(found[1]) if found else None
        ) from None


def find_table(folder: str | Path, stem: str) -> Path | None:
    """Return ``folder/stem.csv`` or ``folder/stem.xlsx`` if one exists (CSV wins)."""
    folder = Path(folder)
    for ext in (".csv", ".xlsx"):
        p = folder / f"{stem}{ext}"
        if p.exists():
            return p
    return None


def _raw_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV or XLSX file, every cell as a stripped string."""
    if path.suffix.lower() == ".xlsx":
        try:
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise InputError(path, f"cannot open workbook ({type(exc).__name__})") from None
        ws = wb.worksheets[0]
        rows = [
            ["" if c is None else _cell_text(c) for c in r] for r in ws.iter_rows(values_only=True)
        ]
        wb.close()
    else:
        text = read_text(path)
        try:
            rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise InputError(path, f"malformed CSV ({exc})") from None
    if not rows or not any(c for c in rows[0]):
        raise InputError(path, "empty table: a header row is expected", row=1)
    header = [h.strip() for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    return header, rows[1:]


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Col:
    """One column of a table schema.

    ``kind`` is a parser (see the ``parse_*`` functions) or one of the names ``str``, ``int``,
    ``float``, ``bool``, ``time``, ``date``, ``datetime``, ``list``. A column that is not
    ``required`` may be missing from the header or left blank; then ``default`` is used.
    """

    name: str
    kind: str | Callable[[str], Any] = "str"
    required: bool = True
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None


def parse_int(text: str) -> int:
    """Parse an integer, accepting ``3.0`` as Excel sometimes writes it."""
    try:
        return int(text)
    except ValueError:
        f = float(text)
        if not f.is_integer():
            raise ValueError from None
        return int(f)


def parse_bool(text: str) -> bool:
    """Parse yes/no in English or Chinese (1/0, true/false, yes/no, y/n, 是/否)."""
    t = text.strip().lower()
    if t in {"1", "true", "yes", "y", "是", "t"}:
        return True
    if t in {"0", "false", "no", "n", "否", "f"}:
        return False
    raise ValueError


def parse_clock(text: str) -> int:
    """Parse ``HH:MM`` (00:00 to 24:00) into minutes after midnight."""
    hh, mm = text.strip().split(":")
    h, m = int(hh), int(mm)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError
    return h * 60 + m


def parse_date(text: str) -> dt.date:
    """Parse an ISO date ``YYYY-MM-DD``."""
    return dt.date.fromisoformat(text.strip())


def parse_datetime(text: str) -> dt.datetime:
    """Parse ``YYYY-MM-DD HH:MM`` (``T`` also accepted); ``24:00`` means next midnight."""
    t = text.strip().replace("T", " ")
    date_part, _, time_part = t.partition(" ")
    day = parse_date(date_part)
    minutes = parse_clock(time_part) if time_part else 0
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)


def parse_list(text: str) -> tuple[str, ...]:
    """Parse a ``|``- or ``;``-separated list (also ``、`` and ``，``) into stripped items."""
    for sep in (";", "、", "，", ","):
        text = text.replace(sep, "|")
    return tuple(x.strip() for x in text.split("|") if x.strip())


_PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "str": (str, "text"),
    "int": (parse_int, "a whole number"),
    "float": (float, "a number"),
    "bool": (parse_bool, "yes/no (1/0, true/false, 是/否)"),
    "time": (parse_clock, "a time HH:MM"),
    "date": (parse_date, "a date YYYY-MM-DD"),
    "datetime": (parse_datetime, "a date and time YYYY-MM-DD HH:MM"),
    "list": (parse_list, "a |-separated list"),
}


@dataclass(frozen=True)
class Row:
    """A parsed table row: typed ``values`` by column name and its spreadsheet ``line``."""

    file: str
    line: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def error(self, column: str | None, message: str) -> InputError:
        """An :class:`InputError` pointing at this row (and ``column``)."""
        return InputError(self.file, message, row=self.line, column=column)


def read_table(path: str | Path, columns: Sequence[Col], *, allow_empty: bool = False) -> list[Row]:
    """Read ``path`` (CSV or XLSX) and parse each row against ``columns``.

    Extra columns are ignored; blank lines are skipped. Raises :class:`InputError` for a
    missing required column, a blank required cell, a value of the wrong type or out of range,
    and (unless ``allow_empty``) a table with no data rows.
    """
    path = Path(path)
    header, data = _raw_rows(path)
    index = {name: i for i, name in enumerate(header)}
    for col in columns:
        if col.required and col.name not in index:
            raise InputError(path, "missing column (header row)", row=1, column=col.name)
    out: list[Row] = []
    for offset, cells in enumerate(data):
        line = offset + 2
        if not any(c for c in cells):
            continue
        values: dict[str, Any] = {}
        for col in columns:
            i = index.get(col.name)
            text = cells[i].strip() if i is not None and i < len(cells) else ""
            if text == "":
                if col.required:
                    raise InputError(path, "a value is required", row=line, column=col.name)
                values[col.name] = col.default
                continue
            values[col.name] = _parse_cell(path, line, col, text)
        out.append(Row(str(path), line, values))
    if not out and not allow_empty:
        raise InputError(path, "empty table: at least one data row is expected")
    return out


def _parse_cell(path: Path, line: int, col: Col, text: str) -> Any:
    if callable(col.kind):
        parser, expected = col.kind, "a valid value"
    else:
        parser, expected = _PARSERS[col.kind]
    try:
        value = parser(text)
    except (ValueError, TypeError):
        raise InputError(
            path, f"expected {expected}, got '{text}'", row=line, column=col.name
        ) from None
    if col.choices is not None and value not in col.choices:
        raise InputError(
            path, f"expected one of {', '.join(col.choices)}, got '{text}'", line, col.name
        )
    if col.min is not None and value < col.min:
        raise InputError(path, f"must be at least {col.min:g}, got {text}", line, col.name)
    if col.max is not None and value > col.max:
        raise InputError(path, f"must be at most {col.max:g}, got {text}", line, col.name)
    return value


def check_unique(rows: Iterable[Row], column: str, what: str = "id") -> None:
    """Raise :class:`InputError` at the second row that repeats ``column``."""
    seen: dict[Any, int] = {}
    for r in rows:
        key = r[column]
        if key in seen:
            raise r.error(column, f"duplicate {what} '{key}' (first at row {seen[key]})")
        seen[key] = r.line


def check_ref(row: Row, column: str, value: Any, known: Iterable[Any], what: str) -> None:
    """Raise :class:`InputError` if ``value`` is not among ``known`` (an unknown reference)."""
    if value not in known:
        raise row.error(column, f"unknown {what} '{value}'")


# --------------------------------------------------------------------------------- writing


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV text as UTF-8 with BOM, so Excel shows Chinese names correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV file (UTF-8 with BOM) atomically."""
    write_atomic(path, csv_bytes(header, rows))


def write_json(path: str | Path, obj: Any) -> None:
    """Write pretty UTF-8 JSON atomically (Chinese kept readable)."""
    write_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def workbook_bytes(wb: Any) -> bytes:
    """Serialise an openpyxl workbook to bytes (for :func:`write_atomic`)."""
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@contextmanager
def staged_outputs(folder: str | Path) -> Iterator[dict[str, bytes | str]]:
    """Collect outputs in memory and write them only if the block finishes without error.

    ``with staged_outputs(out) as files: files["roster.csv"] = csv_bytes(...)``. Each file is
    then written atomically; an exception inside the block writes nothing.
    """
    files: dict[str, bytes | str] = {}
    yield files
    for name, data in files.items():
        write_atomic(Path(folder) / name, data)


def clock(minutes: int) -> str:
    """Minutes after midnight (may exceed 24 h) as ``HH:MM`` of its day."""
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
