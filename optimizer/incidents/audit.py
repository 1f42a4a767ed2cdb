"""Append-only audit log of incidents and dispatch orders that survives a crash mid-write.

One record per line: ``<crc32 hex, 8 chars> <compact JSON>\\n``. A record is appended with a
single ``write`` on a descriptor opened with ``O_APPEND`` and then ``fsync``'d, under an
exclusive ``flock`` so two terminals never interleave. A crash (``kill -9``, power loss) can
leave only the last line torn: it has no newline or its checksum does not match. The reader
ignores such a last line; the next append cuts it off before writing, so the log never holds
a torn line followed by good ones. A bad checksum anywhere else is real corruption and is
reported with its line number.

``FANGYI_AUDIT_TEST_PAUSE`` (seconds) exists only so the crash test can kill the process at a
controlled point: the record is then written in two halves with a sleep in between.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.io import InputError

AUDIT_NAME = "audit.jsonl"
PAUSE_ENV = "FANGYI_AUDIT_TEST_PAUSE"


def encode_record(record: dict[str, Any]) -> bytes:
    """One log line for ``record``: checksum, space, compact JSON, newline."""
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    raw = body.encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(raw), raw)


def _decode_line(line: bytes) -> dict[str, Any] | None:
    """The record on ``line`` (without newline), or None when it is torn or corrupt."""
    crc, sep, raw = line.partition(b" ")
    if not sep or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(raw):
            return None
        record = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


@dataclass(frozen=True)
class AuditLog:
    """The records of a log, oldest first; ``torn_tail`` when a crash cut the last one."""

    records: tuple[dict[str, Any], ...]
    torn_tail: bool = False


def read_audit(path: str | Path) -> AuditLog:
    """Read every good record of ``path`` (a missing file is an empty log).

    A torn last line is ignored; a bad line followed by good ones raises ``InputError``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return AuditLog(())
    lines = data.split(b"\n")
    # After the final newline split() leaves b""; anything else there is an unfinished line.
    tail = lines.pop()
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        record = _decode_line(line)
        if record is None:
            if number == len(lines) and not tail:
                return AuditLog(tuple(records), torn_tail=True)
            raise InputError(path, "corrupt audit record (checksum mismatch)", row=number)
        records.append(record)
    return AuditLog(tuple(records), torn_tail=bool(tail))


def _good_length(fd: int) -> int:
    """Byte length of the log without a torn last line."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0
    data = os.pread(fd, size, 0)
    end = data.rfind(b"\n") + 1
    last_start = data.rfind(b"\n", 0, end - 1) + 1 if end else 0
    if end and _decode_line(data[last_start : end - 1]) is None:
        return last_start  # a complete-looking but corrupt last line is torn as well
    return end


def append_record(path: str | Path, record: dict[str, Any]) -> None:
    """Append ``record`` durably: the call returns only once it is on disk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = encode_record(record)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        good = _good_length(fd)
        if good != os.fstat(fd).st_size:
            os.ftruncate(fd, good)  # drop the line a previous crash tore
        pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
        if pause > 0:
            half = len(line) // 2
            os.write(fd, line[:half])
            os.fsync(fd)
            time.sleep(pause)
            line = line[half:]
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock
    if created:
        # The new directory entry must be durable too, or a crash could lose the whole file.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
