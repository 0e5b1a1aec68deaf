"""Rounds of returns: every collect run recorded in an SQLite file beside SUMMARY.xlsx — what came
in from whom, when, with which file hash and which findings — so the dashboard can say per unit
第几次报送, 退回次数, 最后收到时间, what changed since the last round, and that a file is the
same, byte for byte, as one sent before."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nianbao.batch.matching import UnitStatus
from nianbao.batch.returns import Spill
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import OutputError
from nianbao.workbook_templates.format.numbers import figure

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, summary TEXT NOT NULL, year INTEGER);
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
    unit_key TEXT NOT NULL, unit_name TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
    mtime REAL, status TEXT NOT NULL, errors INTEGER, warnings INTEGER,
    findings TEXT NOT NULL,  -- JSON list of the findings' messages
    figures TEXT);           -- JSON {path: value} of the summed figures
CREATE INDEX IF NOT EXISTS receipts_unit ON receipts(unit_key);
"""
MAX_CHANGES = 6
BATCH = 256  # receipts inserted at a time (all in the run's one transaction)


def ledger_path(summary: Path) -> Path:
    return summary.with_name(f"{summary.stem}-报送记录.sqlite")


@dataclass(slots=True)
class Round:
    """One unit's place in the rounds of returns, as the dashboard shows it."""

    submission: int | None = None  # 第几次报送 (distinct files, in the order they first came in)
    returned: int = 0  # 退回次数: earlier submissions that had errors
    last_received: str = ""  # when the current file first came in
    changes: Sequence[str] = ()  # since the previous submission
    identical_to: int | None = None  # the file is byte-identical to this earlier (or returned) submission


def _open(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path)
        db.executescript(SCHEMA)
        return db
    except sqlite3.DatabaseError as e:
        raise OutputError(f"报送记录 {path.name} 已损坏或不是 nianbao 的记录文件：{e}",
                          f"{path.name} is not a readable nianbao ledger: {e}") from e


def record(path: Path, summary: Path, year: int, statuses: list[UnitStatus], spill: Spill,
           now: datetime | None = None) -> dict[str, Round]:
    """Record this run's returns and give every unit with a return its rounds (by unit key): one
    transaction; the history is read without its figures, which are fetched only for a unit whose
    file changed since an earlier submission."""
    now = now or datetime.now()
    stamp = now.isoformat(timespec="seconds")
    db = _open(path)
    try:
        with db:
            # a unit's history asked for when its round is made (by the index on unit_key), not all
            # units' at once: ten thousand units over a few rounds weighed 10 MB held together
            earlier = db.execute("SELECT 1 FROM receipts LIMIT 1").fetchone() is not None
            run_id = db.execute("INSERT INTO runs (at, summary, year) VALUES (?, ?, ?)",
                                (stamp, summary.name, year)).lastrowid
            rounds: dict[str, Round] = {}
            alike: dict[tuple[Any, ...], Round] = {}  # (a Round is never changed once made)
            rows = []
            for s in statuses:
                c = s.chosen
                if c is None:
                    continue
                f = c.fields()  # the record read once
                if not f.digest:
                    continue
                notes = spill.notes_of(c) if c.readable else None  # the figures as JSON, the messages
                figures = notes[0] if notes is not None else None
                sha = f.digest.hex()
                r = _round(db, s.key, _history(db, s.key, run_id) if earlier else [], sha, f.mtime, stamp,
                           f.errors if c.readable else 1, figures, c.edition)
                # most units' rounds are alike (a first submission, received now): one object each
                rounds[s.key] = alike.setdefault((r.submission, r.returned, r.last_received, tuple(r.changes),
                                                  r.identical_to), r)
                messages = list(notes[1]) if notes is not None else []
                rows.append((run_id, s.key, s.name, c.name, sha, f.mtime, s.status,
                             f.errors if c.readable else None, f.warnings if c.readable else None,
                             json.dumps(messages or ([f.error] if f.error else []), ensure_ascii=False), figures))
                if len(rows) >= BATCH:
                    _insert(db, rows)
            _insert(db, rows)
    except sqlite3.DatabaseError as e:
        raise OutputError(f"无法写入报送记录 {path.name}：{e}", f"cannot write the ledger {path.name}: {e}") from e
    finally:
        db.close()
    return rounds


def _history(db: sqlite3.Connection, key: str, run_id: int) -> list[tuple[str, str, int, float | None]]:
    """The unit's receipts before this run's, oldest first: (sha256, when, errors, mtime)."""
    return [(sha, at, errors or 0, mtime) for sha, at, errors, mtime in db.execute(
        "SELECT r.sha256, runs.at, r.errors, r.mtime FROM receipts r JOIN runs ON runs.id = r.run_id "
        "WHERE r.unit_key = ? AND r.run_id < ? ORDER BY runs.id, r.id", (key, run_id))]


def _insert(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany("INSERT INTO receipts (run_id, unit_key, unit_name, file, sha256, mtime, status, errors, "
                   "warnings, findings, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    rows.clear()


def _round(db: sqlite3.Connection, key: str, past: list[tuple[str, str, int, float | None]], sha: str,
           mtime: float | None, stamp: str, errors: int, figures: str | None, edition: str | None) -> Round:
    """Submissions are the distinct files in the order they first came in."""
    order: list[str] = []
    first: dict[str, tuple[str, int, float | None]] = {}
    for h, at, errs, m in past:
        if h not in first:
            order.append(h)
            first[h] = (at, errs, m)
    r = Round()
    if sha in first:
        r.submission = order.index(sha) + 1
        # worth saying only when it tells something: an older file came back, or the file returned
        # for its errors was sent again unchanged (a fresh copy: another mtime).  The same file still
        # lying in the folder when collect runs again is neither: the dashboard stays as it was.
        resent = first[sha][1] and mtime is not None and first[sha][2] is not None and mtime != first[sha][2]
        r.identical_to = r.submission if r.submission < len(order) or resent else None
        r.last_received = first[sha][0]
        earlier = order[: r.submission - 1]
    else:
        r.submission = len(order) + 1
        r.last_received = stamp
        earlier = order
    r.returned = sum(1 for h in earlier if first[h][1])
    if earlier and figures is not None and edition is not None:
        row = db.execute("SELECT r.figures FROM receipts r WHERE r.unit_key = ? AND r.sha256 = ? ORDER BY r.id LIMIT 1",
                         (key, earlier[-1])).fetchone()
        before = json.loads(row[0] or "null") if row else None
        if isinstance(before, dict):
            r.changes = _changes(before, json.loads(figures), S.get_edition(edition))
    return r


def _changes(before: dict[str, Any], now: dict[str, Any], edition: S.Edition) -> list[str]:
    out = [f"{edition.describe(p)}：{_show(before.get(p))}→{_show(v)}"
           for p, v in now.items() if before.get(p) != v]
    return out[:MAX_CHANGES] + ([f"等共 {len(out)} 处"] if len(out) > MAX_CHANGES else []) if out else ["数字没有变化"]


def _show(v: Any) -> str:
    return "空白" if v is None else figure(v)
