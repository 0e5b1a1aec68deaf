"""Report data from an open workbook through the plain xlwings API (names, ranges, values),
and writes that can be undone: what the ribbon's core functions stand on.

Works the same on a real Excel book (COM) and on xlwings' JSON book used in the tests.  Cells are
found only through the defined names, as in the file reader.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError, NotOurWorkbook
from nianbao.workbook_templates.format.report_data import empty_report, normalise, number, set_path
from nianbao.workbook_templates.xlsx.reader import WorkbookRead, cell_value
from nianbao.workbook_templates.xlsx.package import Cell


def _raw(value: Any) -> Cell:
    """An xlwings value as the file reader's Cell."""
    if isinstance(value, (datetime, date)):
        return Cell(value.date().isoformat() if isinstance(value, datetime) else value.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        return Cell(float(value))
    if isinstance(value, str) and value.startswith("#") and value.endswith(("!", "?", "A")):
        return Cell(None, error=value)
    return Cell(value)


class BookNames:
    """Workbook-scope names of a book: name -> (sheet, address, value)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._names = {n.name: n for n in book.names if "!" not in n.name}

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def range(self, name: str) -> Any:
        return self._names[name].refers_to_range

    def locate(self, name: str) -> tuple[str, str]:
        rng = self.range(name)
        return rng.sheet.name, rng.address.replace("$", "")


def read_book(book: Any) -> WorkbookRead:
    """The report data of an open nianbao workbook (values as Excel shows them)."""
    names = BookNames(book)
    if S.NAME_EDITION not in names:
        raise NotOurWorkbook("当前工作簿不是 nianbao 年报模板（找不到定义名称 edition）。请先点“新建年报”，或打开填好的年报模板。",
                             "the active workbook is not a nianbao template")
    edition_value = names.range(S.NAME_EDITION).value
    key = str(number(edition_value)) if isinstance(edition_value, float) else str(edition_value or "")
    try:
        edition = S.get_edition(key)
    except ValueError:
        raise NotOurWorkbook(f"当前工作簿的格式版本“{key}”无法识别。", f"unknown edition {key!r}") from None
    missing = [p for p in edition.fields if p not in names]
    if missing:
        raise NotOurWorkbook(f"当前工作簿缺少 {len(missing)} 个定义名称（模板被改动）。", "defined names are missing",
                             details=missing)
    data = empty_report(edition)
    cells: dict[str, tuple[str, str]] = {}
    notes: dict[str, dict[str, str]] = {}
    for path, f in edition.fields.items():
        cells[path] = names.locate(path)
        value, note = cell_value(f.kind, _raw(names.range(path).value))
        set_path(data, path, value)
        if note:
            notes[path] = {"printed": note[0], "note": note[1]}
    if S.NAME_PREVIOUS in names:
        raw = names.range(S.NAME_PREVIOUS).value
        chunks = raw if isinstance(raw, list) else [raw]
        text = "".join(str(c) for c in chunks if c is not None)
        if text.strip():
            try:
                data["previous"] = normalise(json.loads(text), nested=True)
            except (ValueError, NianbaoError):
                data["previous"] = None
    if notes:
        data["source"] = {"format": "xlsx", "cells": notes, "notes": [], "integrity": []}
    return WorkbookRead(data, cells)


class Writes:
    """Range writes that are undone if a later one fails (COM writes are not transactional).

    Everything is computed before the first write; ``set`` remembers the old value of each range
    it touches; ``undo`` puts them back in reverse order.
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self._done: list[tuple[Any, Any]] = []

    def set(self, rng: Any, value: Any) -> None:
        self._done.append((rng, rng.value))
        rng.value = value

    def undo(self) -> None:
        for rng, old in reversed(self._done):
            try:
                rng.value = old
            except Exception:  # keep undoing the rest
                pass
        self._done.clear()
