"""Audit log: records round-trip, a torn last line is ignored and cut off by the next append,
and corruption elsewhere is reported. (A real process killed with SIGKILL in the middle of a
dispatch is tested in ``tests/cli/test_incidents_cli.py``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.incidents.audit import append_record, encode_record, read_audit
from optimizer.io import InputError

REPO = Path(__file__).resolve().parents[2]


def test_round_trip_keeps_order_and_chinese(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_record(log, {"n": 1, "site": "学8"})
    append_record(log, {"n": 2})
    got = read_audit(log)
    assert [r["n"] for r in got.records] == [1, 2]
    assert got.records[0]["site"] == "学8"
    assert not got.torn_tail


def test_missing_log_is_empty(tmp_path: Path) -> None:
    assert read_audit(tmp_path / "none.jsonl").records == ()


def test_torn_last_line_is_ignored_then_cut_by_next_append(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_record(log, {"n": 1})
    log.write_bytes(log.read_bytes() + encode_record({"n": 2})[:7])
    got = read_audit(log)
    assert [r["n"] for r in got.records] == [1]
    assert got.torn_tail
    append_record(log, {"n": 3})
    got = read_audit(log)
    assert [r["n"] for r in got.records] == [1, 3]
    assert not got.torn_tail


def test_complete_last_line_with_bad_checksum_counts_as_torn(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_record(log, {"n": 1})
    log.write_bytes(log.read_bytes() + b"00000000 {}\n")
    assert read_audit(log).torn_tail
    append_record(log, {"n": 2})
    assert [r["n"] for r in read_audit(log).records] == [1, 2]


def test_corrupt_middle_record_is_reported_with_its_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    for n in range(3):
        append_record(log, {"n": n})
    lines = log.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"n":1', b'"n":7')
    log.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="row 2"):
        read_audit(log)
